/**
 * Paired statistics of the suspect against the baseline, per suite and per category. Every formula
 * is in stats/ (written once, each tested against published or scipy values); this module only
 * chooses and combines them.
 *
 * For each group and each metric with paired observations on both sides:
 *
 * - refusal and pass (binary): the 2×2 table a (both positive), b (baseline only), c (suspect only),
 *   d (neither); each model's rate with its Wilson score interval (Wilson 1927); the difference
 *   suspect − baseline = (c − b)/n with Newcombe's paired hybrid score interval (Newcombe 1998,
 *   method 10) at the stated confidence; the exact McNemar test on b and c (McNemar 1947); and
 *   equivalence at margin δ by two one-sided tests (Schuirmann 1987) in their interval form:
 *   equivalent when the (1 − 2α) Newcombe interval lies inside (−δ, +δ) (tostPairedProportions).
 * - score: each model's mean with a Student t interval; the paired mean difference with its t
 *   interval at the stated confidence and at 1 − 2α for the same TOST rule; and a percentile
 *   bootstrap of the mean difference (Efron & Tibshirani 1993; B = 2,000 resamples, seed recorded)
 *   while the comparison's resampling budget lasts (4 million draws: groups are bootstrapped in
 *   report order, and a group whose n × B exceeds what is left relies on its t interval and says
 *   so, which keeps a 100,000-item comparison well under two seconds).
 *
 * Margin δ: `points` uses the margin as given (a difference of proportions, or of scores on a 0–1
 * scale); `relative` uses margin × the baseline's rate (or mean score), and a zero baseline then
 * leaves equivalence not analysed.
 *
 * Verdict of a metric in a group: "equivalent" (TOST); "lower" / "higher" when the suspect differs
 * beyond the margin — the point estimate is at least δ away from zero and the change is significant
 * (McNemar exact p < α; for scores, the (1 − α) t interval excludes 0); otherwise "not-equivalent".
 * Trigger-scan variants (items naming variant_of) are kept out of these groups: triggers.ts reads
 * them.
 */
import {
  bootstrapMeanInterval,
  mcnemarExact,
  newcombePairedDifference,
  pairedMeanDifference,
  tostPairedProportions,
  wilson,
  type BootstrapInterval,
  type EquivalenceResult,
  type McNemarResult,
  type MeanDifferenceInterval,
  type PairedDifferenceInterval,
  type PairedTable,
  type ProportionInterval,
} from '../stats';
import type { Pair } from './pairing';
import type { StoredItem } from './store';
import { pct } from '../../shared/format';

export type MarginKind = 'points' | 'relative';
export type Verdict = 'equivalent' | 'not-equivalent' | 'lower' | 'higher' | 'not-analysed';
export type BinaryMetric = 'refusal' | 'pass';
export type Metric = BinaryMetric | 'score';

export interface CompareOptions {
  margin: number;
  marginKind: MarginKind;
  confidence: number;
  /** Seed prefix of the bootstrap; each group's seed is `${seed}|${suite}|${category}`. */
  seed: string;
}

export const BOOTSTRAP_RESAMPLES = 2000;
export const BOOTSTRAP_BUDGET = 4_000_000;

export interface BinaryComparison {
  metric: BinaryMetric;
  n: number;
  table: PairedTable;
  baseline: ProportionInterval;
  suspect: ProportionInterval;
  difference: PairedDifferenceInterval;
  mcnemar: McNemarResult;
  /** δ in proportion units, or null when it cannot be formed (relative margin, zero baseline). */
  margin: number | null;
  equivalence: EquivalenceResult | null;
  verdict: Verdict;
  reason: string;
}

export interface ScoreComparison {
  metric: 'score';
  n: number;
  baseline: MeanDifferenceInterval;
  suspect: MeanDifferenceInterval;
  difference: MeanDifferenceInterval;
  /** The (1 − 2α) t interval the TOST verdict rests on. */
  tostInterval: MeanDifferenceInterval;
  bootstrap: BootstrapInterval | { skipped: string };
  margin: number | null;
  verdict: Verdict;
  reason: string;
}

export interface GroupComparison {
  suite: string;
  /** null for the whole suite. */
  category: string | null;
  pairs: number;
  refusal: BinaryComparison | null;
  pass: BinaryComparison | null;
  score: ScoreComparison | null;
}

/** Runs of the comparison: one bootstrap budget shared by every group. */
class BootstrapBudget {
  remaining = BOOTSTRAP_BUDGET;
}

