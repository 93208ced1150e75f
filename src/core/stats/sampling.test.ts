/**
 * Reference values:
 * - discovery sample sizes: brute-force search in Python for the smallest n with
 *   scipy.stats.binom.pmf(0, n, p) ≤ 1 − c (infinite population) or
 *   scipy.stats.hypergeom.pmf(0, N, K, n) ≤ 1 − c with K = ⌈pN⌉ (finite population), SciPy 1.17.1;
 *   the 1%/95% → 299 figure is the standard one (ln 0.05 / ln 0.99 = 298.07).
 * - stratified estimates: the Cochran formulas evaluated in Python with scipy.stats.norm.ppf.
 * - allocations: worked by hand (shown next to each case).
 */
import { describe, expect, it } from 'vitest';
import { wilson } from './proportion.ts';
import { discoverySampleSize, projectCount, stratifiedAllocation, stratifiedProportion } from './sampling.ts';

function close(actual: number, expected: number, tol = 1e-12): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(Math.abs(expected), 1e-300));
}

describe('discoverySampleSize', () => {
  it('needs 299 records to detect 1% prevalence with 95% confidence', () => {
    expect(discoverySampleSize(0.01, 0.95)).toBe(299);
  });

  it.each([
    // [prevalence, confidence, n] — smallest n with binom.pmf(0, n, p) ≤ 1 − c
    [0.05, 0.95, 59],
    [0.01, 0.99, 459],
    [0.001, 0.95, 2995],
    [0.1, 0.9, 22],
    [0.02, 0.8, 80],
  ])('infinite population, p = %s, c = %s', (p, c, n) => {
    expect(discoverySampleSize(p, c)).toBe(n);
  });

  it('does not round an exact boundary up: (1 − ½)² = 1 − ¾', () => {
    expect(discoverySampleSize(0.5, 0.75)).toBe(2);
  });

  it.each([
    // [prevalence, confidence, N, n] — smallest n with hypergeom.pmf(0, N, ⌈pN⌉, n) ≤ 1 − c
    [0.01, 0.95, 1000, 258], // K = 10: P0(258) = 0.04980, P0(257) = 0.05048
    [0.01, 0.95, 300, 189], // K = 3
    [0.05, 0.95, 100, 45], // K = 5
    [0.01, 0.95, 10000, 294], // K = 100
    [0.001, 0.95, 1000000, 2990], // K = 1000
    [0.07, 0.95, 100, 34], // K = 7 (0.07 · 100 = 7.000000000000001 in floating point, not 8)
    [0.01, 0.99, 500, 300], // K = 5
    [0.5, 0.95, 10, 4], // K = 5
    [0.2, 0.999, 10, 9], // K = 2: only a draw of N − K + 1 = 9 is certain to hit
  ])('finite population, p = %s, c = %s, N = %s', (p, c, N, n) => {
    expect(discoverySampleSize(p, c, N)).toBe(n);
  });

  it.each([
    // [prevalence, confidence, N, n] — bisection in mpmath (50 digits) on ∏_{j<K} (1 − n/(N − j))
    [2e-9, 0.95, 1e9, 776393202], // K = 2: P0(n) = 0.04999999994, P0(n − 1) = 0.05000000039
    [1e-6, 0.95, 1e8, 2951304], // K = 100
    [1e-9, 0.99, 1e9, 990000000], // K = 1: P0(n) = (N − n)/N = 0.01 exactly at the answer
  ])('large population, p = %s, c = %s, N = %s', (p, c, N, n) => {
    const start = performance.now();
    expect(discoverySampleSize(p, c, N)).toBe(n);
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('never needs more than the infinite-population size', () => {
    expect(discoverySampleSize(0.01, 0.95, 10_000_000)).toBeLessThanOrEqual(299);
    expect(discoverySampleSize(0.01, 0.95, 10_000_000)).toBeGreaterThanOrEqual(298);
  });

  it('treats a population of 1 sensibly', () => {
    expect(discoverySampleSize(0.3, 0.95, 1)).toBe(1);
  });

  it('rejects invalid input', () => {
    expect(() => discoverySampleSize(0, 0.95)).toThrow(/prevalence/);
    expect(() => discoverySampleSize(1, 0.95)).toThrow(RangeError);
    expect(() => discoverySampleSize(0.01, 1)).toThrow(/confidence/);
    expect(() => discoverySampleSize(0.01, 0.95, 0)).toThrow(/population/);
    expect(() => discoverySampleSize(0.01, 0.95, 10.5)).toThrow(RangeError);
    expect(() => discoverySampleSize(1e-300, 0.95)).toThrow(/too small/);
  });
});

describe('stratifiedAllocation', () => {
  it('allocates proportionally', () => {
    expect(
      stratifiedAllocation([{ size: 5000 }, { size: 3000 }, { size: 2000 }], 100, 'proportional'),
    ).toEqual([50, 30, 20]);
  });

  it('rounds by largest remainder', () => {
    // targets 1.667, 3.333, 5 → floors 1, 3, 5 and the spare unit to the largest remainder (0.667)
    expect(stratifiedAllocation([{ size: 100 }, { size: 200 }, { size: 300 }], 10, 'proportional')).toEqual([
      2, 3, 5,
    ]);
    // equal remainders and sizes: the earlier stratum wins
    expect(stratifiedAllocation([{ size: 10 }, { size: 10 }, { size: 10 }], 4, 'proportional')).toEqual([
      2, 1, 1,
    ]);
  });

  it('gives every non-empty stratum at least one record when n allows', () => {
    // targets 19.98 and 0.02 → the small stratum is raised to 1 and the rest re-spread
    expect(stratifiedAllocation([{ size: 10000 }, { size: 10 }], 20, 'proportional')).toEqual([19, 1]);
    // with fewer records than strata the minimum cannot hold: 4 × 0.5 → ties to the earlier strata
    expect(
      stratifiedAllocation([{ size: 10 }, { size: 10 }, { size: 10 }, { size: 10 }], 2, 'proportional'),
    ).toEqual([1, 1, 0, 0]);
    expect(stratifiedAllocation([{ size: 0 }, { size: 10 }, { size: 20 }], 6, 'proportional')).toEqual([
      0, 2, 4,
    ]);
  });

  it('allocates by Neyman (n_h ∝ N_h S_h)', () => {
    // weights 400·0.5 = 200 and 600·0.2 = 120 → 62.5 and 37.5; the tie goes to the larger stratum
    expect(
      stratifiedAllocation(
        [
          { size: 400, sd: 0.5 },
          { size: 600, sd: 0.2 },
        ],
        100,
        'neyman',
      ),
    ).toEqual([62, 38]);
  });

  it('caps an over-allocated stratum at its size and re-spreads the rest', () => {
    // weights 100 and 100 → 25/25, but the first stratum only has 10 records
    expect(
      stratifiedAllocation(
        [
          { size: 10, sd: 10 },
          { size: 1000, sd: 0.1 },
        ],
        50,
        'neyman',
      ),
    ).toEqual([10, 40]);
  });

  it('keeps the minimum of one even when another stratum would take everything', () => {
    expect(
      stratifiedAllocation(
        [
          { size: 5, sd: 1000 },
          { size: 100, sd: 1e-4 },
          { size: 100, sd: 1e-4 },
        ],
        6,
        'neyman',
      ),
    ).toEqual([4, 1, 1]);
  });

  it('spreads the remainder over zero-variance strata once the others are exhausted', () => {
    expect(
      stratifiedAllocation(
        [
          { size: 5, sd: 1 },
          { size: 100, sd: 0 },
        ],
        50,
        'neyman',
      ),
    ).toEqual([5, 45]);
    // all S_h = 0 → proportional
    expect(
      stratifiedAllocation(
        [
          { size: 300, sd: 0 },
          { size: 100, sd: 0 },
        ],
        8,
        'neyman',
      ),
    ).toEqual([6, 2]);
  });

  it('always sums to n and respects the sizes', () => {
    const strata = [
      { size: 7, sd: 0.3 },
      { size: 1, sd: 0.5 },
      { size: 13, sd: 0 },
      { size: 2500, sd: 0.05 },
    ];
    for (const n of [0, 1, 3, 4, 5, 17, 100, 2521]) {
      for (const method of ['proportional', 'neyman'] as const) {
        const alloc = stratifiedAllocation(strata, n, method);
        expect(alloc.reduce((a, b) => a + b, 0)).toBe(n);
        alloc.forEach((v, h) => {
          expect(v).toBeGreaterThanOrEqual(n >= 4 ? 1 : 0);
          expect(v).toBeLessThanOrEqual(strata[h]!.size);
        });
      }
    }
  });

  it('rejects invalid input', () => {
    expect(() => stratifiedAllocation([], 1, 'proportional')).toThrow(/at least one stratum/);
    expect(() => stratifiedAllocation([{ size: 10 }], 11, 'proportional')).toThrow(/exceeds/);
    expect(() => stratifiedAllocation([{ size: -1 }], 0, 'proportional')).toThrow(/size/);
    expect(() => stratifiedAllocation([{ size: 10 }], 5, 'neyman')).toThrow(/sd/);
    expect(() => stratifiedAllocation([{ size: 10, sd: -1 }], 5, 'neyman')).toThrow(/sd/);
    // @ts-expect-error — runtime check for callers outside TypeScript
    expect(() => stratifiedAllocation([{ size: 10 }], 5, 'equal')).toThrow(/allocation method/);
  });
});

describe('stratifiedProportion', () => {
  it('matches the Cochran formulas (Python reference)', () => {
    const r = stratifiedProportion(
      [
        { size: 5000, sampled: 200, positives: 6 },
        { size: 3000, sampled: 150, positives: 2 },
        { size: 2000, sampled: 100, positives: 0 },
      ],
      0.95,
    );
    close(r.estimate, 0.019, 1e-14);
    close(r.standardError, 0.006530273399753281);
    close(r.lower, 0.0062008993272836335);
    close(r.upper, 0.031799100672716366);
    expect(r.notes).toHaveLength(1);
    expect(r.notes[0]).toContain('strata[2]');
  });

  it('handles a fully enumerated stratum and 99% confidence', () => {
    const r = stratifiedProportion(
      [
        { size: 400, sampled: 40, positives: 10 },
        { size: 600, sampled: 60, positives: 30 },
        { size: 100, sampled: 100, positives: 7 },
      ],
      0.99,
    );
    close(r.estimate, 0.37, 1e-14);
    close(r.standardError, 0.0413130464679467);
    close(r.lower, 0.2635846442889855);
    close(r.upper, 0.4764153557110145);
    expect(r.notes).toEqual([]);
  });

  it('clamps to [0, 1] and flags all-zero samples', () => {
    const wide = stratifiedProportion([{ size: 1000, sampled: 10, positives: 1 }]);
    expect(wide.lower).toBe(0);
    const none = stratifiedProportion([
      { size: 1000, sampled: 50, positives: 0 },
      { size: 10, sampled: 10, positives: 0 },
    ]);
    expect([none.estimate, none.lower, none.upper]).toEqual([0, 0, 0]);
    expect(none.notes[0]).toContain('every stratum');
  });

  it('rejects strata that cannot be analysed', () => {
    expect(() => stratifiedProportion([{ size: 10, sampled: 1, positives: 0 }])).toThrow(
      /at least 2 records/,
    );
    expect(() => stratifiedProportion([{ size: 10, sampled: 11, positives: 0 }])).toThrow(
      /cannot exceed size/,
    );
    expect(() => stratifiedProportion([{ size: 10, sampled: 5, positives: 6 }])).toThrow(
      /cannot exceed sampled/,
    );
    expect(() => stratifiedProportion([{ size: 10, sampled: 0, positives: 0 }])).toThrow(RangeError);
    expect(() => stratifiedProportion([])).toThrow(RangeError);
    expect(stratifiedProportion([{ size: 1, sampled: 1, positives: 1 }]).estimate).toBe(1);
  });
});

describe('projectCount', () => {
  it('scales an interval to a population, rounding outward', () => {
    expect(
      projectCount({ estimate: 0.019, lower: 0.0062008993272836335, upper: 0.031799100672716366 }, 1_000_000),
    ).toEqual({
      expected: 19000,
      lower: 6200,
      upper: 31800,
    });
  });

  it('does not push exact products outward because of floating point', () => {
    // 0.29 · 100 = 28.999999999999996 and 0.07 · 100 = 7.000000000000001
    expect(projectCount({ estimate: 0.1, lower: 0.29, upper: 0.29 }, 100)).toMatchObject({
      lower: 29,
      upper: 29,
    });
    expect(projectCount({ estimate: 0.07, lower: 0.07, upper: 0.07 }, 100)).toMatchObject({
      lower: 7,
      upper: 7,
    });
  });

  it('accepts any proportion interval', () => {
    const r = projectCount(wilson(0, 299), 50_000);
    expect(r.expected).toBe(0);
    expect(r.lower).toBe(0);
    expect(r.upper).toBe(Math.ceil(wilson(0, 299).upper * 50_000));
  });

  it('rejects nonsense', () => {
    expect(() => projectCount({ estimate: 0.5, lower: 0.6, upper: 0.4 }, 10)).toThrow(/exceeds/);
    expect(() => projectCount({ estimate: 1.5, lower: 0, upper: 1 }, 10)).toThrow(/estimate/);
    expect(() => projectCount({ estimate: 0.5, lower: 0, upper: 1 }, -1)).toThrow(/population/);
  });
});
