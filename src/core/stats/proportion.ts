/**
 * Confidence intervals for a single binomial proportion x/n (e.g. the share of harmful outputs in a
 * reviewed sample).
 *
 * Recommendation for reports: Wilson for a point-and-interval summary (good coverage, never outside
 * [0, 1]); Clopper–Pearson when a guaranteed (conservative) coverage is required; the exact
 * zero-found bound when a review found nothing and the question is "how bad could it still be?".
 */
import { betaQuantile, normalCriticalValue } from './distributions.ts';
import { requireConfidence, requireCount, requireInteger } from './validate.ts';

/** An interval estimate of a proportion. All numbers are proportions in [0, 1]. */
export interface ProportionInterval {
  /** Point estimate (x/n for the methods here). */
  estimate: number;
  lower: number;
  upper: number;
  /** Human-readable name of the method, suitable for a report ("Wilson score interval"). */
  method: string;
  /** Confidence level the interval was computed at, e.g. 0.95. */
  confidence: number;
}

/**
 * Wilson score interval (E. B. Wilson, "Probable inference, the law of succession, and statistical
 * inference", JASA 22 (1927) 209–212; method 3 in R. G. Newcombe, "Two-sided confidence intervals for
 * the single proportion: comparison of seven methods", Stat Med 17 (1998) 857–872):
 *
 *   (x + z²/2 ± z √(x(n − x)/n + z²/4)) / (n + z²),   z = Φ⁻¹(1 − α/2), α = 1 − confidence.
 *
 * The interval is the set of p for which the score test of H₀: p does not reject. At x = 0 the lower
 * limit is exactly 0 and at x = n the upper limit is exactly 1 (set explicitly to avoid rounding).
 *
 * @throws RangeError unless n ≥ 1, x is an integer in 0..n and 0 < confidence < 1.
 */
export function wilson(x: number, n: number, confidence = 0.95): ProportionInterval {
  requireCount(x, n);
  requireConfidence(confidence);
  const z = normalCriticalValue(confidence);
  const z2 = z * z;
  const centre = (x + z2 / 2) / (n + z2);
  const half = (z * Math.sqrt((x * (n - x)) / n + z2 / 4)) / (n + z2);
  return {
    estimate: x / n,
    lower: x === 0 ? 0 : Math.max(0, centre - half),
    upper: x === n ? 1 : Math.min(1, centre + half),
    method: 'Wilson score interval',
    confidence,
  };
}

/**
 * Clopper–Pearson "exact" interval (C. J. Clopper & E. S. Pearson, "The use of confidence or fiducial
 * limits illustrated in the case of the binomial", Biometrika 26 (1934) 404–413), via the beta–binomial
 * identity P(X ≥ x | p) = I_p(x, n − x + 1):
 *
 *   lower = B⁻¹(α/2; x, n − x + 1)   (0 when x = 0),
 *   upper = B⁻¹(1 − α/2; x + 1, n − x)   (1 when x = n),
 *
 * where B⁻¹(q; a, b) is the Beta(a, b) quantile. Each tail has probability at most α/2, so coverage is
 * at least the nominal level (conservative).
 *
 * @throws RangeError unless n ≥ 1, x is an integer in 0..n and 0 < confidence < 1.
 */
export function clopperPearson(x: number, n: number, confidence = 0.95): ProportionInterval {
  requireCount(x, n);
  requireConfidence(confidence);
  const alpha = 1 - confidence;
  return {
    estimate: x / n,
    lower: x === 0 ? 0 : betaQuantile(alpha / 2, x, n - x + 1),
    upper: x === n ? 1 : betaQuantile(1 - alpha / 2, x + 1, n - x),
    method: 'Clopper–Pearson exact interval',
    confidence,
  };
}

/**
 * The "rule of three" (J. A. Hanley & A. Lippman-Hand, "If nothing goes wrong, is everything all
 * right?", JAMA 249 (1983) 1743–1745): when 0 of n reviewed items are positive, 3/n is an approximate
 * one-sided 95% upper bound for the proportion, because −ln(0.05) ≈ 2.996 ≈ 3 (compare
 * zeroFoundUpperBound, which is exact). Reported with confidence 0.95; the upper bound is capped at 1.
 *
 * @throws RangeError unless n is an integer ≥ 1.
 */
export function ruleOfThree(n: number): ProportionInterval {
  requireInteger('n', n, 1);
  return {
    estimate: 0,
    lower: 0,
    upper: Math.min(1, 3 / n),
    method: 'Rule of three (approximate one-sided 95% upper bound when none of n were positive)',
    confidence: 0.95,
  };
}

/**
 * Exact one-sided upper confidence bound for a proportion when 0 of n are positive: the largest p with
 * P(X = 0 | p) = (1 − p)^n ≥ 1 − c, i.e.
 *
 *   upper = 1 − (1 − c)^(1/n)
 *
 * (this is the one-sided Clopper–Pearson bound; it equals the two-sided Clopper–Pearson upper limit at
 * x = 0 for confidence 2c − 1). Computed as −expm1(ln(1 − c)/n) to keep precision for large n.
 *
 * @throws RangeError unless n is an integer ≥ 1 and 0 < confidence < 1.
 */
export function zeroFoundUpperBound(n: number, confidence = 0.95): ProportionInterval {
  requireInteger('n', n, 1);
  requireConfidence(confidence);
  return {
    estimate: 0,
    lower: 0,
    upper: -Math.expm1(Math.log1p(-confidence) / n),
    method: 'Exact one-sided upper bound with none found, 1 − (1 − c)^(1/n)',
    confidence,
  };
}
