/**
 * GGUF headers (ggml docs/gguf.md), versions 1–3, little- or big-endian, read without tensor data.
 *
 * Layout: magic "GGUF" (4 bytes), u32 version, tensor_count, metadata_kv_count, then the
 * metadata key/value pairs, then tensor_count tensor infos, then padding to `general.alignment`
 * (default 32), then tensor data. Version 1 (ggml before Oct 2023) wrote the two counts, every
 * string length, every array length and every tensor dimension as u32; versions 2 and 3 use u64
 * for those. Version 3 added big-endian files, distinguishable only because the version field
 * then reads 0x03000000 on a little-endian reader.
 *
 * A key/value pair is `string key, u32 value_type, value`. Value types: 0 UINT8, 1 INT8,
 * 2 UINT16, 3 INT16, 4 UINT32, 5 INT32, 6 FLOAT32, 7 BOOL, 8 STRING, 9 ARRAY (u32 element type,
 * count, elements — arrays may nest), 10 UINT64, 11 INT64, 12 FLOAT64. A tensor info is
 * `string name, u32 n_dims, dims[n_dims], u32 ggml_type, u64 offset` where offset is relative to
 * the start of tensor data and must be a multiple of the alignment.
 *
 * Bounds: every count and length is checked against the bytes left in the file before anything
 * is allocated or looped over (a KV needs at least 13 bytes, a tensor info at least 24, an array
 * element at least its fixed size; at most 1,000,000 KVs and 1,000,000 tensors); keys and tensor
 * names are limited to 65,535 bytes, string values are returned whole up to 1 MiB (longer ones
 * are summarised, and hashed while a 64 MiB budget lasts), array nesting to 8 levels, n_dims to
 * 8. Arrays are summarised (type, length, first items), never returned whole.
 */
import {
  withFileSource,
  Cursor,
  malformed,
  fmt,
  q,
  ProblemList,
  bigToJson,
  type ByteSource,
} from './reader.ts';
import { firstInvalidUtf8 } from './text.ts';
import { summarizeChatTemplate, type ChatTemplateSummary } from './indicators.ts';
import { createHash } from 'node:crypto';

export const GGUF_VALUE_TYPES = [
  'UINT8',
  'INT8',
  'UINT16',
  'INT16',
  'UINT32',
  'INT32',
  'FLOAT32',
  'BOOL',
  'STRING',
  'ARRAY',
  'UINT64',
  'INT64',
  'FLOAT64',
] as const;
export type GgufValueType = (typeof GGUF_VALUE_TYPES)[number];

const FIXED_SIZE: readonly (number | null)[] = [1, 1, 2, 2, 4, 4, 4, 1, null, null, 8, 8, 8];
const T_STRING = 8;
const T_ARRAY = 9;

/** ggml tensor types: id → [name, block size (elements), type size (bytes per block)], from ggml.h / ggml.c type_traits. */
export const GGML_TYPES: Readonly<Record<number, readonly [string, number, number]>> = Object.freeze({
  0: ['F32', 1, 4],
  1: ['F16', 1, 2],
  2: ['Q4_0', 32, 18],
  3: ['Q4_1', 32, 20],
  6: ['Q5_0', 32, 22],
  7: ['Q5_1', 32, 24],
  8: ['Q8_0', 32, 34],
  9: ['Q8_1', 32, 36],
  10: ['Q2_K', 256, 84],
  11: ['Q3_K', 256, 110],
  12: ['Q4_K', 256, 144],
  13: ['Q5_K', 256, 176],
  14: ['Q6_K', 256, 210],
  15: ['Q8_K', 256, 292],
  16: ['IQ2_XXS', 256, 66],
  17: ['IQ2_XS', 256, 74],
  18: ['IQ3_XXS', 256, 98],
  19: ['IQ1_S', 256, 50],
  20: ['IQ4_NL', 32, 18],
  21: ['IQ3_S', 256, 110],
  22: ['IQ2_S', 256, 82],
  23: ['IQ4_XS', 256, 136],
  24: ['I8', 1, 1],
  25: ['I16', 1, 2],
  26: ['I32', 1, 4],
  27: ['I64', 1, 8],
  28: ['F64', 1, 8],
  29: ['IQ1_M', 256, 56],
  30: ['BF16', 1, 2],
  31: ['Q4_0_4_4', 32, 18],
  32: ['Q4_0_4_8', 32, 18],
  33: ['Q4_0_8_8', 32, 18],
  34: ['TQ1_0', 256, 54],
  35: ['TQ2_0', 256, 66],
  36: ['IQ4_NL_4_4', 32, 18],
  37: ['IQ4_NL_4_8', 32, 18],
  38: ['IQ4_NL_8_8', 32, 18],
  39: ['MXFP4', 32, 17],
});

