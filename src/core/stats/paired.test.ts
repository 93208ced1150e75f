/**
 * Reference values and how they were obtained:
 * - McNemar exact: scipy.stats.binomtest(b, b + c, 0.5).pvalue (SciPy 1.17.1); mid-p:
 *   2·(binom.cdf(k, n, .5) − ½·binom.pmf(k, n, .5)). b = 12, c = 3 by hand: 2·576/32768 = 0.03515625.
 * - Newcombe paired (method 10): the worked example in Fagerland, Lydersen & Laake, "Statistical
 *   Analysis of Contingency Tables" (2017), ch. 8 (Cavo et al. 2012: 59, 6, 16, 80 →
 *   −0.0621, 95% CI −0.1186 to −0.0046), which is also the expected output in the R package
 *   contingencytables' test suite; full-precision values from an independent Python implementation
 *   with scipy.stats.norm.ppf for the Wilson limits.
 * - Newcombe unpaired (method 10): Newcombe (1998) Stat Med 17:873, worked example 56/70 − 48/80 =
 *   0.2000, 95% CI 0.0524 to 0.3339, and the other Table II examples, computed in Python as above.
 * - Paired t: scipy.stats.ttest_1samp(d, 0).confidence_interval(c).
 * - Bootstrap: an independent Python re-implementation of the documented algorithm (FNV-1a →
 *   SplitMix64 → xoshiro256** → nextInt rejection → resample means) with numpy.percentile (linear,
 *   Hyndman–Fan 7).
 */
import { describe, expect, it } from 'vitest';
import {
  bootstrapMeanInterval,
  mcnemarExact,
  mcnemarMidP,
  newcombePairedDifference,
  newcombeUnpairedDifference,
  pairedMeanDifference,
  tostPairedProportions,
} from './paired.ts';

function close(actual: number, expected: number, tol = 1e-12): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(Math.abs(expected), 1));
}

describe('McNemar', () => {
  it('gives p = 0.03515625 for b = 12, c = 3', () => {
    const r = mcnemarExact(12, 3);
    expect(r.pValue).toBeCloseTo(0.03515625, 15);
    expect(r.discordant).toBe(15);
    expect(mcnemarExact(3, 12).pValue).toBeCloseTo(0.03515625, 15);
  });

  it.each([
    // [b, c, exact p (binomtest), mid-p]
    [12, 3, 0.03515625, 0.02127075195312501],
    [0, 10, 0.001953125, 0.000976562500000001],
    [5, 5, 1.0, 1.0],
    [40, 60, 0.05688793364098089, 0.04604406692934291],
    [0, 1, 1.0, 0.4999999999999999],
    [1000, 1100, 0.03072070786424249, 0.029110633685909233],
  ])('b = %s, c = %s', (b, c, exact, mid) => {
    close(mcnemarExact(b, c).pValue, exact, 1e-12);
    close(mcnemarMidP(b, c).pValue, mid, 1e-12);
  });

  it('returns 1 when there are no discordant pairs', () => {
    expect(mcnemarExact(0, 0).pValue).toBe(1);
    expect(mcnemarMidP(0, 0).pValue).toBe(1);
  });

  it('rejects negative or fractional counts', () => {
    expect(() => mcnemarExact(-1, 3)).toThrow(RangeError);
    expect(() => mcnemarMidP(1.5, 3)).toThrow(/b must be an integer/);
  });
});

