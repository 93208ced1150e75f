import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbityError } from '../../util/errors';
import { openEntryStream } from './source';
import { indexTar, streamTarGz, TarParser } from './tar';
import type { ArchiveEntry } from './types';

// ---------------------------------------------------------------------------------------------
// Helpers

let tmp = '';
const T = 1_614_834_367; // 2021-03-04T05:06:07Z, whole seconds so every format stores it exactly
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function tar(args: string[], cwd = tmp): void {
  execFileSync('tar', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
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

function thrown(fn: () => unknown): ProbityError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProbityError);
    return err as ProbityError;
  }
  throw new Error('expected a ProbityError');
}

interface Parsed {
  entries: ArchiveEntry[];
  content: Map<string, Buffer>;
}

/** Run the push parser over `data` in chunks of `chunkSize`, collecting entries and file bodies. */
function parse(data: Buffer, chunkSize = data.length || 1, name = 'bundle.tar'): Parsed {
  const entries: ArchiveEntry[] = [];
  const content = new Map<string, Buffer>();
  let current: ArchiveEntry | null = null;
  let parts: Buffer[] = [];
  const parser = new TarParser(name, {
    onEntry: (e) => {
      expect(current).toBeNull();
      current = e;
      parts = [];
      entries.push(e);
    },
    onData: (c) => {
      expect(current?.type).toBe('file');
      parts.push(Buffer.from(c));
    },
    onEntryEnd: () => {
      expect(current).not.toBeNull();
      if (current?.type === 'file') content.set(current.path, Buffer.concat(parts));
      current = null;
    },
  });
  for (let i = 0; i < data.length; i += chunkSize) parser.write(data.subarray(i, i + chunkSize));
  parser.end();
  return { entries, content };
}

