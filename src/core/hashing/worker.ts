/**
 * Hashing worker thread: one job at a time, one file per job. Reads are synchronous and large
 * (1–8 MiB) because this thread does nothing else; the event loop that serves the UI never sees a
 * byte of evidence. Progress is posted at most every PROGRESS_MS or PROGRESS_BYTES.
 */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { ArchiveEntry } from '../io/archive/types';
import { openEntryStream } from '../io/archive/source';
import { streamTarGz } from '../io/archive/tar';
import { objectPathIn } from '../store/paths';
import { ProbityError, describeFsError } from '../util/errors';
import { ObjectWriter } from './object-writer';
import type {
  HashRequest,
  StoreRequest,
  StoreTarGzRequest,
  StoredObject,
  WorkerReply,
  WorkerRequest,
} from './protocol';

const PROGRESS_MS = 200;
const PROGRESS_BYTES = 64 * 1024 * 1024;

const cancelFlag = new Int32Array((workerData as { cancel: SharedArrayBuffer }).cancel);

function post(msg: WorkerReply): void {
  parentPort!.postMessage(msg);
}

function checkCancelled(label: string): void {
  if (Atomics.load(cancelFlag, 0) !== 0) throw new ProbityError('cancelled', `${label}: cancelled`);
}

class ProgressReporter {
  private lastAt = Date.now();
  private pending = 0;
  constructor(
    private readonly seq: number,
    private readonly label: string,
    private readonly total: number,
  ) {}
  add(n: number): void {
    this.pending += n;
    const now = Date.now();
    if (this.pending >= PROGRESS_BYTES || now - this.lastAt >= PROGRESS_MS) this.flush(now);
  }
  flush(now = Date.now()): void {
    if (this.pending === 0) return;
    post({ type: 'progress', seq: this.seq, label: this.label, bytes: this.pending, total: this.total });
    this.pending = 0;
    this.lastAt = now;
  }
}

/** Read [offset, offset+length) of a file (or all of it when length is null) into `sink`. */
function pumpSync(
  file: string | Buffer,
  label: string,
  offset: number,
  length: number | null,
  chunkSize: number,
  sink: (chunk: Buffer) => void,
  progress: ProgressReporter,
  onOpen?: (fd: number) => void,
): number {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw new ProbityError('unreadable', `${label}: cannot open: ${describeFsError(err)}`, { file: label });
  }
  try {
    onOpen?.(fd);
    const buf = Buffer.allocUnsafe(chunkSize);
    let pos = offset;
    let total = 0;
    for (;;) {
      checkCancelled(label);
      const want = length === null ? chunkSize : Math.min(chunkSize, length - total);
      if (want === 0) break;
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, want, pos);
      } catch (err) {
        throw new ProbityError(
          'unreadable',
          `${label}: read failed at byte ${pos}: ${describeFsError(err)}`,
          { file: label },
        );
      }
      if (n === 0) break;
      sink(buf.subarray(0, n));
      pos += n;
      total += n;
      progress.add(n);
    }
    if (length !== null && total !== length) {
      throw new ProbityError(
        'malformed',
        `${label}: archive ends after ${total} of ${length} bytes of this entry (truncated)`,
        {
          file: label,
        },
      );
    }
    return total;
  } finally {
    fs.closeSync(fd);
  }
}

function readAsync(fd: number, buf: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) =>
    fs.read(fd, buf, 0, length, position, (err, n) => (err ? reject(err) : resolve(n))),
  );
}

/**
 * The one-pass copy, pipelined over three rotating buffers: while this thread hashes chunk i,
 * libuv's pool writes chunk i (same bytes, read-only on both sides) and reads chunk i+1. A buffer
 * is refilled only once the write that last used it has finished.
 */
