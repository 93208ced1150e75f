/**
 * A bounded HDF5 reader of exactly what a Keras `.h5` verdict needs: the superblock, the root
 * group's object header, and its attribute messages (`model_config`, `keras_version`,
 * `backend`, `training_config`). Nothing else of the file (groups, datasets, B-trees) is read.
 *
 * Spec: "HDF5 File Format Specification Version 3.0" — II.A superblock (versions 0–3, searched at
 * 0, 512, 1024, 2048… for a user block), III.C symbol table entry, IV.A object headers (version 1
 * and version 2 "OHDR", continuation blocks "OCHK" via message 0x10), IV.A.2.m attribute message
 * 0x0C (versions 1–3), IV.A.2.d datatype (class 3 fixed string, class 9 variable-length string),
 * IV.A.2.b dataspace, III.E global heap ("GCOL") for variable-length strings.
 *
 * Attributes in dense storage (HDF5 ≥ 1.8 writes them there when they are many or too large for
 * the object header, e.g. a big Keras `model_config`): the attribute info message (IV.A.2.v, 0x15)
 * gives a fractal heap (III.G: header "FRHP", direct blocks "FHDB", indirect blocks "FHIB" — the
 * root indirect block and nested ones down to MAX_IBLOCK_DEPTH) and a version-2 B-tree (III.A.2:
 * "BTHD", internal "BTIN", leaf "BTLF") of attribute names whose type-8 records hold each
 * attribute's heap ID. A heap ID names a managed object (an offset into the heap's direct
 * blocks), a tiny object (inside the ID) or a huge object (its own extent, found through the
 * heap's huge-object B-tree, type 1). Each object is an attribute message, read as above.
 *
 * Every address and length is checked against the file before it is read; message, continuation,
 * attribute, B-tree node and heap block counts are capped, and a node or block seen twice stops
 * the walk, so a truncated or looping structure ends as "not read", never as a hang.
 */
import { fmt, malformed, q, type ByteSource } from './reader.ts';
import { ProbityError } from '../util/errors.ts';

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
      // Continuation blocks count their signature and checksum; chunk #0's size excludes the
      // checksum that follows it.
      if (!b.isChunk0) end -= 4;
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

// ---------------------------------------------------------------- dense attribute storage

const MAX_DENSE_ATTRIBUTES = 10_000;
const MAX_BTREE_NODES = 10_000;
const MAX_BTREE_DEPTH = 16;
const MAX_HEAP_BLOCKS = 100_000;
const MAX_IBLOCK_DEPTH = 4;
const MAX_NODE_BYTES = 16 * 1024 * 1024;

/** Bytes needed to hold `n` (HDF5's "limit encode size"): floor(log2 n) / 8 + 1. */
function limitEncSize(n: number): number {
  return Math.floor(Math.floor(Math.log2(Math.max(1, n))) / 8) + 1;
}

/** A little-endian unsigned integer of `n` bytes (n ≤ 8) at `at`. */
function varUint(h: H5, b: Buffer, at: number, n: number): number {
  if (at + n > b.length) throw malformed(h.file, `HDF5 field at ${at} passes its structure`);
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i]!);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed(h.file, `HDF5 value ${v} beyond 2^53`);
  return Number(v);
}

function signature(h: H5, b: Buffer, sig: string, addr: number): void {
  if (b.subarray(0, 4).toString('latin1') !== sig)
    throw malformed(h.file, `no ${sig} signature at address ${fmt(addr)}`);
}