/** A hand-made tar header (POSIX ustar layout), with a correct checksum unless told otherwise. */
function header(o: {
  name: string | Buffer;
  size?: number;
  typeflag?: string;
  linkname?: string;
  mtime?: number;
  format?: 'ustar' | 'gnu' | 'v7';
  sizeField?: Buffer;
  signedChecksum?: boolean;
}): Buffer {
  const h = Buffer.alloc(512);
  const put = (text: string | Buffer, at: number, len: number): void => {
    const b = typeof text === 'string' ? Buffer.from(text) : text;
    b.copy(h, at, 0, Math.min(b.length, len));
  };
  const octal = (n: number, len: number): string => `${n.toString(8).padStart(len - 1, '0')}\0`;
  put(o.name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  if (o.sizeField) o.sizeField.copy(h, 124);
  else put(octal(o.size ?? 0, 12), 124, 12);
  put(octal(o.mtime ?? T, 12), 136, 12);
  put(o.typeflag ?? '0', 156, 1);
  put(o.linkname ?? '', 157, 100);
  const format = o.format ?? 'ustar';
  if (format === 'ustar') put('ustar\u000000', 257, 8);
  if (format === 'gnu') put('ustar  \u0000', 257, 8);
  h.fill(0x20, 148, 156);
  let unsigned = 0;
  let signed = 0;
  for (const b of h) {
    unsigned += b;
    signed += b >= 128 ? b - 256 : b;
  }
  put(`${(o.signedChecksum ? signed : unsigned).toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

/** A member's data padded to the 512-byte record. */
const body = (data: Buffer | string): Buffer => {
  const b = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);
};
const END = Buffer.alloc(1024);

/** A pax 'x' header body with correctly counted records. */
function paxBody(records: Record<string, string>): Buffer {
  let out = '';
  for (const [k, v] of Object.entries(records)) {
    const tail = ` ${k}=${v}\n`;
    let len = Buffer.byteLength(tail) + 1;
    while (Buffer.byteLength(`${len}${tail}`) !== len) len++;
    out += `${len}${tail}`;
  }
  return Buffer.from(out);
}

/** Write `files` (path → content; a trailing "/" makes a directory) under `root`. */
function makeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, data] of Object.entries(files)) {
    const abs = path.join(root, rel);
    if (rel.endsWith('/')) fs.mkdirSync(abs, { recursive: true });
    else {
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, data);
    }
  }
}

/** Set every mtime under `root` (links included, not followed) to T. */
function pinTimes(root: string): void {
  for (const rel of fs.readdirSync(root, { recursive: true }) as string[]) {
    fs.lutimesSync(path.join(root, rel), T, T);
  }
  fs.utimesSync(root, T, T);
}

const nested = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7 + 3) & 0xff));
const LONG_DIR = `${'x'.repeat(60)}/${'y'.repeat(60)}`;
const LONG_FILE = `${LONG_DIR}/${'z'.repeat(80)}.txt`;
const LONG_TARGET = `../${'t'.repeat(150)}/target.bin`;
const LONG_LINK_NAME = `${'l'.repeat(150)}.lnk`;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'probity-tar-'));
  const basic = path.join(tmp, 'basic');
  makeTree(basic, { 'a.txt': 'hello archive\n', empty: '', 'sub/': '', 'sub/nested.bin': nested });
  fs.symlinkSync('a.txt', path.join(basic, 'link'));
  fs.linkSync(path.join(basic, 'a.txt'), path.join(basic, 'hard'));
  pinTimes(basic);

  const long = path.join(tmp, 'long');
  makeTree(long, { [LONG_FILE]: 'deep\n' });
  pinTimes(long);

  const longlink = path.join(tmp, 'longlink');
  fs.mkdirSync(longlink);
  fs.symlinkSync(LONG_TARGET, path.join(longlink, LONG_LINK_NAME));
  pinTimes(longlink);
});

afterAll(() => {
  if (tmp !== '') fs.rmSync(tmp, { recursive: true, force: true });
});

const basicExpected = [
  { path: 'a.txt', type: 'file', size: 14, linkTarget: null },
  { path: 'empty', type: 'file', size: 0, linkTarget: null },
  { path: 'hard', type: 'hardlink', size: 0, linkTarget: './a.txt' },
  { path: 'link', type: 'symlink', size: 0, linkTarget: 'a.txt' },
  { path: 'sub', type: 'directory', size: 0, linkTarget: null },
  { path: 'sub/nested.bin', type: 'file', size: 3000, linkTarget: null },
];
const basicContent: Record<string, Buffer> = {
  'a.txt': Buffer.from('hello archive\n'),
  empty: Buffer.alloc(0),
  'sub/nested.bin': nested,
};

function expectBasic(entries: ArchiveEntry[]): void {
  expect(entries.map(({ path, type, size, linkTarget }) => ({ path, type, size, linkTarget }))).toEqual(
    basicExpected,
  );
  entries.forEach((e, i) => {
    expect(e.index).toBe(i);
    expect(e.rawNameHex).toBeNull();
    expect(e.mtime?.getTime()).toBe(T * 1000);
  });
}

// ---------------------------------------------------------------------------------------------

describe('indexTar on archives written by GNU tar', () => {
  it.each(['gnu', 'ustar', 'pax', 'v7'])(
    'reads a %s archive: types, sizes, links, times, content',
    async (format) => {
      const file = path.join(tmp, `basic-${format}.tar`);
      tar([`--format=${format}`, '--sort=name', '-cf', file, '-C', 'basic', '.']);
      const { entries, sources } = await indexTar(file);
      expectBasic(entries);
      // Only file entries have a source, and each is a byte range of the tar itself.
      expect([...sources.keys()].sort()).toEqual([0, 1, 5]);
      for (const e of entries.filter((x) => x.type === 'file')) {
        const src = sources.get(e.index);
        expect(src).toMatchObject({ kind: 'range', file, length: e.size });
        const bytes = await readAll(openEntryStream(src!));
        expect(sha256(bytes)).toBe(sha256(basicContent[e.path]!));
      }
    },
  );

  it.each(['gnu', 'ustar', 'pax'])('reads names longer than 100 bytes (%s)', async (format) => {
    const file = path.join(tmp, `long-${format}.tar`);
    tar([`--format=${format}`, '--sort=name', '-cf', file, '-C', 'long', '.']);
    const { entries, sources } = await indexTar(file);
    expect(entries.map((e) => [e.path, e.type])).toEqual([
      ['x'.repeat(60), 'directory'],
      [LONG_DIR, 'directory'],
      [LONG_FILE, 'file'],
    ]);
    expect(await readAll(openEntryStream(sources.get(2)!))).toEqual(Buffer.from('deep\n'));
  });

  it.each(['gnu', 'pax'])(
    'reads long symlink names and targets (%s: L/K or path/linkpath)',
    async (format) => {
      const file = path.join(tmp, `longlink-${format}.tar`);
      tar([`--format=${format}`, '-cf', file, '-C', 'longlink', LONG_LINK_NAME]);
      const { entries } = await indexTar(file);
      expect(entries).toEqual([
        {
          path: LONG_LINK_NAME,
          rawNameHex: null,
          type: 'symlink',
          size: 0,
          mtime: new Date(T * 1000),
          linkTarget: LONG_TARGET,
          index: 0,
        },
      ]);
    },
  );

  it.each(['gnu', 'pax'])(
    'keeps non-UTF-8 names percent-escaped, with the raw bytes (%s)',
    async (format) => {
      const dir = path.join(tmp, `raw-${format}`);
      fs.mkdirSync(dir);
      fs.writeFileSync(
        Buffer.concat([Buffer.from(`${dir}/`), Buffer.from([0x66, 0xff, 0x2e, 0x74, 0x78, 0x74])]),
        'x',
      );
      const file = path.join(tmp, `raw-${format}.tar`);
      tar([`--format=${format}`, '-cf', file, '-C', dir, '.']);
      const { entries } = await indexTar(file);
      expect(entries.map((e) => [e.path, e.rawNameHex, e.size])).toEqual([
        ['f%FF.txt', Buffer.from('./f\xff.txt', 'latin1').toString('hex'), 1],
      ]);
    },
  );

  it('skips a pax global header (g) and records fifos as "other"', async () => {
    const dir = path.join(tmp, 'fifo');
    fs.mkdirSync(dir);
    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
    fs.writeFileSync(path.join(dir, 'z.txt'), 'after');
    const file = path.join(tmp, 'global.tar');
    tar([
      '--format=pax',
      '--pax-option=comment=made for probity',
      '--sort=name',
      '-cf',
      file,
      '-C',
      dir,
      'pipe',
      'z.txt',
    ]);
    expect(fs.readFileSync(file).subarray(156, 157).toString()).toBe('g');
    const { entries } = await indexTar(file);
    expect(entries.map((e) => [e.path, e.type, e.size])).toEqual([
      ['pipe', 'other', 0],
      ['z.txt', 'file', 5],
    ]);
  });

  it.each(['gnu', 'pax'])(
    'records GNU sparse members (%s) as "other" and stays in step after them',
    async (format) => {
      const dir = path.join(tmp, `sparse-${format}`);
      fs.mkdirSync(dir);
      // Eight data islands: more than the 4 sparse entries a GNU header holds, so extension blocks follow.
      const fd = fs.openSync(path.join(dir, 'holes.bin'), 'w');
      for (let i = 0; i < 8; i++) fs.writeSync(fd, Buffer.alloc(600, 0x41 + i), 0, 600, i * 256 * 1024);
      fs.ftruncateSync(fd, 9 * 256 * 1024);
      fs.closeSync(fd);
      fs.writeFileSync(path.join(dir, 'after.txt'), 'hi\n');
      const file = path.join(tmp, `sparse-${format}.tar`);
      tar([`--format=${format}`, '--sparse', '-cf', file, '-C', dir, 'holes.bin', 'after.txt']);
      const { entries, sources } = await indexTar(file);
      expect(entries.map((e) => [e.path, e.type, e.size])).toEqual([
        ['holes.bin', 'other', 0],
        ['after.txt', 'file', 3],
      ]);
      expect(await readAll(openEntryStream(sources.get(1)!))).toEqual(Buffer.from('hi\n'));
      expect(parse(fs.readFileSync(file), 1000).content.get('after.txt')).toEqual(Buffer.from('hi\n'));
    },
  );

  it('refuses members named with "../" or an absolute path (tar -P)', async () => {
    const dotdot = path.join(tmp, 'dotdot.tar');
    tar(['-cPf', dotdot, '../basic/a.txt'], path.join(tmp, 'long'));
    const e1 = await rejection(indexTar(dotdot));
    expect(e1.code).toBe('unsafe-path');
    expect(e1.message).toBe(`${dotdot}: entry "../basic/a.txt": path escapes the bundle (.. segment)`);

    const abs = path.join(tmp, 'abs.tar');
    const target = path.join(tmp, 'basic', 'a.txt');
    tar(['-cPf', abs, target]);
    const e2 = await rejection(indexTar(abs));
    expect(e2.code).toBe('unsafe-path');
    expect(e2.message).toBe(`${abs}: entry ${JSON.stringify(target)}: path is absolute (leading "/")`);
  });

  it('refuses a header with a bad checksum, naming the archive, entry and offset', async () => {
    const good = fs.readFileSync(path.join(tmp, 'basic-gnu.tar'));
    const bad = Buffer.from(good);
    bad[512 + 100] = 0x37; // second header ("./a.txt", after "./"), inside its mode field
    const file = path.join(tmp, 'badsum.tar');
    fs.writeFileSync(file, bad);
    const err = await rejection(indexTar(file));
    expect(err.code).toBe('malformed');
    expect(err.message).toMatch(
      new RegExp(
        `^${file}: entry "\\./a\\.txt": header checksum mismatch \\(stored 0o\\d+, computed 0o\\d+\\) \\(header at byte 512\\)$`,
      ),
    );
  });

  it('refuses a tar whose member data is cut off', async () => {
    const good = fs.readFileSync(path.join(tmp, 'basic-gnu.tar'));
    const nestedHeader = good.indexOf('./sub/nested.bin');
    const file = path.join(tmp, 'cut.tar');
    fs.writeFileSync(file, good.subarray(0, nestedHeader + 512 + 1000));
    const err = await rejection(indexTar(file));
    expect(err.code).toBe('malformed');
    expect(err.message).toBe(
      `${file}: entry "sub/nested.bin": the entry's 3000 bytes of data at byte ${nestedHeader + 512} run past the end of the file (truncated archive; the file is ${nestedHeader + 1512} bytes)`,
    );

    fs.writeFileSync(file, good.subarray(0, nestedHeader + 100));
    const mid = await rejection(indexTar(file));
    expect(mid.message).toBe(
      `${file}: archive ends inside the header at byte ${nestedHeader} (100 of 512 bytes present; truncated archive)`,
    );
  });

  it('accepts an archive without end-of-archive blocks when it stops on a header boundary', async () => {
    const data = Buffer.concat([header({ name: 'a.txt', size: 3 }), body('abc')]);
    const file = path.join(tmp, 'noend.tar');
    fs.writeFileSync(file, data);
    expect((await indexTar(file)).entries.map((e) => e.path)).toEqual(['a.txt']);
    expect(parse(data).entries.map((e) => e.path)).toEqual(['a.txt']);
  });

  it('indexes a 9 GiB member (base-256 size) without reading its body', async () => {
    const size = 9 * 1024 ** 3 + 5;
    const sizeField = Buffer.alloc(12);
    sizeField[0] = 0x80;
    sizeField.writeBigUInt64BE(BigInt(size), 4);
    const file = path.join(tmp, 'huge.tar');
    const h = header({ name: 'weights.bin', sizeField });
    const tail = header({ name: 'after.txt', size: 2 });
    const tailAt = 512 + size + ((512 - (size % 512)) % 512);
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, h, 0, 512, 0);
    fs.writeSync(fd, Buffer.concat([tail, body('ok')]), 0, 1024, tailAt);
    fs.ftruncateSync(fd, tailAt + 1024 + 1024); // sparse: the body and the end blocks are holes
    fs.closeSync(fd);
    try {
      const started = performance.now();
      const { entries, sources } = await indexTar(file);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(entries.map((e) => [e.path, e.size])).toEqual([
        ['weights.bin', size],
        ['after.txt', 2],
      ]);
      expect(sources.get(0)).toEqual({ kind: 'range', file, offset: 512, length: size });
      expect(sources.get(1)).toEqual({ kind: 'range', file, offset: tailAt + 512, length: 2 });
    } finally {
      fs.rmSync(file);
    }
  });

  it('reports a missing file as unreadable', async () => {
    const err = await rejection(indexTar(path.join(tmp, 'nope.tar')));
    expect(err.code).toBe('unreadable');
    expect(err.message).toBe(`${path.join(tmp, 'nope.tar')}: no such file or directory`);
  });
});

