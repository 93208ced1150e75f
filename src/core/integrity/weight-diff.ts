/**
 * Tensor-by-tensor comparison of two sets of weights (a suspect model against a known-good one),
 * the investigator's view of "File integrity" when a checksum says only *that* a shard changed:
 * which tensors changed, by how much, in which layers.
 *
 * Per tensor the status is `identical | changed | only-in-a | only-in-b | shape-changed |
 * dtype-changed` (plus `unreadable` when a byte range cannot be read). For float tensors (F32,
 * F16, BF16, F64) the numbers are max |Δ|, ‖Δ‖₂, ‖Δ‖₂/‖a‖₂ and the cosine similarity of a and b,
 * all over the finite elements (non-finite ones are counted apart). Block-quantized GGUF tensors
 * are compared as bytes only.
 *
 * Memory is bounded by the chunk size, not the tensor or file size: one tensor at a time, its byte
 * range read in chunks of at most `chunkBytes` (8 MiB) into two buffers allocated once; a first
 * pass compares bytes only (memcmp) and stops at the first differing chunk; only a tensor that
 * differs is decoded, 65,536 elements at a time into fixed scratch arrays, with F16/BF16 converted
 * to float on the fly. The identical prefix found by the first pass is re-read from `a` alone for
 * ‖a‖₂.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { ProbityError, describeFsError, fileError } from '../util/errors.ts';
import { NUMERIC_BYTES, decodeInto, type NumericDtype } from './float.ts';
import { compareTensorNames, tensorPlace } from './tensor-names.ts';
import type { TensorRef } from './tensors.ts';

export const DIFF_CHUNK_BYTES = 8 * 1024 * 1024;
const BLOCK = 65536;

export type TensorStatus =
  'identical' | 'changed' | 'only-in-a' | 'only-in-b' | 'shape-changed' | 'dtype-changed' | 'unreadable';

export const TENSOR_STATUSES: readonly TensorStatus[] = [
  'identical',
  'changed',
  'only-in-a',
  'only-in-b',
  'shape-changed',
  'dtype-changed',
  'unreadable',
];

export interface TensorNumbers {
  elements: number;
  /** Elements whose values differ (finite pairs only). */
  changedElements: number;
  maxAbsDelta: number;
  /** ‖b − a‖₂ */
  l2Delta: number;
  l2A: number;
  l2B: number;
  /** ‖b − a‖₂ / ‖a‖₂; null when ‖a‖₂ is 0 and something changed. */
  relativeL2: number | null;
  /** a·b / (‖a‖₂‖b‖₂); null when either norm is 0. */
  cosine: number | null;
  /** Element pairs left out because either value was NaN or ±∞. */
  nonFinite: number;
}

export interface TensorSide {
  file: string;
  dtype: string;
  shape: number[];
  bytes: number;
}

export interface TensorDiff {
  name: string;
  layer: number | null;
  role: string;
  status: TensorStatus;
  a: TensorSide | null;
  b: TensorSide | null;
  numbers: TensorNumbers | null;
  /** Why there are no numbers, or what else the reader should know. */
  note: string | null;
  /** Byte offset within the tensor of the first differing byte (same-dtype tensors). */
  firstDifferenceAt: number | null;
}

export interface LayerSummary {
  /** null: tensors outside the repeated blocks (embeddings, final norm, output head). */
  layer: number | null;
  tensors: number;
  identical: number;
  changed: number;
  /** only-in-a, only-in-b, shape-changed, dtype-changed, unreadable. */
  structural: number;
  /** Roles of the non-identical tensors, e.g. `mlp.gate_proj`. */
  changedRoles: string[];
  maxRelativeL2: number | null;
  /** √(Σ ‖Δ‖₂²) over the changed float tensors of the layer. */
  l2Delta: number;
}

export interface TensorSetDiff {
  tensors: TensorDiff[];
  layers: LayerSummary[];
  counts: Record<TensorStatus, number>;
  notes: string[];
  chunkBytes: number;
}

export interface DiffOptions {
  chunkBytes?: number;
  signal?: AbortSignal;
}

/** Open handles for the files being compared, closed together at the end. */
class RangeReader {
  private readonly handles = new Map<string, FileHandle>();

  private async handle(file: string, label: string): Promise<FileHandle> {
    const h = this.handles.get(file);
    if (h) return h;
    try {
      const opened = await open(file, 'r');
      this.handles.set(file, opened);
      return opened;
    } catch (err) {
      throw fileError('unreadable', label, describeFsError(err), err);
    }
  }

