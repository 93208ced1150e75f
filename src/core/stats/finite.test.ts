/**
 * Reference values: brute force in Python over every K with SciPy 1.17.1,
 *   lower = min K with scipy.stats.hypergeom.sf(x − 1, N, K, n) > α/2,
 *   upper = max K with scipy.stats.hypergeom.cdf(x, N, K, n) > α/2.
 */
import { describe, expect, it } from 'vitest';
import { hypergeometricCountInterval } from './finite.ts';

describe('hypergeometricCountInterval', () => {
  it.each([
    // [x, n, N, confidence, lower, upper]
    [0, 50, 200, 0.95, 0, 12],
    [3, 50, 200, 0.95, 4, 30],
    [12, 137, 500, 0.95, 26, 69],
    [1, 299, 10000, 0.95, 1, 182],
    [0, 299, 10000, 0.95, 0, 120],
    [5, 100, 1000, 0.95, 18, 109],
    [50, 100, 120, 0.95, 55, 65],
    [2, 20, 40, 0.9, 2, 9],
    [7, 30, 4000, 0.99, 294, 1916],
  ])('x = %s of n = %s from N = %s at %s → [%s, %s]', (x, n, N, c, lower, upper) => {
    const r = hypergeometricCountInterval(x, n, N, c);
    expect([r.lower, r.upper]).toEqual([lower, upper]);
    expect(r.estimate).toBeCloseTo((x / n) * N, 12);
  });

  it('is the exact count when every record was reviewed', () => {
    const r = hypergeometricCountInterval(12, 137, 137);
    expect([r.lower, r.upper]).toEqual([12, 12]);
  });

  it('covers the whole population when every reviewed record was positive', () => {
    expect(hypergeometricCountInterval(10, 10, 50).upper).toBe(50);
  });

  it('refuses impossible counts', () => {
    expect(() => hypergeometricCountInterval(3, 2, 10)).toThrow(RangeError);
    expect(() => hypergeometricCountInterval(1, 11, 10)).toThrow(RangeError);
    expect(() => hypergeometricCountInterval(1, 5, 10, 1)).toThrow(RangeError);
  });
});