/** Types ggml has since removed from GGUF files (repacked at load time instead). */
const REMOVED_TYPES = new Set([31, 32, 33, 36, 37, 38]);

/** llama_ftype names for `general.file_type` (llama.h). */
const FILE_TYPES: Readonly<Record<number, string>> = Object.freeze({
  0: 'ALL_F32',
  1: 'MOSTLY_F16',
  2: 'MOSTLY_Q4_0',
  3: 'MOSTLY_Q4_1',
  4: 'MOSTLY_Q4_1_SOME_F16',
  7: 'MOSTLY_Q8_0',
  8: 'MOSTLY_Q5_0',
  9: 'MOSTLY_Q5_1',
  10: 'MOSTLY_Q2_K',
  11: 'MOSTLY_Q3_K_S',
  12: 'MOSTLY_Q3_K_M',
  13: 'MOSTLY_Q3_K_L',
  14: 'MOSTLY_Q4_K_S',
  15: 'MOSTLY_Q4_K_M',
  16: 'MOSTLY_Q5_K_S',
  17: 'MOSTLY_Q5_K_M',
  18: 'MOSTLY_Q6_K',
  19: 'MOSTLY_IQ2_XXS',
  20: 'MOSTLY_IQ2_XS',
  21: 'MOSTLY_Q2_K_S',
  22: 'MOSTLY_IQ3_XS',
  23: 'MOSTLY_IQ3_XXS',
  24: 'MOSTLY_IQ1_S',
  25: 'MOSTLY_IQ4_NL',
  26: 'MOSTLY_IQ3_S',
  27: 'MOSTLY_IQ3_M',
  28: 'MOSTLY_IQ2_S',
  29: 'MOSTLY_IQ2_M',
  30: 'MOSTLY_IQ4_XS',
  31: 'MOSTLY_IQ1_M',
  32: 'MOSTLY_BF16',
  36: 'MOSTLY_TQ1_0',
  37: 'MOSTLY_TQ2_0',
  38: 'MOSTLY_MXFP4_MOE',
  39: 'MOSTLY_NVFP4',
  40: 'MOSTLY_Q1_0',
  1024: 'GUESSED',
});

/** An array value, summarised: its element type, length and first {@link ARRAY_HEAD} items. */
export interface GgufArraySummary {
  kind: 'array';
  elementType: GgufValueType;
  length: number;
  head: GgufValue[];
}

/** A string value longer than {@link GGUF_MAX_STRING}: its length, hash and first characters. */
export interface GgufLongString {
  kind: 'long-string';
  length: number;
  /** sha256 of the bytes, or null when the 64 MiB hashing budget was spent. */
  sha256: string | null;
  head: string;
}

/**
 * A metadata value. UINT64/INT64 values beyond ±2^53 are decimal strings; non-finite floats are
 * the strings "NaN", "Infinity", "-Infinity" (so the result stays JSON).
 */
export type GgufValue = number | string | boolean | GgufArraySummary | GgufLongString;

export interface GgufKv {
  key: string;
  type: GgufValueType;
  value: GgufValue;
  /** File offset of the key's length field. */
  offset: number;
}

export interface GgufTensorInfo {
  name: string;
  /** ggml order: dims[0] is the fastest-varying (row length); reverse for PyTorch order. */
  dims: number[];
  type: number;
  /** ggml type name, or null for an id this reader does not know. */
  typeName: string | null;
  /** Offset relative to the start of tensor data, as stored. */
  offset: number;
  /** Absolute file offset: dataStart + offset. */
  absoluteOffset: number;
  /** Bytes of data, or null when the type is unknown. */
  byteSize: number | null;
  params: number;
}