  /** Fill `buf[0..length)` from `position` of the tensor's file. */
  async read(t: TensorRef, buf: Buffer, position: number, length: number): Promise<void> {
    const h = await this.handle(t.file, t.label);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await h.read(buf, done, length - done, position + done);
      if (bytesRead === 0)
        throw fileError(
          'malformed',
          t.label,
          `tensor ${JSON.stringify(t.name)} needs bytes up to offset ${position + length} but the file ends at ${position + done}`,
        );
      done += bytesRead;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.handles.values()].map((h) => h.close().catch(() => undefined)));
    this.handles.clear();
  }
}

interface Accumulator {
  sumA2: number;
  sumB2: number;
  dot: number;
  sumD2: number;
  maxAbs: number;
  changed: number;
  nonFinite: number;
}

function newAccumulator(): Accumulator {
  return { sumA2: 0, sumB2: 0, dot: 0, sumD2: 0, maxAbs: 0, changed: 0, nonFinite: 0 };
}

function accumulatePair(acc: Accumulator, x: Float64Array, y: Float64Array, count: number): void {
  let { sumA2, sumB2, dot, sumD2, maxAbs, changed, nonFinite } = acc;
  for (let i = 0; i < count; i++) {
    const p = x[i] as number;
    const q = y[i] as number;
    if (!Number.isFinite(p) || !Number.isFinite(q)) {
      nonFinite++;
      continue;
    }
    const d = q - p;
    if (d !== 0) {
      changed++;
      const ad = d < 0 ? -d : d;
      if (ad > maxAbs) maxAbs = ad;
      sumD2 += d * d;
    }
    sumA2 += p * p;
    sumB2 += q * q;
    dot += p * q;
  }
  Object.assign(acc, { sumA2, sumB2, dot, sumD2, maxAbs, changed, nonFinite });
}

/** A block known to be identical on both sides: only its norm counts (Δ = 0, a·b = ‖a‖²). */
function accumulateSame(acc: Accumulator, x: Float64Array, count: number): void {
  let s = 0;
  let nonFinite = 0;
  for (let i = 0; i < count; i++) {
    const p = x[i] as number;
    if (Number.isFinite(p)) s += p * p;
    else nonFinite++;
  }
  acc.sumA2 += s;
  acc.sumB2 += s;
  acc.dot += s;
  acc.nonFinite += nonFinite;
}

function numbersOf(acc: Accumulator, elements: number): TensorNumbers {
  const l2A = Math.sqrt(acc.sumA2);
  const l2B = Math.sqrt(acc.sumB2);
  const l2Delta = Math.sqrt(acc.sumD2);
  return {
    elements,
    changedElements: acc.changed,
    maxAbsDelta: acc.maxAbs,
    l2Delta,
    l2A,
    l2B,
    relativeL2: l2A > 0 ? l2Delta / l2A : l2Delta === 0 ? 0 : null,
    cosine: l2A > 0 && l2B > 0 ? acc.dot / (l2A * l2B) : null,
    nonFinite: acc.nonFinite,
  };
}

/** Buffers and scratch arrays shared by every tensor of one diff run. */
interface Workspace {
  io: RangeReader;
  bufA: Buffer;
  bufB: Buffer;
  x: Float64Array;
  y: Float64Array;
  chunkBytes: number;
  signal: AbortSignal | undefined;
}

function checkCancelled(ws: Workspace): void {
  if (ws.signal?.aborted) throw new ProbityError('cancelled', 'weight diff cancelled');
}

/** Byte length of a chunk that holds whole elements of both sides (both at least 1 byte each). */
function chunkElements(ws: Workspace, sizeA: number, sizeB: number): number {
  return Math.max(1, Math.floor(ws.chunkBytes / Math.max(sizeA, sizeB)));
}

/**
 * First pass: compare the two byte ranges chunk by chunk. Returns the offset of the first chunk
 * that differs and the first differing byte, or null when the ranges are identical.
 */
async function firstDifference(
  ws: Workspace,
  a: TensorRef,
  b: TensorRef,
): Promise<{ chunkStart: number; byte: number } | null> {
  const total = a.end - a.begin;
  for (let at = 0; at < total; at += ws.chunkBytes) {
    checkCancelled(ws);
    const len = Math.min(ws.chunkBytes, total - at);
    await Promise.all([ws.io.read(a, ws.bufA, a.begin + at, len), ws.io.read(b, ws.bufB, b.begin + at, len)]);
    const ca = ws.bufA.subarray(0, len);
    const cb = ws.bufB.subarray(0, len);
    if (!ca.equals(cb)) {
      let i = 0;
      while (i < len && ca[i] === cb[i]) i++;
      return { chunkStart: at, byte: at + i };
    }
  }
  return null;
}

