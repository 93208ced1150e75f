/**
 * Reference values: the commonly quoted 3–4 decimal figures (Wilson 10/10 → [0.722, 1], 0/10 → upper
 * 0.2775; Clopper–Pearson 0/10 → upper 0.3085, 5/10 → [0.1871, 0.8129]), and full-precision values
 * computed with SciPy 1.17.1:
 *   Wilson — the closed form evaluated in Python with z = scipy.stats.norm.ppf(1 − α/2);
 *   Clopper–Pearson — scipy.stats.beta.ppf(α/2, x, n − x + 1) and beta.ppf(1 − α/2, x + 1, n − x)
 *   (scipy.stats.binomtest(x, n).proportion_ci(method='exact') agrees to ~1e-11 except where its
 *   root finder is coarse, e.g. x = 1, n = 10⁶);
 *   zero-found bound — 1 − (1 − c)^(1/n) in Python and scipy.stats.beta.ppf(c, 1, n).
 */
import { describe, expect, it } from 'vitest';
import { clopperPearson, ruleOfThree, wilson, zeroFoundUpperBound } from './proportion.ts';

function close(actual: number, expected: number, tol = 1e-12): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(Math.abs(expected), 1e-300));
}

describe('wilson', () => {
  it('matches the published 10/10 and 0/10 intervals', () => {
    const all = wilson(10, 10, 0.95);
    expect(all.lower.toFixed(3)).toBe('0.722');
    expect(all.upper).toBe(1);
    const none = wilson(0, 10, 0.95);
    expect(none.lower).toBe(0);
    expect(none.upper.toFixed(4)).toBe('0.2775');
  });

  it.each([
    // [x, n, confidence, lower, upper] — Python closed form with scipy.stats.norm.ppf
    [10, 10, 0.95, 0.7224672001371109, 1.0],
    [0, 10, 0.95, 0.0, 0.2775327998628892],
    [5, 10, 0.95, 0.236593090512564, 0.7634069094874361],
    [1, 1, 0.95, 0.20654931437723745, 1.0],
    [0, 1, 0.95, 0.0, 0.7934506856227626],
    [3, 7, 0.99, 0.11637368051613817, 0.8102850959116125],
    [56, 70, 0.95, 0.6918335550374693, 0.8769526075163704],
    [1, 1000, 0.95, 0.00017654637062607809, 0.0056425585979579355],
  ])('%s/%s at %s', (x, n, c, lower, upper) => {
    const r = wilson(x, n, c);
    close(r.lower, lower);
    close(r.upper, upper);
    expect(r.estimate).toBe(x / n);
    expect(r.confidence).toBe(c);
    expect(r.method).toBe('Wilson score interval');
  });
});

describe('clopperPearson', () => {
  it('matches the published 0/10 and 5/10 intervals', () => {
    expect(clopperPearson(0, 10).upper.toFixed(4)).toBe('0.3085');
    const half = clopperPearson(5, 10);
    expect(half.lower.toFixed(4)).toBe('0.1871');
    expect(half.upper.toFixed(4)).toBe('0.8129');
  });

  it.each([
    // [x, n, confidence, lower, upper] — scipy.stats.beta.ppf as in the header
    [0, 10, 0.95, 0.0, 0.3084971078187607],
    [5, 10, 0.95, 0.18708602844739855, 0.8129139715526015], // beta.ppf(0.975, 6, 5) = 0.8129…
    [10, 10, 0.95, 0.6915028921812392, 1.0],
    [1, 1, 0.95, 0.025000000000000022, 1.0],
    [0, 1, 0.95, 0.0, 0.975],
    [3, 7, 0.99, 0.05529934998056629, 0.882296248331048],
    [1, 1000, 0.95, 2.5317487491294065e-5, 0.005558924279826672],
    [999, 1000, 0.95, 0.9944410757201734, 0.9999746825125088],
    [50, 100000, 0.95, 0.00037113170178349413, 0.0006591351958693719],
    // lower = 1 − (1 − 0.0005)^(1/10⁶) exactly; binomtest's root finder gives 5.00141e-10 here
    [1, 1000000, 0.999, 5.001250415572358e-10, 9.998632510311352e-6],
  ])('%s/%s at %s', (x, n, c, lower, upper) => {
    const r = clopperPearson(x, n, c);
    close(r.lower, lower, 1e-11);
    close(r.upper, upper, 1e-11);
    expect(r.method).toBe('Clopper–Pearson exact interval');
  });

  it('pins the ends: x = 0 → lower 0, x = n → upper 1', () => {
    expect(clopperPearson(0, 37, 0.9).lower).toBe(0);
    expect(clopperPearson(37, 37, 0.9).upper).toBe(1);
    // n = 1, x = 1: lower = (α/2)^(1/1) = 0.025
    close(clopperPearson(1, 1).lower, 0.025, 1e-14);
  });

  it('is never narrower than Wilson at the ends', () => {
    expect(clopperPearson(0, 20).upper).toBeGreaterThan(wilson(0, 20).upper);
    expect(clopperPearson(20, 20).lower).toBeLessThan(wilson(20, 20).lower);
  });
});

describe('zero-found bounds', () => {
  it('rule of three is 3/n at 95%', () => {
    const r = ruleOfThree(300);
    expect(r.upper).toBe(0.01);
    expect(r.lower).toBe(0);
    expect(r.estimate).toBe(0);
    expect(r.confidence).toBe(0.95);
    expect(ruleOfThree(2).upper).toBe(1); // 3/2 capped at 1
  });

  it.each([
    // [n, c, 1 − (1 − c)^(1/n)] — Python, cross-checked with scipy.stats.beta.ppf(c, 1, n)
    [10, 0.95, 0.2588655508930522],
    [299, 0.95, 0.009969146792899269],
    [1, 0.95, 0.95],
    [1000, 0.99, 0.004594582648473037],
    [3, 0.5, 0.20629947401590026],
  ])('n = %s at %s', (n, c, upper) => {
    const r = zeroFoundUpperBound(n, c);
    close(r.upper, upper, 1e-14);
    expect(r.lower).toBe(0);
  });

  it('exact bound equals the two-sided Clopper–Pearson upper limit at level 2c − 1', () => {
    close(zeroFoundUpperBound(10, 0.975).upper, clopperPearson(0, 10, 0.95).upper, 1e-13);
  });

  it('rule of three approximates the exact bound for large n', () => {
    expect(Math.abs(ruleOfThree(1000).upper - zeroFoundUpperBound(1000, 0.95).upper)).toBeLessThan(1e-5);
  });
});

describe('input validation', () => {
  it.each([
    ['x > n', () => wilson(11, 10)],
    ['negative x', () => wilson(-1, 10)],
    ['fractional x', () => clopperPearson(1.5, 10)],
    ['n = 0', () => clopperPearson(0, 0)],
    ['NaN n', () => wilson(1, NaN)],
    ['confidence 1', () => wilson(1, 10, 1)],
    ['confidence 0', () => clopperPearson(1, 10, 0)],
    ['confidence 95', () => clopperPearson(1, 10, 95)],
    ['rule of three n = 0', () => ruleOfThree(0)],
    ['zero-found n = 2.5', () => zeroFoundUpperBound(2.5)],
  ])('throws RangeError for %s', (_label, fn) => {
    expect(fn).toThrow(RangeError);
  });

  it('explains the problem in the message', () => {
    expect(() => wilson(11, 10)).toThrow('x (11) cannot exceed n (10)');
    expect(() => wilson(1, 10, 95)).toThrow(
      'confidence must be strictly between 0 and 1 (e.g. 0.95), got 95',
    );
  });
});
