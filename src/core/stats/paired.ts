/**
 * Comparing the suspect model with the known-good baseline.
 *
 * Paired binary outcomes (the same eval item scored for both models) are summarised in the 2×2 table
 *
 *                          baseline positive   baseline negative
 *     suspect positive            a                    c
 *     suspect negative            b                    d
 *
 * i.e. a = both positive, b = baseline positive only, c = suspect positive only, d = neither,
 * n = a + b + c + d. Throughout, a difference means SUSPECT − BASELINE:
 *
 *     p_suspect − p_baseline = (a + c)/n − (a + b)/n = (c − b)/n,
 *
 * so a positive difference means the suspect model is positive (e.g. harmful) more often.
 */
import { binomialCdf, binomialPmf, tQuantile } from './distributions.ts';
import { wilson } from './proportion.ts';
import { createRng, type Seed } from './random.ts';
import { requireConfidence, requireCount, requireFinite, requireInteger, show } from './validate.ts';

/** Result of an exact McNemar test. */
export interface McNemarResult {
  /** Discordant pairs positive for the baseline only. */
  b: number;
  /** Discordant pairs positive for the suspect only. */
  c: number;
  /** b + c, the number of pairs that carry information. */
  discordant: number;
  /** Two-sided p-value. */
  pValue: number;
  method: string;
}

function requireCell(name: string, value: number): void {
  requireInteger(name, value, 0);
}

/**
 * Exact (conditional) McNemar test (Q. McNemar, "Note on the sampling error of the difference between
 * correlated proportions or percentages", Psychometrika 12 (1947) 153–157). Under H₀ (equal marginal
 * proportions) the b of the b + c discordant pairs is Binomial(b + c, ½), and
 *
 *   p = min(1, 2 · P(X ≤ min(b, c))),   X ~ Binomial(b + c, ½).
 *
 * With no discordant pairs the p-value is 1. Example: b = 12, c = 3 gives p = 2·576/32768 = 0.03515625.
 */
export function mcnemarExact(b: number, c: number): McNemarResult {
  requireCell('b', b);
  requireCell('c', c);
  const n = b + c;
  const pValue = n === 0 ? 1 : Math.min(1, 2 * binomialCdf(Math.min(b, c), n, 0.5));
  return { b, c, discordant: n, pValue, method: 'Exact McNemar test (two-sided, conditional binomial)' };
}

/**
 * Mid-p McNemar test (M. W. Fagerland, S. Lydersen & P. Laake, "The McNemar test for binary
 * matched-pairs data: mid-p and asymptotic are better than exact conditional", BMC Med Res Methodol
 * 13:91, 2013): the exact p-value with only half the probability of the observed table,
 *
 *   p_mid = 2 · [P(X ≤ k) − ½ P(X = k)],   k = min(b, c),  X ~ Binomial(b + c, ½),
 *
 * capped at 1 (it equals 1 when b = c). Less conservative than the exact test; the authors found it
 * did not exceed the nominal level in any of the scenarios they studied.
 */
export function mcnemarMidP(b: number, c: number): McNemarResult {
  requireCell('b', b);
  requireCell('c', c);
  const n = b + c;
  let pValue = 1;
  if (n > 0 && b !== c) {
    const k = Math.min(b, c);
    pValue = Math.min(1, 2 * (binomialCdf(k, n, 0.5) - 0.5 * binomialPmf(k, n, 0.5)));
  }
  return { b, c, discordant: n, pValue, method: 'Mid-p McNemar test (two-sided)' };
}

/** An interval for a difference of two proportions (in [−1, 1]). */
export interface DifferenceInterval {
  /** Point estimate of the difference. */
  estimate: number;
  lower: number;
  upper: number;
  method: string;
  confidence: number;
}

/** Paired difference interval with the components it was built from. */
export interface PairedDifferenceInterval extends DifferenceInterval {
  /** (a + c)/n */
  suspect: number;
  /** (a + b)/n */
  baseline: number;
  /** The (continuity-corrected) φ coefficient used to account for the pairing. */
  phi: number;
  n: number;
}

/** Cells of the paired 2×2 table (see the module comment). */
export interface PairedTable {
  /** both positive */
  a: number;
  /** baseline positive only */
  b: number;
  /** suspect positive only */
  c: number;
  /** neither positive */
  d: number;
}

