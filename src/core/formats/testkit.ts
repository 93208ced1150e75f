/**
 * Test helpers for the format parsers: fixture paths, a scratch directory, and tiny writers for
 * safetensors, GGUF, pickle and zip buffers so edge cases can be built byte by byte.
 * Imported by *.test.ts only.
 */
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';

/** The repository root (three levels above src/core/formats). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Absolute path of a real fixture under ../shared/fixtures/real. */
export function fixture(rel: string): string {
  return path.resolve(repoRoot, '../shared/fixtures/real', rel);
}

export interface Scratch {
  dir: string;
  write(name: string, data: Buffer | string): string;
  cleanup(): void;
}

export function scratch(prefix = 'probity-formats-'): Scratch {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    dir,
    write(name: string, data: Buffer | string): string {
      const p = path.join(dir, name);
      writeFileSync(p, data);
      return p;
    },
    cleanup(): void {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A safetensors file: u64 LE length (or `lengthOverride`), header text, data bytes. */
export function safetensorsBytes(
  header: object | string,
  data: Buffer | number = 0,
  lengthOverride?: bigint,
): Buffer {
  const text = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(lengthOverride ?? BigInt(text.length));
  const body = typeof data === 'number' ? Buffer.alloc(data) : data;
  return Buffer.concat([len, text, body]);
}

export type GgufTestValue =
  | { t: 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'bool' | 'f64'; v: number | boolean }
  | { t: 'u64' | 'i64'; v: bigint }
  | { t: 'str'; v: string; lenOverride?: bigint }
  | { t: 'arr'; et: number; items: GgufTestValue[]; lenOverride?: bigint };

const TYPE_CODE: Record<string, number> = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  str: 8,
  arr: 9,
  u64: 10,
  i64: 11,
  f64: 12,
};

export interface GgufSpec {
  version?: number;
  bigEndian?: boolean;
  kvs?: [string, GgufTestValue][];
  tensors?: { name: string; dims: number[]; type: number; offset: bigint | number }[];
  tensorCountOverride?: bigint;
  kvCountOverride?: bigint;
  /** Bytes after the tensor infos: padding to `align` is added first unless `noPad`. */
  data?: Buffer;
  align?: number;
  noPad?: boolean;
  magic?: string;
}

/** Build a GGUF file (v1 with u32 lengths, v2/v3 with u64), little- or big-endian. */
export function ggufBytes(spec: GgufSpec): Buffer {
  const version = spec.version ?? 3;
  const be = spec.bigEndian ?? false;
  const parts: Buffer[] = [];
  const u32 = (n: number): void => {
    const b = Buffer.alloc(4);
    if (be) b.writeUInt32BE(n >>> 0);
    else b.writeUInt32LE(n >>> 0);
    parts.push(b);
  };
  const u64 = (n: bigint): void => {
    const b = Buffer.alloc(8);
    if (be) b.writeBigUInt64BE(BigInt.asUintN(64, n));
    else b.writeBigUInt64LE(BigInt.asUintN(64, n));
    parts.push(b);
  };
  const len = (n: bigint): void => (version === 1 ? u32(Number(n)) : u64(n));
  const str = (s: string, override?: bigint): void => {
    const b = Buffer.from(s, 'utf8');
    len(override ?? BigInt(b.length));
    parts.push(b);
  };
  const value = (v: GgufTestValue): void => {
    const b = Buffer.alloc(8);
    switch (v.t) {
      case 'u8':
        parts.push(Buffer.from([Number(v.v) & 0xff]));
        return;
      case 'i8':
        b.writeInt8(Number(v.v));
        parts.push(b.subarray(0, 1));
        return;
      case 'bool':
        parts.push(Buffer.from([v.v ? 1 : 0]));
        return;
      case 'u16':
        if (be) b.writeUInt16BE(Number(v.v));
        else b.writeUInt16LE(Number(v.v));
        parts.push(b.subarray(0, 2));
        return;
      case 'i16':
        if (be) b.writeInt16BE(Number(v.v));
        else b.writeInt16LE(Number(v.v));
        parts.push(b.subarray(0, 2));
        return;
      case 'u32':
        u32(Number(v.v));
        return;
      case 'i32':
        if (be) b.writeInt32BE(Number(v.v));
        else b.writeInt32LE(Number(v.v));
        parts.push(b.subarray(0, 4));
        return;
      case 'f32':
        if (be) b.writeFloatBE(Number(v.v));
        else b.writeFloatLE(Number(v.v));
        parts.push(b.subarray(0, 4));
        return;
      case 'f64':
        if (be) b.writeDoubleBE(Number(v.v));
        else b.writeDoubleLE(Number(v.v));
        parts.push(b);
        return;
      case 'u64':
      case 'i64':
        u64(v.v);
        return;
      case 'str':
        str(v.v, v.lenOverride);
        return;
      case 'arr':
        u32(v.et);
        len(v.lenOverride ?? BigInt(v.items.length));
        for (const it of v.items) value(it);
        return;
    }
  };
  parts.push(Buffer.from(spec.magic ?? 'GGUF', 'latin1'));
  u32(version);
  const kvs = spec.kvs ?? [];
  const tensors = spec.tensors ?? [];
  len(spec.tensorCountOverride ?? BigInt(tensors.length));
  len(spec.kvCountOverride ?? BigInt(kvs.length));
  for (const [k, v] of kvs) {
    str(k);
    u32(TYPE_CODE[v.t] ?? 0);
    value(v);
  }
  for (const t of tensors) {
    str(t.name);
    u32(t.dims.length);
    for (const d of t.dims) len(BigInt(d));
    u32(t.type);
    u64(BigInt(t.offset));
  }
  let out = Buffer.concat(parts);
  if (spec.data) {
    const align = spec.align ?? 32;
    const pad = spec.noPad ? 0 : (align - (out.length % align)) % align;
    out = Buffer.concat([out, Buffer.alloc(pad), spec.data]);
  }
  return out;
}

/** Pickle helpers: opcode bytes from a readable mix of strings and numbers. */
export function pickleBytes(...parts: (string | number | number[] | Buffer)[]): Buffer {
  return Buffer.concat(
    parts.map((p) =>
      typeof p === 'string'
        ? Buffer.from(p, 'latin1')
        : typeof p === 'number'
          ? Buffer.from([p])
          : Buffer.isBuffer(p)
            ? p
            : Buffer.from(p),
    ),
  );
}

/** SHORT_BINUNICODE for a short string. */
export function sbu(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([0x8c, b.length]), b]);
}

