/**
 * Reference values: κ, p_o, p_e and the Fleiss–Cohen–Everitt standard errors evaluated in Python
 * (NumPy 2.4.6) from the published formulas, and the non-null standard error cross-checked by an
 * independent route — the multinomial delta method with a numerically differentiated κ(p), which
 * agreed to 1e-11 (e.g. 0.08770295347257885 vs 0.08770295347521254 for the three-category table,
 * whose p_o = 0.89, p_e = 0.66 and κ = 0.23/0.34 = 0.676 can also be checked by hand).
 */
import { describe, expect, it } from 'vitest';
import { cohensKappa, landisKoch } from './agreement.ts';

function close(actual: number, expected: number, tol = 1e-12): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(Math.abs(expected), 1));
}

/** Expand a square count table into rating pairs. */
function pairsFrom(labels: string[], table: number[][]): [string, string][] {
  const pairs: [string, string][] = [];
  table.forEach((row, i) =>
    row.forEach((count, j) => {
      for (let k = 0; k < count; k++) pairs.push([labels[i]!, labels[j]!]);
    }),
  );
  return pairs;
}

describe('cohensKappa', () => {
  it('matches the reference for a three-category table', () => {
    const pairs = pairsFrom(
      ['neurotic', 'organic', 'psychotic'],
      [
        [4, 1, 5],
        [0, 10, 0],
        [1, 4, 75],
      ],
    );
    const r = cohensKappa(pairs);
    expect(r.n).toBe(100);
    expect(r.categories).toEqual(['neurotic', 'organic', 'psychotic']);
    close(r.observedAgreement, 0.89);
    close(r.expectedAgreement, 0.66);
    close(r.kappa, 0.676470588235294);
    close(r.standardError, 0.08770295347521254);
    close(r.standardErrorNull, 0.07618725792346259);
    close(r.lower, 0.5045759580860855);
    close(r.upper, 0.8483652183845026);
    expect(r.interpretation).toBe('substantial');
    expect(r.confidence).toBe(0.95);
  });

  it.each([
    // [table (rater 1 rows "no","yes"), kappa, SE, SE under H0, lower, upper]
    [
      [
        [20, 5],
        [10, 15],
      ],
      0.3999999999999999,
      0.12699606293110033,
      0.13856406460551016,
      0.15109229047666106,
      0.6489077095233388,
    ],
    [
      [
        [45, 15],
        [25, 15],
      ],
      0.13043478260869554,
      0.09866153762343959,
      0.09760845356801592,
      -0.06293827779258956,
      0.32380784300998067,
    ],
  ])('2×2 table %j', (table, kappa, se, se0, lower, upper) => {
    const r = cohensKappa(pairsFrom(['no', 'yes'], table));
    close(r.kappa, kappa);
    close(r.standardError, se);
    close(r.standardErrorNull, se0);
    close(r.lower, lower);
    close(r.upper, upper);
  });

  it('builds the table in sorted category order, whatever the input order', () => {
    const r = cohensKappa([
      ['harmful', 'benign'],
      ['benign', 'benign'],
      ['harmful', 'harmful'],
    ]);
    expect(r.categories).toEqual(['benign', 'harmful']);
    expect(r.table).toEqual([
      [1, 0],
      [1, 1],
    ]);
  });

  it('handles perfect agreement and the undefined case', () => {
    const perfect = cohensKappa([
      ['a', 'a'],
      ['b', 'b'],
      ['a', 'a'],
    ]);
    expect(perfect.kappa).toBe(1);
    expect(perfect.standardError).toBeLessThan(1e-12);
    expect(perfect.interpretation).toBe('almost perfect');
    expect(perfect.note).toMatch(/single point/);

    const single = cohensKappa([
      ['x', 'x'],
      ['x', 'x'],
    ]);
    expect(single.kappa).toBeNaN();
    expect(single.interpretation).toBe('undefined');
    expect(single.note).toMatch(/undefined/);
  });

  it('uses the requested confidence', () => {
    const r95 = cohensKappa(
      pairsFrom(
        ['no', 'yes'],
        [
          [20, 5],
          [10, 15],
        ],
      ),
    );
    const r99 = cohensKappa(
      pairsFrom(
        ['no', 'yes'],
        [
          [20, 5],
          [10, 15],
        ],
      ),
      0.99,
    );
    // z = scipy.stats.norm.ppf(0.995) = 2.5758293035489004
    close(r99.upper - r99.kappa, 2.5758293035489004 * r95.standardError);
  });

  it('rejects empty input and malformed pairs', () => {
    expect(() => cohensKappa([])).toThrow(/at least one/);
    // @ts-expect-error — runtime check for callers outside TypeScript
    expect(() => cohensKappa([['a']])).toThrow(/pairs\[0\]/);
  });
});

describe('landisKoch', () => {
  it.each([
    [-0.1, 'poor'],
    [0, 'slight'],
    [0.2, 'slight'],
    [0.21, 'fair'],
    [0.4, 'fair'],
    [0.41, 'moderate'],
    [0.6, 'moderate'],
    [0.61, 'substantial'],
    [0.8, 'substantial'],
    [0.81, 'almost perfect'],
    [1, 'almost perfect'],
    [NaN, 'undefined'],
  ] as const)('%s → %s', (kappa, label) => {
    expect(landisKoch(kappa)).toBe(label);
  });
});