/** Decode and accumulate one chunk already in the buffers, a block of elements at a time. */
function accumulateChunk(
  ws: Workspace,
  acc: Accumulator,
  a: TensorRef & { numeric: NumericDtype },
  b: (TensorRef & { numeric: NumericDtype }) | null,
  count: number,
): void {
  for (let first = 0; first < count; first += BLOCK) {
    const k = Math.min(BLOCK, count - first);
    decodeInto(a.numeric, ws.bufA, first, k, ws.x, a.littleEndian);
    if (b === null) accumulateSame(acc, ws.x, k);
    else {
      decodeInto(b.numeric, ws.bufB, first, k, ws.y, b.littleEndian);
      accumulatePair(acc, ws.x, ws.y, k);
    }
  }
}

/**
 * Second pass: the float statistics. Elements before `knownSameUntil` (a byte offset that is a
 * chunk boundary, found identical by the first pass) are read from `a` only.
 */
async function compareValues(
  ws: Workspace,
  a: TensorRef & { numeric: NumericDtype },
  b: TensorRef & { numeric: NumericDtype },
  knownSameUntil: number,
): Promise<TensorNumbers> {
  const sizeA = NUMERIC_BYTES[a.numeric];
  const sizeB = NUMERIC_BYTES[b.numeric];
  const step = chunkElements(ws, sizeA, sizeB);
  const sameDtype = a.numeric === b.numeric && a.littleEndian === b.littleEndian;
  const acc = newAccumulator();
  for (let first = 0; first < a.elements; first += step) {
    checkCancelled(ws);
    const count = Math.min(step, a.elements - first);
    const lenA = count * sizeA;
    const lenB = count * sizeB;
    if (sameDtype && (first + count) * sizeA <= knownSameUntil) {
      await ws.io.read(a, ws.bufA, a.begin + first * sizeA, lenA);
      accumulateChunk(ws, acc, a, null, count);
      continue;
    }
    await Promise.all([
      ws.io.read(a, ws.bufA, a.begin + first * sizeA, lenA),
      ws.io.read(b, ws.bufB, b.begin + first * sizeB, lenB),
    ]);
    const same = sameDtype && ws.bufA.subarray(0, lenA).equals(ws.bufB.subarray(0, lenB));
    accumulateChunk(ws, acc, a, same ? null : b, count);
  }
  return numbersOf(acc, a.elements);
}

function side(t: TensorRef): TensorSide {
  return { file: t.label, dtype: t.dtype, shape: t.shape, bytes: t.end - t.begin };
}

function rangeProblem(t: TensorRef): string | null {
  if (t.expectedBytes !== null && t.end - t.begin !== t.expectedBytes)
    return `${t.label}: tensor ${JSON.stringify(t.name)} spans ${t.end - t.begin} bytes but ${t.dtype} [${t.shape.join(', ')}] needs ${t.expectedBytes}`;
  return null;
}

function hasNumeric(t: TensorRef): t is TensorRef & { numeric: NumericDtype } {
  return t.numeric !== null;
}

function baseDiff(name: string, a: TensorRef | null, b: TensorRef | null, status: TensorStatus): TensorDiff {
  const { layer, role } = tensorPlace(name);
  return {
    name,
    layer,
    role,
    status,
    a: a ? side(a) : null,
    b: b ? side(b) : null,
    numbers: null,
    note: null,
    firstDifferenceAt: null,
  };
}

async function diffPresent(ws: Workspace, a: TensorRef, b: TensorRef): Promise<TensorDiff> {
  const shapeSame = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
  if (!shapeSame) {
    const d = baseDiff(a.name, a, b, 'shape-changed');
    d.note = `shape [${a.shape.join(', ')}] → [${b.shape.join(', ')}]`;
    return d;
  }
  const problem = rangeProblem(a) ?? rangeProblem(b);
  if (problem) return { ...baseDiff(a.name, a, b, 'unreadable'), note: problem };
  if (a.dtype !== b.dtype || a.littleEndian !== b.littleEndian) {
    const d = baseDiff(a.name, a, b, 'dtype-changed');
    d.note =
      a.dtype !== b.dtype
        ? `dtype ${a.dtype} → ${b.dtype}`
        : `byte order ${a.littleEndian ? 'little' : 'big'}-endian → ${b.littleEndian ? 'little' : 'big'}-endian`;
    if (hasNumeric(a) && hasNumeric(b)) d.numbers = await compareValues(ws, a, b, 0);
    return d;
  }
  const first = await firstDifference(ws, a, b);
  if (first === null) return baseDiff(a.name, a, b, 'identical');
  const d = baseDiff(a.name, a, b, 'changed');
  d.firstDifferenceAt = first.byte;
  if (hasNumeric(a) && hasNumeric(b)) d.numbers = await compareValues(ws, a, b, first.chunkStart);
  else d.note = a.bytesOnlyReason ?? b.bytesOnlyReason;
  return d;
}

