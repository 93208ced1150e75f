import type { Tone } from '../../components/Bits';

export const STATUS_TONE: Record<string, Tone> = { active: 'ok', retired: 'neutral', revoked: 'bad' };

/** A new passphrase typed twice; the mismatch is said before anything is sent. */
export function passphraseProblem(p: string, again: string): string | null {
  if (p.length < 8) return 'Use a passphrase of at least 8 characters.';
  if (p !== again) return 'The two passphrases differ.';
  return null;
}
