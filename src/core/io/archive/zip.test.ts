import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbityError } from '../../util/errors';
import { crc32, openEntryStream } from './source';
import {
  decodeCp437,
  entryDataOffset,
  indexZip,
  inflateEntry,
  readZipDirectory,
  ZIP_MAX_ENTRIES,
  type ZipBytes,
} from './zip';

// ---------------------------------------------------------------------------------------------
// Helpers

let tmp = '';
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'probity-zip-'));
});
afterAll(() => {
  if (tmp !== '') fs.rmSync(tmp, { recursive: true, force: true });
});

/** Run a Python zipfile script with `out` as sys.argv[1]; return the path. */
function pyZip(name: string, script: string): string {
  const out = path.join(tmp, name);
  execFileSync(
    'python3',
    [
      '-W',
      'ignore',
      '-c',
      `import sys, zipfile\nfrom zipfile import ZipInfo\nout = sys.argv[1]\n${script}`,
      out,
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  return out;
}

function save(name: string, data: Buffer): string {
  const out = path.join(tmp, name);
  fs.writeFileSync(out, data);
  return out;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function rejection(p: Promise<unknown>): Promise<ProbityError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ProbityError);
    return err as ProbityError;
  }
  throw new Error('expected a ProbityError');
}

interface Member {
  name: string | Buffer;
  plain?: Buffer;
  method?: number;
  flags?: number;
  crc?: number;
  centralExtra?: Buffer;
  localExtra?: Buffer;
  externalAttr?: number;
  madeBy?: number;
  zip64?: boolean;
}

const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const u64 = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};
const extraBlock = (id: number, data: Buffer): Buffer => Buffer.concat([u16(id), u16(data.length), data]);
const DOS_TIME = (12 << 11) | (30 << 5) | 5; // 12:30:10
const DOS_DATE = ((2020 - 1980) << 9) | (1 << 5) | 2; // 2020-01-02

/**
 * A hand-made zip (APPNOTE.TXT 4.3), for what Python's zipfile will not write: CP437 names,
 * Unicode Path fields, ZIP64 central records and end records, encryption flags.
 */
function buildZip(members: Member[], opts: { zip64End?: boolean } = {}): Buffer {
  const out: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = typeof m.name === 'string' ? Buffer.from(m.name) : m.name;
    const plain = m.plain ?? Buffer.alloc(0);
    const method = m.method ?? 0;
    const data = method === 8 ? zlib.deflateRawSync(plain) : plain;
    const crc = m.crc ?? crc32(plain);
    const z64 = m.zip64 === true;
    const flags = m.flags ?? 0;
    const localExtra = Buffer.concat([
      z64 ? extraBlock(1, Buffer.concat([u64(plain.length), u64(data.length)])) : Buffer.alloc(0),
      m.localExtra ?? Buffer.alloc(0),
    ]);
    const local = Buffer.concat([
      u32(0x04034b50),
      u16(z64 ? 45 : 20),
      u16(flags),
      u16(method),
      u16(DOS_TIME),
      u16(DOS_DATE),
      u32(crc),
      u32(z64 ? 0xffffffff : data.length),
      u32(z64 ? 0xffffffff : plain.length),
      u16(name.length),
      u16(localExtra.length),
      name,
      localExtra,
    ]);
    const centralExtra = Buffer.concat([
      z64
        ? extraBlock(1, Buffer.concat([u64(plain.length), u64(data.length), u64(offset)]))
        : Buffer.alloc(0),
      m.centralExtra ?? Buffer.alloc(0),
    ]);
    central.push(
      Buffer.concat([
        u32(0x02014b50),
        u16(m.madeBy ?? (3 << 8) | 45),
        u16(z64 ? 45 : 20),
        u16(flags),
        u16(method),
        u16(DOS_TIME),
        u16(DOS_DATE),
        u32(crc),
        u32(z64 ? 0xffffffff : data.length),
        u32(z64 ? 0xffffffff : plain.length),
        u16(name.length),
        u16(centralExtra.length),
        u16(0),
        u16(0),
        u16(0),
        u32(m.externalAttr ?? 0o100644 << 16),
        u32(z64 ? 0xffffffff : offset),
        name,
        centralExtra,
      ]),
    );
    out.push(local, data);
    offset += local.length + data.length;
  }
  const cd = Buffer.concat(central);
  const cdOffset = offset;
  out.push(cd);
  if (opts.zip64End) {
    const recordAt = cdOffset + cd.length;
    out.push(
      Buffer.concat([
        u32(0x06064b50),
        u64(44),
        u16((3 << 8) | 45),
        u16(45),
        u32(0),
        u32(0),
        u64(members.length),
        u64(members.length),
        u64(cd.length),
        u64(cdOffset),
      ]),
      Buffer.concat([u32(0x07064b50), u32(0), u64(recordAt), u32(1)]),
      Buffer.concat([
        u32(0x06054b50),
        u16(0),
        u16(0),
        u16(0xffff),
        u16(0xffff),
        u32(0xffffffff),
        u32(0xffffffff),
        u16(0),
      ]),
    );
  } else {
    out.push(
      Buffer.concat([
        u32(0x06054b50),
        u16(0),
        u16(0),
        u16(members.length),
        u16(members.length),
        u32(cd.length),
        u32(cdOffset),
        u16(0),
      ]),
    );
  }
  return Buffer.concat(out);
}