async function pumpPipelined(
  file: string | Buffer,
  label: string,
  offset: number,
  length: number | null,
  chunkSize: number,
  writer: ObjectWriter,
  progress: ProgressReporter,
  onOpen?: (fd: number) => void,
): Promise<number> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw new ProbityError('unreadable', `${label}: cannot open: ${describeFsError(err)}`, { file: label });
  }
  const bufs = [Buffer.allocUnsafe(chunkSize), Buffer.allocUnsafe(chunkSize), Buffer.allocUnsafe(chunkSize)];
  const writes: Promise<void>[] = [Promise.resolve(), Promise.resolve(), Promise.resolve()];
  let total = 0;
  try {
    onOpen?.(fd);
    const want = (done: number) => (length === null ? chunkSize : Math.min(chunkSize, length - done));
    const read = (i: number, done: number): Promise<number> => {
      const n = want(done);
      if (n === 0) return Promise.resolve(0);
      return readAsync(fd, bufs[i % 3]!, n, offset + done).catch((err: unknown) => {
        throw new ProbityError(
          'unreadable',
          `${label}: read failed at byte ${offset + done}: ${describeFsError(err)}`,
          {
            file: label,
          },
        );
      });
    };
    let pending = read(0, 0);
    for (let i = 0; ; i++) {
      checkCancelled(label);
      const n = await pending;
      if (n === 0) break;
      const chunk = bufs[i % 3]!.subarray(0, n);
      const at = total;
      total += n;
      await writes[(i + 1) % 3]; // the buffer about to be refilled was last written two chunks ago
      pending = read(i + 1, total);
      const write = writer.writeAsync(chunk, at);
      // Marked handled now: a failed write is awaited (and reported) a chunk later, and an
      // unhandled rejection in the meantime would kill this thread before it removes its temp file.
      write.catch(() => {});
      writes[i % 3] = write;
      writer.digestOnly(chunk);
      progress.add(n);
    }
    await Promise.all(writes);
    await writer.settle();
    if (length !== null && total !== length) {
      throw new ProbityError(
        'malformed',
        `${label}: archive ends after ${total} of ${length} bytes of this entry (truncated)`,
        {
          file: label,
        },
      );
    }
    return total;
  } catch (err) {
    await Promise.allSettled(writes);
    await writer.settle();
    throw err;
  } finally {
    fs.closeSync(fd);
  }
}

async function passOnce(req: StoreRequest, write: boolean): Promise<StoredObject> {
  const { source, label } = req;
  const writer = new ObjectWriter(req.tmpDir, req.objectsDir, label, write);
  try {
    if (source.kind === 'file') {
      const progress = new ProgressReporter(req.seq, label, source.expectSize);
      const changed = (why: string) =>
        new ProbityError(
          'changed-while-reading',
          `${label}: the file changed while being read (${why}); stop whatever writes to it and ingest again`,
          { file: label },
        );
      const p = source.pathBytes ? Buffer.from(source.pathBytes) : source.path;
      const read = await pumpPipelined(p, label, 0, null, req.chunkSize, writer, progress, (fd) => {
        const st = fs.fstatSync(fd);
        if (st.size !== source.expectSize)
          throw changed(`size was ${source.expectSize} bytes when listed, ${st.size} when opened`);
      });
      progress.flush();
      const after = fs.statSync(p, { throwIfNoEntry: false });
      if (read !== source.expectSize) throw changed(`expected ${source.expectSize} bytes, read ${read}`);
      if (!after || after.size !== source.expectSize) throw changed(`size is now ${after?.size ?? 'gone'}`);
      if (after.mtimeMs !== source.expectMtimeMs) throw changed('modification time moved during the read');
    } else if (source.kind === 'range') {
      const progress = new ProgressReporter(req.seq, label, source.length);
      await pumpPipelined(source.file, label, source.offset, source.length, req.chunkSize, writer, progress);
      progress.flush();
    } else {
      const progress = new ProgressReporter(req.seq, label, source.length);
      const stream = openEntryStream(source);
      try {
        for await (const chunk of stream) {
          checkCancelled(label);
          writer.update(chunk as Buffer);
          progress.add((chunk as Buffer).length);
        }
      } catch (err) {
        stream.destroy();
        if (err instanceof ProbityError)
          throw new ProbityError(err.code, `${label}: ${err.message}`, { file: label });
        throw new ProbityError('malformed', `${label}: ${(err as Error).message}`, { file: label });
      }
      progress.flush();
    }
    return write ? writer.finish() : { ...writer.digest(), reused: true };
  } catch (err) {
    writer.abort();
    throw err;
  }
}

