/**
 * safetensors headers, read and checked without touching tensor data.
 *
 * Layout (huggingface/safetensors, docs "safetensors format"): an unsigned little-endian 64-bit
 * integer N, then N bytes of UTF-8 JSON, then the byte buffer. The JSON is an object mapping
 * tensor names to `{"dtype", "shape", "data_offsets": [BEGIN, END]}` plus an optional
 * `__metadata__` object of string to string. Offsets are relative to the start of the byte buffer
 * (8 + N). The reference implementation refuses N > 100,000,000, requires the JSON to begin with
 * `{` (trailing 0x20 padding allowed), requires offsets to cover the buffer contiguously from 0 with
 * no holes or overlaps, each tensor's byte size to equal prod(shape) × dtype size, and the buffer
 * to end exactly at end of file.
 *
 * Fatal (a `malformed` ProbityError): anything that stops us from listing tensors — a header length
 * beyond the limit or the file, invalid UTF-8 or JSON, a non-object header, an entry without a
 * string dtype / integer shape / two integer offsets, BEGIN > END, an unknown dtype.
 * Recorded in `problems` (the tensors are still listed): gaps, overlaps, size mismatches, data
 * past end of file, unreferenced trailing bytes, duplicate JSON keys, non-string metadata values,
 * unexpected keys.
 */
import path from 'node:path';
import { withFileSource, malformed, fmt, q, ProblemList, setOwn, type ByteSource } from './reader.ts';
import { decodeUtf8Strict } from './text.ts';
import { parseJson, readJsonFile, isJsonObject, jsonTypeName, type JsonValue } from './json.ts';
import { codeIndicators } from './indicators.ts';

/** The reference implementation's header-size limit (`MAX_HEADER_SIZE`). */
export const SAFETENSORS_MAX_HEADER = 100_000_000;

/**
 * Bits per element for every dtype the safetensors spec defines. F4 (e2m1), F6 (e2m3, e3m2) and
 * F8_E8M0 are the sub-byte / MX-scale types added in safetensors 0.6; C64 is complex64.
 */
export const SAFETENSORS_DTYPE_BITS: Readonly<Record<string, number>> = Object.freeze({
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
});

export interface SafetensorsTensor {
  name: string;
  dtype: string;
  shape: number[];
  /** Absolute file offset of the first byte (8 + header length + BEGIN). */
  begin: number;
  /** Absolute file offset one past the last byte. */
  end: number;
  /** Number of elements, prod(shape) (1 for a scalar). */
  params: number;
}

export interface SafetensorsHeader {
  format: 'safetensors';
  fileSize: number;
  headerLength: number;
  /** Absolute offset of the byte buffer: 8 + headerLength. */
  dataStart: number;
  /** `__metadata__`, or null when absent. Non-string values are JSON-encoded (and a problem). */
  metadata: Record<string, string> | null;
  /** Tensors in byte-buffer order (by BEGIN, then END, then name). */
  tensors: SafetensorsTensor[];
  parameterCount: number;
  /** Tensor count per dtype. */
  dtypes: Record<string, number>;
  /** Metadata values that read like code or shell commands: `{key, matched}` per value. */
  suspiciousMetadata: { key: string; matched: string[] }[];
  problems: string[];
}

const TENSOR_KEYS = new Set(['dtype', 'shape', 'data_offsets']);

function isNonNegInt(v: JsonValue | undefined): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Read and validate the header of a .safetensors file. */
export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader> {
  return withFileSource(file, (src) => readSafetensorsFrom(src));
}

