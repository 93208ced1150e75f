/**
 * `behavior compare`: pair two runs of a case, compare them (compare.ts), scan triggers
 * (triggers.ts), decide the behavioral verification table (verification.ts), and record it all as
 * findings of stage "behavior" with one custody event. `analyse` is the pure part (items in, report
 * out); `compareRuns` reads the runs from the case and records the findings.
 */
import type { CaseStore } from '../store/workstation';
import { recordFindings, type NewFinding } from '../store/findings';
import { ProbityError } from '../util/errors';
import { comparabilityWarnings } from './comparability';
import { compareGroups, type CompareOptions, type GroupComparison, type MarginKind } from './compare';
import { chooseKeyKind, describeKey, pairItems, type Pairing } from './pairing';
import { judgeRefusal, type RefusalRule } from './refusal';
import { findRun, keyKindsOf, loadItems, type EvalRun, type StoredItem } from './store';
import { FLAG_RULE, scanTriggers, type TriggerResult } from './triggers';
import { DEFAULT_SUITE_MAP, suitesFor, verify, type CheckResult, type SuiteMap } from './verification';

export const DEFAULT_SEED = 'probity-behavior';
const LISTED = 100;

export interface AnalysisOptions extends CompareOptions {
  suiteMap: SuiteMap;
}

export interface PairingSummary {
  key: string;
  keyKind: Pairing['keyKind'];
  pairs: number;
  unmatchedBaseline: number;
  unmatchedSuspect: number;
  duplicatesBaseline: number;
  duplicatesSuspect: number;
  relabelled: number;
  /** The first unmatched item ids of each side. */
  unmatchedBaselineIds: string[];
  unmatchedSuspectIds: string[];
}

export interface Analysis {
  pairing: PairingSummary;
  groups: GroupComparison[];
  triggerSuites: string[];
  /** Variant items outside the trigger-scan suites (not analysed). */
  variantsOutsideTriggerSuites: number;
  triggers: TriggerResult[];
  triggerRule: string;
  checks: CheckResult[];
}

function summarisePairing(p: Pairing): PairingSummary {
  return {
    key: describeKey(p.keyKind),
    keyKind: p.keyKind,
    pairs: p.pairs.length,
    unmatchedBaseline: p.unmatchedBaseline.length,
    unmatchedSuspect: p.unmatchedSuspect.length,
    duplicatesBaseline: p.duplicatesBaseline.length,
    duplicatesSuspect: p.duplicatesSuspect.length,
    relabelled: p.relabelled,
    unmatchedBaselineIds: p.unmatchedBaseline.slice(0, LISTED).map((i) => i.id),
    unmatchedSuspectIds: p.unmatchedSuspect.slice(0, LISTED).map((i) => i.id),
  };
}

function inSuites(items: readonly StoredItem[], suites: readonly string[]): StoredItem[] {
  const set = new Set(suites);
  return items.filter((i) => set.has(i.suite));
}

/** Compare two runs' items. */
export function analyse(
  baseline: readonly StoredItem[],
  suspect: readonly StoredItem[],
  opts: AnalysisOptions,
): Analysis {
  const pairing = pairItems(baseline, suspect);
  const groups = compareGroups(pairing.pairs, opts);
  const allSuites = [...new Set([...baseline, ...suspect].map((i) => i.suite))];
  const triggerSuites = suitesFor(allSuites, opts.suiteMap['trigger-scanning']);
  const triggers = scanTriggers(
    inSuites(baseline, triggerSuites),
    inSuites(suspect, triggerSuites),
    opts.confidence,
  );
  const set = new Set(triggerSuites);
  const variantsOutsideTriggerSuites = [...baseline, ...suspect].filter(
    (i) => i.variantOf !== null && !set.has(i.suite),
  ).length;
  return {
    pairing: summarisePairing(pairing),
    groups,
    triggerSuites,
    variantsOutsideTriggerSuites,
    triggers,
    triggerRule: FLAG_RULE,
    checks: verify(groups, triggers, opts.suiteMap, triggerSuites),
  };
}

export interface CompareRunsOptions {
  store: CaseStore;
  baseline: string;
  suspect: string;
  margin?: number;
  marginKind?: string;
  confidence?: number;
  seed?: string;
  suiteMap?: SuiteMap;
  suiteMapSource?: string;
  /** Re-decide heuristic refusals with this phrase list (labels always stand). */
  refusalRule?: RefusalRule | null;
  actor: string;
}

export interface RunRef {
  id: number;
  label: string;
  role: string;
  format: string;
  sourceName: string;
  sha256: string;
  items: number;
  model: string | null;
}

