/**
 * Every failure a user can meet is a ProbityError: one readable line that names the file (or case,
 * or seq) and the reason. `exitCode` follows the CLI's contract: 1 for a verification or checksum
 * failure, 2 for bad usage or unreadable input.
 */
export type ErrorCode =
  | 'usage'
  | 'not-found'
  | 'unreadable'
  | 'malformed'
  | 'unsafe-path'
  | 'changed-while-reading'
  | 'disk-full'
  | 'cancelled'
  | 'verification-failed'
  | 'conflict'
  | 'internal';

export class ProbityError extends Error {
  override readonly name = 'ProbityError';
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly exitCode: 1 | 2;

  constructor(
    code: ErrorCode,
    message: string,
    options: { file?: string; cause?: unknown; exitCode?: 1 | 2 } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.file = options.file;
    this.exitCode = options.exitCode ?? (code === 'verification-failed' ? 1 : 2);
  }
}

/** `file: reason` — the shape of every error line Probity prints. */
export function fileError(code: ErrorCode, file: string, reason: string, cause?: unknown): ProbityError {
  return new ProbityError(code, `${file}: ${reason}`, { file, cause });
}

/** Translate a Node fs error into a sentence a custodian can act on. */
export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a parent is not a directory';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EIO':
      return 'input/output error (failing disk or medium?)';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    default:
      return e?.message ?? String(err);
  }
}
