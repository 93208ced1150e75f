/**
 * Reading evidence files in bounded pieces: lines of a JSONL file, and text chunks of a JSON
 * document, straight from a read stream.
 *
 * Node's readline would serve for lines, but it keeps growing its buffer until a newline arrives:
 * one hostile 4 GB line would exhaust memory. readLines splits the byte stream itself, keeps at most
 * `maxLineBytes` of any line, and reports a longer line as over-long (its bytes are skipped up to the
 * next newline) so that the rest of the file is still read.
 */
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { ProbityError, describeFsError } from '../util/errors';

/** Default bound on one JSONL line (a record holding a long transcript stays well below it). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
const READ_CHUNK = 1024 * 1024;

/** One line of a file: its 1-based number and text, or the reason it could not be read. */
export type Line =
  { number: number; text: string; problem: null } | { number: number; text: null; problem: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeLine(parts: Buffer[], length: number, number: number): Line {
  let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, length);
  if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
  if (number === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  try {
    return { number, text: utf8.decode(bytes), problem: null };
  } catch {
    return { number, text: null, problem: 'not valid UTF-8' };
  }
}

function readError(label: string, err: unknown): ProbityError {
  if (err instanceof ProbityError) return err;
  return new ProbityError('unreadable', `${label}: cannot read: ${describeFsError(err)}`, {
    file: label,
    cause: err,
  });
}

/**
 * The lines of a file (LF or CRLF; a UTF-8 BOM on line 1 is dropped). `label` names the file in
 * errors. Lines longer than `maxLineBytes` come back with a problem instead of their text.
 */
export async function* readLines(
  file: string,
  label: string,
  maxLineBytes = MAX_LINE_BYTES,
): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let length = 0;
  let overLong = false;
  let number = 1;
  const stream = fs.createReadStream(file, { highWaterMark: READ_CHUNK });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, start);
        const end = nl === -1 ? chunk.length : nl;
        if (!overLong) {
          if (length + (end - start) > maxLineBytes) {
            overLong = true;
            parts = [];
          } else if (end > start) {
            parts.push(chunk.subarray(start, end));
          }
          length += end - start;
        }
        if (nl === -1) break;
        yield overLong
          ? { number, text: null, problem: `line longer than ${maxLineBytes} bytes; skipped` }
          : decodeLine(parts, length, number);
        number++;
        parts = [];
        length = 0;
        overLong = false;
        start = nl + 1;
      }
    }
  } catch (err) {
    throw readError(label, err);
  } finally {
    stream.destroy();
  }
  if (overLong) yield { number, text: null, problem: `line longer than ${maxLineBytes} bytes; skipped` };
  else if (length > 0) yield decodeLine(parts, length, number);
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