export interface ZipMember {
  name: string;
  data: Buffer;
  deflate?: boolean;
  /** Name written in the local header, when it should differ from the central directory. */
  localName?: string;
}

/** A zip archive (stored or deflated members), optionally with ZIP64 end records. */
export function zipBytes(members: ZipMember[], opts: { zip64?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name, 'utf8');
    const localName = Buffer.from(m.localName ?? m.name, 'utf8');
    const body = m.deflate ? deflateRawSync(m.data) : m.data;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(0x800, 6);
    lh.writeUInt16LE(m.deflate ? 8 : 0, 8);
    lh.writeUInt32LE(body.length, 18);
    lh.writeUInt32LE(m.data.length, 22);
    lh.writeUInt16LE(localName.length, 26);
    locals.push(lh, localName, body);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(0x800, 8);
    ch.writeUInt16LE(m.deflate ? 8 : 0, 10);
    ch.writeUInt32LE(body.length, 20);
    ch.writeUInt32LE(m.data.length, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(offset, 42);
    centrals.push(ch, name);
    offset += 30 + localName.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const tail: Buffer[] = [];
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  if (opts.zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeBigUInt64LE(BigInt(members.length), 24);
    rec.writeBigUInt64LE(BigInt(members.length), 32);
    rec.writeBigUInt64LE(BigInt(cd.length), 40);
    rec.writeBigUInt64LE(BigInt(offset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(offset + cd.length), 8);
    loc.writeUInt32LE(1, 16);
    tail.push(rec, loc);
    eocd.writeUInt16LE(0xffff, 8);
    eocd.writeUInt16LE(0xffff, 10);
    eocd.writeUInt32LE(0xffffffff, 12);
    eocd.writeUInt32LE(0xffffffff, 16);
  } else {
    eocd.writeUInt16LE(members.length, 8);
    eocd.writeUInt16LE(members.length, 10);
    eocd.writeUInt32LE(cd.length, 12);
    eocd.writeUInt32LE(offset, 16);
  }
  return Buffer.concat([...locals, cd, ...tail, eocd]);
}

/** Await `p` and return the ProbityError it rejects with (fails the test if it resolves). */
export async function rejection(
  p: Promise<unknown>,
): Promise<{ name: string; code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; code: string; message: string };
    return { name: e.name, code: e.code, message: e.message };
  }
  throw new Error('expected the promise to reject');
}

// Builders for the formats the scanner reads (formats-scan.test.ts, fuzz.test.ts).

/** An .npy file (format 1.0) with `descr`, `shape` and a body. */
export function npy(descr: string, shape: string, body: Buffer): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  Buffer.from('\x93NUMPY', 'latin1').copy(pre);
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), body]);
}