describe('TarParser', () => {
  it.each([1, 7, 511, 512, 513, 4096])(
    'gives the same entries and bytes whatever the chunk size (%i)',
    async (chunk) => {
      const data = fs.readFileSync(path.join(tmp, 'basic-pax.tar'));
      const { entries, content } = parse(data, chunk);
      expectBasic(entries);
      expect(Object.fromEntries(content)).toEqual(basicContent);
    },
  );

  it('applies pax path, linkpath, size and mtime overrides and skips global headers', () => {
    const x = paxBody({ path: 'über/long.txt', size: '5', mtime: '1700000000.25', comment: 'ignored' });
    const g = paxBody({ comment: 'global', path: 'ignored-global-path' });
    const l = paxBody({ linkpath: 'ziel/ü.txt' });
    const data = Buffer.concat([
      header({ name: 'pax_global_header', typeflag: 'g', size: g.length }),
      body(g),
      header({ name: 'PaxHeaders/x', typeflag: 'x', size: x.length }),
      body(x),
      header({ name: 'short-name', size: 999 }), // overridden by the pax size
      body('12345'),
      header({ name: 'PaxHeaders/l', typeflag: 'x', size: l.length }),
      body(l),
      header({ name: 'lnk', typeflag: '2', linkname: 'short-target' }),
      END,
    ]);
    const { entries, content } = parse(data, 100);
    expect(entries).toEqual([
      {
        path: 'über/long.txt',
        rawNameHex: null,
        type: 'file',
        size: 5,
        mtime: new Date(1_700_000_000_250),
        linkTarget: null,
        index: 0,
      },
      {
        path: 'lnk',
        rawNameHex: null,
        type: 'symlink',
        size: 0,
        mtime: new Date(T * 1000),
        linkTarget: 'ziel/ü.txt',
        index: 1,
      },
    ]);
    expect(content.get('über/long.txt')).toEqual(Buffer.from('12345'));
  });

  it("reads Solaris 'X' extended headers like pax 'x'", () => {
    const x = paxBody({ path: 'from-solaris.txt' });
    const data = Buffer.concat([
      header({ name: 'X', typeflag: 'X', size: x.length }),
      body(x),
      header({ name: 'short', size: 1 }),
      body('s'),
      END,
    ]);
    expect(parse(data).entries.map((e) => e.path)).toEqual(['from-solaris.txt']);
  });

  it('reads GNU L/K long-name headers and v7 directories', () => {
    const name = Buffer.from(`${'n'.repeat(120)}/file\0`);
    const link = Buffer.from(`${'k'.repeat(130)}\0`);
    const data = Buffer.concat([
      header({ name: 'olddir/', typeflag: '\0', format: 'v7' }),
      header({ name: '././@LongLink', typeflag: 'L', size: name.length, format: 'gnu' }),
      body(name),
      header({ name: 'truncated-name', size: 2, format: 'gnu' }),
      body('hi'),
      header({ name: '././@LongLink', typeflag: 'K', size: link.length, format: 'gnu' }),
      body(link),
      header({ name: 'hl', typeflag: '1', linkname: 'short', format: 'gnu' }),
      END,
    ]);
    const { entries } = parse(data);
    expect(entries.map((e) => [e.path, e.type, e.linkTarget])).toEqual([
      ['olddir', 'directory', null],
      [`${'n'.repeat(120)}/file`, 'file', null],
      ['hl', 'hardlink', 'k'.repeat(130)],
    ]);
  });

  it('accepts signed-sum checksums and base-256 sizes', () => {
    const sizeField = Buffer.alloc(12);
    sizeField[0] = 0x80;
    sizeField[11] = 4;
    const data = Buffer.concat([
      header({ name: Buffer.from([0x64, 0xe9, 0xe9, 0xe9]), size: 1, signedChecksum: true }),
      body('!'),
      header({ name: 'b256', sizeField }),
      body('four'),
      END,
    ]);
    const { entries, content } = parse(data);
    expect(entries.map((e) => [e.path, e.size, e.rawNameHex])).toEqual([
      ['d%E9%E9%E9', 1, '64e9e9e9'],
      ['b256', 4, null],
    ]);
    expect(content.get('b256')).toEqual(Buffer.from('four'));
  });

  it('reads past a lone zero block rather than hiding what follows it', () => {
    const data = Buffer.concat([
      header({ name: 'a', size: 1 }),
      body('a'),
      Buffer.alloc(512),
      header({ name: 'b', size: 1 }),
      body('b'),
      END,
    ]);
    expect(parse(data).entries.map((e) => e.path)).toEqual(['a', 'b']);
  });

  it('skips the archive root "./" and the bytes after the end-of-archive marker', () => {
    const data = Buffer.concat([
      header({ name: './', typeflag: '5' }),
      header({ name: './a', size: 1 }),
      body('a'),
      END,
      Buffer.from('trailing junk'),
    ]);
    expect(parse(data).entries.map((e) => [e.path, e.index])).toEqual([['a', 0]]);
  });

  it('refuses a pax header larger than 1 MiB before allocating it', () => {
    const sizeField = Buffer.alloc(12);
    sizeField[0] = 0x80;
    sizeField.writeBigUInt64BE(2n ** 40n, 4);
    const data = header({ name: 'PaxHeaders/evil', typeflag: 'x', sizeField });
    const err = thrown(() => parse(data));
    expect(err.code).toBe('malformed');
    expect(err.message).toBe(
      'bundle.tar: entry "PaxHeaders/evil": extended header (type \'x\') claims 1099511627776 bytes, more than the 1048576-byte limit (header at byte 0)',
    );
  });

  it('refuses a pax record whose length runs past its header', () => {
    const x = Buffer.from('99999999999 path=x\n');
    const data = Buffer.concat([
      header({ name: 'PaxHeaders/evil', typeflag: 'x', size: x.length }),
      body(x),
      header({ name: 'f' }),
      END,
    ]);
    const err = thrown(() => parse(data));
    expect(err.code).toBe('malformed');
    expect(err.message).toBe(
      'bundle.tar: entry "PaxHeaders/evil": pax record at byte 0 of the extended header claims 99999999999 bytes, but the header holds 19 (pax header at byte 0)',
    );
    const noNewline = Buffer.from('12 path=abc!');
    const err2 = thrown(() =>
      parse(Buffer.concat([header({ name: 'P', typeflag: 'x', size: 12 }), body(noNewline), END])),
    );
    expect(err2.message).toContain('does not end in a newline');
  });

  it('refuses link and directory entries that declare data (readers disagree on them)', () => {
    const data = Buffer.concat([
      header({ name: 'lnk', typeflag: '2', linkname: 't', size: 512 }),
      body(header({ name: 'hidden', size: 0 })),
      END,
    ]);
    const err = thrown(() => parse(data));
    expect(err.message).toBe(
      'bundle.tar: entry "lnk": typeflag \'2\' entry declares 512 bytes of data, which tar readers disagree on (POSIX: none follow) (header at byte 0)',
    );
  });

  it('refuses a traversal name with unsafe-path', () => {
    const data = Buffer.concat([header({ name: 'ok/../../evil', size: 0 }), END]);
    const err = thrown(() => parse(data));
    expect(err.code).toBe('unsafe-path');
    expect(err.message).toBe('bundle.tar: entry "ok/../../evil": path escapes the bundle (.. segment)');
  });

  it('names the entry and byte offset when the input ends mid-entry or mid-header', () => {
    const full = Buffer.concat([
      header({ name: 'dir/model.bin', size: 1000 }),
      body(Buffer.alloc(1000, 1)),
      END,
    ]);
    const midBody = thrown(() => parse(full.subarray(0, 700), 64));
    expect(midBody.code).toBe('malformed');
    expect(midBody.message).toBe(
      'bundle.tar: entry "dir/model.bin": archive ends inside the entry\'s data at byte 700 (188 of 1000 bytes present) (truncated archive)',
    );
    const midPad = thrown(() => parse(full.subarray(0, 1520)));
    expect(midPad.message).toBe(
      'bundle.tar: entry "dir/model.bin": archive ends inside the padding after the entry\'s data, at byte 1520 (truncated archive)',
    );
    const midHeader = thrown(() => parse(Buffer.concat([full.subarray(0, 1536), Buffer.alloc(200, 0x41)])));
    expect(midHeader.message).toBe(
      'bundle.tar: archive ends inside the header at byte 1536 (200 of 512 bytes present; truncated archive)',
    );
    const x = paxBody({ path: 'p' });
    const afterExt = thrown(() =>
      parse(Buffer.concat([header({ name: 'P', typeflag: 'x', size: x.length }), body(x)])),
    );
    expect(afterExt.message).toBe(
      'bundle.tar: archive ends at byte 1024, after an extended header but before its entry (truncated archive)',
    );
  });

  it('rethrows a handler error and stays failed', () => {
    const boom = new Error('disk full');
    const parser = new TarParser('b.tar', {
      onEntry: () => {
        throw boom;
      },
      onData: () => undefined,
      onEntryEnd: () => undefined,
    });
    expect(() => parser.write(Buffer.concat([header({ name: 'a' }), END]))).toThrow(boom);
    expect(() => parser.write(END)).toThrow(boom);
    expect(() => parser.end()).toThrow(boom);
  });
});

