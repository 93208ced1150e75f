// Reading an archive member's bytes. `openEntryStream` is what a worker thread calls with an
// EntrySource from indexTar/indexZip; the helpers below it (CRC-32, bounded positional reads) are
// shared by the readers in this folder.

import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import { describeFsError, fileError, ProbityError } from '../../util/errors';
import type { ByteSource } from '../bytes';
import type { EntrySource } from './types';

// ---------------------------------------------------------------------------------------------
// CRC-32 (ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320), the checksum zip records for
// every member (APPNOTE.TXT 4.4.7) and Info-ZIP's Unicode Path extra field uses (4.6.9). Node 20
// has no zlib.crc32 (it arrived in Node 22.2), so this is the classic byte-at-a-time table.

const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * CRC-32 of `buf`, continuing from `previous` (the CRC of the bytes before it; 0 to start), so
 * `crc32(b, crc32(a)) === crc32(a ++ b)`. Returns an unsigned 32-bit value.
 */
export function crc32(buf: Uint8Array, previous = 0): number {
  let c = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < buf.length; i++) {
    c = (CRC_TABLE[(c ^ (buf[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

const hex32 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

// ---------------------------------------------------------------------------------------------
// Bounded positional reads, for the indexers: they must look only at headers, never read a
// member's body, and never trust a length from the archive before checking it against the file.

/**
 * An archive file opened for positional reads. `read` returns exactly the bytes asked for or
 * throws; a small read-ahead window keeps header-after-header scans (many small tar members, a
 * zip central directory) from making one system call per header.
 */
export class ArchiveFile implements ByteSource {
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;

  private constructor(
    readonly name: string,
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  static async open(name: string): Promise<ArchiveFile> {
    let handle: FileHandle;
    try {
      handle = await open(name, 'r');
    } catch (err) {
      throw fileError('unreadable', name, describeFsError(err), err);
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw fileError('unreadable', name, 'not a regular file');
      return new ArchiveFile(name, handle, stat.size);
    } catch (err) {
      await handle.close().catch(() => undefined);
      if (err instanceof ProbityError) throw err;
      throw fileError('unreadable', name, describeFsError(err), err);
    }
  }

  /**
   * `length` bytes at `offset`. Reads `readAhead` bytes when that is more, for the next call to
   * find in memory. The range must lie inside the file (callers check first, to word the error);
   * a short read here means the file shrank while being read.
   */
  async read(offset: number, length: number, readAhead = 0): Promise<Buffer> {
    const inWindow = offset >= this.windowStart && offset + length <= this.windowStart + this.window.length;
    if (inWindow) return this.window.subarray(offset - this.windowStart, offset - this.windowStart + length);
    if (offset < 0 || offset + length > this.size) {
      throw fileError(
        'malformed',
        this.name,
        `read of ${length} bytes at byte ${offset} lies past the end of the file`,
      );
    }
    const want = Math.min(Math.max(length, readAhead), this.size - offset);
    const buf = Buffer.allocUnsafe(want);
    let got = 0;
    try {
      while (got < want) {
        const { bytesRead } = await this.handle.read(buf, got, want - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
    } catch (err) {
      throw fileError('unreadable', this.name, describeFsError(err), err);
    }
    if (got < length) {
      throw fileError(
        'unreadable',
        this.name,
        `file shrank while being read (short read at byte ${offset + got})`,
      );
    }
    this.window = buf.subarray(0, got);
    this.windowStart = offset;
    return this.window.subarray(0, length);
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// Streaming a member's bytes.

/** Counts (and for deflate members, checksums) the bytes going past; errors on any mismatch. */
class Verifier extends Transform {
  private seen = 0;
  private crc = 0;

  constructor(
    private readonly source: EntrySource,
    private readonly label: string,
  ) {
    super();
  }

  private malformed(reason: string): ProbityError {
    return fileError('malformed', this.source.file, `${this.label}: ${reason}`);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    // Stop at the first byte past the recorded size: a deflate stream that inflates further is a
    // decompression bomb or a lie in the central directory, and must not be inflated to the end.
    if (this.seen > this.source.length) {
      callback(this.malformed(`data is longer than the recorded ${this.source.length} bytes`));
      return;
    }
    if (this.source.kind === 'deflate') this.crc = crc32(chunk, this.crc);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.seen !== this.source.length) {
      const why = this.source.kind === 'range' ? ' (file truncated or changed since it was indexed)' : '';
      callback(
        this.malformed(`data ends after ${this.seen} of the recorded ${this.source.length} bytes${why}`),
      );
      return;
    }
    if (this.source.kind === 'deflate' && this.crc !== this.source.crc32) {
      callback(
        this.malformed(`CRC-32 mismatch (recorded ${hex32(this.source.crc32)}, computed ${hex32(this.crc)})`),
      );
      return;
    }
    callback();
  }
}

function emptyReadable(): Readable {
  return new Readable({
    read() {
      this.push(null);
    },
  });
}

/**
 * Stream the bytes of one member. 'range' sources are read as-is; 'deflate' sources are inflated
 * (raw DEFLATE, RFC 1951, as zip method 8 stores it: APPNOTE.TXT 4.4.5) and checked against the
 * recorded uncompressed length and CRC-32. Any mismatch, corrupt deflate data or short file makes
 * the stream emit a ProbityError 'malformed' naming the file; an I/O error is 'unreadable'.
 */
export function openEntryStream(source: EntrySource): Readable {
  const storedLength = source.kind === 'range' ? source.length : source.compressedLength;
  const label = `${source.kind === 'range' ? 'stored' : 'deflate'} member data at byte ${source.offset}`;
  const verifier = new Verifier(source, label);

  const raw =
    storedLength === 0
      ? emptyReadable()
      : fs.createReadStream(source.file, {
          start: source.offset,
          end: source.offset + storedLength - 1, // inclusive
          highWaterMark: 1024 * 1024,
        });
  raw.on('error', (err: Error) =>
    verifier.destroy(fileError('unreadable', source.file, describeFsError(err), err)),
  );

  let inflater: zlib.InflateRaw | null = null;
  if (source.kind === 'deflate') {
    inflater = zlib.createInflateRaw();
    inflater.on('error', (err) =>
      verifier.destroy(
        fileError('malformed', source.file, `${label}: corrupt deflate data (${err.message})`, err),
      ),
    );
    raw.pipe(inflater).pipe(verifier);
  } else {
    raw.pipe(verifier);
  }
  // Whoever ends the verifier (the consumer, or an error above) also ends the streams feeding it.
  verifier.on('close', () => {
    raw.destroy();
    inflater?.destroy();
  });
  return verifier;
}