export interface GgufHeader {
  format: 'gguf';
  fileSize: number;
  version: number;
  endianness: 'little' | 'big';
  tensorCount: number;
  kvCount: number;
  /** Metadata in file order (duplicates kept, and reported as problems). */
  metadata: GgufKv[];
  alignment: number;
  /** Offset of the first byte after the tensor infos. */
  headerEnd: number;
  /** headerEnd rounded up to the alignment: where tensor data begins. */
  dataStart: number;
  tensors: GgufTensorInfo[];
  parameterCount: number;
  /** Tensor count per ggml type name (`unknown(N)` for unknown ids). */
  tensorTypes: Record<string, number>;
  architecture: string | null;
  model: {
    blockCount: number | null;
    embeddingLength: number | null;
    contextLength: number | null;
    feedForwardLength: number | null;
    headCount: number | null;
    headCountKv: number | null;
    /** `<arch>.vocab_size`, else the length of tokenizer.ggml.tokens. */
    vocabSize: number | null;
  };
  provenance: {
    name: string | null;
    basename: string | null;
    finetune: string | null;
    sizeLabel: string | null;
    author: string | null;
    organization: string | null;
    version: string | null;
    license: string | null;
    url: string | null;
    sourceUrl: string | null;
    sourceRepo: string | null;
    quantizedBy: string | null;
    fileType: number | null;
    fileTypeName: string | null;
    quantizationVersion: number | null;
    baseModelCount: number | null;
    baseModels: {
      name: string | null;
      organization: string | null;
      repoUrl: string | null;
      version: string | null;
    }[];
  };
  tokenizer: {
    model: string | null;
    pre: string | null;
    tokenCount: number | null;
    mergeCount: number | null;
    /** `tokenizer.ggml.<role>_token_id` → id and the token text at that id (null when out of range). */
    specialTokens: { role: string; id: number; text: string | null }[];
    /** Counts per llama token type (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte). */
    tokenTypeCounts: Record<string, number> | null;
    chatTemplates: ChatTemplateSummary[];
  } | null;
  adapter: { type: string | null; loraAlpha: number | null } | null;
  problems: string[];
}

export const GGUF_MAX_STRING = 1024 * 1024;
const GGUF_HASH_BUDGET = 64 * 1024 * 1024;
const MAX_KEY = 65535;
const MAX_KVS = 1_000_000;
const MAX_TENSORS = 1_000_000;
const MAX_DIMS = 8;
const MAX_DEPTH = 8;
const ARRAY_HEAD = 8;
const TOKEN_CHECKPOINT = 1024;
const TOKEN_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'undefined',
  1: 'normal',
  2: 'unknown',
  3: 'control',
  4: 'user_defined',
  5: 'unused',
  6: 'byte',
};

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

