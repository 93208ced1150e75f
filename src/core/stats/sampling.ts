/**
 * Planning and analysing the review sample of production logs: how many records to review, how to
 * split them across strata (e.g. per day or per endpoint), how to combine stratum results, and how to
 * turn a prevalence interval into a count of affected records.
 *
 * Reference for the stratified formulas: W. G. Cochran, "Sampling Techniques", 3rd ed., Wiley 1977,
 * chapter 5 (stratified random sampling: proportional and optimum allocation, and stratified sampling
 * for proportions).
 */
import { normalCriticalValue } from './distributions.ts';
import type { ProportionInterval } from './proportion.ts';
import { requireConfidence, requireInteger, show } from './validate.ts';

/** Relative tolerance under which a computed value is treated as sitting exactly on a boundary. */
const BOUNDARY_TOLERANCE = 1e-12;

/** ⌈v⌉, except that values within a relative 1e-9 above an integer count as that integer (0.07 · 100). */
function tolerantCeil(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - r) <= 1e-9 * Math.max(1, Math.abs(v)) ? r : Math.ceil(v);
}

/** ⌊v⌋, except that values within a relative 1e-9 below an integer count as that integer. */
function tolerantFloor(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - r) <= 1e-9 * Math.max(1, Math.abs(v)) ? r : Math.floor(v);
}

/**
 * Discovery (acceptance) sample size: the smallest number n of records to review so that, if the true
 * prevalence of harmful records were at least `prevalence`, the review would find at least one with
 * probability ≥ `confidence`. Equivalently: if the review finds none, prevalence < `prevalence` at that
 * confidence.
 *
 * - Infinite population (binomial): P(no hit) = (1 − p)^n ≤ 1 − c, so
 *     n = ⌈ln(1 − c) / ln(1 − p)⌉   (1% at 95% → ⌈298.07⌉ = 299).
 * - Finite population of N records (hypergeometric; sampling without replacement): with
 *   K = ⌈p·N⌉ affected records, n is the smallest value with
 *     P(no hit) = C(N − K, n) / C(N, n) = ∏_{i<n} (1 − K/(N − i)) = ∏_{j<K} (1 − n/(N − j)) ≤ 1 − c,
 *   found by bisection on n, each probability summed in logs over the shorter of the two products
 *   (so even N = 10⁹ with K = 2 is exact and fast). Never exceeds N − K + 1, nor the
 *   infinite-population size, since P(no hit) ≤ (1 − K/N)^n ≤ (1 − p)^n. A product p·N within 1e-9
 *   of an integer is taken as that integer (0.07 · 100 gives K = 7, not 8).
 *
 * A computed probability within a relative 1e-12 of 1 − c counts as meeting it, so exact cases such as
 * p = ½, c = ¾ give 2 rather than 3 through rounding.
 *
 * @param prevalence tolerable prevalence p, 0 < p < 1
 * @param confidence c, 0 < c < 1
 * @param population N (optional), an integer ≥ 1
 */