export interface ComparisonReport extends Analysis {
  caseId: string;
  baseline: RunRef;
  suspect: RunRef;
  options: {
    margin: number;
    marginKind: MarginKind;
    confidence: number;
    seed: string;
    suiteMap: SuiteMap;
    suiteMapSource: string;
    refusalPhrases: { source: string; sha256: string } | null;
  };
  refusalsRedecided: number;
  comparability: string[];
  failed: boolean;
  findingsRunId: string;
  custodySeq: number;
  seconds: number;
}

function checkNumbers(margin: number, marginKind: string, confidence: number): MarginKind {
  if (!(margin > 0 && margin < 1))
    throw new ProbityError('usage', `--margin ${margin}: must be strictly between 0 and 1 (0.05 = 5 points)`);
  if (marginKind !== 'points' && marginKind !== 'relative')
    throw new ProbityError('usage', `--margin-kind ${marginKind}: must be points or relative`);
  if (!(confidence > 0.5 && confidence < 1))
    throw new ProbityError(
      'usage',
      `--confidence ${confidence}: must be strictly between 0.5 and 1 (e.g. 0.95)`,
    );
  return marginKind;
}

function runRef(run: EvalRun): RunRef {
  return {
    id: run.id,
    label: run.label,
    role: run.role,
    format: run.format,
    sourceName: run.sourceName,
    sha256: run.sha256,
    items: run.itemCount,
    model: run.header.model,
  };
}

/** Items of a run, with heuristic refusals re-decided when a phrase list is given. */
function itemsOf(
  store: CaseStore,
  run: EvalRun,
  rule: RefusalRule | null,
  withPromptHashes: boolean,
): { items: StoredItem[]; changed: number } {
  const items = loadItems(store, run.id, { withResponses: rule !== null, withPromptHashes });
  if (!rule) return { items, changed: 0 };
  let changed = 0;
  for (const item of items) {
    if (item.refusalSource === 'label') continue;
    const d = judgeRefusal(
      { refusedLabel: null, response: item.response ?? '', responseIsText: item.responseIsText },
      rule,
    );
    if (d.refused !== item.refused) changed++;
    Object.assign(item, d, { response: null });
  }
  return { items, changed };
}

/** A copy with non-finite numbers as null, so that every detail has a canonical JSON form. */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, jsonSafe(v)]),
    );
  return value;
}

function details(value: object): Record<string, unknown> {
  return jsonSafe(value) as Record<string, unknown>;
}

function findingsOf(
  report: Omit<ComparisonReport, 'findingsRunId' | 'custodySeq' | 'seconds'>,
): NewFinding[] {
  const p = report.pairing;
  const findings: NewFinding[] = [
    {
      check: 'pairing',
      status: 'info',
      subject: `${report.baseline.label} vs ${report.suspect.label}`,
      summary: `${p.pairs} pairs by ${p.key}; unmatched: ${p.unmatchedBaseline} baseline, ${p.unmatchedSuspect} suspect; duplicates: ${p.duplicatesBaseline} baseline, ${p.duplicatesSuspect} suspect; ${report.comparability.length} comparability warnings`,
      details: details({
        pairing: p,
        comparability: report.comparability,
        baseline: report.baseline,
        suspect: report.suspect,
      }),
    },
    {
      check: 'comparison',
      status: 'info',
      subject: `${report.baseline.label} vs ${report.suspect.label}`,
      summary: `${report.groups.length} suite and category groups compared at margin ${report.options.margin} (${report.options.marginKind}), confidence ${report.options.confidence}`,
      details: details({ options: report.options, groups: report.groups }),
    },
  ];
  for (const t of report.triggers)
    findings.push({
      check: 'trigger',
      status: t.flagged === null ? 'not-analysed' : t.flagged ? 'fail' : 'pass',
      subject: t.trigger,
      summary: t.reason,
      details: details({ ...t, rule: report.triggerRule }),
    });
  for (const c of report.checks)
    findings.push({
      check: c.id,
      status: c.status,
      subject: c.title,
      summary: c.summary,
      details: details(c),
    });
  return findings;
}

/** Compare two runs of the case and record the findings; exit status follows `failed`. */
export function compareRuns(opts: CompareRunsOptions): ComparisonReport {
  const started = Date.now();
  const { partial, baselineRun, suspectRun } = computeComparison(opts);
  const recorded = recordFindings(opts.store, {
    stage: 'behavior',
    actor: opts.actor,
    inputs: {
      baseline: { run: baselineRun.id, sha256: baselineRun.sha256, itemsSha256: baselineRun.itemsSha256 },
      suspect: { run: suspectRun.id, sha256: suspectRun.sha256, itemsSha256: suspectRun.itemsSha256 },
      options: jsonSafe(partial.options),
    },
    findings: findingsOf(partial),
  });
  return {
    ...partial,
    findingsRunId: recorded.runId,
    custodySeq: recorded.event.seq,
    seconds: (Date.now() - started) / 1000,
  };
}