const CENTRAL_SIG = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
const deflatable = Buffer.from(Array.from({ length: 10_240 }, (_, i) => i % 251));

// ---------------------------------------------------------------------------------------------

describe('indexZip on archives written by Python zipfile', () => {
  let file = '';
  beforeAll(() => {
    file = pyZip(
      'mixed.zip',
      `
dt = (2020, 1, 2, 3, 4, 6)
data = bytes(i % 251 for i in range(10240))
with zipfile.ZipFile(out, 'w') as z:
    i = ZipInfo('stored.txt', dt); i.compress_type = zipfile.ZIP_STORED; z.writestr(i, b'stored bytes\\n')
    z.writestr(ZipInfo('dir/', dt), b'')
    i = ZipInfo('dir/deflated.bin', dt); i.compress_type = zipfile.ZIP_DEFLATED; z.writestr(i, data)
    z.writestr(ZipInfo('empty', dt), b'')
    i = ZipInfo('link', dt); i.create_system = 3; i.external_attr = 0o120777 << 16; z.writestr(i, b'dir/deflated.bin')
    z.writestr(ZipInfo('modèle ü.txt', dt), b'utf-8 name')
    z.writestr(ZipInfo('dup.txt', dt), b'first')
    i = ZipInfo('dup.txt', dt); i.compress_type = zipfile.ZIP_DEFLATED; z.writestr(i, b'second copy')
    with z.open(ZipInfo('z64.bin', dt), 'w', force_zip64=True) as f:
        f.write(b'local header with a ZIP64 extra field')
`,
    );
  });

  it('lists every entry with its type, size, link target and time', async () => {
    const { entries } = await indexZip(file);
    const mtime = new Date(Date.UTC(2020, 0, 2, 3, 4, 6));
    expect(entries).toEqual([
      { path: 'stored.txt', rawNameHex: null, type: 'file', size: 13, mtime, linkTarget: null, index: 0 },
      { path: 'dir', rawNameHex: null, type: 'directory', size: 0, mtime, linkTarget: null, index: 1 },
      {
        path: 'dir/deflated.bin',
        rawNameHex: null,
        type: 'file',
        size: 10_240,
        mtime,
        linkTarget: null,
        index: 2,
      },
      { path: 'empty', rawNameHex: null, type: 'file', size: 0, mtime, linkTarget: null, index: 3 },
      {
        path: 'link',
        rawNameHex: null,
        type: 'symlink',
        size: 0,
        mtime,
        linkTarget: 'dir/deflated.bin',
        index: 4,
      },
      { path: 'modèle ü.txt', rawNameHex: null, type: 'file', size: 10, mtime, linkTarget: null, index: 5 },
      // Duplicate names are both reported; the caller records both.
      { path: 'dup.txt', rawNameHex: null, type: 'file', size: 5, mtime, linkTarget: null, index: 6 },
      { path: 'dup.txt', rawNameHex: null, type: 'file', size: 11, mtime, linkTarget: null, index: 7 },
      { path: 'z64.bin', rawNameHex: null, type: 'file', size: 37, mtime, linkTarget: null, index: 8 },
    ]);
  });

  it('gives each file a source whose bytes match what was zipped', async () => {
    const { sources } = await indexZip(file);
    expect([...sources.keys()]).toEqual([0, 2, 3, 5, 6, 7, 8]);
    expect(sources.get(0)).toMatchObject({ kind: 'range', file, length: 13 });
    expect(sources.get(2)).toMatchObject({ kind: 'deflate', file, length: 10_240, crc32: crc32(deflatable) });
    expect(sources.get(7)?.kind).toBe('deflate');
    const expected: Record<number, Buffer> = {
      0: Buffer.from('stored bytes\n'),
      2: deflatable,
      3: Buffer.alloc(0),
      5: Buffer.from('utf-8 name'),
      6: Buffer.from('first'),
      7: Buffer.from('second copy'),
      8: Buffer.from('local header with a ZIP64 extra field'),
    };
    for (const [index, bytes] of Object.entries(expected)) {
      const got = await readAll(openEntryStream(sources.get(Number(index))!));
      expect(sha256(got)).toBe(sha256(bytes));
    }
  });

  it('refuses "../evil.txt" and "/abs.txt" with unsafe-path, naming archive and entry', async () => {
    const evil = pyZip(
      'evil.zip',
      `with zipfile.ZipFile(out, 'w') as z:\n    z.writestr('ok.txt', b'x')\n    z.writestr('../evil.txt', b'x')`,
    );
    const e1 = await rejection(indexZip(evil));
    expect(e1.code).toBe('unsafe-path');
    expect(e1.message).toBe(`${evil}: entry "../evil.txt": path escapes the bundle (.. segment)`);

    const abs = pyZip('abs.zip', `with zipfile.ZipFile(out, 'w') as z:\n    z.writestr('/abs.txt', b'x')`);
    const e2 = await rejection(indexZip(abs));
    expect(e2.code).toBe('unsafe-path');
    expect(e2.message).toBe(`${abs}: entry "/abs.txt": path is absolute (leading "/")`);
  });

  it('refuses unsupported compression methods, naming the entry and method', async () => {
    const bz = pyZip(
      'bz.zip',
      `with zipfile.ZipFile(out, 'w', compression=zipfile.ZIP_BZIP2) as z:\n    z.writestr('model.safetensors', b'x' * 100)`,
    );
    const err = await rejection(indexZip(bz));
    const cd = fs.readFileSync(bz).indexOf(CENTRAL_SIG);
    expect(err.code).toBe('malformed');
    expect(err.message).toBe(
      `${bz}: entry "model.safetensors": compression method 12 is not supported (only 0 stored and 8 deflate) (central directory header at byte ${cd})`,
    );
  });

  it('reads an empty zip', async () => {
    const empty = pyZip('empty.zip', `zipfile.ZipFile(out, 'w').close()`);
    expect(await indexZip(empty)).toEqual({ entries: [], sources: new Map() });
  });

  it('refuses a zip whose end of central directory is cut off', async () => {
    const whole = fs.readFileSync(file);
    const cut = save('cut.zip', whole.subarray(0, whole.length - 10));
    const err = await rejection(indexZip(cut));
    expect(err.code).toBe('malformed');
    expect(err.message).toBe(
      `${cut}: no End Of Central Directory record at the end of the file (not a zip archive, or truncated)`,
    );
    const half = save('half.zip', whole.subarray(0, 300));
    expect((await rejection(indexZip(half))).code).toBe('malformed');
  });

  it('refuses a central directory that lies outside the file', async () => {
    const bad = Buffer.from(fs.readFileSync(file));
    bad.writeUInt32LE(bad.length, bad.length - 22 + 16); // EOCD: offset of the central directory
    const out = save('cdrange.zip', bad);
    const err = await rejection(indexZip(out));
    expect(err.code).toBe('malformed');
    expect(err.message).toMatch(
      new RegExp(
        `^${out}: central directory \\(\\d+ bytes at byte ${bad.length}\\) lies outside the archive`,
      ),
    );
  });

  it('refuses an entry count the central directory cannot hold', async () => {
    const bad = Buffer.from(fs.readFileSync(file));
    bad.writeUInt16LE(60_000, bad.length - 22 + 8);
    bad.writeUInt16LE(60_000, bad.length - 22 + 10);
    const out = save('count.zip', bad);
    const err = await rejection(indexZip(out));
    expect(err.message).toMatch(
      /end of central directory claims 60000 entries, more than a \d+-byte central directory can hold$/,
    );
  });

  it('refuses central directory entries beyond the counted ones', async () => {
    const bad = Buffer.from(fs.readFileSync(file));
    bad.writeUInt16LE(8, bad.length - 22 + 8);
    bad.writeUInt16LE(8, bad.length - 22 + 10);
    const out = save('uncounted.zip', bad);
    const err = await rejection(indexZip(out));
    expect(err.code).toBe('malformed');
    expect(err.message).toMatch(
      new RegExp(
        `^${out}: central directory holds more than the 8 entries its end record counts \\(another header at byte \\d+\\)$`,
      ),
    );
  });

  it('refuses a local header with the wrong signature, naming the entry', async () => {
    const bad = Buffer.from(fs.readFileSync(file));
    bad[0] = 0x51;
    const out = save('localsig.zip', bad);
    const err = await rejection(indexZip(out));
    expect(err.code).toBe('malformed');
    expect(err.message).toBe(
      `${out}: entry "stored.txt": no local file header at byte 0 (wrong signature; corrupt archive)`,
    );
  });
});