function floatJson(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

/** Remembered positions of tokenizer.ggml.tokens so special ids can be resolved afterwards. */
interface TokenIndex {
  length: number;
  /** File offset of element i × TOKEN_CHECKPOINT. */
  checkpoints: number[];
}

class GgufReader {
  readonly c: Cursor;
  readonly problems = new ProblemList();
  private hashBudget = GGUF_HASH_BUDGET;
  tokenIndex: TokenIndex | null = null;
  tokenTypeCounts: Record<string, number> | null = null;

  constructor(
    readonly src: ByteSource,
    readonly version: number,
    littleEndian: boolean,
  ) {
    this.c = new Cursor(src, 0, src.size, littleEndian);
  }

  get file(): string {
    return this.src.name;
  }

  /** A count or length field: u32 in v1, u64 from v2. Returned as a number once bounded by `max`. */
  async length(what: string, max: number, unit = 'bytes'): Promise<number> {
    const c = this.c;
    const at = c.pos;
    let n: bigint;
    if (this.version === 1) {
      await c.need(4, what);
      n = BigInt(c.u32());
    } else {
      await c.need(8, what);
      n = c.u64();
    }
    if (n > BigInt(max)) {
      throw malformed(
        this.file,
        `${what} at offset ${fmt(at)} is ${n} ${unit}, more than the ${fmt(max)} that can fit or are allowed`,
      );
    }
    return Number(n);
  }

  private stringLenSize(): number {
    return this.version === 1 ? 4 : 8;
  }

  async key(what: string): Promise<string> {
    const len = await this.length(`${what} length`, Math.min(MAX_KEY, this.c.remaining));
    await this.c.need(len, what);
    const bytes = this.c.bytes(len);
    const bad = firstInvalidUtf8(bytes);
    if (bad >= 0) this.problems.add(`${what} at offset ${fmt(this.c.pos - len)} is not valid UTF-8`);
    return bytes.toString('utf8');
  }

  /** A string value: whole up to 1 MiB; longer ones hashed (within budget) and summarised. */
  async stringValue(what: string): Promise<string | GgufLongString> {
    const c = this.c;
    const len = await this.length(`${what} length`, c.remaining);
    if (len <= GGUF_MAX_STRING) {
      await c.need(len, what);
      const bytes = c.bytes(len);
      if (firstInvalidUtf8(bytes) >= 0)
        this.problems.add(`${what} at offset ${fmt(c.pos - len)} is not valid UTF-8`);
      return bytes.toString('utf8');
    }
    this.problems.add(
      `${what} is a ${fmt(len)}-byte string (over the ${fmt(GGUF_MAX_STRING)}-byte display limit; summarised)`,
    );
    await c.need(256, what);
    const head = c.bytes(256).toString('utf8');
    c.pos -= 256;
    let sha: string | null = null;
    if (len <= this.hashBudget) {
      this.hashBudget -= len;
      const h = createHash('sha256');
      let left = len;
      while (left > 0) {
        const n = Math.min(left, 1024 * 1024);
        await c.need(n, what);
        h.update(c.bytes(n));
        left -= n;
      }
      sha = h.digest('hex');
    } else {
      c.skip(len, what);
    }
    return { kind: 'long-string', length: len, sha256: sha, head };
  }

  async valueType(what: string): Promise<number> {
    const at = this.c.pos;
    await this.c.need(4, what);
    const t = this.c.u32();
    if (t >= GGUF_VALUE_TYPES.length)
      throw malformed(this.file, `${what} at offset ${fmt(at)} has unknown value type ${t}`);
    return t;
  }

  async scalar(t: number): Promise<number | string | boolean> {
    const c = this.c;
    const size = FIXED_SIZE[t] ?? 0;
    await c.need(size);
    switch (t) {
      case 0:
        return c.u8();
      case 1:
        return c.i8();
      case 2:
        return c.u16();
      case 3:
        return c.i16();
      case 4:
        return c.u32();
      case 5:
        return c.i32();
      case 6:
        return floatJson(c.f32());
      case 7: {
        const b = c.u8();
        if (b > 1) this.problems.add(`BOOL at offset ${fmt(c.pos - 1)} holds ${b}, not 0 or 1`);
        return b !== 0;
      }
      case 10:
        return bigToJson(c.u64());
      case 11:
        return bigToJson(c.i64());
      default:
        return floatJson(c.f64());
    }
  }

  async value(t: number, key: string, depth: number): Promise<GgufValue> {
    if (t === T_STRING) return this.stringValue(`value of ${q(key)}`);
    if (t === T_ARRAY) return this.array(key, depth);
    return this.scalar(t);
  }

  private minElementSize(t: number): number {
    if (t === T_STRING) return this.stringLenSize();
    if (t === T_ARRAY) return 4 + this.stringLenSize();
    return FIXED_SIZE[t] ?? 1;
  }

  async array(key: string, depth: number): Promise<GgufArraySummary> {
    if (depth >= MAX_DEPTH)
      throw malformed(this.file, `${q(key)}: arrays nested more than ${MAX_DEPTH} deep`);
    const c = this.c;
    const et = await this.valueType(`element type of array ${q(key)}`);
    const minSize = this.minElementSize(et);
    const lenAt = c.pos;
    const length = await this.length(`length of array ${q(key)}`, Number.MAX_SAFE_INTEGER, 'elements');
    if (length * minSize > c.remaining) {
      throw malformed(
        this.file,
        `array ${q(key)} at offset ${fmt(lenAt)} claims ${fmt(length)} ${GGUF_VALUE_TYPES[et]} elements but only ${fmt(c.remaining)} bytes remain`,
      );
    }
    const head: GgufValue[] = [];
    const isTokens = depth === 0 && key === 'tokenizer.ggml.tokens' && et === T_STRING;
    const isTokenTypes = depth === 0 && key === 'tokenizer.ggml.token_type' && (et === 5 || et === 4);
    if (isTokens) this.tokenIndex = { length, checkpoints: [] };
    const fixed = FIXED_SIZE[et];
    if (fixed !== null && fixed !== undefined) {
      if (isTokenTypes) {
        const counts: Record<string, number> = {};
        let i = 0;
        while (i < length) {
          const n = Math.min(length - i, 16384);
          await c.need(n * 4, `array ${q(key)}`);
          for (let k = 0; k < n; k++) {
            const v = et === 5 ? c.i32() : c.u32();
            if (i + k < ARRAY_HEAD) head.push(v);
            const name = TOKEN_TYPE_NAMES[v] ?? `type ${v}`;
            counts[name] = (counts[name] ?? 0) + 1;
          }
          i += n;
        }
        this.tokenTypeCounts = counts;
      } else {
        const shown = Math.min(length, ARRAY_HEAD);
        for (let i = 0; i < shown; i++) head.push(await this.scalar(et));
        c.skip((length - shown) * fixed, `array ${q(key)}`);
      }
    } else if (et === T_STRING) {
      const lenSize = this.stringLenSize();
      for (let i = 0; i < length; i++) {
        if (isTokens && i % TOKEN_CHECKPOINT === 0) this.tokenIndex?.checkpoints.push(c.pos);
        if (i < ARRAY_HEAD) {
          const s = await this.stringValue(`element ${i} of ${q(key)}`);
          head.push(typeof s === 'string' && s.length > 256 ? s.slice(0, 256) + '…' : s);
          continue;
        }
        if (!c.has(lenSize)) await c.need(lenSize, `element ${i} of ${q(key)}`);
        const at = c.pos;
        const n = lenSize === 4 ? c.u32() : c.u64();
        if (BigInt(n) > BigInt(c.remaining)) {
          throw malformed(
            this.file,
            `element ${i} of ${q(key)} at offset ${fmt(at)} is a ${n}-byte string but only ${fmt(c.remaining)} bytes remain`,
          );
        }
        c.skip(Number(n));
      }
    } else {
      for (let i = 0; i < length; i++) {
        const inner = await this.array(`${key}[${i}]`, depth + 1);
        if (i < ARRAY_HEAD) head.push(inner);
      }
    }
    return { kind: 'array', elementType: GGUF_VALUE_TYPES[et] ?? 'UINT8', length, head };
  }

  /** The text of token `id` from the remembered checkpoints (a short walk from the nearest one). */
  async tokenText(id: number): Promise<string | null> {
    const idx = this.tokenIndex;
    if (!idx || id < 0 || id >= idx.length || !Number.isInteger(id)) return null;
    const start = idx.checkpoints[Math.floor(id / TOKEN_CHECKPOINT)];
    if (start === undefined) return null;
    const c = new Cursor(this.src, start, this.src.size, this.c.littleEndian);
    const lenSize = this.stringLenSize();
    for (let i = id - (id % TOKEN_CHECKPOINT); ; i++) {
      await c.need(lenSize, 'token');
      const n = Number(lenSize === 4 ? c.u32() : c.u64());
      if (i === id) {
        const take = Math.min(n, 4096);
        await c.need(take, 'token');
        return c.bytes(take).toString('utf8');
      }
      c.skip(n, 'token');
    }
  }
}

function readMagic(file: string, head: Buffer): void {
  const magic = head.subarray(0, 4).toString('latin1');
  if (magic === 'GGUF') return;
  const legacy: Record<string, string> = {
    lmgg: 'GGML (unversioned)',
    fmgg: 'GGMF',
    tjgg: 'GGJT',
    algg: 'GGLA (LoRA)',
  };
  const name = legacy[magic];
  if (name) throw malformed(file, `legacy ${name} model file from before GGUF (August 2023): not supported`);
  if (magic === 'FUGG')
    throw malformed(file, 'magic reads "FUGG": a byte-swapped GGUF writer (not a valid GGUF file)');
  throw malformed(
    file,
    `bad magic ${JSON.stringify(magic)} (0x${head.subarray(0, 4).toString('hex')}): not a GGUF file`,
  );
}

function num(v: GgufValue | undefined): number | null {
  return typeof v === 'number' ? v : null;
}
function str(v: GgufValue | undefined): string | null {
  return typeof v === 'string' ? v : null;
}

/** Parse a GGUF file's metadata and tensor infos; tensor data is never read. */
export async function readGgufHeader(file: string): Promise<GgufHeader> {
  return withFileSource(file, (src) => readGgufFrom(src));
}

export async function readGgufFrom(src: ByteSource): Promise<GgufHeader> {
  const file = src.name;
  if (src.size < 8) throw malformed(file, `${fmt(src.size)} bytes is too short for a GGUF header`);
  const head = await src.read(0, 8);
  readMagic(file, head);
  const le = head.readUInt32LE(4);
  const be = head.readUInt32BE(4);
  let version: number;
  let littleEndian: boolean;
  if (le >= 1 && le <= 3) {
    version = le;
    littleEndian = true;
  } else if (be >= 1 && be <= 3) {
    version = be;
    littleEndian = false;
  } else {
    throw malformed(
      file,
      `unsupported GGUF version ${le} (0x${le.toString(16)}); this reader knows versions 1–3`,
    );
  }
  if (!littleEndian && version < 3)
    throw malformed(file, `big-endian GGUF version ${version}: big-endian files exist only from version 3`);
  const r = new GgufReader(src, version, littleEndian);
  const c = r.c;
  c.pos = 8;
  const problems = r.problems;
  if (!littleEndian)
    problems.add('big-endian GGUF (written for s390x hosts): little-endian llama.cpp builds refuse it');
  if (version === 1)
    problems.add('GGUF version 1 (u32 lengths): llama.cpp dropped support for it in October 2023');

  const lenSize = version === 1 ? 4 : 8;
  // A KV needs at least a key length, a type and one value byte; a tensor info at least a name
  // length, n_dims, type and offset. Beyond what the file can hold, a hard cap keeps the result's
  // size bounded even for a huge file full of tiny entries.
  const tensorCount = await r.length(
    'tensor count',
    Math.min(MAX_TENSORS, Math.floor((src.size - 8) / (lenSize + 4 + 4 + 8))),
    'tensors',
  );
  const kvCount = await r.length(
    'metadata KV count',
    Math.min(MAX_KVS, Math.floor((src.size - 8) / (lenSize + 4 + 1))),
    'pairs',
  );

  const metadata: GgufKv[] = [];
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (let i = 0; i < kvCount; i++) {
    const offset = c.pos;
    const key = await r.key(`key of metadata pair ${i}`);
    const t = await r.valueType(`metadata ${q(key)}`);
    const value = await r.value(t, key, 0);
    if (seen.has(key) && !dupes.has(key)) {
      dupes.add(key);
      problems.add(`duplicate metadata key ${q(key)} (llama.cpp refuses the file)`);
    }
    seen.add(key);
    metadata.push({ key, type: GGUF_VALUE_TYPES[t] ?? 'UINT8', value, offset });
  }
  const get = (k: string): GgufKv | undefined => {
    for (let i = metadata.length - 1; i >= 0; i--) if (metadata[i]?.key === k) return metadata[i];
    return undefined;
  };
  const val = (k: string): GgufValue | undefined => get(k)?.value;

  let alignment = 32;
  const al = get('general.alignment');
  if (al) {
    const a = al.value;
    if (typeof a === 'number' && Number.isInteger(a) && a > 0 && (a & (a - 1)) === 0 && a <= 2 ** 30) {
      alignment = a;
      if (al.type !== 'UINT32') problems.add(`general.alignment is ${al.type}, the spec requires UINT32`);
    } else {
      problems.add(`general.alignment ${JSON.stringify(a)} is not a power of two (using the default 32)`);
    }
  }

  const tensors: GgufTensorInfo[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const name = await r.key(`name of tensor ${i}`);
    if (Buffer.byteLength(name) >= 64)
      problems.add(
        `tensor name ${JSON.stringify(name.slice(0, 80))} is ${Buffer.byteLength(name)} bytes (ggml's limit is 63)`,
      );
    if (names.has(name)) problems.add(`duplicate tensor name ${q(name)}`);
    names.add(name);
    const ndAt = c.pos;
    await c.need(4, `n_dims of tensor ${q(name)}`);
    const nDims = c.u32();
    if (nDims > MAX_DIMS)
      throw malformed(
        file,
        `tensor ${q(name)} at offset ${fmt(ndAt)} claims ${nDims} dimensions (limit ${MAX_DIMS})`,
      );
    if (nDims > 4) problems.add(`tensor ${q(name)} has ${nDims} dimensions (GGML_MAX_DIMS is 4)`);
    const dims: number[] = [];
    let numel = 1n;
    for (let d = 0; d < nDims; d++) {
      await c.need(lenSize, `dimension ${d} of tensor ${q(name)}`);
      const v = version === 1 ? BigInt(c.u32()) : c.u64();
      if (v > BigInt(Number.MAX_SAFE_INTEGER))
        throw malformed(file, `tensor ${q(name)}: dimension ${d} is ${v}, beyond 2^53`);
      dims.push(Number(v));
      numel *= v;
    }
    if (numel > BigInt(Number.MAX_SAFE_INTEGER))
      throw malformed(file, `tensor ${q(name)}: dims [${dims.join(', ')}] hold more than 2^53 elements`);
    await c.need(12, `type and offset of tensor ${q(name)}`);
    const type = c.u32();
    const offset = c.u64();
    if (offset > BigInt(Number.MAX_SAFE_INTEGER))
      throw malformed(file, `tensor ${q(name)}: offset ${offset} is beyond 2^53`);
    const info = GGML_TYPES[type];
    let byteSize: number | null = null;
    if (!info) {
      problems.add(`tensor ${q(name)} has unknown ggml type ${type}`);
    } else {
      const [typeName, block, size] = info;
      if (REMOVED_TYPES.has(type))
        problems.add(`tensor ${q(name)} uses ${typeName}, a type ggml removed from GGUF files`);
      const row = BigInt(dims[0] ?? 1);
      if (row % BigInt(block) !== 0n)
        problems.add(
          `tensor ${q(name)}: row length ${row} is not a multiple of the ${typeName} block size ${block}`,
        );
      const bytes = ((numel + BigInt(block) - 1n) / BigInt(block)) * BigInt(size);
      byteSize = bytes > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(bytes);
    }
    tensors.push({
      name,
      dims,
      type,
      typeName: info ? info[0] : null,
      offset: Number(offset),
      absoluteOffset: 0,
      byteSize,
      params: Number(numel),
    });
  }
  const headerEnd = c.pos;
  const dataStart = alignUp(headerEnd, alignment);
  const tensorTypes: Record<string, number> = {};
  for (const t of tensors) {
    t.absoluteOffset = dataStart + t.offset;
    const k = t.typeName ?? `unknown(${t.type})`;
    tensorTypes[k] = (tensorTypes[k] ?? 0) + 1;
  }
  checkLayout(tensors, alignment, dataStart, headerEnd, src.size, problems);

  // Extracted fields
  const architecture = str(val('general.architecture'));
  if (architecture === null && get('general.type')?.value !== 'adapter')
    problems.add('no general.architecture (required by the spec)');
  const a = architecture ?? '';
  const tokens = val('tokenizer.ggml.tokens');
  const tokenCount = typeof tokens === 'object' && tokens.kind === 'array' ? tokens.length : null;
  const model = {
    blockCount: num(val(`${a}.block_count`)),
    embeddingLength: num(val(`${a}.embedding_length`)),
    contextLength: num(val(`${a}.context_length`)),
    feedForwardLength: num(val(`${a}.feed_forward_length`)),
    headCount: num(val(`${a}.attention.head_count`)),
    headCountKv: num(val(`${a}.attention.head_count_kv`)),
    vocabSize: num(val(`${a}.vocab_size`)) ?? tokenCount,
  };
  const vocabKv = num(val(`${a}.vocab_size`));
  if (vocabKv !== null && tokenCount !== null && vocabKv !== tokenCount) {
    problems.add(
      `${a}.vocab_size is ${fmt(vocabKv)} but tokenizer.ggml.tokens has ${fmt(tokenCount)} entries`,
    );
  }

  const baseModelCount = num(val('general.base_model.count'));
  const baseModels: GgufHeader['provenance']['baseModels'] = [];
  for (let i = 0; i < Math.min(baseModelCount ?? 0, 64); i++) {
    baseModels.push({
      name: str(val(`general.base_model.${i}.name`)),
      organization: str(val(`general.base_model.${i}.organization`)),
      repoUrl: str(val(`general.base_model.${i}.repo_url`)),
      version: str(val(`general.base_model.${i}.version`)),
    });
  }
  const fileType = num(val('general.file_type'));
  const provenance = {
    name: str(val('general.name')),
    basename: str(val('general.basename')),
    finetune: str(val('general.finetune')),
    sizeLabel: str(val('general.size_label')),
    author: str(val('general.author')),
    organization: str(val('general.organization')),
    version: str(val('general.version')),
    license: str(val('general.license')),
    url: str(val('general.url')),
    sourceUrl: str(val('general.source.url')),
    sourceRepo:
      str(val('general.source.huggingface.repository')) ?? str(val('general.source.hugginface.repository')),
    quantizedBy: str(val('general.quantized_by')),
    fileType,
    fileTypeName: fileType === null ? null : (FILE_TYPES[fileType] ?? null),
    quantizationVersion: num(val('general.quantization_version')),
    baseModelCount,
    baseModels,
  };

  let tokenizer: GgufHeader['tokenizer'] = null;
  if (metadata.some((kv) => kv.key.startsWith('tokenizer.'))) {
    const specialTokens: { role: string; id: number; text: string | null }[] = [];
    for (const kv of metadata) {
      const m = /^tokenizer\.ggml\.([a-z_]+)_token_id$/.exec(kv.key);
      if (!m || typeof kv.value !== 'number') continue;
      const text = await r.tokenText(kv.value);
      if (tokenCount !== null && (kv.value < 0 || kv.value >= tokenCount)) {
        problems.add(`${kv.key} is ${kv.value}, outside the ${fmt(tokenCount)}-token vocabulary`);
      }
      specialTokens.push({ role: m[1] ?? '', id: kv.value, text });
    }
    const chatTemplates: ChatTemplateSummary[] = [];
    for (const kv of metadata) {
      if (kv.key !== 'tokenizer.chat_template' && !kv.key.startsWith('tokenizer.chat_template.')) continue;
      if (typeof kv.value === 'string') {
        chatTemplates.push(
          summarizeChatTemplate(
            kv.key === 'tokenizer.chat_template'
              ? 'default'
              : kv.key.slice('tokenizer.chat_template.'.length),
            kv.value,
          ),
        );
      } else if (typeof kv.value === 'object' && kv.value.kind === 'long-string') {
        chatTemplates.push({
          name: kv.key,
          length: kv.value.length,
          sha256: kv.value.sha256 ?? '',
          suspicious: summarizeChatTemplate(kv.key, kv.value.head).suspicious,
        });
      }
    }
    const merges = val('tokenizer.ggml.merges');
    tokenizer = {
      model: str(val('tokenizer.ggml.model')),
      pre: str(val('tokenizer.ggml.pre')),
      tokenCount,
      mergeCount: typeof merges === 'object' && merges.kind === 'array' ? merges.length : null,
      specialTokens,
      tokenTypeCounts: r.tokenTypeCounts,
      chatTemplates,
    };
  }

  let adapter: GgufHeader['adapter'] = null;
  if (val('general.type') === 'adapter' || metadata.some((kv) => kv.key.startsWith('adapter.'))) {
    adapter = { type: str(val('adapter.type')), loraAlpha: num(val('adapter.lora.alpha')) };
  }

  return {
    format: 'gguf',
    fileSize: src.size,
    version,
    endianness: littleEndian ? 'little' : 'big',
    tensorCount,
    kvCount,
    metadata,
    alignment,
    headerEnd,
    dataStart,
    tensors,
    parameterCount: tensors.reduce((s, t) => s + t.params, 0),
    tensorTypes,
    architecture,
    model,
    provenance,
    tokenizer,
    adapter,
    problems: problems.toArray(),
  };
}

/** Alignment, bounds, overlap and coverage of tensor data (gguf.md: offsets are aligned, data is contiguous up to padding). */
function checkLayout(
  tensors: GgufTensorInfo[],
  alignment: number,
  dataStart: number,
  headerEnd: number,
  fileSize: number,
  problems: ProblemList,
): void {
  for (const t of tensors) {
    if (t.offset % alignment !== 0)
      problems.add(
        `tensor ${q(t.name)} offset ${fmt(t.offset)} is not a multiple of the alignment ${alignment}`,
      );
    if (t.byteSize !== null && t.absoluteOffset + t.byteSize > fileSize) {
      problems.add(
        `tensor ${q(t.name)} data [${fmt(t.absoluteOffset)}, ${fmt(t.absoluteOffset + t.byteSize)}) passes the end of the ${fmt(fileSize)}-byte file`,
      );
    }
  }
  const sized = tensors
    .filter((t) => t.byteSize !== null)
    .sort((x, y) => x.offset - y.offset || (x.byteSize ?? 0) - (y.byteSize ?? 0));
  // Coverage (gaps, trailing bytes) is only meaningful when every tensor's size is known.
  const allSized = sized.length === tensors.length;
  let end = 0;
  let last: GgufTensorInfo | null = null;
  for (const t of sized) {
    const size = t.byteSize ?? 0;
    if (last !== null && t.offset < end && size > 0) {
      problems.add(
        `tensor ${q(t.name)} data [${fmt(t.offset)}, ${fmt(t.offset + size)}) overlaps tensor ${q(last.name)} [${fmt(last.offset)}, ${fmt(end)})`,
      );
    } else if (allSized && t.offset > alignUp(end, alignment)) {
      problems.add(
        `${fmt(t.offset - end)} bytes of tensor data before tensor ${q(t.name)} (relative offsets ${fmt(end)}..${fmt(t.offset)}) belong to no tensor`,
      );
    }
    if (t.offset + size > end) {
      end = t.offset + size;
      last = t;
    }
  }
  if (tensors.length === 0) {
    if (fileSize > alignUp(headerEnd, alignment))
      problems.add(`${fmt(fileSize - headerEnd)} bytes follow the header of a file with no tensors`);
    return;
  }
  const covered = dataStart + end;
  if (allSized && fileSize > alignUp(covered, alignment)) {
    problems.add(
      `${fmt(fileSize - covered)} bytes after the last tensor's data (from offset ${fmt(covered)}) belong to no tensor`,
    );
  }
}

/** Look up the last value of `key`. */
export function ggufValue(header: GgufHeader, key: string): GgufValue | undefined {
  for (let i = header.metadata.length - 1; i >= 0; i--)
    if (header.metadata[i]?.key === key) return header.metadata[i]?.value;
  return undefined;
}