/**
 * Newcombe's method 10 for the difference of paired proportions (R. G. Newcombe, "Improved confidence
 * intervals for the difference between binomial proportions based on paired data", Stat Med 17 (1998)
 * 2635–2650): a "square-and-add" combination of the Wilson intervals of the two marginal proportions,
 * with a correlation term for the pairing.
 *
 * Sign convention: the difference is SUSPECT − BASELINE = (c − b)/n, where a = both positive,
 * b = baseline positive only, c = suspect positive only, d = neither.
 *
 * With p_s = (a + c)/n, p_b = (a + b)/n, Wilson limits (l_s, u_s) and (l_b, u_b) at the same
 * confidence, and θ = p_s − p_b:
 *
 *   lower = θ − √((p_s − l_s)² − 2φ (p_s − l_s)(u_b − p_b) + (u_b − p_b)²),
 *   upper = θ + √((u_s − p_s)² − 2φ (u_s − p_s)(p_b − l_b) + (p_b − l_b)²),
 *
 * where φ is Newcombe's corrected phi coefficient of the 2×2 table: with A = ad − bc and
 * P = (a + b)(c + d)(a + c)(b + d),  φ = (A − n/2)/√P if A > n/2,  0 if 0 ≤ A ≤ n/2,  A/√P if A < 0,
 * and φ = 0 when any margin is empty (P = 0). Limits are clipped to [−1, 1].
 *
 * Checked against the published example of M. W. Fagerland, S. Lydersen & P. Laake, "Statistical
 * Analysis of Contingency Tables" (CRC 2017), ch. 8 (Cavo et al. 2012 data).
 *
 * @throws RangeError unless the cells are non-negative integers with a + b + c + d ≥ 1 and
 *   0 < confidence < 1.
 */
export function newcombePairedDifference(
  a: number,
  b: number,
  c: number,
  d: number,
  confidence = 0.95,
): PairedDifferenceInterval {
  requireCell('a', a);
  requireCell('b', b);
  requireCell('c', c);
  requireCell('d', d);
  requireConfidence(confidence);
  const n = a + b + c + d;
  if (n < 1) throw new RangeError('the paired table is empty (a + b + c + d = 0)');

  const pS = (a + c) / n;
  const pB = (a + b) / n;
  const ws = wilson(a + c, n, confidence);
  const wb = wilson(a + b, n, confidence);
  const theta = (c - b) / n;

  const marginProduct = (a + b) * (c + d) * (a + c) * (b + d);
  let phi = 0;
  if (marginProduct > 0) {
    const det = a * d - b * c;
    if (det > n / 2) phi = (det - n / 2) / Math.sqrt(marginProduct);
    else if (det < 0) phi = det / Math.sqrt(marginProduct);
  }

  const dl1 = pS - ws.lower;
  const du1 = ws.upper - pS;
  const dl2 = pB - wb.lower;
  const du2 = wb.upper - pB;
  const lower = theta - Math.sqrt(Math.max(0, dl1 * dl1 - 2 * phi * dl1 * du2 + du2 * du2));
  const upper = theta + Math.sqrt(Math.max(0, du1 * du1 - 2 * phi * du1 * dl2 + dl2 * dl2));
  return {
    estimate: theta,
    lower: Math.max(-1, lower),
    upper: Math.min(1, upper),
    method: 'Newcombe hybrid score interval for paired proportions (method 10)',
    confidence,
    suspect: pS,
    baseline: pB,
    phi,
    n,
  };
}

/** Unpaired difference interval with its two component proportions. */
export interface UnpairedDifferenceInterval extends DifferenceInterval {
  /** x1/n1 */
  p1: number;
  /** x2/n2 */
  p2: number;
}

/**
 * Newcombe's method 10 for the difference p1 − p2 of two independent proportions (R. G. Newcombe,
 * "Interval estimation for the difference between independent proportions: comparison of eleven
 * methods", Stat Med 17 (1998) 873–890), the "hybrid score" interval:
 *
 *   lower = θ − √((p₁ − l₁)² + (u₂ − p₂)²),   upper = θ + √((u₁ − p₁)² + (p₂ − l₂)²),
 *
 * with θ = p₁ − p₂ and (lᵢ, uᵢ) the Wilson limits for xᵢ/nᵢ. Paper's example: 56/70 − 48/80 = 0.2,
 * 95% interval 0.0524 to 0.3339.
 *
 * @throws RangeError unless each xᵢ is an integer in 0..nᵢ, nᵢ ≥ 1, and 0 < confidence < 1.
 */
export function newcombeUnpairedDifference(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  confidence = 0.95,
): UnpairedDifferenceInterval {
  requireCount(x1, n1, 'x1', 'n1');
  requireCount(x2, n2, 'x2', 'n2');
  requireConfidence(confidence);
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const w1 = wilson(x1, n1, confidence);
  const w2 = wilson(x2, n2, confidence);
  const theta = p1 - p2;
  const lower = theta - Math.hypot(p1 - w1.lower, w2.upper - p2);
  const upper = theta + Math.hypot(w1.upper - p1, p2 - w2.lower);
  return {
    estimate: theta,
    lower: Math.max(-1, lower),
    upper: Math.min(1, upper),
    method: 'Newcombe hybrid score interval for independent proportions (method 10)',
    confidence,
    p1,
    p2,
  };
}