describe('indexZip on hand-made archives', () => {
  it('decodes names without the UTF-8 flag as CP437, keeping the raw bytes', async () => {
    const name = Buffer.from([0x63, 0x61, 0x66, 0x82, 0x2e, 0x74, 0x78, 0x74]); // "caf\x82.txt"
    const out = save('cp437.zip', buildZip([{ name, plain: Buffer.from('x') }]));
    const { entries } = await indexZip(out);
    expect(entries.map((e) => [e.path, e.rawNameHex])).toEqual([['café.txt', '636166822e747874']]);
  });

  it('percent-escapes invalid UTF-8 in names flagged as UTF-8', async () => {
    const name = Buffer.from([0x66, 0xff, 0x2e, 0x74, 0x78, 0x74]);
    const out = save('badutf8.zip', buildZip([{ name, plain: Buffer.from('x'), flags: 0x800 }]));
    const { entries } = await indexZip(out);
    expect(entries.map((e) => [e.path, e.rawNameHex])).toEqual([['f%FF.txt', '66ff2e747874']]);
  });

  it("has a CP437 table that matches Python's cp437 codec", () => {
    const high = Buffer.from(Array.from({ length: 128 }, (_, i) => 0x80 + i));
    const python = execFileSync('python3', [
      '-c',
      'import sys; sys.stdout.buffer.write(bytes(range(128, 256)).decode("cp437").encode("utf-8"))',
    ]).toString('utf8');
    expect(decodeCp437(high)).toBe(python);
    expect(decodeCp437(Buffer.from('plain ASCII/'))).toBe('plain ASCII/');
  });

  it('uses the Info-ZIP Unicode Path field only when its CRC matches the name', async () => {
    const name = Buffer.from([0x63, 0x61, 0x66, 0x82, 0x2e, 0x74, 0x78, 0x74]);
    const unicode = (crc: number): Buffer =>
      extraBlock(0x7075, Buffer.concat([Buffer.from([1]), u32(crc), Buffer.from('café-ü.txt')]));
    const out = save(
      'upath.zip',
      buildZip([
        { name, plain: Buffer.from('a'), centralExtra: unicode(crc32(name)) },
        { name, plain: Buffer.from('b'), centralExtra: unicode(crc32(name) ^ 1) },
      ]),
    );
    const { entries } = await indexZip(out);
    expect(entries.map((e) => e.path)).toEqual(['café-ü.txt', 'café.txt']);
  });

  it('reads ZIP64: end of central directory record and locator, and 64-bit sizes and offsets', async () => {
    const out = save(
      'zip64.zip',
      buildZip(
        [
          { name: 'a.bin', plain: Buffer.from('zip64 stored'), zip64: true },
          { name: 'b.bin', plain: deflatable, method: 8, zip64: true },
        ],
        { zip64End: true },
      ),
    );
    const { entries, sources } = await indexZip(out);
    expect(entries.map((e) => [e.path, e.size])).toEqual([
      ['a.bin', 12],
      ['b.bin', 10_240],
    ]);
    expect(await readAll(openEntryStream(sources.get(0)!))).toEqual(Buffer.from('zip64 stored'));
    expect(sha256(await readAll(openEntryStream(sources.get(1)!)))).toBe(sha256(deflatable));
  });

  it('refuses a ZIP64 size field without its ZIP64 extra field', async () => {
    const zip = buildZip([{ name: 'a.bin', plain: Buffer.from('x'), zip64: true }]);
    // Blank the central ZIP64 extra's header id, so the field is no longer found.
    const cd = zip.indexOf(CENTRAL_SIG);
    zip.writeUInt16LE(0x9999, cd + 46 + 5);
    const out = save('nozip64extra.zip', zip);
    const err = await rejection(indexZip(out));
    expect(err.message).toBe(
      `${out}: entry "a.bin": uncompressed size needs a ZIP64 extra field, which is missing or short (central directory header at byte ${cd})`,
    );
  });

  it('refuses encrypted members, naming the entry', async () => {
    const out = save('enc.zip', buildZip([{ name: 'secret.bin', plain: Buffer.from('x'), flags: 1 }]));
    const err = await rejection(indexZip(out));
    expect(err.code).toBe('unreadable');
    expect(err.message).toBe(
      `${out}: entry "secret.bin": member is encrypted (general purpose flag bit 0); decrypt the bundle first`,
    );
  });

  it('treats backslashes as separators and still refuses "..\\\\"', async () => {
    const ok = save('bs.zip', buildZip([{ name: 'dir\\file.txt', plain: Buffer.from('x') }]));
    expect((await indexZip(ok)).entries.map((e) => e.path)).toEqual(['dir/file.txt']);
    const evil = save('bsevil.zip', buildZip([{ name: '..\\..\\evil.dll', plain: Buffer.from('x') }]));
    const err = await rejection(indexZip(evil));
    expect(err.code).toBe('unsafe-path');
    expect(err.message).toBe(`${evil}: entry "..\\\\..\\\\evil.dll": path escapes the bundle (.. segment)`);
  });

  it('prefers the extended timestamp (UTC) over the DOS time', async () => {
    const ut = extraBlock(0x5455, Buffer.concat([Buffer.from([1]), u32(1_700_000_000)]));
    const out = save(
      'ut.zip',
      buildZip([
        { name: 'a', plain: Buffer.from('x'), centralExtra: ut },
        { name: 'b', plain: Buffer.from('y') },
      ]),
    );
    const { entries } = await indexZip(out);
    expect(entries.map((e) => e.mtime)).toEqual([
      new Date(1_700_000_000_000),
      new Date(Date.UTC(2020, 0, 2, 12, 30, 10)),
    ]);
  });

  it('reads the data offset from the local header, whose extra field may differ', async () => {
    const out = save(
      'localextra.zip',
      buildZip([
        {
          name: 'a.txt',
          plain: Buffer.from('after a long local extra'),
          localExtra: extraBlock(0xcafe, Buffer.alloc(300, 7)),
        },
      ]),
    );
    const { sources } = await indexZip(out);
    expect(sources.get(0)).toEqual({ kind: 'range', file: out, offset: 30 + 5 + 304, length: 24 });
    expect(await readAll(openEntryStream(sources.get(0)!))).toEqual(Buffer.from('after a long local extra'));
  });

  it('refuses member data that runs into the central directory', async () => {
    const zip = buildZip([{ name: 'a.txt', plain: Buffer.from('abc') }]);
    const cd = zip.indexOf(CENTRAL_SIG);
    zip.writeUInt32LE(5000, cd + 20);
    zip.writeUInt32LE(5000, cd + 24);
    const out = save('overrun.zip', zip);
    const err = await rejection(indexZip(out));
    expect(err.message).toBe(
      `${out}: entry "a.txt": data (5000 bytes at byte 35) runs past the start of the central directory at byte ${cd} (truncated or corrupt)`,
    );
  });

  it('refuses a directory entry that carries data, and a symlink target over 4 KiB', async () => {
    const zip = buildZip([{ name: 'd/', plain: Buffer.from('hidden') }]);
    const dir = save('dirdata.zip', zip);
    expect((await rejection(indexZip(dir))).message).toBe(
      `${dir}: entry "d/": directory entry carries data (6 bytes stored, 6 uncompressed) (central directory header at byte ${zip.indexOf(CENTRAL_SIG)})`,
    );
    const link = save(
      'biglink.zip',
      buildZip([{ name: 'l', plain: Buffer.alloc(5000, 0x61), externalAttr: 0o120777 << 16 }]),
    );
    expect((await rejection(indexZip(link))).message).toBe(
      `${link}: entry "l": symlink target is 5000 bytes, more than the 4096-byte limit`,
    );
  });

  it('reads a deflated symlink target and skips a "./" root directory entry', async () => {
    const out = save(
      'deflink.zip',
      buildZip([
        { name: './', externalAttr: 0o040755 << 16 },
        { name: 'l', plain: Buffer.from('../outside/target'), method: 8, externalAttr: 0o120777 << 16 },
      ]),
    );
    const { entries, sources } = await indexZip(out);
    expect(entries.map((e) => [e.path, e.type, e.linkTarget, e.index])).toEqual([
      ['l', 'symlink', '../outside/target', 0],
    ]);
    expect(sources.size).toBe(0);
  });

  it('reports a missing file as unreadable', async () => {
    const err = await rejection(indexZip(path.join(tmp, 'nope.zip')));
    expect(err.code).toBe('unreadable');
  });
});