/** A ustar archive of regular files. */
export function tar(members: { name: string; data: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  for (const m of members) {
    const h = Buffer.alloc(512);
    h.write(m.name, 0, 'utf8');
    h.write('0000644\0', 100, 'latin1');
    h.write(`${m.data.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
    h.write('0', 156, 'latin1');
    h.write('ustar\x0000', 257, 'latin1');
    parts.push(h, m.data, Buffer.alloc((512 - (m.data.length % 512)) % 512));
  }
  return Buffer.concat([...parts, Buffer.alloc(1024)]);
}

/** A 7z whose packed stream is `packed` and whose next header is marked LZMA-encoded (0x17). */
export function sevenZip(packed: Buffer): Buffer {
  const sig = Buffer.alloc(32);
  Buffer.from('377abcaf271c0004', 'hex').copy(sig);
  const next = Buffer.from([0x17, 0x06, 0x00]);
  sig.writeBigUInt64LE(BigInt(packed.length), 12);
  sig.writeBigUInt64LE(BigInt(next.length), 20);
  return Buffer.concat([sig, packed, next]);
}

/** Protocol-buffer encoding (varint keys; length-delimited fields). */
export function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}
export const pbLen = (no: number, body: Buffer | string): Buffer => {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([varint(no * 8 + 2), varint(b.length), b]);
};
export const pbInt = (no: number, v: number): Buffer => Buffer.concat([varint(no * 8), varint(v)]);

/**
 * A minimal HDF5 file (superblock 0, v1 root object header) whose root has string attributes:
 * fixed-length strings, or (`vlen`) variable-length strings kept in a global heap collection, the
 * way h5py stores a Python `str`.
 */
export function hdf5(attrs: Record<string, string>, opts: { vlen?: boolean } = {}): Buffer {
  const pad8 = (b: Buffer): Buffer => Buffer.concat([b, Buffer.alloc((8 - (b.length % 8)) % 8)]);
  const entries = Object.entries(attrs);
  const build = (heapAddr: number): Buffer => {
    const messages: Buffer[] = [];
    entries.forEach(([name, value], i) => {
      const nm = Buffer.from(`${name}\0`, 'utf8');
      const val = Buffer.from(value, 'utf8');
      let dt: Buffer;
      let data: Buffer;
      if (opts.vlen) {
        dt = Buffer.alloc(16);
        dt[0] = 0x19; // version 1, class 9: variable-length
        dt[1] = 0x01; // a string
        dt[2] = 0x01; // UTF-8
        dt.writeUInt32LE(16, 4);
        dt[8] = 0x13; // base type: 1-byte string
        dt.writeUInt32LE(1, 12);
        data = Buffer.alloc(16);
        data.writeUInt32LE(val.length, 0);
        data.writeBigUInt64LE(BigInt(heapAddr), 4);
        data.writeUInt32LE(i + 1, 12);
      } else {
        dt = Buffer.alloc(8);
        dt[0] = 0x13; // version 1, class 3: fixed-length string
        dt.writeUInt32LE(val.length, 4);
        data = val;
      }
      const ds = Buffer.alloc(8);
      ds[0] = 1; // version 1, rank 0: scalar
      const head = Buffer.alloc(8);
      head[0] = 1;
      head.writeUInt16LE(nm.length, 2);
      head.writeUInt16LE(dt.length, 4);
      head.writeUInt16LE(8, 6);
      const body = pad8(Buffer.concat([head, pad8(nm), dt, ds, data]));
      const mh = Buffer.alloc(8);
      mh.writeUInt16LE(0x0c, 0);
      mh.writeUInt16LE(body.length, 2);
      messages.push(mh, body);
    });
    return Buffer.concat(messages);
  };
  const heapAddr = 96 + 16 + build(0).length;
  const msgs = build(heapAddr);
  let heap = Buffer.alloc(0);
  if (opts.vlen) {
    const objects = entries.map(([, value], i) => {
      const val = Buffer.from(value, 'utf8');
      const h = Buffer.alloc(16);
      h.writeUInt16LE(i + 1, 0);
      h.writeBigUInt64LE(BigInt(val.length), 8);
      return pad8(Buffer.concat([h, val]));
    });
    const body = Buffer.concat([...objects, Buffer.alloc(16)]);
    const head = Buffer.alloc(16);
    head.write('GCOL', 0, 'latin1');
    head[4] = 1;
    head.writeBigUInt64LE(BigInt(16 + body.length), 8);
    heap = Buffer.concat([head, body]);
  }
  const oh = Buffer.alloc(16);
  oh[0] = 1;
  oh.writeUInt16LE(entries.length, 2);
  oh.writeUInt32LE(1, 4);
  oh.writeUInt32LE(msgs.length, 8);
  const sb = Buffer.alloc(96);
  Buffer.from('894844460d0a1a0a', 'hex').copy(sb);
  sb[13] = 8;
  sb[14] = 8;
  sb.writeUInt16LE(4, 16);
  sb.writeUInt16LE(16, 18);
  sb.writeBigUInt64LE(0n, 24); // base address
  sb.writeBigInt64LE(-1n, 32); // free space: undefined
  sb.writeBigUInt64LE(BigInt(96 + 16 + msgs.length + heap.length), 40); // end of file
  sb.writeBigInt64LE(-1n, 48); // driver info: undefined
  sb.writeBigUInt64LE(0n, 56); // root entry: link name offset
  sb.writeBigUInt64LE(96n, 64); // root entry: object header address
  return Buffer.concat([sb, oh, msgs, heap]);
}