/** Every record of a version-2 B-tree, checking its type. */
async function btreeRecords(h: H5, addr: number, type: number, what: string): Promise<Buffer[]> {
  const hdr = await h.at(addr, 4 + 1 + 1 + 4 + 2 + 2 + 1 + 1 + h.so + 2 + h.sl + 4, `${what} B-tree header`);
  signature(h, hdr, 'BTHD', addr);
  if (hdr[5] !== type)
    throw malformed(h.file, `${what} B-tree at ${fmt(addr)} is of type ${hdr[5]}, not ${type}`);
  const nodeSize = hdr.readUInt32LE(6);
  const recSize = hdr.readUInt16LE(10);
  const depth = hdr.readUInt16LE(12);
  const root = h.num(hdr, 16, h.so);
  const rootRecs = hdr.readUInt16LE(16 + h.so);
  if (nodeSize < 16 || nodeSize > MAX_NODE_BYTES || recSize === 0 || depth > MAX_BTREE_DEPTH)
    throw malformed(
      h.file,
      `${what} B-tree with node size ${nodeSize}, record size ${recSize}, depth ${depth}`,
    );
  if (root < 0 || rootRecs === 0) return [];
  // Field widths of internal nodes, as the format derives them from the node and record sizes.
  const PREFIX = 10; // signature, version, type, checksum
  const maxNrec: number[] = [Math.floor((nodeSize - PREFIX) / recSize)];
  const cumMax: number[] = [maxNrec[0]!];
  const cumSize: number[] = [0];
  const nrecSize = limitEncSize(maxNrec[0]!);
  for (let d = 1; d <= depth; d++) {
    const ptr = h.so + nrecSize + (d > 1 ? cumSize[d - 1]! : 0);
    maxNrec[d] = Math.floor((nodeSize - (PREFIX + ptr)) / (recSize + ptr));
    if (maxNrec[d]! <= 0) throw malformed(h.file, `${what} B-tree nodes too small for depth ${depth}`);
    cumMax[d] = (maxNrec[d]! + 1) * cumMax[d - 1]! + maxNrec[d]!;
    cumSize[d] = limitEncSize(Math.min(cumMax[d]!, Number.MAX_SAFE_INTEGER));
  }
  const records: Buffer[] = [];
  const seen = new Set<number>();
  const walk = async (at: number, nrec: number, d: number): Promise<void> => {
    if (seen.has(at)) throw malformed(h.file, `${what} B-tree node at ${fmt(at)} is reached twice (a loop)`);
    seen.add(at);
    if (seen.size > MAX_BTREE_NODES)
      throw malformed(h.file, `${what} B-tree of more than ${fmt(MAX_BTREE_NODES)} nodes`);
    if (nrec > maxNrec[d]!)
      throw malformed(h.file, `${what} B-tree node at ${fmt(at)} claims ${nrec} records`);
    const node = await h.at(at, nodeSize, `${what} B-tree node`);
    signature(h, node, d === 0 ? 'BTLF' : 'BTIN', at);
    if (node[5] !== type) throw malformed(h.file, `${what} B-tree node at ${fmt(at)} has type ${node[5]}`);
    for (let i = 0; i < nrec; i++) records.push(node.subarray(6 + i * recSize, 6 + (i + 1) * recSize));
    if (d === 0) return;
    let p = 6 + nrec * recSize;
    for (let i = 0; i <= nrec; i++) {
      const child = h.num(node, p, h.so);
      const childRecs = varUint(h, node, p + h.so, nrecSize);
      p += h.so + nrecSize + (d > 1 ? cumSize[d - 1]! : 0);
      if (child < 0) throw malformed(h.file, `${what} B-tree node at ${fmt(at)} has an undefined child`);
      await walk(child, childRecs, d - 1);
    }
  };
  await walk(root, rootRecs, depth);
  return records;
}

interface FractalHeap {
  addr: number;
  idLen: number;
  filtered: boolean;
  maxManaged: number;
  hugeBtree: number;
  width: number;
  startBlock: number;
  maxDirect: number;
  /** Bytes of a block offset (and of a managed heap ID's offset). */
  offBytes: number;
  /** Bytes of a managed heap ID's length. */
  lenBytes: number;
  checksummedDirect: boolean;
  rootAddr: number;
  rootRows: number;
}

async function fractalHeap(h: H5, addr: number): Promise<FractalHeap> {
  const L = h.sl;
  const O = h.so;
  const fixed = 4 + 1 + 2 + 2 + 1 + 4 + L + O + L + O + 8 * L + 2 + L + L + 2 + 2 + O + 2;
  const b = await h.at(addr, fixed, 'fractal heap header');
  signature(h, b, 'FRHP', addr);
  if (b[4] !== 0) throw malformed(h.file, `fractal heap version ${b[4]} at ${fmt(addr)}`);
  const idLen = b.readUInt16LE(5);
  const filterLen = b.readUInt16LE(7);
  const flags = b[9]!;
  const maxManaged = b.readUInt32LE(10);
  let p = 14 + L; // next huge object ID
  const hugeBtree = h.num(b, p, O);
  p += O + L + O + 8 * L; // free space, its manager, and the heap statistics
  const width = b.readUInt16LE(p);
  const startBlock = h.num(b, p + 2, L);
  const maxDirect = h.num(b, p + 2 + L, L);
  const maxHeapBits = b.readUInt16LE(p + 2 + 2 * L);
  p += 2 + 2 * L + 2 + 2; // … maximum heap size, starting rows of the root indirect block
  const rootAddr = h.num(b, p, O);
  const rootRows = b.readUInt16LE(p + O);
  const pow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;
  if (
    width === 0 ||
    width > 4096 ||
    !pow2(width) ||
    !pow2(startBlock) ||
    !pow2(maxDirect) ||
    maxDirect < startBlock
  )
    throw malformed(
      h.file,
      `fractal heap at ${fmt(addr)} has table width ${width}, block sizes ${startBlock}/${maxDirect}`,
    );
  if (maxHeapBits === 0 || maxHeapBits > 64 || idLen === 0 || idLen > 4096)
    throw malformed(
      h.file,
      `fractal heap at ${fmt(addr)} has heap size ${maxHeapBits} bits, ID length ${idLen}`,
    );
  const offBytes = Math.ceil(maxHeapBits / 8);
  const lenBytes = Math.min(Math.ceil(Math.log2(maxDirect) / 8), limitEncSize(maxManaged));
  return {
    addr,
    idLen,
    filtered: filterLen > 0,
    maxManaged,
    hugeBtree,
    width,
    startBlock,
    maxDirect,
    offBytes: offBytes,
    lenBytes: Math.max(1, lenBytes),
    checksummedDirect: (flags & 0x02) !== 0,
    rootAddr,
    rootRows,
  };
}

