/**
 * A minimal tar writer for case archives: POSIX ustar headers (IEEE Std 1003.1-2017, XCU pax,
 * "ustar Interchange Format"), with a pax extended header ('x', "pax Interchange Format") in front
 * of any member whose name does not fit ustar's 100-byte name field as plain ASCII, or whose size
 * does not fit its 11 octal digits (8 GiB and more — model weights can be that large).
 * Regular files only: a case archive holds no links, devices or directories (extraction creates
 * parents). Bodies are streamed, never held in memory, and hashed on the way through.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

const BLOCK = 512;
const NAME_FIELD = 100;
/** Largest size an 11-digit octal field holds: 8^11 − 1. */
const MAX_OCTAL_SIZE = 8 ** 11 - 1;

function octal(value: number, width: number): string {
  // width − 1 digits, zero-filled, then NUL (POSIX: "terminated by … NUL").
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function putString(block: Buffer, offset: number, width: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  bytes.copy(block, offset, 0, Math.min(width, bytes.length));
}

/** ustar header block. The checksum is the byte sum with the checksum field read as spaces. */
export function ustarHeader(h: {
  name: string;
  size: number;
  mtime: number;
  mode: number;
  type: '0' | 'x';
}): Buffer {
  const block = Buffer.alloc(BLOCK);
  putString(block, 0, NAME_FIELD, h.name);
  putString(block, 100, 8, octal(h.mode, 8));
  putString(block, 108, 8, octal(0, 8));
  putString(block, 116, 8, octal(0, 8));
  putString(block, 124, 12, octal(Math.min(h.size, MAX_OCTAL_SIZE), 12));
  putString(block, 136, 12, octal(h.mtime, 12));
  block.fill(0x20, 148, 156);
  putString(block, 156, 1, h.type);
  putString(block, 257, 6, 'ustar\0');
  putString(block, 263, 2, '00');
  putString(block, 265, 32, 'probity');
  putString(block, 297, 32, 'probity');
  let sum = 0;
  for (const b of block) sum += b;
  putString(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

/** One pax record: "<length> <key>=<value>\n", where length counts the whole record, itself included. */
export function paxRecord(key: string, value: string): string {
  const rest = ` ${key}=${value}\n`;
  const restLen = Buffer.byteLength(rest, 'utf8');
  let len = restLen + 1;
  while (String(len).length + restLen !== len) len = String(len).length + restLen;
  return `${len}${rest}`;
}

function padding(length: number): Buffer {
  return Buffer.alloc((BLOCK - (length % BLOCK)) % BLOCK);
}

function needsPax(name: string, size: number): boolean {
  return (
    Buffer.byteLength(name, 'utf8') > NAME_FIELD || !/^[\x20-\x7e]*$/.test(name) || size > MAX_OCTAL_SIZE
  );
}

export class TarWriter {
  private bytes = 0;

  private constructor(
    private readonly handle: FileHandle,
    private readonly mtime: number,
  ) {}

  static async create(file: string, mtime = Math.floor(Date.now() / 1000)): Promise<TarWriter> {
    return new TarWriter(await open(file, 'wx', 0o644), mtime);
  }

  get size(): number {
    return this.bytes;
  }

  private async write(buf: Buffer): Promise<void> {
    let off = 0;
    while (off < buf.length) {
      const { bytesWritten } = await this.handle.write(buf, off, buf.length - off);
      off += bytesWritten;
    }
    this.bytes += buf.length;
  }

  private async header(name: string, size: number): Promise<void> {
    if (needsPax(name, size)) {
      let records = paxRecord('path', name);
      if (size > MAX_OCTAL_SIZE) records += paxRecord('size', String(size));
      const body = Buffer.from(records, 'utf8');
      const paxName = `PaxHeaders/${name.replace(/[^\x20-\x7e]/g, '_').slice(-80)}`;
      await this.write(
        ustarHeader({ name: paxName, size: body.length, mtime: this.mtime, mode: 0o644, type: 'x' }),
      );
      await this.write(Buffer.concat([body, padding(body.length)]));
    }
    const shortName = needsPax(name, 0) ? name.replace(/[^\x20-\x7e]/g, '_').slice(-NAME_FIELD) : name;
    await this.write(ustarHeader({ name: shortName, size, mtime: this.mtime, mode: 0o644, type: '0' }));
  }

  /** Add bytes held in memory. Returns their SHA-256. */
  async addBuffer(name: string, data: Buffer): Promise<string> {
    await this.header(name, data.length);
    await this.write(Buffer.concat([data, padding(data.length)]));
    return createHash('sha256').update(data).digest('hex');
  }

  /**
   * Stream a file in with 1 MiB reads. The size is taken before reading and must still hold at
   * the end (a file that changes under the export is an error, not a corrupt archive). Returns
   * the SHA-256 of the bytes written.
   */
  async addFile(name: string, file: string): Promise<{ sha256: string; size: number }> {
    const size = fs.statSync(file).size;
    await this.header(name, size);
    const hash = createHash('sha256');
    let seen = 0;
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 })) {
      const buf = chunk as Buffer;
      seen += buf.length;
      if (seen > size) break;
      hash.update(buf);
      await this.write(buf);
    }
    if (seen !== size)
      throw new Error(`${file}: changed size while being archived (${seen} of ${size} bytes)`);
    await this.write(padding(size));
    return { sha256: hash.digest('hex'), size };
  }

  /** End-of-archive: two zero blocks; then fsync and close. */
  async finish(): Promise<void> {
    await this.write(Buffer.alloc(2 * BLOCK));
    await this.handle.sync();
    await this.handle.close();
  }

  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}
