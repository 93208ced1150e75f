/**
 * `probity provenance`: the playbook's Supply Chain Investigation — "Compare checksums at each
 * step of the provenance chain to identify where the modification occurred" — and its
 * "Identify the compromise point" table (compromise-points.ts).
 *
 * The chain's steps are compared in order (the rule documented with the record format in
 * src/demo/provenance.ts: the first stage whose outputs diverge for a path carried over from
 * the stage before is where the modification happened):
 * 1. base model vs the source — the known-good provider release (`--baseline` case) or the step's
 *    recorded inputs: a difference is "Provider compromise" (checksums mismatch from source), or
 *    "Download tampering" when the step says the original checksums were verified at download
 *    (they matched the source then; the stored copy differs now);
 * 2. each later step: its recorded inputs vs the previous step's outputs (a stored copy that
 *    changed between steps; before fine-tuning that is the stored download → "Download
 *    tampering"), then its outputs vs the previous step's outputs for the paths carried over →
 *    that stage's compromise point (fine-tuning, post-processing, deployment);
 * 3. the last step's outputs vs the hashes observed in the evidence: after a deployment step,
 *    "Runtime modification" (deployed model changed after deployment); after an earlier step,
 *    "Deployment compromise" (stored model is clean, deployed model differs).
 * Per step, every output is also shown against the evidence and, with `--baseline`, against the
 * baseline case. Paths are compared within the model folder (case-files.ts); bare hashes (a
 * Markdown record without paths) are compared as sets.
 */
import { readFile } from 'node:fs/promises';
import { recordFindings, type NewFinding } from '../store/findings.ts';
import type { CaseStore } from '../store/workstation.ts';
import { rel, type CaseFiles } from './case-files.ts';
import {
  compromisePoint,
  vectorsFor,
  type CompromisePoint,
  type CompromisePointId,
  type CompromiseVector,
} from './compromise-points.ts';
import { chainFromBytes, type ChainHash, type ChainStep, type ProvenanceChain } from './provenance-record.ts';
import { reasonOf, withLabel } from './relabel.ts';
import { n, safeDetails, short } from './types.ts';

export type Observed = 'matched' | 'mismatched' | 'missing';

export interface OutputObservation {
  path: string | null;
  sha256: string;
  evidence: Observed;
  evidenceSha256: string | null;
  baseline: Observed | null;
  baselineSha256: string | null;
}

export interface HashChange {
  path: string | null;
  before: string | null;
  after: string | null;
}

export interface StepReport {
  index: number;
  stage: ChainStep['stage'];
  title: string;
  description: string;
  performedBy: string | null;
  performedAt: string | null;
  outputs: OutputObservation[];
  /** Paths carried over from the previous step whose hash changed at this step. */
  changed: HashChange[];
  /** Paths that first appear at this step. */
  added: string[];
  /** Recorded inputs that differ from the previous step's outputs. */
  inputsChanged: HashChange[];
  /** Only for the first step: outputs that differ from the source's checksums. */
  sourceChanged: HashChange[];
  compared: boolean;
  diverges: boolean;
  divergence: CompromisePointId | null;
}

export interface CompromiseFinding {
  point: CompromisePoint;
  /** The step where the divergence shows (or 'runtime' for the evidence after the last step). */
  at: ChainStep['stage'] | 'runtime';
  reasons: string[];
  vectors: CompromiseVector[];
}

export interface ProvenanceReport {
  caseId: string;
  baseline: string | null;
  chain: { file: string; format: ProvenanceChain['format']; model: string | null; problems: string[] } | null;
  otherRecords: { file: string; format: ProvenanceChain['format']; differences: string[] }[];
  unreadable: string[];
  steps: StepReport[];
  /** The last step's outputs against the evidence. */
  runtime: { compared: number; changed: HashChange[] } | null;
  compromise: CompromiseFinding | null;
  status: 'pass' | 'fail' | 'not-analysed';
  summary: string;
  reasons: string[];
}

/** Every provenance record of a case that parses, and the reasons the others did not. */
export async function loadProvenanceChains(
  cf: CaseFiles,
): Promise<{ chains: ProvenanceChain[]; unreadable: string[] }> {
  const chains: ProvenanceChain[] = [];
  const unreadable: string[] = [];
  for (const f of cf.files.filter((x) => x.kind === 'provenance' && x.size <= 64 * 1024 * 1024)) {
    try {
      chains.push(
        await withLabel(f.object, f.path, async () => chainFromBytes(await readFile(f.object), f.path)),
      );
    } catch (err) {
      unreadable.push(reasonOf(err));
    }
  }
  const rank = (c: ProvenanceChain): number =>
    c.steps.length * 2 + (c.format === 'probity.provenance/v1' ? 1 : 0);
  chains.sort((a, b) => rank(b) - rank(a));
  return { chains, unreadable };
}