export function discoverySampleSize(prevalence: number, confidence: number, population?: number): number {
  if (typeof prevalence !== 'number' || !(prevalence > 0 && prevalence < 1)) {
    throw new RangeError(`prevalence must be strictly between 0 and 1, got ${show(prevalence)}`);
  }
  requireConfidence(confidence);
  const logTarget = Math.log1p(-confidence) * (1 - BOUNDARY_TOLERANCE);
  if (population === undefined) {
    const perDraw = Math.log1p(-prevalence);
    let n = Math.max(1, Math.ceil(Math.log1p(-confidence) / perDraw));
    if (!Number.isSafeInteger(n + 1)) {
      throw new RangeError(`prevalence ${prevalence} is too small: the sample size would exceed 2^53`);
    }
    // Step down if rounding pushed the ceiling one too high, then up if it landed one too low.
    while (n > 1 && (n - 1) * perDraw <= logTarget) n--;
    while (n * perDraw > logTarget) n++;
    return n;
  }
  requireInteger('population', population, 1);
  const N = population;
  const K = Math.max(1, tolerantCeil(prevalence * N));
  // ln P(no hit | n draws), from whichever product is shorter (C(N−K, n)/C(N, n) = C(N−n, K)/C(N, K)):
  //   Σ_{i<n} log1p(−K/(N − i))   or   Σ_{j<K} log1p(−n/(N − j)).
  const logNoHit = (n: number): number => {
    if (n > N - K) return -Infinity;
    let sum = 0;
    if (n <= K) for (let i = 0; i < n; i++) sum += Math.log1p(-K / (N - i));
    else for (let j = 0; j < K; j++) sum += Math.log1p(-n / (N - j));
    return sum;
  };
  // P(no hit) ≤ (1 − K/N)^n ≤ (1 − p)^n, so the infinite-population size bounds the search.
  const infinite = Math.ceil(Math.log1p(-confidence) / Math.log1p(-prevalence)) + 1;
  let lo = 1;
  let hi = Math.min(N - K + 1, Math.max(1, infinite));
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (logNoHit(mid) <= logTarget) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** A stratum for allocation: its population size and (for Neyman allocation) a standard deviation. */
export interface AllocationStratum {
  /** Number of records in the stratum (N_h), an integer ≥ 0. */
  size: number;
  /** Standard deviation S_h of the outcome within the stratum (Neyman allocation only), ≥ 0. */
  sd?: number;
}

/**
 * Targets t_h = clamp(λ·w_h, lo_h, hi_h) with λ ≥ 0 chosen so that Σ t_h = n ("water filling"). A stratum
 * with w_h = 0 sits at lo_h. Assumes Σ lo_h ≤ n ≤ Σ_{w_h>0} hi_h + Σ_{w_h=0} lo_h. λ is bracketed by
 * bisection, which fixes which strata sit at a bound; λ is then solved exactly for the free ones.
 */
function waterFill(
  n: number,
  weights: readonly number[],
  lo: readonly number[],
  hi: readonly number[],
): number[] {
  const H = weights.length;
  const at = (lambda: number, h: number): number => {
    const w = weights[h] ?? 0;
    const l = lo[h] ?? 0;
    return w > 0 ? Math.min(hi[h] ?? 0, Math.max(l, lambda * w)) : l;
  };
  const total = (lambda: number): number => {
    let s = 0;
    for (let h = 0; h < H; h++) s += at(lambda, h);
    return s;
  };
  let lamLo = 0;
  let lamHi = 0;
  for (let h = 0; h < H; h++) {
    const w = weights[h] ?? 0;
    if (w > 0) lamHi = Math.max(lamHi, (hi[h] ?? 0) / w);
  }
  for (let iter = 0; iter < 200 && lamLo < lamHi; iter++) {
    const mid = 0.5 * (lamLo + lamHi);
    if (mid <= lamLo || mid >= lamHi) break;
    if (total(mid) < n) lamLo = mid;
    else lamHi = mid;
  }
  // Strata strictly between their bounds at lamHi share what the bounded ones leave.
  let rest = n;
  let freeWeight = 0;
  const free: boolean[] = [];
  for (let h = 0; h < H; h++) {
    const w = weights[h] ?? 0;
    const t = at(lamHi, h);
    const isFree = w > 0 && t > (lo[h] ?? 0) && t < (hi[h] ?? 0);
    free.push(isFree);
    if (isFree) freeWeight += w;
    else rest -= t;
  }
  return weights.map((w, h) => {
    const l = lo[h] ?? 0;
    const u = hi[h] ?? 0;
    return free[h] && freeWeight > 0 ? Math.min(u, Math.max(l, (rest * w) / freeWeight)) : at(lamHi, h);
  });
}

/**
 * Splits a total sample of n records across strata.
 *
 * Targets (Cochran 1977, ch. 5):
 * - 'proportional': n_h ∝ N_h;
 * - 'neyman' (optimum allocation for equal costs): n_h ∝ N_h S_h. For a proportion, S_h can be taken
 *   as √(P_h(1 − P_h)) from a prior guess P_h. If every N_h S_h is 0 the allocation is proportional.
 *
 * Constraints: no stratum gets more than its size N_h (Cochran's remedy for over-allocation: such a
 * stratum is enumerated completely and the rest re-spread), and when n is at least the number of
 * non-empty strata every non-empty stratum gets at least 1. Formally the unrounded targets are
 *
 *   t_h = min(N_h, max(m_h, λ·w_h)),   m_h = 1 (or 0 when the minimum cannot be honoured),
 *
 * with w_h the weight above and λ chosen so that Σ t_h = n. Under Neyman allocation, strata with
 * S_h = 0 stay at the minimum unless the other strata are exhausted, in which case the remainder is
 * spread over them in proportion to size.
 *
 * Rounding: largest remainder (Hamilton) — each stratum gets ⌊t_h⌋ and the leftover units go one each
 * to the largest fractional parts (ties to the larger stratum, then to the earlier one). The result
 * sums to exactly n, respects the minimum, and never exceeds a stratum's size.
 *
 * @returns sample sizes n_h in the order of `strata`
 * @throws RangeError if sizes are not non-negative integers, n is not an integer in 0..ΣN_h, or an sd
 *   is missing/negative for Neyman allocation.
 */
export function stratifiedAllocation(
  strata: readonly AllocationStratum[],
  n: number,
  method: 'proportional' | 'neyman',
): number[] {
  if (method !== 'proportional' && method !== 'neyman') {
    throw new RangeError(`allocation method must be 'proportional' or 'neyman', got ${show(method)}`);
  }
  if (strata.length === 0) throw new RangeError('at least one stratum is required');
  let total = 0;
  strata.forEach((s, h) => {
    requireInteger(`strata[${h}].size`, s.size, 0);
    total += s.size;
  });
  requireInteger('n', n, 0);
  if (n > total)
    throw new RangeError(`sample size n (${n}) exceeds the total population of the strata (${total})`);

  const sizes = strata.map((s) => s.size);
  let weights = sizes.slice();
  if (method === 'neyman') {
    weights = strata.map((s, h) => {
      const sd = s.sd;
      if (typeof sd !== 'number' || !Number.isFinite(sd) || sd < 0) {
        throw new RangeError(
          `strata[${h}].sd must be a finite number ≥ 0 for Neyman allocation, got ${show(sd)}`,
        );
      }
      return s.size * sd;
    });
    if (weights.every((w) => w === 0)) weights = sizes.slice();
  }

  const nonEmpty = sizes.filter((s) => s > 0).length;
  const minimum = sizes.map((s) => (n >= nonEmpty && s > 0 ? 1 : 0));
  // Capacity reachable through positive weights; beyond it, zero-weight strata absorb the rest by size.
  const reachable = sizes.reduce((acc, s, h) => acc + ((weights[h] ?? 0) > 0 ? s : (minimum[h] ?? 0)), 0);
  let targets: number[];
  if (n <= reachable) {
    targets = waterFill(n, weights, minimum, sizes);
  } else {
    const zeroWeight = weights.map((w, h) => (w > 0 ? 0 : (sizes[h] ?? 0)));
    const lo = weights.map((w, h) => (w > 0 ? (sizes[h] ?? 0) : (minimum[h] ?? 0)));
    targets = waterFill(n, zeroWeight, lo, sizes);
  }

  const alloc = targets.map((t) => Math.floor(t + 1e-9));
  let leftover = n - alloc.reduce((acc, v) => acc + v, 0);
  const order = targets
    .map((t, h) => ({ h, frac: t - (alloc[h] ?? 0) }))
    .sort((x, y) => y.frac - x.frac || (sizes[y.h] ?? 0) - (sizes[x.h] ?? 0) || x.h - y.h);
  // First pass: largest remainders; later passes (only after floating-point slack) go round again.
  for (let pass = 0; leftover > 0 && pass < 3; pass++) {
    for (const { h } of order) {
      if (leftover <= 0) break;
      if ((alloc[h] ?? 0) < (sizes[h] ?? 0)) {
        alloc[h] = (alloc[h] ?? 0) + 1;
        leftover--;
      }
    }
  }
  for (let i = order.length - 1; leftover < 0 && i >= 0; i--) {
    const h = order[i]?.h ?? 0;
    if ((alloc[h] ?? 0) > (minimum[h] ?? 0)) {
      alloc[h] = (alloc[h] ?? 0) - 1;
      leftover++;
    }
  }
  return alloc;
}

/** A stratum of a completed review: population size, records reviewed, and positives found. */
export interface ReviewedStratum {
  /** N_h, records in the stratum. */
  size: number;
  /** n_h, records reviewed (simple random sample without replacement), 1 ≤ n_h ≤ N_h. */
  sampled: number;
  /** x_h, reviewed records found positive, 0 ≤ x_h ≤ n_h. */
  positives: number;
}

/** Stratified prevalence estimate with a normal-approximation interval. */
export interface StratifiedProportionResult extends ProportionInterval {
  standardError: number;
  /** Cautions to print next to the interval (e.g. strata with no positives). */
  notes: string[];
}

/**
 * Stratified estimate of a prevalence (Cochran 1977, ch. 5, stratified sampling for proportions):
 *
 *   p̂_st = Σ W_h p̂_h,   W_h = N_h / N,   p̂_h = x_h / n_h,
 *   v(p̂_st) = Σ W_h² (1 − n_h/N_h) p̂_h (1 − p̂_h) / (n_h − 1),
 *
 * the unbiased variance estimator under simple random sampling without replacement within strata, and
 * the normal interval p̂_st ± z_{1−α/2} √v, clamped to [0, 1]. A fully enumerated stratum (n_h = N_h)
 * contributes no variance and may have n_h = 1; otherwise n_h ≥ 2 is required.
 *
 * The normal interval is unreliable when positives are rare; a note is added when any stratum had zero
 * positives (its variance term is then 0, which understates the uncertainty there).
 */
export function stratifiedProportion(
  strata: readonly ReviewedStratum[],
  confidence = 0.95,
): StratifiedProportionResult {
  requireConfidence(confidence);
  if (strata.length === 0) throw new RangeError('at least one stratum is required');
  let N = 0;
  strata.forEach((s, h) => {
    requireInteger(`strata[${h}].size`, s.size, 1);
    requireInteger(`strata[${h}].sampled`, s.sampled, 1);
    requireInteger(`strata[${h}].positives`, s.positives, 0);
    if (s.sampled > s.size) {
      throw new RangeError(`strata[${h}]: sampled (${s.sampled}) cannot exceed size (${s.size})`);
    }
    if (s.positives > s.sampled) {
      throw new RangeError(`strata[${h}]: positives (${s.positives}) cannot exceed sampled (${s.sampled})`);
    }
    if (s.sampled < 2 && s.sampled < s.size) {
      throw new RangeError(
        `strata[${h}]: at least 2 records must be reviewed to estimate its variance (or all ${s.size} of them)`,
      );
    }
    N += s.size;
  });

  let estimate = 0;
  let variance = 0;
  const zeroStrata: number[] = [];
  strata.forEach((s, h) => {
    const W = s.size / N;
    const p = s.positives / s.sampled;
    estimate += W * p;
    if (s.sampled < s.size) {
      variance += (W * W * (1 - s.sampled / s.size) * p * (1 - p)) / (s.sampled - 1);
    }
    if (s.positives === 0) zeroStrata.push(h);
  });
  const se = Math.sqrt(variance);
  const z = normalCriticalValue(confidence);
  const notes: string[] = [];
  if (zeroStrata.length > 0) {
    const which =
      zeroStrata.length === strata.length
        ? 'every stratum'
        : zeroStrata.map((h) => `strata[${h}]`).join(', ');
    notes.push(
      `No positives were found in ${which}: a stratum with no positives contributes zero variance, so the ` +
        'normal interval understates the uncertainty there (consider an exact zero-found bound for it).',
    );
  }
  return {
    estimate,
    lower: Math.max(0, estimate - z * se),
    upper: Math.min(1, estimate + z * se),
    method: 'Stratified estimate with normal-approximation interval',
    confidence,
    standardError: se,
    notes,
  };
}

/** A count of affected records projected from a prevalence interval. */
export interface ProjectedCount {
  /** estimate × N, rounded to the nearest record. */
  expected: number;
  /** lower × N, rounded down. */
  lower: number;
  /** upper × N, rounded up. */
  upper: number;
}

/**
 * Projects a prevalence interval onto a population of N records: expected = round(p̂·N),
 * lower = ⌊L·N⌋, upper = ⌈U·N⌉ (rounded outward so the count interval never claims more precision than
 * the proportion interval; values within a relative 1e-9 of an integer are not pushed outward).
 */
export function projectCount(
  interval: Pick<ProportionInterval, 'estimate' | 'lower' | 'upper'>,
  population: number,
): ProjectedCount {
  requireInteger('population', population, 0);
  for (const key of ['estimate', 'lower', 'upper'] as const) {
    const v = interval[key];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw new RangeError(`interval.${key} must be a proportion in [0, 1], got ${show(v)}`);
    }
  }
  if (interval.lower > interval.upper) {
    throw new RangeError(`interval.lower (${interval.lower}) exceeds interval.upper (${interval.upper})`);
  }
  return {
    expected: Math.round(interval.estimate * population),
    lower: Math.max(0, tolerantFloor(interval.lower * population)),
    upper: Math.min(population, tolerantCeil(interval.upper * population)),
  };
}
