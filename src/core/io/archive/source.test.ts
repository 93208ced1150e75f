import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbityError } from '../../util/errors';
import { ArchiveFile, crc32, openEntryStream } from './source';
import type { EntrySource } from './types';

let tmp = '';
let file = '';
const plain = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 31) % 256));
const deflated = zlib.deflateRawSync(plain);
const PREFIX = 1000; // bytes before the member, as in an archive
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'probity-source-'));
  file = path.join(tmp, 'member.bin');
  fs.writeFileSync(
    file,
    Buffer.concat([Buffer.alloc(PREFIX, 0xee), deflated, plain, Buffer.alloc(100, 0xee)]),
  );
});
afterAll(() => {
  if (tmp !== '') fs.rmSync(tmp, { recursive: true, force: true });
});

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function failure(source: EntrySource): Promise<ProbityError> {
  try {
    await readAll(openEntryStream(source));
  } catch (err) {
    expect(err).toBeInstanceOf(ProbityError);
    return err as ProbityError;
  }
  throw new Error('expected the stream to fail');
}

const deflateSource = (over: Partial<Extract<EntrySource, { kind: 'deflate' }>> = {}): EntrySource => ({
  kind: 'deflate',
  file,
  offset: PREFIX,
  compressedLength: deflated.length,
  length: plain.length,
  crc32: crc32(plain),
  ...over,
});

describe('crc32', () => {
  it('matches the CRC-32 check value and continues across chunks', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
    const a = plain.subarray(0, 777);
    const b = plain.subarray(777);
    expect(crc32(b, crc32(a))).toBe(crc32(plain));
    // gzip's trailer stores the CRC-32 of the data (RFC 1952): the same function.
    const gz = zlib.gzipSync(plain);
    expect(crc32(plain)).toBe(gz.readUInt32LE(gz.length - 8));
  });
});

describe('openEntryStream', () => {
  it('streams a byte range', async () => {
    const src: EntrySource = { kind: 'range', file, offset: PREFIX + deflated.length, length: plain.length };
    expect(sha256(await readAll(openEntryStream(src)))).toBe(sha256(plain));
    expect(await readAll(openEntryStream({ kind: 'range', file, offset: 5, length: 0 }))).toEqual(
      Buffer.alloc(0),
    );
  });

  it('inflates a deflate member and checks its length and CRC-32', async () => {
    expect(sha256(await readAll(openEntryStream(deflateSource())))).toBe(sha256(plain));
  });

  it('fails a range that the file no longer holds', async () => {
    const err = await failure({
      kind: 'range',
      file,
      offset: PREFIX + deflated.length,
      length: plain.length + 500,
    });
    expect(err.code).toBe('malformed');
    expect(err.message).toBe(
      `${file}: stored member data at byte ${PREFIX + deflated.length}: data ends after ${plain.length + 100} of the recorded ${plain.length + 500} bytes (file truncated or changed since it was indexed)`,
    );
  });

  it('fails on a CRC-32 mismatch', async () => {
    const err = await failure(deflateSource({ crc32: 0x12345678 }));
    expect(err.code).toBe('malformed');
    expect(err.message).toBe(
      `${file}: deflate member data at byte ${PREFIX}: CRC-32 mismatch (recorded 0x12345678, computed 0x${crc32(plain).toString(16).padStart(8, '0')})`,
    );
  });

  it('fails when the inflated data is shorter or longer than recorded', async () => {
    const longer = await failure(deflateSource({ length: plain.length + 1 }));
    expect(longer.message).toBe(
      `${file}: deflate member data at byte ${PREFIX}: data ends after ${plain.length} of the recorded ${plain.length + 1} bytes`,
    );
    const shorter = await failure(deflateSource({ length: 10 }));
    expect(shorter.message).toBe(
      `${file}: deflate member data at byte ${PREFIX}: data is longer than the recorded 10 bytes`,
    );
  });

  it('stops inflating a bomb at the recorded length', async () => {
    const bombFile = path.join(tmp, 'bomb.bin');
    const bomb = zlib.deflateRawSync(Buffer.alloc(64 * 1024 * 1024)); // ~64 KiB that inflate to 64 MiB
    fs.writeFileSync(bombFile, bomb);
    const started = performance.now();
    const err = await failure({
      kind: 'deflate',
      file: bombFile,
      offset: 0,
      compressedLength: bomb.length,
      length: 1024,
      crc32: 0,
    });
    expect(err.message).toBe(
      `${bombFile}: deflate member data at byte 0: data is longer than the recorded 1024 bytes`,
    );
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('fails on corrupt deflate data', async () => {
    const bad = path.join(tmp, 'bad.bin');
    fs.writeFileSync(bad, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    const err = await failure({
      kind: 'deflate',
      file: bad,
      offset: 0,
      compressedLength: 6,
      length: 6,
      crc32: 0,
    });
    expect(err.code).toBe('malformed');
    expect(err.message).toMatch(
      new RegExp(`^${bad}: deflate member data at byte 0: corrupt deflate data \\(.+\\)$`),
    );
    const cut = await failure(deflateSource({ compressedLength: 100 }));
    expect(cut.message).toBe(
      `${file}: deflate member data at byte ${PREFIX}: corrupt deflate data (unexpected end of file)`,
    );
  });

  it('reports a missing file as unreadable', async () => {
    const missing = path.join(tmp, 'missing.bin');
    const err = await failure({ kind: 'range', file: missing, offset: 0, length: 10 });
    expect(err.code).toBe('unreadable');
    expect(err.message).toBe(`${missing}: no such file or directory`);
  });

  it('stops reading when the consumer destroys the stream', async () => {
    const stream = openEntryStream(deflateSource());
    for await (const chunk of stream) {
      expect((chunk as Buffer).length).toBeGreaterThan(0);
      break; // destroys the stream
    }
    expect(stream.destroyed).toBe(true);
  });
});

describe('ArchiveFile', () => {
  it('reads exact ranges and refuses ranges past the end', async () => {
    const f = await ArchiveFile.open(file);
    try {
      expect(f.size).toBe(PREFIX + deflated.length + plain.length + 100);
      expect(await f.read(PREFIX + deflated.length, 16, 4096)).toEqual(plain.subarray(0, 16));
      expect(await f.read(PREFIX + deflated.length + 16, 16)).toEqual(plain.subarray(16, 32)); // from the window
      await expect(f.read(f.size - 4, 8)).rejects.toThrow(
        `${file}: read of 8 bytes at byte ${f.size - 4} lies past the end of the file`,
      );
    } finally {
      await f.close();
    }
  });

  it('refuses a directory', async () => {
    await expect(ArchiveFile.open(tmp)).rejects.toThrow(`${tmp}: not a regular file`);
  });
});