async function store(req: StoreRequest): Promise<StoredObject> {
  const hint = req.hint;
  if (hint && fs.existsSync(objectPathIn(req.objectsDir, hint.sha256))) {
    const seen = await passOnce(req, false);
    if (seen.sha256 === hint.sha256) return seen;
    // The source no longer matches what was stored for it: copy it as it is now.
  }
  return passOnce(req, true);
}

function hashFile(req: HashRequest): { sha256: string; size: number } {
  const writer = new ObjectWriter('', '', req.label, false);
  let total = 0;
  try {
    total = fs.statSync(req.file).size;
  } catch {
    /* reported by the open below */
  }
  const progress = new ProgressReporter(req.seq, req.label, total);
  pumpSync(req.file, req.label, 0, null, req.chunkSize, (c) => writer.update(c), progress);
  progress.flush();
  const d = writer.digest();
  return { sha256: d.sha256, size: d.size };
}

/** A .tar.gz can only be read front to back: this one job decompresses and stores every member. */
async function storeTarGz(req: StoreTarGzRequest): Promise<void> {
  let current: { entry: ArchiveEntry; writer: ObjectWriter; progress: ProgressReporter } | null = null;
  let pendingHint: { entry: ArchiveEntry; sha256: string } | null = null;
  const archiveLabel = req.archive;
  try {
    await streamTarGz(req.archive, {
      onEntry(entry) {
        checkCancelled(entry.path);
        if (entry.type !== 'file') {
          post({ type: 'tgz-entry', seq: req.seq, entry, object: null });
          return;
        }
        const hint = req.hints[entry.index];
        const reuse = hint !== undefined && fs.existsSync(objectPathIn(req.objectsDir, hint.sha256));
        pendingHint = reuse ? { entry, sha256: hint.sha256 } : null;
        current = {
          entry,
          writer: new ObjectWriter(req.tmpDir, req.objectsDir, entry.path, !reuse),
          progress: new ProgressReporter(req.seq, entry.path, entry.size),
        };
      },
      onData(chunk) {
        if (!current) return;
        checkCancelled(current.entry.path);
        current.writer.update(chunk);
        current.progress.add(chunk.length);
      },
      onEntryEnd() {
        if (!current) return;
        const { entry, writer, progress } = current;
        current = null;
        progress.flush();
        const obj = writer.finish();
        const hinted = pendingHint as { entry: ArchiveEntry; sha256: string } | null;
        if (hinted && hinted.sha256 !== obj.sha256) {
          // Rare: the archive changed since the interrupted run. Fail loudly rather than guess.
          throw new ProbityError(
            'changed-while-reading',
            `${archiveLabel}: entry "${entry.path}" no longer matches the interrupted ingest; the archive changed — start a new ingest`,
            { file: archiveLabel },
          );
        }
        post({ type: 'tgz-entry', seq: req.seq, entry, object: obj });
      },
    });
  } catch (err) {
    (current as { writer: ObjectWriter } | null)?.writer.abort();
    throw err;
  }
}

parentPort!.on('message', (req: WorkerRequest) => {
  void (async () => {
    try {
      if (req.type === 'store') post({ type: 'stored', seq: req.seq, object: await store(req) });
      else if (req.type === 'hash') post({ type: 'hashed', seq: req.seq, ...hashFile(req) });
      else {
        await storeTarGz(req);
        post({ type: 'tgz-done', seq: req.seq });
      }
    } catch (err) {
      const e = err instanceof ProbityError ? err : null;
      post({
        type: 'error',
        seq: req.seq,
        code: e?.code ?? 'internal',
        message:
          e?.message ??
          `${'label' in req ? req.label : req.archive}: ${(err as Error)?.message ?? String(err)}`,
        file: e?.file ?? null,
      });
    }
  })();
});
