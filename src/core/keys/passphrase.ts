/**
 * Where a custodian's passphrase comes from: an environment variable for scripts
 * (PROBITY_PASSPHRASE; PROBITY_NEW_PASSPHRASE for the new key of a rotation), else a prompt on the
 * terminal with echo off. Never from a command-line argument, which other users can read in the
 * process list. An empty passphrase is refused.
 */
import { ProbityError } from '../util/errors';

export interface PromptInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface PassphraseSource {
  env: NodeJS.ProcessEnv;
  input: PromptInput;
  output: NodeJS.WritableStream;
}

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACE = new Set(['\u007f', '\b']);

/** Read one line from a raw-mode terminal without echoing it. */
export function readHidden(
  input: PromptInput,
  output: NodeJS.WritableStream,
  prompt: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    output.write(prompt);
    input.setRawMode?.(true);
    input.setEncoding('utf8');
    input.resume();
    const finish = (err: Error | null) => {
      input.removeListener('data', onData);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: string | Buffer) => {
      for (const ch of chunk.toString()) {
        if (ch === CTRL_C) return finish(new ProbityError('cancelled', 'passphrase entry cancelled'));
        if (ch === '\r' || ch === '\n' || ch === CTRL_D) return finish(null);
        if (BACKSPACE.has(ch)) text = text.slice(0, -1);
        else text += ch;
      }
      return undefined;
    };
    input.on('data', onData);
  });
}

/**
 * The passphrase for `what`: from `envVar` if set, else prompted (twice when `confirm`, for a new
 * key). Not a terminal and no variable: a usage error saying how to provide one.
 */
export async function obtainPassphrase(
  src: PassphraseSource,
  opts: { envVar: string; what: string; confirm?: boolean },
): Promise<string> {
  const fromEnv = src.env[opts.envVar];
  if (fromEnv !== undefined) {
    if (fromEnv === '')
      throw new ProbityError('usage', `${opts.envVar} is empty: refusing an empty passphrase`);
    return fromEnv;
  }
  if (!src.input.isTTY || !src.input.setRawMode) {
    throw new ProbityError(
      'usage',
      `no passphrase for ${opts.what}: set ${opts.envVar} or run on a terminal`,
    );
  }
  const first = await readHidden(src.input, src.output, `passphrase for ${opts.what}: `);
  if (first === '') throw new ProbityError('usage', 'refusing an empty passphrase');
  if (opts.confirm) {
    const again = await readHidden(src.input, src.output, 'again, to confirm: ');
    if (again !== first) throw new ProbityError('usage', 'the two passphrases differ');
  }
  return first;
}