function points(x: number): string {
  const s = (x * 100).toFixed(1);
  return `${x < 0 ? '−' : '+'}${s.replace('-', '')} points`;
}

function marginFor(base: number, opts: CompareOptions): number | null {
  const m = opts.marginKind === 'points' ? opts.margin : opts.margin * base;
  return m > 0 && m < 1 ? m : null;
}

/** The 2×2 table of a binary outcome over pairs where both sides have it. */
export function pairedTable(pairs: readonly Pair[], read: (i: StoredItem) => boolean | null): PairedTable {
  const t = { a: 0, b: 0, c: 0, d: 0 };
  for (const p of pairs) {
    const x = read(p.baseline);
    const y = read(p.suspect);
    if (x === null || y === null) continue;
    if (x && y) t.a++;
    else if (x) t.b++;
    else if (y) t.c++;
    else t.d++;
  }
  return t;
}

function changeVerdict(estimate: number, margin: number, significant: boolean): Verdict | null {
  if (!significant || Math.abs(estimate) < margin) return null;
  return estimate < 0 ? 'lower' : 'higher';
}

/** Compare a binary outcome; null when no pair has it on both sides. */
export function compareBinary(
  metric: BinaryMetric,
  table: PairedTable,
  opts: CompareOptions,
): BinaryComparison | null {
  const n = table.a + table.b + table.c + table.d;
  if (n === 0) return null;
  const baseline = wilson(table.a + table.b, n, opts.confidence);
  const suspect = wilson(table.a + table.c, n, opts.confidence);
  const difference = newcombePairedDifference(table.a, table.b, table.c, table.d, opts.confidence);
  const mcnemar = mcnemarExact(table.b, table.c);
  const margin = marginFor(baseline.estimate, opts);
  const base = { metric, n, table, baseline, suspect, difference, mcnemar, margin };
  if (margin === null) {
    return {
      ...base,
      equivalence: null,
      verdict: 'not-analysed',
      reason: `no usable margin: ${opts.margin} × a baseline rate of ${pct(baseline.estimate)} is not between 0 and 1`,
    };
  }
  const equivalence = tostPairedProportions(table, margin, opts.confidence);
  const alpha = 1 - opts.confidence;
  const change = changeVerdict(difference.estimate, margin, mcnemar.pValue < alpha);
  const verdict: Verdict = equivalence.verdict === 'equivalent' ? 'equivalent' : (change ?? 'not-equivalent');
  const reason =
    change === null
      ? equivalence.reason
      : `${pct(suspect.estimate)} vs ${pct(baseline.estimate)} (${points(difference.estimate)}, beyond the ±${(margin * 100).toFixed(1)}-point margin; McNemar exact ${pText(mcnemar.pValue)}, below α = ${Number(alpha.toPrecision(6))})`;
  return { ...base, equivalence, verdict, reason };
}

/** "p = 0.034" or "p < 0.0001". */
export function pText(p: number): string {
  return p < 0.0001 ? 'p < 0.0001' : `p = ${formatP(p)}`;
}

/** A p-value for a table cell: 3 decimals, 2 significant digits below 0.01, "< 0.0001" below that. */
export function formatP(p: number): string {
  if (p < 0.0001) return '< 0.0001';
  return p >= 0.01 ? p.toFixed(3) : p.toPrecision(2);
}

function scoreDiffs(pairs: readonly Pair[]): { base: Float64Array; susp: Float64Array; diffs: Float64Array } {
  const base: number[] = [];
  const susp: number[] = [];
  for (const p of pairs) {
    if (p.baseline.score === null || p.suspect.score === null) continue;
    base.push(p.baseline.score);
    susp.push(p.suspect.score);
  }
  const diffs = Float64Array.from(susp, (s, i) => s - (base[i] ?? 0));
  return { base: Float64Array.from(base), susp: Float64Array.from(susp), diffs };
}

function bootstrapOrSkip(
  diffs: Float64Array,
  opts: CompareOptions,
  seed: string,
  budget: BootstrapBudget,
): BootstrapInterval | { skipped: string } {
  const draws = diffs.length * BOOTSTRAP_RESAMPLES;
  if (draws > budget.remaining) {
    return {
      skipped: `not run: ${diffs.length} pairs × ${BOOTSTRAP_RESAMPLES} resamples exceed the ${budget.remaining.toLocaleString('en-US')} draws left of this comparison's budget; the t interval stands`,
    };
  }
  budget.remaining -= draws;
  return bootstrapMeanInterval(diffs, opts.confidence, { seed, resamples: BOOTSTRAP_RESAMPLES });
}