/** Verdict of an equivalence test. */
export interface EquivalenceResult {
  verdict: 'equivalent' | 'not-equivalent';
  /** One sentence explaining the verdict, for the report. */
  reason: string;
  /** The (1 − 2α) Newcombe interval for suspect − baseline the verdict rests on. */
  interval: PairedDifferenceInterval;
  /** Equivalence margin δ: differences within (−δ, +δ) count as negligible. */
  margin: number;
  /** Nominal confidence 1 − α of the equivalence test (the interval is at 1 − 2α). */
  confidence: number;
  method: string;
}

function fmt(value: number): string {
  const s = value.toFixed(4);
  return s.startsWith('-') ? `−${s.slice(1)}` : s;
}

function percent(level: number): string {
  return `${Number((level * 100).toPrecision(10))}%`;
}

/**
 * Equivalence of the suspect and baseline positive rates on paired data, by two one-sided tests
 * (TOST; D. J. Schuirmann, "A comparison of the two one-sided tests procedure and the power approach
 * for assessing the equivalence of average bioavailability", J Pharmacokinet Biopharm 15 (1987)
 * 657–680) in its confidence-interval form: at level α = 1 − confidence, the models are declared
 * equivalent within margin δ when the (1 − 2α) interval for suspect − baseline lies inside (−δ, +δ).
 * The interval is Newcombe's paired method 10 (newcombePairedDifference), so this is the score-interval
 * analogue of TOST rather than a Wald-based test.
 *
 * @param table the paired counts {a, b, c, d} (see the module comment)
 * @param margin δ, a difference of proportions, 0 < δ < 1 (e.g. 0.02 for two percentage points)
 * @param confidence 1 − α, must exceed ½ (e.g. 0.95 gives a 90% interval)
 */
export function tostPairedProportions(
  table: PairedTable,
  margin: number,
  confidence = 0.95,
): EquivalenceResult {
  if (typeof margin !== 'number' || !(margin > 0 && margin < 1)) {
    throw new RangeError(
      `margin must be a difference of proportions strictly between 0 and 1, got ${show(margin)}`,
    );
  }
  requireConfidence(confidence);
  if (!(confidence > 0.5)) {
    throw new RangeError(
      `confidence must exceed 0.5 for an equivalence test (the interval is at 2c − 1), got ${confidence}`,
    );
  }
  const alpha = 1 - confidence;
  const intervalConfidence = 1 - 2 * alpha;
  const interval = newcombePairedDifference(table.a, table.b, table.c, table.d, intervalConfidence);
  const inside = interval.lower > -margin && interval.upper < margin;
  const range = `${percent(intervalConfidence)} Newcombe interval for suspect − baseline (${fmt(interval.lower)} to ${fmt(interval.upper)})`;
  const test = `two one-sided tests at α = ${Number(alpha.toPrecision(10))}`;
  let reason: string;
  if (inside) {
    reason = `The ${range} lies inside ±${fmt(margin)}, so the positive rates are equivalent within the margin (${test}).`;
  } else {
    const sides: string[] = [];
    if (interval.lower <= -margin) sides.push(`lower limit ${fmt(interval.lower)} ≤ −${fmt(margin)}`);
    if (interval.upper >= margin) sides.push(`upper limit ${fmt(interval.upper)} ≥ ${fmt(margin)}`);
    reason = `The ${range} is not inside ±${fmt(margin)} (${sides.join('; ')}), so equivalence within the margin is not shown (${test}).`;
  }
  return {
    verdict: inside ? 'equivalent' : 'not-equivalent',
    reason,
    interval,
    margin,
    confidence,
    method: 'TOST via the (1 − 2α) Newcombe paired interval',
  };
}

/** Summary and t interval of paired numeric differences. */
export interface MeanDifferenceInterval {
  n: number;
  /** Sample mean of the differences (the point estimate). */
  estimate: number;
  /** Sample standard deviation (divisor n − 1). */
  sd: number;
  /** sd / √n */
  standardError: number;
  /** n − 1 */
  df: number;
  /** t_{1−α/2, n−1} */
  tCritical: number;
  lower: number;
  upper: number;
  confidence: number;
  method: string;
}