describe('newcombePairedDifference (suspect − baseline)', () => {
  it('reproduces the Fagerland–Lydersen–Laake worked example (Cavo et al. 2012)', () => {
    // Their table has first-measurement positives in rows: 59 (both), 6 (first only), 16 (second only),
    // 80 (neither). Taking "first" as suspect: a = 59, b = 16 (baseline only), c = 6 (suspect only).
    const r = newcombePairedDifference(59, 16, 6, 80, 0.95);
    expect(r.estimate.toFixed(4)).toBe('-0.0621');
    expect(r.lower.toFixed(4)).toBe('-0.1186');
    expect(r.upper.toFixed(4)).toBe('-0.0046');
    close(r.lower, -0.11862119563870996);
    close(r.upper, -0.00462511393305004);
    close(r.phi, 0.7161737195063973);
  });

  it('uses the sign convention (c − b)/n', () => {
    const r = newcombePairedDifference(53, 8, 16, 9);
    close(r.estimate, 8 / 86, 1e-15);
    close(r.suspect, 69 / 86, 1e-15);
    close(r.baseline, 61 / 86, 1e-15);
    // mirrored table: swapping b and c mirrors the interval
    const m = newcombePairedDifference(53, 16, 8, 9);
    close(m.lower, -r.upper, 1e-14);
    close(m.upper, -r.lower, 1e-14);
  });

  it.each([
    // [a, b, c, d, confidence, estimate, lower, upper] — independent Python implementation
    [53, 8, 16, 9, 0.95, 0.09302325581395343, -0.020104076887636144, 0.2039158352504531],
    [53, 8, 16, 9, 0.9, 0.09302325581395343, -0.0018343368969919172, 0.1863144527306711],
    [1, 7, 1, 12, 0.95, -0.2857142857142857, -0.506920226686141, -0.025559124164859837],
    [10, 0, 0, 0, 0.95, 0.0, -0.27753279986288915, 0.27753279986288915],
    [0, 0, 0, 5, 0.95, 0.0, -0.43448246478317476, 0.43448246478317476],
    [0, 3, 0, 0, 0.95, -1.0, -1.0, -0.2059232824597783],
    [20, 5, 5, 20, 0.95, 0.0, -0.12528556105688685, 0.12528556105688685],
    [30, 1, 9, 2, 0.95, 0.19047619047619047, 0.04196690909085449, 0.3395961153150888],
  ])('a=%s b=%s c=%s d=%s at %s', (a, b, c, d, conf, estimate, lower, upper) => {
    const r = newcombePairedDifference(a, b, c, d, conf);
    close(r.estimate, estimate);
    close(r.lower, lower);
    close(r.upper, upper);
    expect(r.n).toBe(a + b + c + d);
  });

  it('rejects an empty table and bad cells', () => {
    expect(() => newcombePairedDifference(0, 0, 0, 0)).toThrow(/empty/);
    expect(() => newcombePairedDifference(1, -2, 0, 0)).toThrow(RangeError);
    expect(() => newcombePairedDifference(1, 2, 3, 4, 1.2)).toThrow(RangeError);
  });
});

describe('newcombeUnpairedDifference', () => {
  it('reproduces Newcombe (1998) 56/70 − 48/80', () => {
    const r = newcombeUnpairedDifference(56, 70, 48, 80, 0.95);
    expect(r.estimate.toFixed(4)).toBe('0.2000');
    expect(r.lower.toFixed(4)).toBe('0.0524');
    expect(r.upper.toFixed(4)).toBe('0.3339');
  });

  it.each([
    // [x1, n1, x2, n2, confidence, lower, upper] — Python, as in the header
    [56, 70, 48, 80, 0.95, 0.052431472402364815, 0.3338726540369059],
    [56, 70, 48, 80, 0.99, 0.005370869250078403, 0.3718084317757736],
    [9, 10, 3, 10, 0.95, 0.17052272393450302, 0.809017973535488],
    [6, 7, 2, 7, 0.95, 0.058227927482312314, 0.8062496375242277],
    [5, 56, 0, 29, 0.95, -0.03813714790353688, 0.1925600138551116],
    [0, 10, 0, 20, 0.95, -0.16112515805281938, 0.2775327998628892],
    [0, 10, 0, 10, 0.95, -0.2775327998628892, 0.2775327998628892],
    [10, 10, 0, 20, 0.95, 0.6790860371419147, 1.0],
    [10, 10, 0, 10, 0.95, 0.6075093504305242, 1.0],
  ])('%s/%s − %s/%s at %s', (x1, n1, x2, n2, conf, lower, upper) => {
    const r = newcombeUnpairedDifference(x1, n1, x2, n2, conf);
    close(r.lower, lower);
    close(r.upper, upper);
    close(r.estimate, x1 / n1 - x2 / n2, 1e-15);
  });

  it('validates each proportion', () => {
    expect(() => newcombeUnpairedDifference(5, 4, 1, 2)).toThrow('x1 (5) cannot exceed n1 (4)');
    expect(() => newcombeUnpairedDifference(1, 4, 1, 0)).toThrow(/n2/);
  });
});

