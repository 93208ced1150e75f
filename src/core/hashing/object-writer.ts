import { createHash, randomBytes, type Hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { objectPathIn } from '../store/paths';
import { ProbityError, describeFsError } from '../util/errors';
import { HEAD_BYTES, type StoredObject } from './protocol';

/**
 * One pass of an object into the content-addressed store: every chunk is hashed and written to a
 * temp file in the same call, so the source is read once. finish() fsyncs, makes the file read-only,
 * and links it to `objects/sha256/<2>/<62>`; link() refuses to replace an existing object, so
 * nothing ever rewrites one — identical content found there is reused instead.
 *
 * With `write: false` only the digest is computed (resume: the journal says this object is already
 * stored, and the source is hashed to confirm it before the copy is skipped).
 */
const FLUSH_EVERY = 256 * 1024 * 1024;

export class ObjectWriter {
  private readonly hash: Hash = createHash('sha256');
  private readonly head = Buffer.alloc(HEAD_BYTES);
  private headLen = 0;
  private size = 0;
  private fd: number | null = null;
  private tmpPath: string | null = null;
  private written = 0;
  private flushedAt = 0;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly tmpDir: string,
    private readonly objectsDir: string,
    private readonly label: string,
    private readonly write: boolean,
  ) {
    if (write) {
      this.tmpPath = path.join(tmpDir, `${process.pid}-${randomBytes(8).toString('hex')}.part`);
      try {
        this.fd = fs.openSync(this.tmpPath, 'wx', 0o600);
      } catch (err) {
        this.tmpPath = null;
        throw this.fsError(err, 'cannot create a temporary file in the object store');
      }
    }
  }

  get bytes(): number {
    return this.size;
  }

  /** Hash a chunk and write it, synchronously. */
  update(chunk: Uint8Array): void {
    this.digestOnly(chunk);
    if (this.fd !== null) {
      let off = 0;
      while (off < chunk.length) {
        try {
          off += fs.writeSync(this.fd, chunk, off, chunk.length - off);
        } catch (err) {
          throw this.fsError(err, 'cannot write to the object store');
        }
      }
    }
  }

  /** Hash a chunk (and keep the head) without writing it. */
  digestOnly(chunk: Uint8Array): void {
    this.hash.update(chunk);
    if (this.headLen < HEAD_BYTES) {
      const n = Math.min(HEAD_BYTES - this.headLen, chunk.length);
      this.head.set(chunk.subarray(0, n), this.headLen);
      this.headLen += n;
    }
    this.size += chunk.length;
  }

  /**
   * Write a chunk on libuv's thread pool while the caller hashes it (digestOnly) on this thread:
   * the write of one chunk overlaps the hashing of the same bytes. Chunks are written in the order
   * this is called; the caller must not reuse the buffer until the promise settles.
   */
  writeAsync(chunk: Uint8Array, position: number): Promise<void> {
    const fd = this.fd;
    if (fd === null) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const step = (off: number) =>
        fs.write(fd, chunk, off, chunk.length - off, position + off, (err, written) => {
          if (err) reject(this.fsError(err, 'cannot write to the object store'));
          else if (off + written < chunk.length) step(off + written);
          else resolve();
        });
      step(0);
    }).then(() => {
      this.written += chunk.length;
      this.flushEvery(fd);
    });
  }

  /**
   * Start writing dirty pages back every FLUSH_EVERY bytes while the copy goes on, so the fsync
   * that ends the object has little left to wait for (the disk works during the hashing).
   */
  private flushEvery(fd: number): void {
    if (this.flushing !== null || this.written - this.flushedAt < FLUSH_EVERY) return;
    this.flushedAt = this.written;
    this.flushing = new Promise<void>((resolve) =>
      fs.fdatasync(fd, () => {
        // A failure here is not lost: the final fsync in finish() reports it.
        this.flushing = null;
        resolve();
      }),
    );
  }

  /** Wait for a background flush in flight, before the file is fsynced and closed. */
  async settle(): Promise<void> {
    await this.flushing;
  }

  /** Digest of what was seen; for a hash-only pass this is all there is. */
  digest(): { sha256: string; size: number; head: Uint8Array } {
    return {
      sha256: this.hash.digest('hex'),
      size: this.size,
      head: new Uint8Array(this.head.subarray(0, this.headLen)),
    };
  }

  finish(): StoredObject {
    const { sha256, size, head } = this.digest();
    if (this.fd === null || this.tmpPath === null) return { sha256, size, reused: true, head };
    const tmp = this.tmpPath;
    try {
      fs.fsyncSync(this.fd);
      fs.fchmodSync(this.fd, 0o444);
      fs.closeSync(this.fd);
      this.fd = null;
      const final = objectPathIn(this.objectsDir, sha256);
      const shardDir = path.dirname(final);
      fs.mkdirSync(shardDir, { recursive: true });
      let reused = false;
      try {
        fs.linkSync(tmp, final);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        reused = true;
      }
      fs.unlinkSync(tmp);
      this.tmpPath = null;
      if (!reused) fsyncDir(shardDir);
      return { sha256, size, reused, head };
    } catch (err) {
      this.abort();
      throw this.fsError(err, 'cannot store the object');
    }
  }

  /** Remove the temp file; nothing half-written is ever left under objects/sha256. */
  abort(): void {
    if (this.fd !== null) {
      try {
        fs.closeSync(this.fd);
      } catch {
        /* already closed */
      }
      this.fd = null;
    }
    if (this.tmpPath !== null) {
      try {
        fs.unlinkSync(this.tmpPath);
      } catch {
        /* already gone */
      }
      this.tmpPath = null;
    }
  }

  private fsError(err: unknown, what: string): ProbityError {
    if (err instanceof ProbityError) return err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      return new ProbityError(
        'disk-full',
        `${this.label}: ${what}: ${describeFsError(err)} in ${this.objectsDir} — free space and run the same ingest again; it resumes`,
        { file: this.label, cause: err },
      );
    }
    return new ProbityError('unreadable', `${this.label}: ${what}: ${describeFsError(err)}`, {
      file: this.label,
      cause: err,
    });
  }
}

export function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the file itself was fsynced.
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
