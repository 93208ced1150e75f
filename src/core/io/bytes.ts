/**
 * Byte sources: a readable, sized byte range — a file opened for positional reads, or bytes already
 * in memory — that every bounded reader (the format parsers, the zip reader) reads through. Nothing
 * here reads more than it is asked for, and a range past the end is a named `malformed` error, never
 * a giant allocation or a short buffer.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { ProbityError, describeFsError, fileError } from '../util/errors.ts';
import { fmt } from '../util/format.ts';

/** A readable, sized byte range: a file on disk or a buffer already in memory. */
export interface ByteSource {
  /** The label used in error messages (normally the path the caller gave). */
  readonly name: string;
  readonly size: number;
  /**
   * Exactly `length` bytes from `position`; throws `malformed` when the range passes the end.
   * `readAhead` is a hint: a source with a window may read that much for the calls that follow.
   */
  read(position: number, length: number, readAhead?: number): Promise<Buffer>;
  close(): Promise<void>;
}

class FileSource implements ByteSource {
  constructor(
    readonly name: string,
    readonly size: number,
    private readonly handle: FileHandle,
  ) {}

  async read(position: number, length: number): Promise<Buffer> {
    if (
      !Number.isSafeInteger(position) ||
      !Number.isSafeInteger(length) ||
      position < 0 ||
      length < 0 ||
      position + length > this.size
    ) {
      throw fileError(
        'malformed',
        this.name,
        `read of ${fmt(length)} bytes at offset ${fmt(position)} passes the end of the ${fmt(this.size)}-byte file`,
      );
    }
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await this.handle.read(buf, done, length - done, position + done));
      } catch (err) {
        throw fileError('unreadable', this.name, describeFsError(err), err);
      }
      if (bytesRead === 0) {
        throw fileError(
          'changed-while-reading',
          this.name,
          `file ended at offset ${fmt(position + done)} although it was ${fmt(this.size)} bytes when opened`,
        );
      }
      done += bytesRead;
    }
    return buf;
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}

/** Open `file` read-only; refuses directories and other non-regular files. */
export async function openFileSource(file: string): Promise<ByteSource> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code === 'ENOENT' ? 'not-found' : 'unreadable';
    throw fileError(code, file, describeFsError(err), err);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw fileError('unreadable', file, 'not a regular file');
    return new FileSource(file, st.size, handle);
  } catch (err) {
    await handle.close().catch(() => undefined);
    if (err instanceof ProbityError) throw err;
    throw fileError('unreadable', file, describeFsError(err), err);
  }
}

/** A ByteSource over bytes already in memory (an inflated zip member, a test buffer). */
export function bufferSource(name: string, data: Buffer): ByteSource {
  return {
    name,
    size: data.length,
    read(position: number, length: number): Promise<Buffer> {
      if (position < 0 || length < 0 || position + length > data.length) {
        return Promise.reject(
          fileError(
            'malformed',
            name,
            `read of ${fmt(length)} bytes at offset ${fmt(position)} passes the end of the ${fmt(data.length)}-byte data`,
          ),
        );
      }
      return Promise.resolve(data.subarray(position, position + length));
    },
    close(): Promise<void> {
      return Promise.resolve();
    },
  };
}

/** Open, run `fn`, always close. */
export async function withFileSource<T>(file: string, fn: (src: ByteSource) => Promise<T>): Promise<T> {
  const src = await openFileSource(file);
  try {
    return await fn(src);
  } finally {
    await src.close();
  }
}