describe('tostPairedProportions', () => {
  it('declares equivalence when the 90% interval is inside the margin', () => {
    // 90% Newcombe interval for a=400, b=6, c=9, d=585 (Python): −0.0035864817577683453 to 0.009588764673394057
    const r = tostPairedProportions({ a: 400, b: 6, c: 9, d: 585 }, 0.02, 0.95);
    expect(r.verdict).toBe('equivalent');
    expect(r.interval.confidence).toBeCloseTo(0.9, 15);
    close(r.interval.lower, -0.0035864817577683453);
    close(r.interval.upper, 0.009588764673394057);
    expect(r.margin).toBe(0.02);
    expect(r.reason).toBe(
      'The 90% Newcombe interval for suspect − baseline (−0.0036 to 0.0096) lies inside ±0.0200, so the positive ' +
        'rates are equivalent within the margin (two one-sided tests at α = 0.05).',
    );
  });

  it('does not declare equivalence when a limit reaches the margin', () => {
    const r = tostPairedProportions({ a: 400, b: 6, c: 9, d: 585 }, 0.005, 0.95);
    expect(r.verdict).toBe('not-equivalent');
    expect(r.reason).toContain('upper limit 0.0096 ≥ 0.0050');
    // a=400, b=20, c=35, d=545: 90% interval 0.0027199056759258083 to 0.02726762853953698 (Python)
    const s = tostPairedProportions({ a: 400, b: 20, c: 35, d: 545 }, 0.02);
    expect(s.verdict).toBe('not-equivalent');
    close(s.interval.upper, 0.02726762853953698);
    expect(s.reason).toContain('is not inside ±0.0200');
  });

  it('validates margin and confidence', () => {
    expect(() => tostPairedProportions({ a: 1, b: 1, c: 1, d: 1 }, 0)).toThrow(/margin/);
    expect(() => tostPairedProportions({ a: 1, b: 1, c: 1, d: 1 }, 1.5)).toThrow(RangeError);
    expect(() => tostPairedProportions({ a: 1, b: 1, c: 1, d: 1 }, 0.1, 0.4)).toThrow(/exceed 0.5/);
  });
});

const DIFFS = [0.12, -0.05, 0.3, 0.08, 0.0, 0.21, -0.11, 0.15, 0.07, 0.02];

describe('pairedMeanDifference', () => {
  it('matches scipy.stats.ttest_1samp confidence intervals', () => {
    const r = pairedMeanDifference(DIFFS, 0.95);
    close(r.estimate, 0.079, 1e-14);
    close(r.sd, 0.1224245799575305, 1e-13);
    close(r.tCritical, 2.262157162798205, 1e-13); // scipy.stats.t.ppf(0.975, 9)
    close(r.lower, -0.008577268733177282, 1e-12);
    close(r.upper, 0.1665772687331773, 1e-12);
    expect(r.df).toBe(9);
    const r99 = pairedMeanDifference(Float64Array.from(DIFFS), 0.99);
    close(r99.lower, -0.046814300281678975, 1e-12);
    close(r99.upper, 0.20481430028167896, 1e-12);
  });

  it('works for n = 2', () => {
    const r = pairedMeanDifference([1, 3]);
    close(r.lower, -10.706204736174694, 1e-13);
    close(r.upper, 14.706204736174694, 1e-13);
  });

  it('needs two finite values', () => {
    expect(() => pairedMeanDifference([1])).toThrow(/at least 2 values/);
    expect(() => pairedMeanDifference([1, NaN])).toThrow(/diffs\[1\]/);
  });
});

describe('bootstrapMeanInterval', () => {
  it('matches an independent implementation of the documented algorithm', () => {
    const r = bootstrapMeanInterval(DIFFS, 0.95, { resamples: 2000, seed: 'boot-seed' });
    close(r.lower, 0.009999999999999998, 1e-14);
    close(r.upper, 0.148, 1e-14);
    close(r.estimate, 0.079, 1e-14);
    const s = bootstrapMeanInterval(DIFFS, 0.9, { resamples: 501, seed: 12345 });
    close(s.lower, 0.014999999999999996, 1e-14);
    close(s.upper, 0.14200000000000002, 1e-14);
  });

  it('is reproducible and seed-dependent', () => {
    const a = bootstrapMeanInterval(DIFFS, 0.95, { seed: 'x' });
    const b = bootstrapMeanInterval(DIFFS, 0.95, { seed: 'x' });
    const c = bootstrapMeanInterval(DIFFS, 0.95, { seed: 'y' });
    expect(a).toEqual(b);
    expect(a.resamples).toBe(10000);
    expect([a.lower, a.upper]).not.toEqual([c.lower, c.upper]);
    // with 10 000 resamples the percentile interval is close to, and a bit narrower than, the t interval
    const t = pairedMeanDifference(DIFFS);
    expect(Math.abs(a.lower - t.lower)).toBeLessThan(0.03);
    expect(Math.abs(a.upper - t.upper)).toBeLessThan(0.03);
  });

  it('validates its inputs', () => {
    expect(() => bootstrapMeanInterval([], 0.95, { seed: 1 })).toThrow(/at least 1 value/);
    expect(() => bootstrapMeanInterval([1, 2], 0.95, { seed: 1, resamples: 0 })).toThrow(/resamples/);
    expect(() => bootstrapMeanInterval([1, 2], 1, { seed: 1 })).toThrow(RangeError);
  });
});