/** Names a chain gives the base model (for the adapter audit's base-model check). */
export function baseModelNames(chains: readonly ProvenanceChain[]): string[] {
  const out: string[] = [];
  for (const c of chains) {
    const base = c.steps.find((s) => s.stage === 'base-model');
    if (base) out.push(...[base.description, base.source ?? ''].filter(Boolean));
  }
  return out;
}

type HashMap = Map<string, string>;

function evidenceMap(cf: CaseFiles): HashMap {
  return new Map(cf.files.map((f) => [rel(cf, f.path), f.sha256]));
}

function observe(h: ChainHash, map: HashMap): { status: Observed; sha: string | null } {
  if (h.path === null) {
    const found = [...map.values()].includes(h.sha256);
    return { status: found ? 'matched' : 'missing', sha: found ? h.sha256 : null };
  }
  const sha = map.get(h.path) ?? null;
  return { status: sha === null ? 'missing' : sha === h.sha256 ? 'matched' : 'mismatched', sha };
}

/** Differences between two hash lists for the paths both name (or as sets when paths are absent). */
export function compareHashes(
  before: readonly ChainHash[],
  after: readonly ChainHash[],
): { changed: HashChange[]; added: string[] } {
  const pathed = before.every((h) => h.path !== null) && after.every((h) => h.path !== null);
  if (!pathed) {
    const b = new Set(before.map((h) => h.sha256));
    const a = new Set(after.map((h) => h.sha256));
    const changed: HashChange[] = [
      ...[...b].filter((x) => !a.has(x)).map((x) => ({ path: null, before: x, after: null })),
      ...[...a].filter((x) => !b.has(x)).map((x) => ({ path: null, before: null, after: x })),
    ];
    return { changed: before.length && after.length ? changed : [], added: [] };
  }
  const prev = new Map(before.map((h) => [h.path as string, h.sha256]));
  const changed: HashChange[] = [];
  const added: string[] = [];
  for (const h of after) {
    const p = h.path as string;
    const was = prev.get(p);
    if (was === undefined) added.push(p);
    else if (was !== h.sha256) changed.push({ path: p, before: was, after: h.sha256 });
  }
  return { changed, added };
}

function mapToHashes(map: HashMap): ChainHash[] {
  return [...map].map(([path, sha256]) => ({ path, sha256 }));
}

/** The source's checksums for the first step: the baseline case, else the step's own inputs. */
function sourceHashes(
  first: ChainStep,
  baseline: CaseFiles | null,
): { hashes: ChainHash[]; from: string } | null {
  if (baseline) {
    const map = evidenceMap(baseline);
    const wanted = new Set(first.outputs.map((o) => o.path));
    return {
      hashes: mapToHashes(map).filter((h) => wanted.has(h.path)),
      from: `baseline ${baseline.caseId}`,
    };
  }
  if (first.inputs && first.inputs.length > 0)
    return { hashes: first.inputs, from: 'the step’s recorded inputs' };
  return null;
}

function stepPoint(stage: ChainStep['stage']): CompromisePointId {
  return stage === 'base-model' ? 'provider' : stage;
}

function describeChanges(where: string, changes: readonly HashChange[]): string[] {
  return changes.map((c) =>
    c.path
      ? `${c.path}: ${short(c.before)} → ${short(c.after)} ${where}`
      : c.before
        ? `hash ${short(c.before)} no longer listed ${where}`
        : `hash ${short(c.after)} first listed ${where}`,
  );
}