function toValues(diffs: Float64Array | readonly number[], name: string, minLength: number): Float64Array {
  const values = diffs instanceof Float64Array ? diffs : Float64Array.from(diffs);
  if (values.length < minLength) {
    throw new RangeError(
      `${name} needs at least ${minLength} value${minLength === 1 ? '' : 's'}, got ${values.length}`,
    );
  }
  for (let i = 0; i < values.length; i++) requireFinite(`${name}[${i}]`, values[i] ?? NaN);
  return values;
}

/** Mean by summation plus one correction pass (two-pass algorithm; Chan, Golub & LeVeque 1983). */
function mean(values: Float64Array): number {
  const n = values.length;
  let sum = 0;
  for (const v of values) sum += v;
  let m = sum / n;
  let correction = 0;
  for (const v of values) correction += v - m;
  m += correction / n;
  return m;
}

/**
 * Student t interval for the mean of paired differences (e.g. per-item score suspect − baseline):
 *
 *   d̄ ± t_{1−α/2, n−1} · s / √n,
 *
 * s the sample standard deviation with divisor n − 1 (W. S. Gosset "Student", "The probable error of a
 * mean", Biometrika 6 (1908) 1–25). Assumes the differences are independent and roughly normal, or n
 * large enough for the central limit theorem; see bootstrapMeanInterval for a check.
 *
 * @throws RangeError with fewer than 2 values, non-finite values, or confidence outside (0, 1).
 */
export function pairedMeanDifference(
  diffs: Float64Array | readonly number[],
  confidence = 0.95,
): MeanDifferenceInterval {
  requireConfidence(confidence);
  const values = toValues(diffs, 'diffs', 2);
  const n = values.length;
  const m = mean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  const sd = Math.sqrt(ss / (n - 1));
  const se = sd / Math.sqrt(n);
  const df = n - 1;
  const tCritical = -tQuantile((1 - confidence) / 2, df);
  return {
    n,
    estimate: m,
    sd,
    standardError: se,
    df,
    tCritical,
    lower: m - tCritical * se,
    upper: m + tCritical * se,
    confidence,
    method: 'Paired t interval for the mean difference',
  };
}

/** Options for bootstrapMeanInterval. */
export interface BootstrapOptions {
  /** Number of bootstrap resamples B (default 10 000). */
  resamples?: number;
  /** Seed for the xoshiro256** generator (see random.ts); required so results are reproducible. */
  seed: Seed;
}

/** Percentile bootstrap interval for a mean. */
export interface BootstrapInterval {
  /** Mean of the original data. */
  estimate: number;
  lower: number;
  upper: number;
  confidence: number;
  resamples: number;
  seed: Seed;
  method: string;
}

/**
 * Sample quantile by linear interpolation between order statistics (Hyndman & Fan, "Sample quantiles in
 * statistical packages", Am Stat 50 (1996) 361–365, definition 7 — NumPy's and R's default):
 * h = (m − 1)q, Q = x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎) with 0-based order statistics of sorted x.
 */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const xlo = sorted[lo] ?? NaN;
  const xhi = sorted[Math.min(lo + 1, sorted.length - 1)] ?? NaN;
  return xlo + (h - lo) * (xhi - xlo);
}

/**
 * Percentile bootstrap interval for the mean of paired differences (B. Efron & R. J. Tibshirani,
 * "An Introduction to the Bootstrap", Chapman & Hall 1993, ch. 13).
 *
 * Algorithm (reproducible): rng = createRng(seed); for r = 0 … B − 1, draw n indices
 * i₁ … iₙ = rng.nextInt(n) in order and record the mean of the values at those indices; sort the B
 * means and take their α/2 and 1 − α/2 quantiles by quantileSorted (Hyndman–Fan definition 7).
 *
 * @throws RangeError for empty or non-finite data, B < 1 or confidence outside (0, 1).
 */
export function bootstrapMeanInterval(
  diffs: Float64Array | readonly number[],
  confidence: number,
  options: BootstrapOptions,
): BootstrapInterval {
  requireConfidence(confidence);
  const values = toValues(diffs, 'diffs', 1);
  const resamples = options.resamples ?? 10000;
  requireInteger('resamples', resamples, 1);
  const rng = createRng(options.seed);
  const n = values.length;
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[rng.nextInt(n)] ?? 0;
    means[r] = sum / n;
  }
  means.sort();
  const alpha = 1 - confidence;
  return {
    estimate: mean(values),
    lower: quantileSorted(means, alpha / 2),
    upper: quantileSorted(means, 1 - alpha / 2),
    confidence,
    resamples,
    seed: options.seed,
    method: `Percentile bootstrap interval for the mean (${resamples} resamples)`,
  };
}
