/**
 * Exact interval for a count in a finite population: how many of the N records in a window are
 * harmful, given x harmful among n reviewed records drawn without replacement.
 */
import { hypergeometricCdf, hypergeometricSf } from './distributions.ts';
import { requireConfidence, requireInteger } from './validate.ts';

/** An interval for the number K of positives in a population of N. */
export interface CountInterval {
  /** x/n · N, unrounded. */
  estimate: number;
  lower: number;
  upper: number;
  method: string;
  confidence: number;
}

/**
 * Exact confidence interval for the number K of positive items in a population of N, from x positives
 * in a simple random sample of n drawn without replacement, by inverting the hypergeometric test (the
 * finite-population analogue of Clopper–Pearson; J. P. Buonaccorsi, "A note on confidence intervals
 * for proportions in finite populations", The American Statistician 41 (1987) 215–218):
 *
 *   lower = min { K : P(X ≥ x | N, K, n) > α/2 }   (0 when x = 0),
 *   upper = max { K : P(X ≤ x | N, K, n) > α/2 }   (N when x = n),
 *
 * with X hypergeometric and α = 1 − confidence. Both tails are monotone in K, so each bound is found by
 * bisection over x ≤ K ≤ N − (n − x). When n = N (every record reviewed) the interval is [x, x].
 *
 * @throws RangeError unless 1 ≤ n ≤ N, 0 ≤ x ≤ n (integers) and 0 < confidence < 1.
 */
export function hypergeometricCountInterval(
  x: number,
  n: number,
  N: number,
  confidence = 0.95,
): CountInterval {
  requireInteger('N', N, 1);
  requireInteger('n', n, 1);
  requireInteger('x', x, 0);
  if (n > N) throw new RangeError(`n (${n}) cannot exceed N (${N})`);
  if (x > n) throw new RangeError(`x (${x}) cannot exceed n (${n})`);
  requireConfidence(confidence);
  const half = (1 - confidence) / 2;
  const minK = x;
  const maxK = N - (n - x);
  const params = (K: number) => ({ population: N, successes: K, draws: n });
  // Smallest K in [minK, maxK] with P(X ≥ x | K) > α/2 (P(X ≥ x) grows with K).
  let lo = minK;
  let hi = maxK;
  if (x > 0) {
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (hypergeometricSf(x - 1, params(mid)) > half) hi = mid;
      else lo = mid + 1;
    }
  }
  const lower = x === 0 ? 0 : lo;
  // Largest K in [minK, maxK] with P(X ≤ x | K) > α/2 (P(X ≤ x) shrinks as K grows).
  lo = minK;
  hi = maxK;
  if (x < n) {
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (hypergeometricCdf(x, params(mid)) > half) lo = mid;
      else hi = mid - 1;
    }
  }
  const upper = x === n ? N : lo;
  return {
    estimate: (x / n) * N,
    lower,
    upper,
    method: 'Exact hypergeometric interval for a finite-population count (Buonaccorsi 1987)',
    confidence,
  };
}
