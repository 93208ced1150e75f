/**
 * A bounded HDF5 reader of exactly what a Keras `.h5` verdict needs: the superblock, the root
 * group's object header, and its attribute messages (`model_config`, `keras_version`,
 * `backend`, `training_config`). Nothing else of the file (groups, datasets, B-trees) is read.
 *
 * Spec: "HDF5 File Format Specification Version 3.0" — II.A superblock (versions 0–3, searched at
 * 0, 512, 1024, 2048… for a user block), III.C symbol table entry, IV.A object headers (version 1
 * and version 2 "OHDR", continuation blocks "OCHK" via message 0x10), IV.A.2.m attribute message
 * 0x0C (versions 1–3), IV.A.2.d datatype (class 3 fixed string, class 9 variable-length string),
 * IV.A.2.b dataspace, III.E global heap ("GCOL") for variable-length strings. Attributes kept in
 * dense storage (attribute info message 0x15, a fractal heap) are reported as not read.
 *
 * Every address and length is checked against the file before it is read; message, continuation
 * and attribute counts are capped.
 */
import { fmt, malformed, q, type ByteSource } from './reader.ts';

export const HDF5_MAGIC = Buffer.from('894844460d0a1a0a', 'hex');
const MAX_ATTR_BYTES = 64 * 1024 * 1024;
const MAX_MESSAGES = 10_000;
const MAX_CONTINUATIONS = 1_000;

export interface Hdf5Attribute {
  name: string;
  /** The value when it is a string (or an array of strings, joined by newlines), else null. */
  text: string | null;
  type: string;
}

export interface Hdf5RootAttributes {
  superblockVersion: number;
  superblockOffset: number;
  attributes: Hdf5Attribute[];
  /** What could not be read (dense attribute storage, unsupported encodings). */
  unread: string[];
}

/** Where the superblock is (0, 512, 1024, …), or -1. */
export async function findHdf5Superblock(src: ByteSource): Promise<number> {
  for (let off = 0; off + 8 <= src.size && off <= 1 << 30; off = off === 0 ? 512 : off * 2) {
    const b = await src.read(off, 8);
    if (b.equals(HDF5_MAGIC)) return off;
  }
  return -1;
}

class H5 {
  constructor(
    readonly src: ByteSource,
    readonly base: number,
    readonly so: number,
    readonly sl: number,
  ) {}

  get file(): string {
    return this.src.name;
  }

  num(b: Buffer, at: number, n: number): number {
    if (at + n > b.length) throw malformed(this.file, `HDF5 field at ${at} passes its structure`);
    if (n === 1) return b.readUInt8(at);
    if (n === 2) return b.readUInt16LE(at);
    if (n === 4) return b.readUInt32LE(at);
    const v = b.readBigUInt64LE(at);
    if (v === 0xffffffffffffffffn) return -1;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed(this.file, `HDF5 value ${v} beyond 2^53`);
    return Number(v);
  }

  async at(addr: number, len: number, what: string): Promise<Buffer> {
    const abs = this.base + addr;
    if (addr < 0 || len < 0 || abs + len > this.src.size)
      throw malformed(
        this.file,
        `HDF5 ${what} (${fmt(len)} bytes at address ${fmt(addr)}) passes the end of the file`,
      );
    return this.src.read(abs, len);
  }
}

interface Msg {
  type: number;
  data: Buffer;
}