/** As {@link readSafetensorsHeader}, over an open source. */
export async function readSafetensorsFrom(src: ByteSource): Promise<SafetensorsHeader> {
  const file = src.name;
  const fileSize = src.size;
  if (fileSize < 8)
    throw malformed(
      file,
      `${fmt(fileSize)} bytes is too short for a safetensors file (the 8-byte header length is missing)`,
    );
  const n = (await src.read(0, 8)).readBigUInt64LE(0);
  if (n > BigInt(SAFETENSORS_MAX_HEADER)) {
    throw malformed(file, `header length ${n} exceeds the ${fmt(SAFETENSORS_MAX_HEADER)}-byte limit`);
  }
  const headerLength = Number(n);
  if (headerLength > fileSize - 8) {
    throw malformed(
      file,
      `header length ${fmt(headerLength)} exceeds the ${fmt(fileSize - 8)} bytes after the length field`,
    );
  }
  if (headerLength < 2) throw malformed(file, `header length ${headerLength} is too short for a JSON object`);
  const bytes = await src.read(8, headerLength);
  const text = decodeUtf8Strict(file, bytes, 'header');
  const problems = new ProblemList();
  if (text.charCodeAt(0) !== 0x7b) {
    if (/^\s*\{/.test(text))
      problems.add('header JSON does not begin with "{" (leading whitespace; the spec requires "{" first)');
    else
      throw malformed(
        file,
        `header does not begin with "{" (first byte 0x${(bytes[0] ?? 0).toString(16).padStart(2, '0')}): not a safetensors file`,
      );
  }
  const trailing = /[ \t\r\n]*$/.exec(text)?.[0] ?? '';
  if (/[^ ]/.test(trailing)) problems.add('header padding contains whitespace other than 0x20 spaces');
  const parsed = parseJson(text, file, 'header JSON');
  if (!isJsonObject(parsed.value))
    throw malformed(file, `header is ${jsonTypeName(parsed.value)}, not a JSON object`);
  for (const p of parsed.duplicateKeys)
    problems.add(`duplicate header key ${p}: loaders disagree on which entry wins`);

  const dataStart = 8 + headerLength;
  let metadata: Record<string, string> | null = null;
  const suspiciousMetadata: { key: string; matched: string[] }[] = [];
  const tensors: SafetensorsTensor[] = [];
  const dtypes: Record<string, number> = {};

  for (const [name, entry] of Object.entries(parsed.value)) {
    if (name === '__metadata__') {
      if (!isJsonObject(entry)) {
        problems.add(`__metadata__ is ${jsonTypeName(entry)}, not an object of strings (ignored)`);
        continue;
      }
      metadata = {};
      for (const [k, v] of Object.entries(entry)) {
        const s = typeof v === 'string' ? v : JSON.stringify(v);
        if (typeof v !== 'string')
          problems.add(
            `__metadata__.${k} is ${jsonTypeName(v)}, not a string (the reference loader rejects the file)`,
          );
        setOwn(metadata, k, s);
        const matched = codeIndicators(s);
        if (matched.length > 0) suspiciousMetadata.push({ key: k, matched });
      }
      continue;
    }
    const where = `tensor ${q(name)}`;
    if (!isJsonObject(entry)) throw malformed(file, `${where} is ${jsonTypeName(entry)}, not an object`);
    for (const k of Object.keys(entry))
      if (!TENSOR_KEYS.has(k)) problems.add(`${where} has unexpected key ${q(k)}`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (typeof dtype !== 'string')
      throw malformed(file, `${where}: dtype is ${jsonTypeName(dtype)}, not a string`);
    const bits = SAFETENSORS_DTYPE_BITS[dtype];
    if (bits === undefined)
      throw malformed(file, `${where}: unknown dtype ${JSON.stringify(dtype.slice(0, 40))}`);
    if (!Array.isArray(shape))
      throw malformed(file, `${where}: shape is ${jsonTypeName(shape)}, not an array`);
    if (shape.length > 64)
      throw malformed(file, `${where}: shape has ${shape.length} dimensions (more than 64)`);
    let numel = 1n;
    for (const d of shape) {
      if (!isNonNegInt(d))
        throw malformed(file, `${where}: shape entry ${JSON.stringify(d)} is not a non-negative integer`);
      numel *= BigInt(d);
    }
    if (numel > BigInt(Number.MAX_SAFE_INTEGER))
      throw malformed(file, `${where}: shape [${shape.join(', ')}] has more than 2^53 elements`);
    if (!Array.isArray(offsets) || offsets.length !== 2)
      throw malformed(file, `${where}: data_offsets is ${jsonTypeName(offsets)}, not a [begin, end] pair`);
    const [b, e] = offsets;
    if (!isNonNegInt(b) || !isNonNegInt(e))
      throw malformed(
        file,
        `${where}: data_offsets ${JSON.stringify(offsets)} are not non-negative integers`,
      );
    if (b > e) throw malformed(file, `${where}: data_offsets begin ${fmt(b)} is after end ${fmt(e)}`);
    const totalBits = numel * BigInt(bits);
    if (totalBits % 8n !== 0n)
      problems.add(`${where}: ${numel} × ${bits}-bit ${dtype} elements do not fill whole bytes`);
    const expected = (totalBits + 7n) / 8n;
    if (expected !== BigInt(e - b)) {
      problems.add(
        `${where}: ${dtype} [${shape.join(', ')}] needs ${fmt(expected)} bytes but data_offsets span ${fmt(e - b)}`,
      );
    }
    tensors.push({
      name,
      dtype,
      shape: shape as number[],
      begin: dataStart + b,
      end: dataStart + e,
      params: Number(numel),
    });
    dtypes[dtype] = (dtypes[dtype] ?? 0) + 1;
  }

  tensors.sort(
    (x, y) => x.begin - y.begin || x.end - y.end || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0),
  );
  let cursor = dataStart;
  let prev: SafetensorsTensor | null = null;
  for (const t of tensors) {
    if (t.begin > cursor) {
      problems.add(
        `gap of ${fmt(t.begin - cursor)} unreferenced bytes before tensor ${q(t.name)} (data offsets ${fmt(cursor - dataStart)}..${fmt(t.begin - dataStart)})`,
      );
    } else if (t.begin < cursor && prev !== null) {
      problems.add(
        `tensor ${q(t.name)} (data offsets ${fmt(t.begin - dataStart)}..${fmt(t.end - dataStart)}) overlaps tensor ${q(prev.name)} (${fmt(prev.begin - dataStart)}..${fmt(prev.end - dataStart)})`,
      );
    }
    if (t.end > fileSize)
      problems.add(
        `tensor ${q(t.name)} ends at byte ${fmt(t.end)}, ${fmt(t.end - fileSize)} bytes past the end of the file`,
      );
    if (t.end >= cursor) {
      cursor = t.end;
      prev = t;
    }
  }
  if (cursor < fileSize) {
    problems.add(
      `${fmt(fileSize - cursor)} trailing bytes after the last tensor are not referenced by the header (8 + ${fmt(headerLength)} + ${fmt(cursor - dataStart)} ≠ file size ${fmt(fileSize)})`,
    );
  } else if (cursor > fileSize) {
    problems.add(
      `file is truncated: the header describes ${fmt(cursor - dataStart)} data bytes but only ${fmt(fileSize - dataStart)} follow it`,
    );
  }

  return {
    format: 'safetensors',
    fileSize,
    headerLength,
    dataStart,
    metadata,
    tensors,
    parameterCount: tensors.reduce((s, t) => s + t.params, 0),
    dtypes,
    suspiciousMetadata,
    problems: problems.toArray(),
  };
}

/** model.safetensors.index.json: the map that ties tensor names to shard files. */
export interface SafetensorsIndex {
  format: 'safetensors-index';
  /** `metadata.total_size`: the sum of tensor byte sizes over all shards, or null when absent. */
  totalSize: number | null;
  /** Everything in `metadata` except total_size. */
  metadata: Record<string, JsonValue>;
  /** Tensor name → shard file name. */
  weightMap: Record<string, string>;
  tensorCount: number;
  /** Shards in first-mention order, with how many tensors the map assigns to each. */
  shards: { name: string; tensorCount: number }[];
  problems: string[];
}

/** Index files list every tensor name; 256 MiB is far beyond any real one. */
const INDEX_MAX_BYTES = 256 * 1024 * 1024;

export async function readSafetensorsIndex(file: string): Promise<SafetensorsIndex> {
  const json = await readJsonFile(file, INDEX_MAX_BYTES);
  const root = json.value;
  if (!isJsonObject(root)) throw malformed(file, `index is ${jsonTypeName(root)}, not a JSON object`);
  const problems = new ProblemList();
  for (const p of json.problems) problems.add(p);
  const wm = root.weight_map;
  if (!isJsonObject(wm))
    throw malformed(file, `weight_map is ${jsonTypeName(wm)}, not an object of tensor name → shard file`);
  let totalSize: number | null = null;
  const metadata: Record<string, JsonValue> = {};
  const meta = root.metadata;
  if (meta === undefined) problems.add('no metadata.total_size');
  else if (!isJsonObject(meta)) problems.add(`metadata is ${jsonTypeName(meta)}, not an object`);
  else {
    for (const [k, v] of Object.entries(meta)) {
      if (k === 'total_size') {
        if (isNonNegInt(v)) totalSize = v;
        else problems.add(`metadata.total_size is ${JSON.stringify(v)}, not a non-negative integer`);
      } else setOwn(metadata, k, v);
    }
    if (!('total_size' in meta)) problems.add('no metadata.total_size');
  }
  for (const k of Object.keys(root))
    if (k !== 'weight_map' && k !== 'metadata') problems.add(`unexpected top-level key ${q(k)}`);
  const weightMap: Record<string, string> = {};
  const counts = new Map<string, number>();
  for (const [tensor, shard] of Object.entries(wm)) {
    if (typeof shard !== 'string') {
      problems.add(`weight_map[${q(tensor)}] is ${jsonTypeName(shard)}, not a shard file name`);
      continue;
    }
    setOwn(weightMap, tensor, shard);
    counts.set(shard, (counts.get(shard) ?? 0) + 1);
  }
  for (const shard of counts.keys()) {
    if (
      shard.includes('/') ||
      shard.includes('\\') ||
      shard === '..' ||
      shard === '.' ||
      path.isAbsolute(shard)
    ) {
      problems.add(`shard name ${q(shard)} is a path, not a file name beside the index (path traversal?)`);
    } else if (!shard.endsWith('.safetensors')) {
      problems.add(`shard ${q(shard)} does not end in .safetensors`);
    }
  }
  return {
    format: 'safetensors-index',
    totalSize,
    metadata,
    weightMap,
    tensorCount: Object.keys(weightMap).length,
    shards: [...counts].map(([name, tensorCount]) => ({ name, tensorCount })),
    problems: problems.toArray(),
  };
}

/**
 * Cross-check an index against the headers of the shards that are present. `shards` maps a
 * shard's file name (as the index spells it) to its parsed header. Returns problems (empty when
 * consistent): shards the index names but that are missing, tensors a shard holds that the index
 * does not list, tensors the index assigns to a shard that does not hold them, shards present but
 * never referenced, and a total_size that is not the sum of the tensors' byte sizes.
 */
export function checkShardedIndex(index: SafetensorsIndex, shards: Map<string, SafetensorsHeader>): string[] {
  const problems = new ProblemList(500);
  const byShard = new Map<string, string[]>();
  for (const [tensor, shard] of Object.entries(index.weightMap)) {
    const list = byShard.get(shard);
    if (list) list.push(tensor);
    else byShard.set(shard, [tensor]);
  }
  const where = new Map<string, string[]>();
  for (const [shard, header] of shards) {
    for (const t of header.tensors) {
      const list = where.get(t.name);
      if (list) list.push(shard);
      else where.set(t.name, [shard]);
    }
  }
  let allPresent = true;
  for (const [shard, tensors] of byShard) {
    const header = shards.get(shard);
    if (!header) {
      allPresent = false;
      const sample = tensors
        .slice(0, 3)
        .map((t) => q(t))
        .join(', ');
      problems.add(
        `shard ${q(shard)} is missing: ${fmt(tensors.length)} tensors are mapped to it (${sample}${tensors.length > 3 ? ', …' : ''})`,
      );
      continue;
    }
    const held = new Set(header.tensors.map((t) => t.name));
    for (const t of tensors) {
      if (held.has(t)) continue;
      const elsewhere = where.get(t);
      problems.add(
        `tensor ${q(t)} is mapped to ${q(shard)} but that shard does not hold it` +
          (elsewhere ? ` (found in ${elsewhere.map((s) => q(s)).join(', ')})` : ''),
      );
    }
    for (const t of header.tensors) {
      const mapped = index.weightMap[t.name];
      if (!Object.prototype.hasOwnProperty.call(index.weightMap, t.name)) {
        problems.add(`tensor ${q(t.name)} in shard ${q(shard)} is not listed in the index`);
      } else if (mapped !== shard) {
        problems.add(`tensor ${q(t.name)} in shard ${q(shard)} is mapped to ${q(mapped ?? '')} by the index`);
      }
    }
  }
  for (const [shard, header] of shards) {
    if (!byShard.has(shard))
      problems.add(
        `shard ${q(shard)} (${fmt(header.tensors.length)} tensors) is not referenced by the index`,
      );
  }
  for (const [t, list] of where) {
    if (list.length > 1)
      problems.add(`tensor ${q(t)} is present in more than one shard: ${list.map((s) => q(s)).join(', ')}`);
  }
  if (index.totalSize !== null && allPresent) {
    let sum = 0;
    for (const shard of byShard.keys())
      for (const t of shards.get(shard)?.tensors ?? []) sum += t.end - t.begin;
    if (sum !== index.totalSize) {
      problems.add(
        `metadata.total_size is ${fmt(index.totalSize)} but the shards' tensors total ${fmt(sum)} bytes`,
      );
    }
  }
  return problems.toArray();
}
