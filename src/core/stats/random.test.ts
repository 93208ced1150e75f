/**
 * Test vectors:
 * - SplitMix64, seed 1234567: the widely published first five outputs.
 * - xoshiro256** and FNV-1a: a separate C program written for this test from the algorithm
 *   descriptions (Blackman & Vigna 2018; Steele et al. 2014; FNV), compiled with gcc 12 and run once;
 *   the state {1, 2, 3, 4} vector (11520, 0, 1509978240, …) also follows by hand from the definition.
 *   FNV-1a("a") = 0xaf63dc4c8601ec8c and ("foobar") = 0x85944171f73967e8 are the published FNV test values.
 * - nextInt / shuffle / Floyd sampling: an independent Python 3 implementation of the algorithm as
 *   documented in random.ts (arbitrary-precision integers, no shared code).
 */
import { describe, expect, it } from 'vitest';
import { createRng, fnv1a64, seedToUint64, SplitMix64, Xoshiro256StarStar } from './random.ts';

function take<T>(count: number, next: () => T): T[] {
  return Array.from({ length: count }, next);
}

describe('SplitMix64', () => {
  it('matches the published outputs for seed 1234567', () => {
    const sm = new SplitMix64(1234567);
    expect(take(5, () => sm.next())).toEqual([
      6457827717110365317n,
      3203168211198807973n,
      9817491932198370423n,
      4593380528125082431n,
      16408922859458223821n,
    ]);
  });
});

describe('FNV-1a 64', () => {
  it('matches the reference values', () => {
    expect(fnv1a64('')).toBe(0xcbf29ce484222325n);
    expect(fnv1a64('a')).toBe(0xaf63dc4c8601ec8cn);
    expect(fnv1a64('foobar')).toBe(0x85944171f73967e8n);
    expect(fnv1a64('case-2024-017/audit')).toBe(14504627572767479021n);
  });

  it('hashes UTF-8 bytes', () => {
    // "é" is the two bytes C3 A9: ((basis ^ 0xc3) · prime ^ 0xa9) · prime mod 2⁶⁴
    const prime = 0x100000001b3n;
    const mask = (1n << 64n) - 1n;
    const expected = (((((0xcbf29ce484222325n ^ 0xc3n) * prime) & mask) ^ 0xa9n) * prime) & mask;
    expect(fnv1a64('é')).toBe(expected);
  });
});

describe('xoshiro256**', () => {
  it('matches the reference C implementation for an explicit state {1, 2, 3, 4}', () => {
    const rng = Xoshiro256StarStar.fromState([1n, 2n, 3n, 4n]);
    expect(take(6, () => rng.nextUint64())).toEqual([
      11520n,
      0n,
      1509978240n,
      1215971899390074240n,
      1216172134540287360n,
      607988272756665600n,
    ]);
  });

  it.each([
    [0n, [11091344671253066420n, 13793997310169335082n, 1900383378846508768n, 7684712102626143532n]],
    [1234567n, [3504822795582309479n, 1819558768956484042n, 1250851346055027673n, 16940231675099994102n]],
    [
      18446744073709551615n,
      [10328197420357168392n, 14156678507024973869n, 9357971779955476126n, 13791585006304312367n],
    ],
  ])('matches the reference C implementation seeded via SplitMix64(%s)', (seed, expected) => {
    const rng = createRng(seed);
    expect(take(4, () => rng.nextUint64())).toEqual(expected);
  });

  it('seeds from a string through FNV-1a', () => {
    const rng = createRng('case-2024-017/audit');
    expect(take(4, () => rng.nextUint64())).toEqual([
      13107027326067929027n,
      8044245403583768434n,
      9941792493705332365n,
      10773261739203615341n,
    ]);
    expect(seedToUint64('42')).not.toBe(42n);
    expect(seedToUint64(42)).toBe(42n);
  });

  it('gives the reference 1,000,000th output, in well under a second', () => {
    const rng = createRng(42);
    const start = performance.now();
    for (let i = 0; i < 999_999; i++) rng.nextFloat();
    const elapsed = performance.now() - start;
    expect(rng.nextUint64()).toBe(6183268386575283541n);
    expect(elapsed).toBeLessThan(500);
  });

  it('derives floats from the top 53 bits', () => {
    // C: (double)(x >> 11) * 0x1.0p-53 for seed 42
    const rng = createRng(42);
    expect(take(3, () => rng.nextFloat())).toEqual([
      0.08386297105988216, 0.3789802506626686, 0.6800434110281394,
    ]);
  });

  it('rejects invalid seeds and states', () => {
    expect(() => createRng(-1)).toThrow(RangeError);
    expect(() => createRng(1.5)).toThrow(RangeError);
    expect(() => createRng(1n << 64n)).toThrow(RangeError);
    expect(() => Xoshiro256StarStar.fromState([0n, 0n, 0n, 0n])).toThrow(/all zero/);
  });
});

