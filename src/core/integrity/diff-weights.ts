/**
 * `probity diff-weights`: two weight files, or the weights of two cases.
 *
 * Between cases the unit compared is a model: all the `.safetensors` shards of one folder form one
 * model (tensors are found by name whichever shard holds them, so a re-sharded copy still pairs
 * up), and each `.gguf` file is a model of its own. Models pair up by their path within the model
 * folder (case-files.ts), so `model-00001-of-00002.safetensors` at a reference bundle's root pairs
 * with `model/model-00001-of-00002.safetensors` in the incident bundle; when exactly one model is
 * left unpaired on each side, those two are compared and the pairing is noted.
 */
import path from 'node:path';
import type { CaseStore } from '../store/workstation.ts';
import { ProbityError } from '../util/errors.ts';
import { loadCaseFiles, posixDir, isWeightsPath, rel, type CaseFiles } from './case-files.ts';
import { reasonOf } from './relabel.ts';
import { readWeightsFile, type TensorRef } from './tensors.ts';
import {
  TENSOR_STATUSES,
  diffTensorSets,
  type DiffOptions,
  type TensorSetDiff,
  type TensorStatus,
} from './weight-diff.ts';

export interface ModelUnit {
  /** Pairing key: path within the model folder (a folder ends in '/'). */
  key: string;
  /** Files of the model, as shown to people. */
  files: { label: string; format: 'safetensors' | 'gguf'; tensors: number; sha256: string | null }[];
  tensors: TensorRef[];
}

export interface PairDiff extends TensorSetDiff {
  a: ModelUnit;
  b: ModelUnit;
  /** How the two were paired: by the same path, or as the only ones left. */
  pairedBy: 'path' | 'only-remaining' | 'given';
}

export interface WeightDiffReport {
  a: { label: string };
  b: { label: string };
  pairs: PairDiff[];
  unpairedA: string[];
  unpairedB: string[];
  /** Weights files of a case that could not be read as weights, with the reason. */
  skipped: string[];
  counts: Record<TensorStatus, number>;
  /** True when every tensor of every pair is identical and nothing is left unpaired. */
  identical: boolean;
}

function strip(unit: ModelUnit): ModelUnit {
  return { ...unit, tensors: [] };
}

function report(
  a: string,
  b: string,
  pairs: PairDiff[],
  unpairedA: string[],
  unpairedB: string[],
  skipped: string[] = [],
): WeightDiffReport {
  const counts = Object.fromEntries(TENSOR_STATUSES.map((s) => [s, 0])) as Record<TensorStatus, number>;
  for (const p of pairs) for (const s of TENSOR_STATUSES) counts[s] += p.counts[s];
  const identical =
    skipped.length === 0 &&
    unpairedA.length === 0 &&
    unpairedB.length === 0 &&
    pairs.length > 0 &&
    pairs.every((p) => p.tensors.every((t) => t.status === 'identical'));
  return { a: { label: a }, b: { label: b }, pairs, unpairedA, unpairedB, skipped, counts, identical };
}

/** Diff two weight files given by path. */
export async function diffWeightFiles(
  fileA: string,
  fileB: string,
  opts: DiffOptions = {},
): Promise<WeightDiffReport> {
  const [wa, wb] = await Promise.all([readWeightsFile(fileA), readWeightsFile(fileB)]);
  const unit = (w: typeof wa): ModelUnit => ({
    key: path.basename(w.file),
    files: [{ label: w.label, format: w.format, tensors: w.tensors.length, sha256: null }],
    tensors: w.tensors,
  });
  const ua = unit(wa);
  const ub = unit(wb);
  const diff = await diffTensorSets(ua.tensors, ub.tensors, opts);
  return report(fileA, fileB, [{ ...diff, a: strip(ua), b: strip(ub), pairedBy: 'given' }], [], []);
}

/**
 * The models of a case: one per folder of safetensors shards, one per GGUF file. A weights file
 * that cannot be read as weights (a Git LFS pointer left by a failed pull, a truncated file) is
 * listed in `skipped` with the reason instead of stopping the comparison of the others.
 */
export async function caseModels(cf: CaseFiles): Promise<{ units: ModelUnit[]; skipped: string[] }> {
  const weights = cf.files.filter((f) => f.kind === 'weights' && isWeightsPath(f.path));
  const units = new Map<string, ModelUnit>();
  const skipped: string[] = [];
  for (const f of weights) {
    let w;
    try {
      w = await readWeightsFile(f.object, f.path);
    } catch (err) {
      skipped.push(reasonOf(err));
      continue;
    }
    const dir = posixDir(f.path);
    const key = w.format === 'gguf' ? rel(cf, f.path) : `${dir === cf.modelRoot ? '' : rel(cf, dir)}/`;
    const unit = units.get(key) ?? { key, files: [], tensors: [] };
    unit.files.push({ label: f.path, format: w.format, tensors: w.tensors.length, sha256: f.sha256 });
    unit.tensors.push(...w.tensors);
    units.set(key, unit);
  }
  const sorted = [...units.values()].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return { units: sorted, skipped };
}

interface Pairing {
  pairs: { a: ModelUnit; b: ModelUnit; by: PairDiff['pairedBy'] }[];
  unpairedA: ModelUnit[];
  unpairedB: ModelUnit[];
}

export function pairModels(a: readonly ModelUnit[], b: readonly ModelUnit[]): Pairing {
  const bByKey = new Map(b.map((u) => [u.key, u]));
  const pairs: Pairing['pairs'] = [];
  const unpairedA: ModelUnit[] = [];
  for (const u of a) {
    const match = bByKey.get(u.key);
    if (match) {
      pairs.push({ a: u, b: match, by: 'path' });
      bByKey.delete(u.key);
    } else unpairedA.push(u);
  }
  const unpairedB = [...bByKey.values()];
  if (unpairedA.length === 1 && unpairedB.length === 1) {
    pairs.push({ a: unpairedA[0] as ModelUnit, b: unpairedB[0] as ModelUnit, by: 'only-remaining' });
    return { pairs, unpairedA: [], unpairedB: [] };
  }
  return { pairs, unpairedA, unpairedB };
}

/** Diff the weights of two cases (a: the known-good or earlier one, b: the suspect). */
export async function diffCaseWeights(
  storeA: CaseStore,
  storeB: CaseStore,
  opts: DiffOptions = {},
): Promise<WeightDiffReport> {
  const ma = await caseModels(loadCaseFiles(storeA));
  const mb = await caseModels(loadCaseFiles(storeB));
  if (ma.units.length === 0 && mb.units.length === 0)
    throw new ProbityError(
      'not-found',
      `${storeA.id}, ${storeB.id}: neither case holds readable safetensors or GGUF weights${ma.skipped.length + mb.skipped.length ? ` (${[...ma.skipped, ...mb.skipped].join('; ')})` : ''}`,
    );
  const pairing = pairModels(ma.units, mb.units);
  const pairs: PairDiff[] = [];
  for (const p of pairing.pairs) {
    const diff = await diffTensorSets(p.a.tensors, p.b.tensors, opts);
    pairs.push({ ...diff, a: strip(p.a), b: strip(p.b), pairedBy: p.by });
  }
  return report(
    storeA.id,
    storeB.id,
    pairs,
    pairing.unpairedA.map((u) => u.files.map((f) => f.label).join(', ')),
    pairing.unpairedB.map((u) => u.files.map((f) => f.label).join(', ')),
    [...ma.skipped.map((x) => `a: ${x}`), ...mb.skipped.map((x) => `b: ${x}`)],
  );
}
