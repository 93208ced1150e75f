/**
 * The review queue's keyboard: one key per label, taken only outside text fields and without a
 * modifier (so Ctrl+B and typing a note never label a record).
 */
import { AUDIT_LABELS, type AuditLabel } from '../../shared/audit';

export const LABEL_KEYS: Record<AuditLabel, string> = {
  harmful: 'h',
  benign: 'b',
  unsure: 'u',
  escalate: 'e',
};

type KeyLike = Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>;

/** A key pressed as a label; null for any other key or with a modifier. */
export function labelForKey(e: KeyLike): AuditLabel | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  const k = e.key.toLowerCase();
  return AUDIT_LABELS.find((l) => LABEL_KEYS[l] === k) ?? null;
}

/** Whether a key event comes from a field the reviewer is typing in. */
export function typingIn(target: { tagName?: string; isContentEditable?: boolean } | null): boolean {
  if (!target) return false;
  const tag = target.tagName ?? '';
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable === true;
}