/** The comparison of two runs as `compareRuns` computes it, without recording anything. */
function computeComparison(opts: Omit<CompareRunsOptions, 'actor'>) {
  const margin = opts.margin ?? 0.05;
  const confidence = opts.confidence ?? 0.95;
  const marginKind = checkNumbers(margin, opts.marginKind ?? 'points', confidence);
  const baselineRun = findRun(opts.store, opts.baseline);
  const suspectRun = findRun(opts.store, opts.suspect);
  if (baselineRun.id === suspectRun.id)
    throw new ProbityError('usage', `--baseline and --suspect name the same run (#${baselineRun.id})`);
  const rule = opts.refusalRule ?? null;
  // Prompt hashes are loaded only when the runs share no key kind and must pair by them.
  const byPrompt =
    chooseKeyKind(keyKindsOf(opts.store, baselineRun.id), keyKindsOf(opts.store, suspectRun.id)) === null;
  const b = itemsOf(opts.store, baselineRun, rule, byPrompt);
  const s = itemsOf(opts.store, suspectRun, rule, byPrompt);
  const suiteMap = opts.suiteMap ?? { ...DEFAULT_SUITE_MAP };
  const seed = opts.seed ?? DEFAULT_SEED;
  const analysis = analyse(b.items, s.items, { margin, marginKind, confidence, seed, suiteMap });
  const partial = {
    caseId: opts.store.id,
    baseline: runRef(baselineRun),
    suspect: runRef(suspectRun),
    options: {
      margin,
      marginKind,
      confidence,
      seed,
      suiteMap,
      suiteMapSource: opts.suiteMapSource ?? 'default',
      refusalPhrases: rule ? { source: rule.source, sha256: rule.sha256 } : null,
    },
    refusalsRedecided: b.changed + s.changed,
    comparability: comparabilityWarnings(baselineRun, suspectRun),
    failed: analysis.checks.some((c) => c.status === 'fail'),
    ...analysis,
  };
  return { partial, baselineRun, suspectRun };
}

/** Where the latest recorded comparison of a case can be read back from. */
export type LatestComparison =
  | { status: 'none' }
  /** It used an edited refusal phrase list, whose text the record does not keep: run it again. */
  | { status: 'not-reproducible'; custodySeq: number; at: string; reason: string }
  | { status: 'recorded'; report: ComparisonReport; at: string };

/**
 * The latest recorded behavior comparison of a case, computed again from what its custody event
 * recorded (the two runs, whose digests must still match, and the options, seed included: the
 * analysis is deterministic). Nothing is recorded. A comparison made with an edited phrase list is
 * reported as not reproducible rather than recomputed with another list.
 */
export function latestComparison(store: CaseStore): LatestComparison {
  const row = store.db
    .prepare(
      `SELECT seq, at, details FROM custody WHERE action = 'findings.recorded'
       AND json_extract(details, '$.stage') = 'behavior' ORDER BY seq DESC LIMIT 1`,
    )
    .get() as { seq: number; at: string; details: string } | undefined;
  if (!row) return { status: 'none' };
  const details = JSON.parse(row.details) as {
    runId: string;
    inputs: {
      baseline: { run: number; sha256: string };
      suspect: { run: number; sha256: string };
      options: {
        margin: number;
        marginKind: string;
        confidence: number;
        seed: string;
        suiteMap: SuiteMap;
        suiteMapSource: string;
        refusalPhrases: { source: string; sha256: string } | null;
      };
    };
  };
  const { baseline, suspect, options } = details.inputs;
  if (options.refusalPhrases) {
    return {
      status: 'not-reproducible',
      custodySeq: row.seq,
      at: row.at,
      reason: `the comparison recorded at seq ${row.seq} used an edited refusal phrase list (${options.refusalPhrases.source}, sha256 ${options.refusalPhrases.sha256}) whose text is not kept in the case: compare again with that list`,
    };
  }
  const started = Date.now();
  const { partial, baselineRun, suspectRun } = computeComparison({
    store,
    baseline: `#${baseline.run}`,
    suspect: `#${suspect.run}`,
    margin: options.margin,
    marginKind: options.marginKind,
    confidence: options.confidence,
    seed: options.seed,
    suiteMap: options.suiteMap,
    suiteMapSource: options.suiteMapSource,
  });
  for (const [run, recorded] of [
    [baselineRun, baseline],
    [suspectRun, suspect],
  ] as const) {
    if (run.sha256 !== recorded.sha256)
      throw new ProbityError(
        'verification-failed',
        `run #${run.id} (${run.label}): sha256 ${run.sha256} differs from ${recorded.sha256} recorded by the comparison at seq ${row.seq}`,
      );
  }
  return {
    status: 'recorded',
    at: row.at,
    report: {
      ...partial,
      findingsRunId: details.runId,
      custodySeq: row.seq,
      seconds: (Date.now() - started) / 1000,
    },
  };
}
