/**
 * Evidence objects live at content-addressed paths (`objects/sha256/ab/cdef…`) that mean nothing to
 * a reader. The format parsers name the path they were given; this puts the evidence path inside
 * the bundle back into the message, so every error still "names the file and the reason".
 */
import { ProbityError } from '../util/errors.ts';

export function relabelError(err: unknown, file: string, label: string): unknown {
  if (!(err instanceof ProbityError) || file === label) return err;
  const message = err.message.split(file).join(label);
  return new ProbityError(err.code, message, { file: label, cause: err, exitCode: err.exitCode });
}

/** Run `fn`, translating any ProbityError that names `file` so that it names `label` instead. */
export async function withLabel<T>(file: string, label: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw relabelError(err, file, label);
  }
}

/** The one-line reason of an error, for a finding that records it instead of stopping. */
export function reasonOf(err: unknown, file?: string, label?: string): string {
  const e = file !== undefined && label !== undefined ? relabelError(err, file, label) : err;
  return e instanceof Error ? e.message : String(e);
}