// ---------------------------------------------------------------------------------------------
// The second entry point: a zip inside one artifact, read by the format parsers.

/** The archive's bytes as the format parsers hand them over (exact positional reads). */
function bytesOf(name: string, data: Buffer): ZipBytes {
  return {
    name,
    size: data.length,
    read: (offset, length) =>
      offset < 0 || offset + length > data.length
        ? Promise.reject(new Error(`read past the end of ${name}`))
        : Promise.resolve(data.subarray(offset, offset + length)),
  };
}

describe('readZipDirectory (inside one artifact)', () => {
  it('lists the same members as indexZip, and reads stored and deflated data back', async () => {
    const plain = Buffer.from('the weights');
    const zip = buildZip([
      { name: 'archive/data.pkl', plain },
      { name: 'archive/data/0', plain: deflatable, method: 8 },
    ]);
    const dir = await readZipDirectory(bytesOf('model.pt', zip));
    expect(dir.problems).toEqual([]);
    expect(dir.zip64).toBe(false);
    expect(dir.entries.map((e) => [e.name, e.size, e.method])).toEqual([
      ['archive/data.pkl', plain.length, 0],
      ['archive/data/0', deflatable.length, 8],
    ]);
    const indexed = await indexZip(save('same.zip', zip));
    expect(indexed.entries.map((e) => [e.path, e.size])).toEqual(dir.entries.map((e) => [e.name, e.size]));
    const src = bytesOf('model.pt', zip);
    const problems: string[] = [];
    const [stored, deflated] = dir.entries;
    const at = await entryDataOffset(src, stored!, problems);
    expect(zip.subarray(at, at + stored!.size)).toEqual(plain);
    const start = await entryDataOffset(src, deflated!, problems);
    expect(await inflateEntry(src, deflated!, start, 1 << 20)).toEqual(deflatable);
    expect(problems).toEqual([]);
    await expect(inflateEntry(src, deflated!, start, 100)).rejects.toThrow(/limit 100/);
  });

  it('reads ZIP64 end records and sizes', async () => {
    const zip = buildZip([{ name: 'a', plain: Buffer.from('abc'), zip64: true }], { zip64End: true });
    const dir = await readZipDirectory(bytesOf('big.pt', zip));
    expect(dir.zip64).toBe(true);
    expect(dir.entries.map((e) => [e.name, e.size, e.localHeaderOffset])).toEqual([['a', 3, 0]]);
  });

  it('reports what indexZip refuses: trailing bytes, duplicate names, encryption', async () => {
    const zip = Buffer.concat([
      buildZip([
        { name: 'data.pkl', plain: Buffer.from('one') },
        { name: 'data.pkl', plain: Buffer.from('two') },
        { name: 'secret', plain: Buffer.from('x'), flags: 1 },
      ]),
      Buffer.from('appended'),
    ]);
    const dir = await readZipDirectory(bytesOf('tricky.pt', zip));
    expect(dir.entries).toHaveLength(3);
    expect(dir.problems).toEqual([
      '8 bytes follow the end-of-central-directory record',
      'zip has two entries named "data.pkl": tools disagree on which one they read',
      'zip entry "secret" is encrypted',
    ]);
    const err = await rejection(indexZip(save('tricky.zip', zip)));
    expect(err.message).toMatch(/no End Of Central Directory record at the end of the file/);
  });

  it('reports a local header whose name differs from the central directory', async () => {
    const zip = buildZip([{ name: 'data.pkl', plain: Buffer.from('x') }]);
    zip[30] = 'D'.charCodeAt(0); // the local header's copy of the name starts at byte 30
    const src = bytesOf('renamed.pt', zip);
    const dir = await readZipDirectory(src);
    const problems: string[] = [];
    await entryDataOffset(src, dir.entries[0]!, problems);
    expect(problems).toEqual(['zip entry "data.pkl" is named "Data.pkl" in its local header']);
  });

  it('refuses an entry count beyond its bound before reading the directory', async () => {
    const count = ZIP_MAX_ENTRIES + 1;
    const cdSize = count * 46;
    const eocd = Buffer.concat([
      u32(0x06054b50),
      u16(0),
      u16(0),
      u16(0xffff),
      u16(0xffff),
      u32(cdSize),
      u32(0),
      u16(0),
    ]);
    const z64 = Buffer.concat([
      u32(0x06064b50),
      u64(44),
      u16(45),
      u16(45),
      u32(0),
      u32(0),
      u64(count),
      u64(count),
      u64(cdSize),
      u64(0),
    ]);
    const size = cdSize + z64.length + 20 + eocd.length;
    const tail = Buffer.concat([z64, Buffer.concat([u32(0x07064b50), u32(0), u64(cdSize), u32(1)]), eocd]);
    const whole = (offset: number, length: number): Buffer => {
      const out = Buffer.alloc(length); // the directory region reads as zeros
      for (let i = 0; i < length; i++) if (offset + i >= cdSize) out[i] = tail[offset + i - cdSize]!;
      return out;
    };
    let largest = 0;
    const src: ZipBytes = {
      name: 'many.pt',
      size,
      read: (offset, length) => {
        largest = Math.max(largest, length);
        return Promise.resolve(whole(offset, length));
      },
    };
    await expect(readZipDirectory(src)).rejects.toThrow(
      `many.pt: zip claims ${count.toLocaleString('en-US')} entries (limit ${ZIP_MAX_ENTRIES.toLocaleString('en-US')})`,
    );
    // Only the end records were read, never the 46 MB the directory claims.
    expect(largest).toBeLessThan(70_000);
  });
});