interface DirectBlock {
  heapOffset: number;
  addr: number;
  size: number;
}

/** The direct blocks of the heap's managed space, with where each sits in the heap. */
async function directBlocks(h: H5, fh: FractalHeap): Promise<DirectBlock[]> {
  if (fh.rootAddr < 0) return [];
  if (fh.rootRows === 0) return [{ heapOffset: 0, addr: fh.rootAddr, size: fh.startBlock }];
  const rowSize = (r: number): number => (r === 0 ? fh.startBlock : fh.startBlock * 2 ** (r - 1));
  const rowOffset = (r: number): number => (r === 0 ? 0 : fh.width * fh.startBlock * 2 ** (r - 1));
  const maxDirectRows = Math.log2(fh.maxDirect) - Math.log2(fh.startBlock) + 2;
  const blocks: DirectBlock[] = [];
  const seen = new Set<number>();
  const indirect = async (addr: number, heapOffset: number, rows: number, depth: number): Promise<void> => {
    if (depth > MAX_IBLOCK_DEPTH)
      throw malformed(h.file, `fractal heap indirect blocks nested deeper than ${MAX_IBLOCK_DEPTH}`);
    if (seen.has(addr))
      throw malformed(h.file, `fractal heap block at ${fmt(addr)} is reached twice (a loop)`);
    seen.add(addr);
    if (rows > 64) throw malformed(h.file, `fractal heap indirect block of ${rows} rows`);
    const directRows = Math.min(rows, maxDirectRows);
    const entry = h.so + (fh.filtered ? h.sl + 4 : 0);
    const len =
      5 + h.so + fh.offBytes + directRows * fh.width * entry + (rows - directRows) * fh.width * h.so + 4;
    const b = await h.at(addr, len, 'fractal heap indirect block');
    signature(h, b, 'FHIB', addr);
    let p = 5 + h.so + fh.offBytes;
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < fh.width; c++) {
        const child = h.num(b, p, h.so);
        const at = heapOffset + rowOffset(r) + c * rowSize(r);
        if (r < directRows) {
          p += entry;
          if (child < 0) continue;
          if (seen.has(child))
            throw malformed(h.file, `fractal heap block at ${fmt(child)} is reached twice (a loop)`);
          seen.add(child);
          blocks.push({ heapOffset: at, addr: child, size: rowSize(r) });
          if (blocks.length > MAX_HEAP_BLOCKS)
            throw malformed(h.file, `fractal heap of more than ${fmt(MAX_HEAP_BLOCKS)} blocks`);
        } else {
          p += h.so;
          if (child < 0) continue;
          // A child indirect block spans one entry of its row; its own row count follows from that.
          const childRows = Math.log2(rowSize(r)) - Math.log2(fh.startBlock * fh.width) + 1;
          await indirect(child, at, childRows, depth + 1);
        }
      }
  };
  await indirect(fh.rootAddr, 0, fh.rootRows, 1);
  return blocks;
}