function byName(set: readonly TensorRef[], notes: string[], side: 'a' | 'b'): Map<string, TensorRef> {
  const map = new Map<string, TensorRef>();
  for (const t of set) {
    const prev = map.get(t.name);
    if (prev) {
      notes.push(
        `${side}: tensor ${JSON.stringify(t.name)} appears in both ${prev.label} and ${t.label}; the first is compared`,
      );
      continue;
    }
    map.set(t.name, t);
  }
  return map;
}

/** Compare two tensor sets by name (shards already merged into each set). */
export async function diffTensorSets(
  a: readonly TensorRef[],
  b: readonly TensorRef[],
  opts: DiffOptions = {},
): Promise<TensorSetDiff> {
  const chunkBytes = Math.max(64, Math.floor(opts.chunkBytes ?? DIFF_CHUNK_BYTES));
  const notes: string[] = [];
  const mapA = byName(a, notes, 'a');
  const mapB = byName(b, notes, 'b');
  const names = [...new Set([...mapA.keys(), ...mapB.keys()])].sort(compareTensorNames);
  const ws: Workspace = {
    io: new RangeReader(),
    bufA: Buffer.from(new ArrayBuffer(chunkBytes)),
    bufB: Buffer.from(new ArrayBuffer(chunkBytes)),
    x: new Float64Array(BLOCK),
    y: new Float64Array(BLOCK),
    chunkBytes,
    signal: opts.signal,
  };
  const tensors: TensorDiff[] = [];
  try {
    for (const name of names) tensors.push(await diffOne(ws, mapA.get(name) ?? null, mapB.get(name) ?? null));
  } finally {
    await ws.io.close();
  }
  if (mapA.size > 0 && mapB.size > 0 && names.length === mapA.size + mapB.size)
    notes.push('no tensor name is common to both sides: different naming conventions or different models?');
  const counts = Object.fromEntries(TENSOR_STATUSES.map((s) => [s, 0])) as Record<TensorStatus, number>;
  for (const t of tensors) counts[t.status]++;
  return { tensors, layers: summarizeLayers(tensors), counts, notes, chunkBytes };
}

async function diffOne(ws: Workspace, a: TensorRef | null, b: TensorRef | null): Promise<TensorDiff> {
  if (a && !b) return baseDiff(a.name, a, null, 'only-in-a');
  if (b && !a) return baseDiff(b.name, null, b, 'only-in-b');
  if (!a || !b) throw new Error('diffOne needs at least one tensor');
  try {
    return await diffPresent(ws, a, b);
  } catch (err) {
    if (err instanceof ProbityError && err.code === 'cancelled') throw err;
    return {
      ...baseDiff(a.name, a, b, 'unreadable'),
      note: err instanceof Error ? err.message : String(err),
    };
  }
}

/** Per-layer roll-up, layers ascending, non-layer tensors first. */
export function summarizeLayers(tensors: readonly TensorDiff[]): LayerSummary[] {
  const groups = new Map<number | null, TensorDiff[]>();
  for (const t of tensors) {
    const g = groups.get(t.layer);
    if (g) g.push(t);
    else groups.set(t.layer, [t]);
  }
  const keys = [...groups.keys()].sort((x, y) => (x ?? -1) - (y ?? -1));
  return keys.map((layer) => {
    const list = groups.get(layer) ?? [];
    let maxRel: number | null = null;
    let sq = 0;
    for (const t of list) {
      const r = t.numbers?.relativeL2;
      if (t.status !== 'identical' && r !== undefined && r !== null) maxRel = Math.max(maxRel ?? 0, r);
      if (t.numbers && t.status !== 'identical') sq += t.numbers.l2Delta ** 2;
    }
    const changed = list.filter((t) => t.status === 'changed').length;
    const identical = list.filter((t) => t.status === 'identical').length;
    return {
      layer,
      tensors: list.length,
      identical,
      changed,
      structural: list.length - changed - identical,
      changedRoles: list.filter((t) => t.status !== 'identical').map((t) => t.role),
      maxRelativeL2: maxRel,
      l2Delta: Math.sqrt(sq),
    };
  });
}