async function objectHeaderMessages(h: H5, addr: number): Promise<Msg[]> {
  const msgs: Msg[] = [];
  const first = await h.at(addr, 4, 'object header');
  const blocks: { addr: number; len: number; v2: boolean; isChunk0: boolean }[] = [];
  let v2 = false;
  if (first.toString('latin1') === 'OHDR') {
    v2 = true;
    const pre = await h.at(addr, 6 + 16 + 4 + 8, 'object header prefix');
    const flags = pre[5] ?? 0;
    let p = 6;
    if (flags & 0x20) p += 16;
    if (flags & 0x10) p += 4;
    const sz = [1, 2, 4, 8][flags & 3] ?? 1;
    const len = h.num(pre, p, sz);
    p += sz;
    blocks.push({ addr: addr + p, len, v2, isChunk0: true });
  } else {
    const pre = await h.at(addr, 16, 'object header');
    if (pre[0] !== 1)
      throw malformed(h.file, `HDF5 object header version ${pre[0]} at ${fmt(addr)} is not supported`);
    const len = pre.readUInt32LE(8);
    blocks.push({ addr: addr + 16, len, v2, isChunk0: true });
  }
  let conts = 0;
  while (blocks.length > 0) {
    const b = blocks.shift() as (typeof blocks)[number];
    if (b.len > 64 * 1024 * 1024) throw malformed(h.file, `HDF5 object header block of ${fmt(b.len)} bytes`);
    const data = await h.at(b.addr, b.len, 'object header block');
    let p = 0;
    let end = data.length;
    if (b.v2) {
      if (!b.isChunk0) {
        if (data.subarray(0, 4).toString('latin1') !== 'OCHK')
          throw malformed(h.file, 'HDF5 continuation block without OCHK');
        p = 4;
      }
      end -= 4; // checksum
    }
    const flagsHdr = b.v2 ? ((await h.at(addr + 5, 1, 'flags'))[0] ?? 0) : 0;
    while (p + (b.v2 ? 4 : 8) <= end) {
      if (msgs.length >= MAX_MESSAGES)
        throw malformed(h.file, `more than ${MAX_MESSAGES} object header messages`);
      let type: number;
      let size: number;
      if (b.v2) {
        type = data[p] ?? 0;
        size = data.readUInt16LE(p + 1);
        p += 4 + (flagsHdr & 0x04 ? 2 : 0);
      } else {
        type = data.readUInt16LE(p);
        size = data.readUInt16LE(p + 2);
        p += 8;
      }
      if (p + size > end)
        throw malformed(h.file, `HDF5 message of ${size} bytes passes its object header block`);
      const body = data.subarray(p, p + size);
      p += size;
      if (type === 0x10) {
        if (++conts > MAX_CONTINUATIONS) throw malformed(h.file, 'too many object header continuations');
        blocks.push({ addr: h.num(body, 0, h.so), len: h.num(body, h.so, h.sl), v2: b.v2, isChunk0: false });
      } else msgs.push({ type, data: body });
    }
  }
  return msgs;
}

async function globalHeapObject(h: H5, collection: number, index: number): Promise<Buffer> {
  const head = await h.at(collection, 8 + h.sl, 'global heap');
  if (head.subarray(0, 4).toString('latin1') !== 'GCOL')
    throw malformed(h.file, `no global heap collection at ${fmt(collection)}`);
  const size = h.num(head, 8, h.sl);
  if (size > MAX_ATTR_BYTES * 2) throw malformed(h.file, `global heap collection of ${fmt(size)} bytes`);
  const col = await h.at(collection, size, 'global heap collection');
  let p = 8 + h.sl;
  while (p + 8 + h.sl <= col.length) {
    const idx = col.readUInt16LE(p);
    const osz = h.num(col, p + 8, h.sl);
    const dataAt = p + 8 + h.sl;
    if (idx === 0) break;
    if (dataAt + osz > col.length) throw malformed(h.file, 'global heap object passes its collection');
    if (idx === index) return col.subarray(dataAt, dataAt + osz);
    p = dataAt + Math.ceil(osz / 8) * 8;
  }
  throw malformed(h.file, `global heap object ${index} not found in collection at ${fmt(collection)}`);
}

