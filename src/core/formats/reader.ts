/**
 * Bounded random-access reading for the format parsers.
 *
 * Every parser in this folder reads a file through a ByteSource (src/core/io/bytes.ts: an open file
 * handle or an in-memory buffer) and walks it with a {@link Cursor}, a small buffered reader that refills in
 * 64 KiB windows. Nothing here ever reads a whole weights file: a cursor only touches the bytes a
 * parser asks for, and every request is checked against the end of the range first, so a hostile
 * length field produces a named `malformed` error instead of a giant allocation.
 */
import type { ByteSource } from '../io/bytes.ts';
import { fileError, type ProbityError } from '../util/errors.ts';
import { fmt } from '../util/format.ts';

export { bufferSource, openFileSource, withFileSource, type ByteSource } from '../io/bytes.ts';
export { fmt };

const CHUNK = 64 * 1024;

/**
 * `file: reason` as a `malformed` ProbityError. Reasons quote bytes from hostile files, so control
 * characters are escaped and the length is capped: the error stays one printable line.
 */
export function malformed(file: string, reason: string): ProbityError {
  let safe = '';
  for (const ch of reason.length > 2000 ? `${reason.slice(0, 2000)}…` : reason) {
    const c = ch.charCodeAt(0);
    safe +=
      c < 0x20 || c === 0x7f || c === 0x2028 || c === 0x2029 ? `\\u${c.toString(16).padStart(4, '0')}` : ch;
  }
  return fileError('malformed', file, safe);
}

/** A hostile string quoted for a message: JSON-escaped and cut to `max` characters. */
export function q(s: string, max = 120): string {
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
}

/**
 * A forward cursor over `[start, end)` of a source. Reads are split in two: `await need(n)` makes
 * sure `n` bytes are buffered (throwing a named truncation error when the range cannot hold them),
 * then the synchronous getters consume them. The getters assume a preceding `need`.
 */
export class Cursor {
  private buf: Buffer = Buffer.alloc(0);
  private bufStart = 0;
  pos: number;

  constructor(
    readonly src: ByteSource,
    start: number,
    readonly end: number,
    public littleEndian = true,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** True when `n` bytes at `pos` are already buffered. */
  has(n: number): boolean {
    return this.pos >= this.bufStart && this.pos + n <= this.bufStart + this.buf.length;
  }

  fail(reason: string): ProbityError {
    return malformed(this.src.name, reason);
  }

  async need(n: number, what = 'value'): Promise<void> {
    if (n > this.remaining) {
      throw this.fail(
        `truncated: ${what} needs ${fmt(n)} bytes at offset ${fmt(this.pos)} but only ${fmt(Math.max(0, this.remaining))} remain`,
      );
    }
    if (this.has(n)) return;
    const len = Math.min(Math.max(n, CHUNK), this.end - this.pos);
    this.buf = await this.src.read(this.pos, len);
    this.bufStart = this.pos;
  }

  private at(n: number): number {
    const off = this.pos - this.bufStart;
    this.pos += n;
    return off;
  }

  u8(): number {
    return this.buf.readUInt8(this.at(1));
  }
  i8(): number {
    return this.buf.readInt8(this.at(1));
  }
  u16(): number {
    const o = this.at(2);
    return this.littleEndian ? this.buf.readUInt16LE(o) : this.buf.readUInt16BE(o);
  }
  i16(): number {
    const o = this.at(2);
    return this.littleEndian ? this.buf.readInt16LE(o) : this.buf.readInt16BE(o);
  }
  u32(): number {
    const o = this.at(4);
    return this.littleEndian ? this.buf.readUInt32LE(o) : this.buf.readUInt32BE(o);
  }
  i32(): number {
    const o = this.at(4);
    return this.littleEndian ? this.buf.readInt32LE(o) : this.buf.readInt32BE(o);
  }
  u64(): bigint {
    const o = this.at(8);
    return this.littleEndian ? this.buf.readBigUInt64LE(o) : this.buf.readBigUInt64BE(o);
  }
  i64(): bigint {
    const o = this.at(8);
    return this.littleEndian ? this.buf.readBigInt64LE(o) : this.buf.readBigInt64BE(o);
  }
  f32(): number {
    const o = this.at(4);
    return this.littleEndian ? this.buf.readFloatLE(o) : this.buf.readFloatBE(o);
  }
  f64(): number {
    const o = this.at(8);
    return this.littleEndian ? this.buf.readDoubleLE(o) : this.buf.readDoubleBE(o);
  }
  /** `n` buffered bytes (a view, valid until the next `need`). */
  bytes(n: number): Buffer {
    const o = this.at(n);
    return this.buf.subarray(o, o + n);
  }
  /** How many bytes from `pos` are already buffered. */
  buffered(): number {
    return this.pos >= this.bufStart ? Math.max(0, this.bufStart + this.buf.length - this.pos) : 0;
  }
  /** Index of `byte` within the next `limit` buffered bytes, or -1. */
  indexOf(byte: number, limit: number): number {
    const o = this.pos - this.bufStart;
    const stop = Math.min(this.buf.length, o + limit);
    const i = this.buf.subarray(o, stop).indexOf(byte);
    return i;
  }
  /** Skip `n` bytes without reading them. */
  skip(n: number, what = 'value'): void {
    if (n > this.remaining) {
      throw this.fail(
        `truncated: ${what} of ${fmt(n)} bytes at offset ${fmt(this.pos)} passes the end (${fmt(Math.max(0, this.remaining))} bytes remain)`,
      );
    }
    this.pos += n;
  }
}

/** A list of problems with a cap, so a hostile file cannot make the report itself unbounded. */
export class ProblemList {
  private readonly items: string[] = [];
  private dropped = 0;
  constructor(private readonly cap = 200) {}
  add(problem: string): void {
    if (this.items.length < this.cap) this.items.push(problem);
    else this.dropped++;
  }
  get count(): number {
    return this.items.length + this.dropped;
  }
  toArray(): string[] {
    return this.dropped > 0 ? [...this.items, `… and ${fmt(this.dropped)} more problems`] : [...this.items];
  }
}

/** Assign an own enumerable property even when the key is `__proto__` (hostile JSON or metadata). */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** Bigint to number when it is a safe integer, else its decimal text. */
export function bigToJson(v: bigint): number | string {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)
    ? Number(v)
    : v.toString();
}
