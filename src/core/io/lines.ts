/**
 * The one bounded line reader: the lines of an evidence file (a JSONL eval, a stored log object) with
 * each line's byte offset, so that a record can be found again in the evidence later (review, export)
 * without copying its text into the database; plus the file's text in decoded chunks and its head.
 *
 * Lines end with LF; a CR before it is dropped, and so is a UTF-8 BOM at the start of the file. A line
 * longer than `maxLineBytes` is reported as a problem (its bytes are skipped up to the next newline)
 * rather than buffered, so one hostile line cannot exhaust memory (Node's readline keeps growing its
 * buffer until a newline arrives). A line that is not valid UTF-8 is reported as a problem too.
 * Reading is in 1 MiB chunks, the next chunk read while the current one is split.
 *
 * Three entry points, one splitter (lineBatches): forEachLine calls back synchronously per line (so a
 * caller can write a batch to SQLite from inside it), readLines is an async iterator of lines.
 */
import fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import { ProbityError, describeFsError } from '../util/errors';

export const MAX_LINE_BYTES = 64 * 1024 * 1024;
/** Largest file read whole as one JSON or YAML document. */
export const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;
const READ_CHUNK = 1024 * 1024;

/** One line: its 1-based number, byte offset and length (without the newline), and text or problem. */
export interface LogLine {
  number: number;
  offset: number;
  length: number;
  text: string | null;
  problem: string | null;
}

export interface LineReadOptions {
  /** Byte offset to start at (the start of a line), for resuming. Default 0. */
  startOffset?: number;
  /** Number of the line at startOffset. Default 1. */
  startLine?: number;
  maxLineBytes?: number;
  signal?: AbortSignal;
  /** Called after each chunk with the bytes consumed so far. */
  onBytes?: (bytes: number) => void;
}

class LineAssembler {
  private parts: Buffer[] = [];
  private length = 0;
  private overLong = false;

  constructor(private readonly maxLineBytes: number) {}

  /** Append a piece of the current line (copied: the read buffer is reused). */
  push(piece: Buffer): void {
    if (this.overLong) return;
    if (this.length + piece.length > this.maxLineBytes) {
      this.overLong = true;
      this.parts = [];
      return;
    }
    if (piece.length > 0) this.parts.push(Buffer.from(piece));
    this.length += piece.length;
  }

  /** The finished line's bytes (null when it was over-long), resetting for the next line. */
  take(): Buffer | null {
    const out = this.overLong
      ? null
      : this.parts.length === 1
        ? this.parts[0]!
        : Buffer.concat(this.parts, this.length);
    this.parts = [];
    this.length = 0;
    this.overLong = false;
    return out;
  }

  get empty(): boolean {
    return this.parts.length === 0 && !this.overLong;
  }
}

function decode(bytes: Buffer | null, number: number, offset: number, length: number, max: number): LogLine {
  if (bytes === null)
    return { number, offset, length, text: null, problem: `line longer than ${max} bytes; skipped` };
  let b = bytes;
  if (b.length > 0 && b[b.length - 1] === 0x0d) b = b.subarray(0, b.length - 1);
  if (offset === 0 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) b = b.subarray(3);
  if (!isUtf8(b)) return { number, offset, length, text: null, problem: 'not valid UTF-8' };
  return { number, offset, length, text: b.toString('utf8'), problem: null };
}

function readError(label: string, err: unknown): ProbityError {
  if (err instanceof ProbityError) return err;
  return new ProbityError('unreadable', `${label}: cannot read: ${describeFsError(err)}`, {
    file: label,
    cause: err,
  });
}

/**
 * The lines of `file` from `startOffset`, one array per chunk read. `label` names the file in errors.
 * @returns (as the generator's return value) the offset just past the last byte read.
 */