async function attribute(h: H5, body: Buffer, unread: string[]): Promise<Hdf5Attribute | null> {
  const version = body[0] ?? 0;
  if (version < 1 || version > 3) {
    unread.push(`attribute message version ${version}`);
    return null;
  }
  const flags = body[1] ?? 0;
  const nameSize = body.readUInt16LE(2);
  const dtSize = body.readUInt16LE(4);
  const dsSize = body.readUInt16LE(6);
  let p = version === 3 ? 9 : 8;
  const pad = (n: number): number => (version === 1 ? Math.ceil(n / 8) * 8 : n);
  const name = body
    .subarray(p, p + nameSize)
    .toString('utf8')
    .replace(/\0+$/, '');
  p += pad(nameSize);
  if (flags & 3) {
    unread.push(`attribute ${q(name)} uses a shared datatype or dataspace`);
    return null;
  }
  const dt = body.subarray(p, p + dtSize);
  p += pad(dtSize);
  const ds = body.subarray(p, p + dsSize);
  p += pad(dsSize);
  const data = body.subarray(p);
  // Dataspace: element count.
  const dsv = ds[0] ?? 0;
  const rank = ds[1] ?? 0;
  const dsFlags = ds[2] ?? 0;
  let count = 1;
  if (dsv === 2 && ds[3] === 2) count = 0;
  const dimsAt = dsv === 1 ? 8 : 4;
  for (let i = 0; i < rank; i++) count *= h.num(ds, dimsAt + i * h.sl, h.sl);
  void dsFlags;
  if (count > 1_000_000) throw malformed(h.file, `attribute ${q(name)} has ${fmt(count)} elements`);
  const cls = (dt[0] ?? 0) & 0x0f;
  const esize = dt.length >= 8 ? dt.readUInt32LE(4) : 0;
  if (cls === 3) {
    if (count * esize > data.length)
      throw malformed(h.file, `attribute ${q(name)} data is shorter than its type says`);
    const parts: string[] = [];
    for (let i = 0; i < count; i++)
      parts.push(
        data
          .subarray(i * esize, (i + 1) * esize)
          .toString('utf8')
          .replace(/\0+$/, ''),
      );
    return { name, text: parts.join('\n'), type: 'string' };
  }
  if (cls === 9 && ((dt[1] ?? 0) & 0x0f) === 1) {
    const parts: string[] = [];
    const rec = 4 + h.so + 4;
    let total = 0;
    for (let i = 0; i < count; i++) {
      if ((i + 1) * rec > data.length) throw malformed(h.file, `attribute ${q(name)} vlen data is short`);
      const len = data.readUInt32LE(i * rec);
      total += len;
      if (total > MAX_ATTR_BYTES)
        throw malformed(h.file, `attribute ${q(name)} is more than ${fmt(MAX_ATTR_BYTES)} bytes`);
      const coll = h.num(data, i * rec + 4, h.so);
      const idx = data.readUInt32LE(i * rec + 4 + h.so);
      const obj = await globalHeapObject(h, coll, idx);
      parts.push(obj.subarray(0, len).toString('utf8'));
    }
    return { name, text: parts.join('\n'), type: 'vlen string' };
  }
  return { name, text: null, type: `class ${cls}` };
}

/** Read the root group's attributes. Throws `malformed` on a structure it cannot follow. */
export async function readHdf5RootAttributes(src: ByteSource): Promise<Hdf5RootAttributes> {
  const off = await findHdf5Superblock(src);
  if (off < 0) throw malformed(src.name, 'no HDF5 superblock signature');
  const sb = await src.read(off, Math.min(src.size - off, 128));
  const version = sb[8] ?? 0;
  let so: number;
  let sl: number;
  let rootAddr: number;
  let base: number;
  if (version === 0 || version === 1) {
    so = sb[13] ?? 8;
    sl = sb[14] ?? 8;
    if (![2, 4, 8].includes(so) || ![2, 4, 8].includes(sl))
      throw malformed(src.name, `HDF5 offset size ${so} / length size ${sl}`);
    let p = 24 + (version === 1 ? 4 : 0);
    const h0 = new H5(src, 0, so, sl);
    base = h0.num(sb, p, so);
    p += 4 * so; // base, free-space, EOF, driver info
    p += so; // link name offset of the root symbol table entry
    rootAddr = h0.num(sb, p, so);
  } else if (version === 2 || version === 3) {
    so = sb[9] ?? 8;
    sl = sb[10] ?? 8;
    if (![2, 4, 8].includes(so) || ![2, 4, 8].includes(sl))
      throw malformed(src.name, `HDF5 offset size ${so} / length size ${sl}`);
    const h0 = new H5(src, 0, so, sl);
    base = h0.num(sb, 12, so);
    rootAddr = h0.num(sb, 12 + 3 * so, so);
  } else throw malformed(src.name, `HDF5 superblock version ${version} is not supported`);
  if (base === 0 && off > 0) base = off;
  const h = new H5(src, base, so, sl);
  const unread: string[] = [];
  const attributes: Hdf5Attribute[] = [];
  for (const m of await objectHeaderMessages(h, rootAddr)) {
    if (m.type === 0x0c) {
      const a = await attribute(h, m.data, unread);
      if (a) attributes.push(a);
    } else if (m.type === 0x15) unread.push('attributes in dense storage (fractal heap) were not read');
  }
  return { superblockVersion: version, superblockOffset: off, attributes, unread };
}