function stepReport(
  i: number,
  step: ChainStep,
  prev: ChainStep | null,
  ev: HashMap,
  base: HashMap | null,
  source: { hashes: ChainHash[]; from: string } | null,
): StepReport {
  const outputs = step.outputs.map((h) => {
    const e = observe(h, ev);
    const b = base ? observe(h, base) : null;
    return {
      path: h.path,
      sha256: h.sha256,
      evidence: e.status,
      evidenceSha256: e.sha,
      baseline: b?.status ?? null,
      baselineSha256: b?.sha ?? null,
    };
  });
  const r: StepReport = {
    index: i + 1,
    stage: step.stage,
    title: step.title,
    description: step.description,
    performedBy: step.performedBy,
    performedAt: step.performedAt,
    outputs,
    changed: [],
    added: [],
    inputsChanged: [],
    sourceChanged: [],
    compared: false,
    diverges: false,
    divergence: null,
  };
  if (!prev) {
    if (source) {
      r.sourceChanged = compareHashes(source.hashes, step.outputs).changed;
      r.compared = true;
      if (r.sourceChanged.length > 0)
        r.divergence = step.originalChecksumsVerified === true ? 'download' : 'provider';
    }
  } else {
    if (step.inputs && step.inputs.length > 0)
      r.inputsChanged = compareHashes(prev.outputs, step.inputs).changed;
    const cmp = compareHashes(prev.outputs, step.outputs);
    r.changed = cmp.changed;
    r.added = cmp.added;
    r.compared = prev.outputs.length > 0 && step.outputs.length > 0;
    if (r.inputsChanged.length > 0)
      r.divergence = step.stage === 'fine-tuning' ? 'download' : stepPoint(step.stage);
    else if (r.changed.length > 0) r.divergence = stepPoint(step.stage);
  }
  r.diverges = r.divergence !== null;
  return r;
}

function compromiseOf(
  steps: readonly StepReport[],
  runtime: ProvenanceReport['runtime'],
  lastStage: ChainStep['stage'] | null,
): CompromiseFinding | null {
  const first = steps.find((s) => s.diverges);
  if (first && first.divergence) {
    const reasons = [
      ...describeChanges('against the source', first.sourceChanged),
      ...describeChanges(
        `between the previous step's outputs and step ${first.index}'s inputs`,
        first.inputsChanged,
      ),
      ...describeChanges(`at step ${first.index} (${first.stage})`, first.changed),
      ...first.added.map((p) => `${p}: first appears at step ${first.index} (${first.stage})`),
    ];
    return {
      point: compromisePoint(first.divergence),
      at: first.stage,
      reasons,
      vectors: vectorsFor(
        first.divergence,
        first.added.some((p) => p.includes('adapter')),
      ),
    };
  }
  if (runtime && runtime.changed.length > 0) {
    const id: CompromisePointId = lastStage === 'deployment' ? 'runtime' : 'deployment';
    return {
      point: compromisePoint(id),
      at: 'runtime',
      reasons: describeChanges('between the last recorded step and the evidence', runtime.changed),
      vectors: vectorsFor(id, false),
    };
  }
  return null;
}

function crossCheck(primary: ProvenanceChain, other: ProvenanceChain): string[] {
  const out: string[] = [];
  for (const s of primary.steps) {
    const o = other.steps.find((x) => x.stage === s.stage);
    if (!o) {
      out.push(`${other.file} has no ${s.stage} step`);
      continue;
    }
    const { changed, added } = compareHashes(s.outputs, o.outputs);
    if (changed.length || added.length)
      out.push(
        `${s.stage}: ${other.file} lists ${changed.length} different and ${added.length} extra output hashes`,
      );
  }
  return out;
}

function summaryOf(r: Omit<ProvenanceReport, 'summary' | 'status'>): {
  status: ProvenanceReport['status'];
  summary: string;
} {
  if (!r.chain) return { status: 'not-analysed', summary: 'no provenance record in the evidence' };
  if (r.compromise)
    return { status: 'fail', summary: `${r.compromise.point.name} (first divergence: ${r.compromise.at})` };
  if (!r.steps.some((s) => s.compared) && !r.runtime?.compared)
    return {
      status: 'not-analysed',
      summary: 'the chain has nothing to compare (one step, no source, no observed files)',
    };
  return {
    status: 'pass',
    summary: `no divergence along ${n(r.steps.length, 'step')}; the evidence matches the last step's outputs`,
  };
}

