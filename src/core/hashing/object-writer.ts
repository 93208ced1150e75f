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
      ensurePrivate(tmpDir);
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
   * Store a whole file by letting the kernel copy it (`fs.copyFile`: copy_file_range or sendfile,
   * no byte through this process) into the temp file, while this thread hashes the temp file as it
   * grows. The copy and the hash run on two cores at once, and the hash thread does exactly what
   * `openssl dgst` does on one file, so the ingest of one file is bound by SHA-256, not by the copy.
   *
   * Why the stored object cannot differ from what was hashed: the digest is computed from the bytes
   * read back from the temp file itself, the very inode that finish() links into place, never from
   * the source. The copy writes each offset once, front to back, and only bytes below the file's
   * current size are read, so every byte read is final; the temp folder is private to this user
   * (ensurePrivate), so no one else writes to it in the meantime. A source that changes during the
   * copy changes what is stored and what is hashed alike; the caller's size and mtime checks on the
   * source name it.
   *
   * `step` is told each hashed chunk's length (progress) and may throw to stop (cancel): the copy
   * itself cannot be interrupted, so a stop waits for it to end, then the temp file is removed by
   * abort().
   */
  async copyFileHashing(
    source: string | Buffer,
    size: number,
    chunkSize: number,
    step: (n: number) => void,
  ): Promise<number> {
    if (this.fd === null || this.tmpPath === null) throw new Error('copyFileHashing needs a writable object');
    const tmp = this.tmpPath;
    let copied = false;
    let copyError: unknown = null;
    // Opened before the copy starts: a failed copy unlinks its destination, and this keeps the inode.
    let reader: number;
    try {
      reader = fs.openSync(tmp, 'r');
    } catch (err) {
      throw this.fsError(err, 'cannot read back the object being stored');
    }
    // Not COPYFILE_EXCL: the temp file is this writer's own, created empty with O_EXCL above.
    const copying = fs.promises.copyFile(source, tmp).then(
      () => {
        copied = true;
      },
      (err: unknown) => {
        copyError = err;
        copied = true;
      },
    );
    let pos = 0;
    try {
      const bufs = [Buffer.allocUnsafe(chunkSize), Buffer.allocUnsafe(chunkSize)];
      const readAt = (i: number, at: number) =>
        new Promise<number>((resolve, reject) =>
          fs.read(reader, bufs[i % 2]!, 0, Math.min(chunkSize, size - at), at, (err, n) =>
            err ? reject(this.fsError(err, 'cannot read back the object being stored')) : resolve(n),
          ),
        );
      let i = 0;
      let pending = pos < size ? readAt(0, 0) : null;
      while (pending) {
        const n = await pending;
        if (n === 0) {
          // Caught up with the copy: wait for it to write more, or to end.
          const ended = copied;
          if (ended && copyError) throw this.fsError(copyError, 'cannot write to the object store');
          if (ended) {
            const again = await readAt(i, pos);
            if (again === 0) break; // the source was shorter than listed: the caller names it
            pending = Promise.resolve(again);
            continue;
          }
          await new Promise((r) => setTimeout(r, 1));
          pending = readAt(i, pos);
          continue;
        }
        const chunk = bufs[i % 2]!.subarray(0, n);
        pos += n;
        i++;
        pending = pos < size ? readAt(i, pos) : null; // the next read overlaps this chunk's hashing
        this.digestOnly(chunk);
        this.written = pos;
        this.flushEvery(this.fd);
        step(n);
      }
      await copying;
      if (copyError) throw this.fsError(copyError, 'cannot write to the object store');
      // More than listed was copied (the source grew): the stored object would hold unhashed bytes.
      const stored = fs.fstatSync(this.fd).size;
      if (stored !== pos) return stored;
      fs.fchmodSync(this.fd, 0o600);
      await this.settle();
      return pos;
    } catch (err) {
      await copying;
      await this.settle();
      throw err;
    } finally {
      fs.closeSync(reader);
    }
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

const privateDirs = new Set<string>();

/** The temp folder of a case's object store: only its owner may enter it (a copy in flight takes the source's mode). */
function ensurePrivate(dir: string): void {
  if (privateDirs.has(dir)) return;
  try {
    fs.chmodSync(dir, 0o700);
  } catch {
    // Reported by the create that follows, with its reason.
  }
  privateDirs.add(dir);
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