describe('derived draws', () => {
  it('nextInt matches the independent Python implementation', () => {
    const a = createRng('audit-2024');
    expect(take(10, () => a.nextInt(10))).toEqual([4, 5, 1, 9, 5, 6, 4, 9, 3, 7]);
    const b = createRng(99);
    expect(take(12, () => b.nextInt(3))).toEqual([1, 0, 2, 2, 1, 2, 1, 1, 0, 0, 2, 1]);
    const c = createRng(5);
    expect(take(3, () => c.nextInt(2 ** 53))).toEqual([2597777399433881, 5423075542279364, 5850596827338615]);
  });

  it('nextInt rejects instead of folding (bound just above 2^52 rejects about half the draws)', () => {
    // Python reference: [nextInt(2**52 + 1) for _ in range(5)] with seed 2024 (2 of 7 raw draws rejected)
    const rng = createRng(2024);
    expect(take(5, () => rng.nextInt(2 ** 52 + 1))).toEqual([
      502537669212910, 649013202435530, 1438592666008660, 2205612016900586, 3551861024830924,
    ]);
  });

  it('nextInt is uniform (chi-square over 100 000 draws)', () => {
    const rng = createRng('uniformity');
    const counts = new Array<number>(7).fill(0);
    const draws = 100_000;
    for (let i = 0; i < draws; i++) counts[rng.nextInt(7)]! += 1;
    const expected = draws / 7;
    const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    // 99.9th percentile of chi-square with 6 df: scipy.stats.chi2.ppf(0.999, 6) = 22.457744484825323
    expect(chi2).toBeLessThan(22.457744484825323);
  });

  it('nextInt validates its bound', () => {
    const rng = createRng(1);
    expect(() => rng.nextInt(0)).toThrow(RangeError);
    expect(() => rng.nextInt(2.5)).toThrow(RangeError);
    expect(() => rng.nextInt(2 ** 53 + 2)).toThrow(RangeError);
    expect(rng.nextInt(1)).toBe(0);
  });

  it('shuffle matches the Python implementation and keeps the items', () => {
    const rng = createRng(7);
    const items = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    expect(rng.shuffle(items)).toBe(items);
    expect(items).toEqual([2, 0, 1, 9, 3, 4, 5, 7, 8, 6]);
    expect(createRng(1).shuffle([])).toEqual([]);
  });

  it('sampleWithoutReplacement (Floyd) matches the Python implementation', () => {
    expect(createRng(42).sampleWithoutReplacement(1000, 10)).toEqual([
      100, 238, 375, 386, 498, 616, 642, 706, 830, 967,
    ]);
    expect(createRng(42).sampleWithoutReplacement(1e12, 5)).toEqual([
      286505016429, 370490433956, 375477570955, 550631340582, 893608007412,
    ]);
  });

  it('sampleWithoutReplacement returns k distinct sorted indices, including k = N and k = 0', () => {
    const rng = createRng('floyd');
    const all = rng.sampleWithoutReplacement(50, 50);
    expect(all).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(rng.sampleWithoutReplacement(50, 0)).toEqual([]);
    const s = rng.sampleWithoutReplacement(10_000_000, 2000);
    expect(new Set(s).size).toBe(2000);
    for (let i = 1; i < s.length; i++) expect(s[i]!).toBeGreaterThan(s[i - 1]!);
    expect(() => rng.sampleWithoutReplacement(5, 6)).toThrow(/cannot draw 6/);
  });
});