export async function* lineBatches(
  file: string,
  label: string,
  opts: LineReadOptions = {},
): AsyncGenerator<LogLine[], number> {
  const max = opts.maxLineBytes ?? MAX_LINE_BYTES;
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (err) {
    throw readError(label, err);
  }
  // Two buffers: the next chunk is read while the current one is split into lines.
  const bufs = [Buffer.allocUnsafe(READ_CHUNK), Buffer.allocUnsafe(READ_CHUNK)];
  const asm = new LineAssembler(max);
  let pos = opts.startOffset ?? 0;
  let lineStart = pos;
  let number = opts.startLine ?? 1;
  let turn = 0;
  let pending = handle.read(bufs[0]!, 0, READ_CHUNK, pos);
  try {
    for (;;) {
      if (opts.signal?.aborted) throw new ProbityError('cancelled', `${label}: import cancelled`);
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      const chunk = bufs[turn]!.subarray(0, bytesRead);
      turn ^= 1;
      pending = handle.read(bufs[turn]!, 0, READ_CHUNK, pos + bytesRead);
      const batch: LogLine[] = [];
      let start = 0;
      for (let nl = chunk.indexOf(0x0a, start); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
        const piece = chunk.subarray(start, nl);
        let bytes: Buffer | null;
        if (asm.empty) bytes = piece.length > max ? null : piece;
        else {
          asm.push(piece);
          bytes = asm.take();
        }
        batch.push(decode(bytes, number, lineStart, pos + nl - lineStart, max));
        number++;
        start = nl + 1;
        lineStart = pos + start;
      }
      asm.push(chunk.subarray(start));
      pos += bytesRead;
      opts.onBytes?.(pos);
      // The batch holds decoded strings only: the chunk's buffer may be reused once it is handed out.
      if (batch.length > 0) yield batch;
    }
    if (pos > lineStart) yield [decode(asm.take(), number, lineStart, pos - lineStart, max)];
    return pos;
  } catch (err) {
    throw readError(label, err);
  } finally {
    await pending.catch(() => undefined);
    await handle.close();
  }
}

/**
 * Call `onLine` for every line of `file` from `startOffset`. `label` names the file in errors.
 * @returns the offset just past the last byte read.
 */
export async function forEachLine(
  file: string,
  label: string,
  onLine: (line: LogLine) => void,
  opts: LineReadOptions = {},
): Promise<number> {
  const batches = lineBatches(file, label, opts);
  let finished = false;
  try {
    for (;;) {
      const r = await batches.next();
      if (r.done) {
        finished = true;
        return r.value;
      }
      for (const line of r.value) onLine(line);
    }
  } finally {
    // A callback that throws leaves the generator suspended: close it so the file is closed.
    if (!finished) await batches.return(0);
  }
}

/**
 * The lines of a file from its start (LF or CRLF; a UTF-8 BOM on line 1 is dropped). `label` names
 * the file in errors. Lines longer than `maxLineBytes` come back with a problem instead of their text.
 */
export async function* readLines(
  file: string,
  label: string,
  maxLineBytes = MAX_LINE_BYTES,
): AsyncGenerator<LogLine> {
  for await (const batch of lineBatches(file, label, { maxLineBytes })) yield* batch;
}

/** The text of a file in decoded chunks of about 1 MiB (UTF-8, multi-byte characters kept whole). */
export async function* readTextChunks(file: string, label: string): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  const stream = fs.createReadStream(file, { highWaterMark: READ_CHUNK });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) yield decoder.write(chunk);
  } catch (err) {
    throw readError(label, err);
  } finally {
    stream.destroy();
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

/** The first `n` bytes of a file (fewer when it is shorter). */
export function readHead(file: string, label: string, n: number): Buffer {
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(n);
    const got = fs.readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } catch (err) {
    throw readError(label, err);
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/** The bytes of one line (or whole document) of a stored object, read back for review. */
export function readRange(file: string, offset: number, length: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const out = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(fd, out, done, length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    return out.subarray(0, done);
  } finally {
    fs.closeSync(fd);
  }
}