describe('streamTarGz', () => {
  async function collect(
    file: string,
    opts: { slow?: boolean; signal?: AbortSignal; onEntry?: (e: ArchiveEntry) => void } = {},
  ): Promise<Parsed> {
    const entries: ArchiveEntry[] = [];
    const content = new Map<string, Buffer>();
    let parts: Buffer[] = [];
    let busy = false;
    const step = async (fn: () => void): Promise<void> => {
      // Backpressure: no handler may be called while the previous one's promise is pending.
      expect(busy).toBe(false);
      busy = true;
      if (opts.slow) await new Promise((r) => setTimeout(r, 1));
      fn();
      busy = false;
    };
    await streamTarGz(
      file,
      {
        onEntry: (e) =>
          step(() => {
            opts.onEntry?.(e);
            entries.push(e);
            parts = [];
          }),
        onData: (c) => step(() => parts.push(Buffer.from(c))),
        onEntryEnd: () =>
          step(() => {
            const e = entries[entries.length - 1]!;
            if (e.type === 'file') content.set(e.path, Buffer.concat(parts));
          }),
      },
      opts.signal,
    );
    return { entries, content };
  }

  it('streams a .tar.gz made by GNU tar, awaiting each handler', async () => {
    const file = path.join(tmp, 'basic.tgz');
    tar(['--format=gnu', '--sort=name', '-czf', file, '-C', 'basic', '.']);
    const { entries, content } = await collect(file, { slow: true });
    expectBasic(entries);
    expect(Object.fromEntries(content)).toEqual(basicContent);
  });

  it('reads a multi-member gzip stream as one', async () => {
    const raw = fs.readFileSync(path.join(tmp, 'basic-ustar.tar'));
    const file = path.join(tmp, 'multi.tar.gz');
    fs.writeFileSync(
      file,
      Buffer.concat([zlib.gzipSync(raw.subarray(0, 1234)), zlib.gzipSync(raw.subarray(1234))]),
    );
    const { entries, content } = await collect(file);
    expectBasic(entries);
    expect(content.get('sub/nested.bin')).toEqual(nested);
  });

  it('refuses a truncated or corrupt gzip stream, naming the archive and where it stopped', async () => {
    const gz = fs.readFileSync(path.join(tmp, 'basic.tgz'));
    const cut = path.join(tmp, 'cut.tgz');
    fs.writeFileSync(cut, gz.subarray(0, Math.floor(gz.length / 2)));
    const err = await rejection(collect(cut));
    expect(err.code).toBe('malformed');
    expect(err.message).toBe(
      `${cut}: gzip stream is corrupt or truncated in the data of entry "sub/nested.bin" (unexpected end of file)`,
    );

    const bad = Buffer.from(gz);
    bad[gz.length - 6] = (bad[gz.length - 6] ?? 0) ^ 0xff; // CRC-32 in the gzip trailer
    const corrupt = path.join(tmp, 'corrupt.tgz');
    fs.writeFileSync(corrupt, bad);
    const err2 = await rejection(collect(corrupt));
    expect(err2.code).toBe('malformed');
    // The check fails at the trailer; zlib reports it before handing over the last output.
    expect(err2.message).toBe(
      `${corrupt}: gzip stream is corrupt or truncated before any entry could be read (incorrect data check)`,
    );
  });

  it('refuses a complete gzip of a truncated tar, naming the entry', async () => {
    const raw = fs.readFileSync(path.join(tmp, 'basic-gnu.tar'));
    const at = raw.indexOf('./sub/nested.bin') + 512 + 10;
    const file = path.join(tmp, 'cut-tar.tgz');
    fs.writeFileSync(file, zlib.gzipSync(raw.subarray(0, at)));
    const err = await rejection(collect(file));
    expect(err.code).toBe('malformed');
    expect(err.message).toBe(
      `${file}: entry "sub/nested.bin": archive ends inside the entry's data at byte ${at} (10 of 3000 bytes present) (truncated archive)`,
    );
  });

  it('stops with "cancelled" when the signal aborts', async () => {
    const file = path.join(tmp, 'basic.tgz');
    const ac = new AbortController();
    const err = await rejection(collect(file, { signal: ac.signal, onEntry: () => ac.abort() }));
    expect(err.code).toBe('cancelled');
    expect(err.message).toBe(`${file}: reading the archive was cancelled`);
  });

  it('reports a missing file as unreadable', async () => {
    const err = await rejection(collect(path.join(tmp, 'missing.tgz')));
    expect(err.code).toBe('unreadable');
    expect(err.message).toBe(`${path.join(tmp, 'missing.tgz')}: no such file or directory`);
  });
});
