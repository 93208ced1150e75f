import { describe, expect, it } from 'vitest';
import { createRng } from './prng.ts';

describe('createRng', () => {
  it('matches the reference C xoshiro128** seeded by FNV-1a 64 + SplitMix64', () => {
    // Produced by Vigna's xoshiro128starstar.c and splitmix64.c, seeded as prng.ts documents,
    // for seed "probity-demo" and label "test".
    const rng = createRng('probity-demo', 'test');
    expect(Array.from({ length: 6 }, () => rng.nextU32())).toEqual([
      765530910, 2261605106, 531630998, 1121097344, 902004501, 2637132482,
    ]);
  });

  it('gives independent streams per label and repeats per (seed, label)', () => {
    const a = createRng('s', 'x');
    const b = createRng('s', 'y');
    const a2 = createRng('s', 'x');
    const xs = Array.from({ length: 8 }, () => a.nextU32());
    expect(Array.from({ length: 8 }, () => a2.nextU32())).toEqual(xs);
    expect(Array.from({ length: 8 }, () => b.nextU32())).not.toEqual(xs);
  });

  it('draws uniform floats in [0, 1) and standard normals', () => {
    const rng = createRng('s', 'dist');
    let sum = 0;
    let sq = 0;
    let outside = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const u = rng.float();
      if (u < 0 || u >= 1) outside++;
      const z = rng.normal();
      sum += z;
      sq += z * z;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.sqrt(sq / n)).toBeCloseTo(1, 1);
  });

  it('samples without repetition and shuffles without loss', () => {
    const rng = createRng('s', 'sample');
    const items = Array.from({ length: 20 }, (_, i) => i);
    const picked = rng.sample(items, 7);
    expect(new Set(picked).size).toBe(7);
    expect(rng.shuffled(items).sort((a, b) => a - b)).toEqual(items);
    expect(() => rng.sample(items, 21)).toThrow(RangeError);
  });
});