/** Analyse a case's provenance chain. */
export async function analyseProvenance(
  cf: CaseFiles,
  baseline: CaseFiles | null,
): Promise<ProvenanceReport> {
  const { chains, unreadable } = await loadProvenanceChains(cf);
  const primary = chains[0] ?? null;
  const ev = evidenceMap(cf);
  const base = baseline ? evidenceMap(baseline) : null;
  const steps: StepReport[] = [];
  let runtime: ProvenanceReport['runtime'] = null;
  const reasons: string[] = [...unreadable];
  if (primary) {
    const first = primary.steps[0];
    const source = first ? sourceHashes(first, baseline) : null;
    reasons.push(`chain: ${primary.file} (${primary.format}, ${n(primary.steps.length, 'step')})`);
    reasons.push(
      source
        ? `source checksums for the base model: ${source.from}`
        : 'no source checksums to compare the base model with (give --baseline with the provider’s release): provider and download tampering cannot be ruled out',
    );
    primary.steps.forEach((s, i) =>
      steps.push(stepReport(i, s, primary.steps[i - 1] ?? null, ev, base, i === 0 ? source : null)),
    );
    const last = primary.steps.at(-1);
    if (last) {
      const observed = mapToHashes(ev);
      const lastPaths = new Set(last.outputs.map((o) => o.path));
      const cmp = compareHashes(
        last.outputs,
        observed.filter((h) => lastPaths.has(h.path)),
      );
      runtime = { compared: observed.filter((h) => lastPaths.has(h.path)).length, changed: cmp.changed };
    }
  }
  const partial = {
    caseId: cf.caseId,
    baseline: baseline?.caseId ?? null,
    chain: primary
      ? { file: primary.file, format: primary.format, model: primary.model, problems: primary.problems }
      : null,
    otherRecords: primary
      ? chains.slice(1).map((c) => ({ file: c.file, format: c.format, differences: crossCheck(primary, c) }))
      : [],
    unreadable,
    steps,
    runtime,
    compromise: compromiseOf(steps, runtime, primary?.steps.at(-1)?.stage ?? null),
    reasons,
  };
  return { ...partial, ...summaryOf(partial) };
}

/**
 * Findings of stage 'provenance': the chain as a whole ('provenance-chain'), each step
 * ('provenance-step', subject = stage) and the compromise point ('compromise-point').
 */
export function provenanceFindings(r: ProvenanceReport): NewFinding[] {
  const out: NewFinding[] = [
    {
      check: 'provenance-chain',
      status: r.status,
      subject: r.chain?.file ?? null,
      summary: `Provenance chain: ${r.summary}`,
      details: {
        chain: r.chain,
        otherRecords: r.otherRecords,
        reasons: r.reasons,
        baseline: r.baseline,
        runtime: r.runtime,
      },
    },
  ];
  for (const s of r.steps)
    out.push({
      check: 'provenance-step',
      status: s.diverges ? 'fail' : s.compared ? 'pass' : 'not-analysed',
      subject: s.stage,
      summary: stepSummary(s),
      details: { ...s },
    });
  if (r.chain)
    out.push(
      r.compromise
        ? {
            check: 'compromise-point',
            status: 'fail',
            subject: r.compromise.at,
            summary: `${r.compromise.point.name}: ${r.compromise.point.indicators}. Investigation focus: ${r.compromise.point.investigationFocus}`,
            details: { ...r.compromise },
          }
        : {
            check: 'compromise-point',
            status: r.status === 'pass' ? 'pass' : 'not-analysed',
            subject: null,
            summary:
              r.status === 'pass'
                ? 'no compromise point: the chain and the evidence agree'
                : 'compromise point not determined',
            details: {},
          },
    );
  return out;
}

export function stepSummary(s: StepReport): string {
  const head = `${s.index}. ${s.stage}`;
  if (s.divergence) {
    const what = [
      s.sourceChanged.length ? `${n(s.sourceChanged.length, 'output')} differ from the source` : '',
      s.inputsChanged.length ? `${n(s.inputsChanged.length, 'input')} differ from the previous outputs` : '',
      s.changed.length ? `${n(s.changed.length, 'carried-over output')} changed` : '',
      s.added.length ? `${n(s.added.length, 'output')} added` : '',
    ].filter(Boolean);
    return `${head}: diverges (${what.join(', ')}) → ${compromisePoint(s.divergence).name}`;
  }
  if (!s.compared) return `${head}: not compared (no source or previous outputs)`;
  return `${head}: outputs carry over unchanged${s.added.length ? ` (${n(s.added.length, 'output')} added)` : ''}`;
}

export function recordProvenance(
  store: CaseStore,
  r: ProvenanceReport,
  actor: string,
): ReturnType<typeof recordFindings> {
  return recordFindings(store, {
    stage: 'provenance',
    actor,
    inputs: { baseline: r.baseline, chain: r.chain?.file ?? null },
    findings: provenanceFindings(r).map((f) => ({ ...f, details: safeDetails(f.details ?? {}) })),
  });
}