/** Compare paired scores; null when fewer than 2 pairs have a score on both sides. */
export function compareScores(
  pairs: readonly Pair[],
  opts: CompareOptions,
  seed: string,
  budget = new BootstrapBudget(),
): ScoreComparison | null {
  const { base, susp, diffs } = scoreDiffs(pairs);
  if (diffs.length < 2) return null;
  const alpha = 1 - opts.confidence;
  const baseline = pairedMeanDifference(base, opts.confidence);
  const suspect = pairedMeanDifference(susp, opts.confidence);
  const difference = pairedMeanDifference(diffs, opts.confidence);
  const tostInterval = pairedMeanDifference(diffs, 1 - 2 * alpha);
  const bootstrap = bootstrapOrSkip(diffs, opts, seed, budget);
  const margin = marginFor(baseline.estimate, opts);
  const common = {
    metric: 'score' as const,
    n: diffs.length,
    baseline,
    suspect,
    difference,
    tostInterval,
    bootstrap,
    margin,
  };
  if (margin === null)
    return {
      ...common,
      verdict: 'not-analysed',
      reason: `no usable margin for a baseline mean score of ${baseline.estimate.toFixed(3)}`,
    };
  const significant = difference.lower > 0 || difference.upper < 0;
  const change = changeVerdict(difference.estimate, margin, significant);
  const inside = tostInterval.lower > -margin && tostInterval.upper < margin;
  const verdict: Verdict = inside ? 'equivalent' : (change ?? 'not-equivalent');
  const range = `${fmt(tostInterval.lower)} to ${fmt(tostInterval.upper)}`;
  const reason = inside
    ? `the ${percentOf(1 - 2 * alpha)} t interval of the mean score difference (${range}) lies inside ±${fmt(margin)}`
    : change
      ? `mean score ${suspect.estimate.toFixed(3)} vs ${baseline.estimate.toFixed(3)} (difference ${fmt(difference.estimate)}, ${percentOf(opts.confidence)} t interval ${fmt(difference.lower)} to ${fmt(difference.upper)}, beyond ±${fmt(margin)})`
      : `the ${percentOf(1 - 2 * alpha)} t interval of the mean score difference (${range}) is not inside ±${fmt(margin)}`;
  return { ...common, verdict, reason };
}

function fmt(x: number): string {
  const s = x.toFixed(4);
  return s.startsWith('-') ? `−${s.slice(1)}` : s;
}

function percentOf(level: number): string {
  return `${Number((level * 100).toPrecision(6))}%`;
}

export interface PairGroup {
  suite: string;
  category: string | null;
  pairs: Pair[];
}

/**
 * Pairs grouped by suite and by suite/category (the baseline's labels), each suite followed by its
 * categories, in order of first appearance; trigger-scan variants left out.
 */
export function groupPairs(pairs: readonly Pair[]): PairGroup[] {
  const suites = new Map<string, { all: PairGroup; categories: Map<string, PairGroup> }>();
  for (const p of pairs) {
    if (p.baseline.variantOf !== null || p.suspect.variantOf !== null) continue;
    const { suite, category } = p.baseline;
    let s = suites.get(suite);
    if (!s) {
      s = { all: { suite, category: null, pairs: [] }, categories: new Map() };
      suites.set(suite, s);
    }
    let c = s.categories.get(category);
    if (!c) {
      c = { suite, category, pairs: [] };
      s.categories.set(category, c);
    }
    s.all.pairs.push(p);
    c.pairs.push(p);
  }
  return [...suites.values()].flatMap((s) => [s.all, ...s.categories.values()]);
}

/** Every group's comparison, suites first, each followed by its categories. */
export function compareGroups(pairs: readonly Pair[], opts: CompareOptions): GroupComparison[] {
  const budget = new BootstrapBudget();
  const out: GroupComparison[] = [];
  for (const g of groupPairs(pairs)) {
    out.push({
      suite: g.suite,
      category: g.category,
      pairs: g.pairs.length,
      refusal: compareBinary(
        'refusal',
        pairedTable(g.pairs, (i) => i.refused),
        opts,
      ),
      pass: compareBinary(
        'pass',
        pairedTable(g.pairs, (i) => i.passed),
        opts,
      ),
      score: compareScores(g.pairs, opts, `${opts.seed}|${g.suite}|${g.category ?? '*'}`, budget),
    });
  }
  return out;
}
