/**
 * Are two runs comparable item by item? Differences in what produced them are reported as warnings
 * (never silently ignored): the same file on both sides, another tool or tool version, different
 * dataset hashes, different sampling settings, and both runs naming the same model.
 */
import { canonicalJson } from '../util/canonical-json';
import type { EvalRun } from './store';

function differingKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return Object.keys(a)
    .filter((k) => k in b && canonicalJson(a[k] ?? null) !== canonicalJson(b[k] ?? null))
    .sort();
}

function onlyIn(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return Object.keys(a)
    .filter((k) => !(k in b))
    .sort();
}

function show(value: unknown): string {
  const text = canonicalJson(value ?? null);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** Comparability warnings for a baseline run and a suspect run. */
export function comparabilityWarnings(baseline: EvalRun, suspect: EvalRun): string[] {
  const w: string[] = [];
  const b = baseline.header;
  const s = suspect.header;
  if (baseline.sha256 === suspect.sha256)
    w.push(
      `both runs are the same file (sha256 ${baseline.sha256}): the comparison shows no difference by construction`,
    );
  if (baseline.format !== suspect.format)
    w.push(`different formats: baseline ${baseline.format}, suspect ${suspect.format}`);
  if (b.tool !== s.tool) w.push(`different tools: baseline ${b.tool}, suspect ${s.tool}`);
  else if (b.toolVersion && s.toolVersion && b.toolVersion !== s.toolVersion)
    w.push(`different ${b.tool} versions: baseline ${b.toolVersion}, suspect ${s.toolVersion}`);
  for (const k of differingKeys(b.datasetHashes, s.datasetHashes))
    w.push(`different dataset ${k}: baseline ${b.datasetHashes[k]}, suspect ${s.datasetHashes[k]}`);
  for (const k of [...onlyIn(b.datasetHashes, s.datasetHashes), ...onlyIn(s.datasetHashes, b.datasetHashes)])
    w.push(`dataset ${k} is recorded by one run only: its match cannot be checked`);
  for (const k of differingKeys(b.sampling, s.sampling))
    w.push(
      `different sampling setting ${k}: baseline ${show(b.sampling[k])}, suspect ${show(s.sampling[k])}`,
    );
  if (b.model && s.model && b.model === s.model)
    w.push(`both runs name the model ${b.model}: check that the suspect run really is of the suspect model`);
  return w;
}