/** The object a heap ID names. */
async function heapObject(
  h: H5,
  fh: FractalHeap,
  id: Buffer,
  blocks: () => Promise<DirectBlock[]>,
  huge: () => Promise<Map<number, { addr: number; len: number }>>,
): Promise<Buffer> {
  const kind = (id[0]! >> 4) & 0x03;
  if (id[0]! >> 6 !== 0) throw malformed(h.file, `heap ID version ${id[0]! >> 6}`);
  if (kind === 0) {
    const off = varUint(h, id, 1, fh.offBytes);
    const len = varUint(h, id, 1 + fh.offBytes, fh.lenBytes);
    if (len > MAX_ATTR_BYTES) throw malformed(h.file, `heap object of ${fmt(len)} bytes`);
    const blk = (await blocks()).find((b) => off >= b.heapOffset && off < b.heapOffset + b.size);
    if (!blk) throw malformed(h.file, `heap offset ${fmt(off)} is in no direct block of the fractal heap`);
    const inBlock = off - blk.heapOffset;
    const header = 5 + h.so + fh.offBytes + (fh.checksummedDirect ? 4 : 0);
    if (inBlock < header || inBlock + len > blk.size)
      throw malformed(
        h.file,
        `heap object at offset ${fmt(off)} (${fmt(len)} bytes) passes its direct block`,
      );
    const head = await h.at(blk.addr, 5 + h.so + fh.offBytes, 'fractal heap direct block');
    signature(h, head, 'FHDB', blk.addr);
    if (varUint(h, head, 5 + h.so, fh.offBytes) !== blk.heapOffset)
      throw malformed(h.file, `fractal heap direct block at ${fmt(blk.addr)} names another heap offset`);
    return h.at(blk.addr + inBlock, len, 'heap object');
  }
  if (kind === 2) {
    const extended = fh.idLen > 18;
    const len = extended ? (((id[0]! & 0x0f) << 8) | id[1]!) + 1 : (id[0]! & 0x0f) + 1;
    const start = extended ? 2 : 1;
    if (start + len > id.length) throw malformed(h.file, 'tiny heap object passes its heap ID');
    return id.subarray(start, start + len);
  }
  if (kind === 1) {
    if (fh.filtered) throw malformed(h.file, 'huge heap objects of a filtered heap are not read');
    let addr: number;
    let len: number;
    if (fh.idLen >= 1 + h.so + h.sl) {
      addr = h.num(id, 1, h.so);
      len = h.num(id, 1 + h.so, h.sl);
    } else {
      const key = varUint(h, id, 1, Math.min(fh.idLen - 1, 8));
      const hit = (await huge()).get(key);
      if (!hit) throw malformed(h.file, `huge heap object ${key} is not in the heap's huge-object B-tree`);
      ({ addr, len } = hit);
    }
    if (len > MAX_ATTR_BYTES) throw malformed(h.file, `heap object of ${fmt(len)} bytes`);
    return h.at(addr, len, 'huge heap object');
  }
  throw malformed(h.file, `heap ID of unknown type ${kind}`);
}

/** The attribute messages kept in dense storage, from an attribute info message. */
async function denseAttributeMessages(h: H5, info: Buffer): Promise<Buffer[]> {
  if (info[0] !== 0) throw malformed(h.file, `attribute info message version ${info[0]}`);
  const flags = info[1] ?? 0;
  const p = 2 + (flags & 0x01 ? 2 : 0);
  const heapAddr = h.num(info, p, h.so);
  const nameTree = h.num(info, p + h.so, h.so);
  if (heapAddr < 0 || nameTree < 0) return []; // dense storage announced but empty
  const fh = await fractalHeap(h, heapAddr);
  let blocks: Promise<DirectBlock[]> | null = null;
  let huge: Promise<Map<number, { addr: number; len: number }>> | null = null;
  const getBlocks = (): Promise<DirectBlock[]> => (blocks ??= directBlocks(h, fh));
  const getHuge = (): Promise<Map<number, { addr: number; len: number }>> =>
    (huge ??= (async () => {
      const map = new Map<number, { addr: number; len: number }>();
      if (fh.hugeBtree < 0) return map;
      for (const r of await btreeRecords(h, fh.hugeBtree, 1, 'huge object')) {
        map.set(h.num(r, h.so + h.sl, h.sl), { addr: h.num(r, 0, h.so), len: h.num(r, h.so, h.sl) });
      }
      return map;
    })());
  const out: Buffer[] = [];
  // Name index records (type 8): heap ID (8 bytes), message flags, creation order, name hash.
  for (const rec of await btreeRecords(h, nameTree, 8, 'attribute name')) {
    if (rec.length < 9) throw malformed(h.file, 'attribute name record shorter than a heap ID');
    if ((rec[8]! & 0x02) !== 0)
      throw malformed(h.file, 'a shared attribute message (shared message table) is not read');
    out.push(await heapObject(h, fh, rec.subarray(0, 8), getBlocks, getHuge));
  }
  return out;
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
    } else if (m.type === 0x15) {
      try {
        for (const body of await denseAttributeMessages(h, m.data)) {
          const a = await attribute(h, body, unread);
          if (a) attributes.push(a);
          if (attributes.length > MAX_DENSE_ATTRIBUTES)
            throw malformed(h.file, `more than ${fmt(MAX_DENSE_ATTRIBUTES)} attributes`);
        }
      } catch (err) {
        if (!(err instanceof ProbityError) || err.code !== 'malformed') throw err;
        unread.push(`attributes in dense storage could not all be read: ${err.message}`);
      }
    }
  }
  return { superblockVersion: version, superblockOffset: off, attributes, unread };
}
