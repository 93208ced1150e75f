/**
 * The wire shapes of the behavior stage (types only): what `behavior:*` answers. The core's reports
 * (src/core/behavior) are checked against these by the compiler where the service returns them, so
 * the renderer never imports the core. Each shape lists the fields the app reads; the host may send
 * more (the comparison is the document `probity behavior compare --json` prints).
 */

export type BehaviorRole = 'baseline' | 'suspect' | 'replacement';
export type BehaviorFormat = 'jsonl' | 'promptfoo' | 'lm-eval' | 'inspect' | 'garak' | 'openai-evals';

/** An imported eval run of the case. */
export interface BehaviorRun {
  id: number;
  label: string;
  role: BehaviorRole;
  format: BehaviorFormat;
  items: number;
  /** SHA-256 of the evidence file the run was read from. */
  sha256: string;
  sourceName: string;
  model: string | null;
  importedAt: string;
}

export interface BehaviorImportSummary {
  caseId: string;
  runId: number;
  label: string;
  role: BehaviorRole;
  format: BehaviorFormat;
  file: string;
  sha256: string;
  bytes: number;
  evidenceId: number;
  items: number;
  malformedCount: number;
  malformed: { line: number | null; entry: string | null; reason: string }[];
  duplicateCount: number;
  refusals: {
    label: { refused: number; complied: number };
    heuristic: { refused: number; complied: number };
    undetermined: number;
  };
  suites: Record<string, number>;
  warnings: string[];
}

export type BehaviorVerdict = 'equivalent' | 'not-equivalent' | 'lower' | 'higher' | 'not-analysed';
export type BehaviorCheckStatus = 'pass' | 'fail' | 'not-analysed';

/** A proportion or mean with its interval, and the method that gave it. */
export interface RateInterval {
  estimate: number;
  lower: number;
  upper: number;
  method: string;
  confidence: number;
}

export interface BinaryComparisonView {
  metric: 'refusal' | 'pass';
  n: number;
  /** a: both positive, b: baseline only, c: suspect only, d: neither. */
  table: { a: number; b: number; c: number; d: number };
  baseline: RateInterval;
  suspect: RateInterval;
  /** Newcombe's paired interval of suspect − baseline. */
  difference: RateInterval;
  mcnemar: { b: number; c: number; discordant: number; pValue: number; method: string };
  margin: number | null;
  verdict: BehaviorVerdict;
  reason: string;
}

export interface ScoreComparisonView {
  metric: 'score';
  n: number;
  baseline: { n: number; estimate: number; lower: number; upper: number };
  suspect: { n: number; estimate: number; lower: number; upper: number };
  difference: { n: number; estimate: number; lower: number; upper: number };
  margin: number | null;
  verdict: BehaviorVerdict;
  reason: string;
}

export interface GroupComparisonView {
  suite: string;
  /** null: the whole suite. */
  category: string | null;
  pairs: number;
  refusal: BinaryComparisonView | null;
  pass: BinaryComparisonView | null;
  score: ScoreComparisonView | null;
}

export interface TriggerFlips {
  n: number;
  flips: number;
  orphans: number;
  interval: RateInterval | null;
}

export interface TriggerRow {
  trigger: string;
  baseline: TriggerFlips;
  suspect: TriggerFlips;
  /** null: not analysed. */
  flagged: boolean | null;
  reason: string;
}

export interface BehaviorCheck {
  id: string;
  title: string;
  criterion: string;
  status: BehaviorCheckStatus;
  summary: string;
  suites: string[];
  rule: string;
  evidence: {
    suite: string;
    metric: 'refusal' | 'pass' | 'score';
    better: 'higher' | 'lower';
    n: number;
    baseline: number;
    suspect: number;
    difference: number;
    testInterval: { lower: number; upper: number };
    margin: number;
  }[];
  worse: {
    suite: string;
    category: string | null;
    metric: string;
    verdict: BehaviorVerdict;
    reason: string;
  }[];
}

export interface BehaviorRunRef {
  id: number;
  label: string;
  role: string;
  format: string;
  sha256: string;
  items: number;
  model: string | null;
}

export interface BehaviorComparison {
  caseId: string;
  baseline: BehaviorRunRef;
  suspect: BehaviorRunRef;
  options: {
    margin: number;
    marginKind: 'points' | 'relative';
    confidence: number;
    seed: string;
    /** The phrase list that re-decided heuristic refusals, or null for the default heuristic. */
    refusalPhrases: { source: string; sha256: string } | null;
  };
  /** Heuristic refusal decisions changed by that phrase list. */
  refusalsRedecided: number;
  pairing: {
    key: string;
    pairs: number;
    unmatchedBaseline: number;
    unmatchedSuspect: number;
    duplicatesBaseline: number;
    duplicatesSuspect: number;
  };
  comparability: string[];
  groups: GroupComparisonView[];
  triggerSuites: string[];
  triggerRule: string;
  triggers: TriggerRow[];
  checks: BehaviorCheck[];
  failed: boolean;
  findingsRunId: string;
  custodySeq: number;
}

/** The latest recorded comparison of a case, read back when the Behavior stage opens. */
export type LatestBehaviorComparison =
  | { status: 'none' }
  | { status: 'not-reproducible'; custodySeq: number; at: string; reason: string }
  | { status: 'recorded'; report: BehaviorComparison; at: string };

export type BehaviorTransition = 'refused→complied' | 'complied→refused' | 'both-refused' | 'both-complied';

export interface BehaviorItemFilter {
  suite?: string | null;
  category?: string | null;
  transition?: BehaviorTransition | null;
}

export interface BehaviorItemSide {
  id: string;
  response: string;
  refused: boolean | null;
  passed: boolean | null;
  score: number | null;
}

export interface BehaviorItemPair {
  suite: string;
  category: string;
  trigger: string | null;
  variantOf: string | null;
  prompt: string;
  baseline: BehaviorItemSide;
  suspect: BehaviorItemSide;
}

export interface BehaviorItemsPage {
  /** Pairs matching the whole filter. */
  total: number;
  offset: number;
  items: BehaviorItemPair[];
  /** The discordance matrix of the suite/category filter (ignoring the transition). */
  transitions: Record<BehaviorTransition, number> & { undetermined: number };
  /** suspect − baseline score of each pair with both scores, under the suite/category filter. */
  scoreDeltas: number[];
}
