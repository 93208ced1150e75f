/**
 * Seeded pseudo-random numbers for reproducible audit samples and bootstrap resampling.
 *
 * The whole pipeline is specified here so that anyone can reproduce a Probity sample with their own
 * code (every step is standard and has reference implementations in many languages):
 *
 * 1. Seed → 64-bit integer (`seedToUint64`):
 *    - a bigint in [0, 2⁶⁴) or a non-negative safe-integer number is used as is;
 *    - a string is hashed: its UTF-8 bytes go through 64-bit FNV-1a (offset basis
 *      0xcbf29ce484222325, prime 0x100000001b3: for each byte, h ← (h XOR byte) · prime mod 2⁶⁴).
 *      Strings are always hashed, even if they look like numbers ("42" ≠ 42).
 * 2. 64-bit integer → 256-bit state: four consecutive outputs of SplitMix64 (G. L. Steele, D. Lea &
 *    C. H. Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014) started from that
 *    integer:  state ← state + 0x9e3779b97f4a7c15;  z ← state;  z ← (z XOR (z ≫ 30)) · 0xbf58476d1ce4e5b9;
 *    z ← (z XOR (z ≫ 27)) · 0x94d049bb133111eb;  output z XOR (z ≫ 31)   (all mod 2⁶⁴).
 *    The output mix is a bijection, so at most one of the four words can be zero: the state is never
 *    all-zero.
 * 3. Generator: xoshiro256** (D. Blackman & S. Vigna, "Scrambled linear pseudorandom number generators",
 *    ACM TOMS 47(4), 2021), state words s0..s3:
 *      output = rotl(s1 · 5, 7) · 9;   t = s1 ≪ 17;
 *      s2 ^= s0;  s3 ^= s1;  s1 ^= s2;  s0 ^= s3;  s2 ^= t;  s3 = rotl(s3, 45).
 * 4. Derived draws:
 *    - nextFloat(): (output ≫ 11) · 2⁻⁵³, a multiple of 2⁻⁵³ in [0, 1);
 *    - nextInt(n), 1 ≤ n ≤ 2⁵³: r = output ≫ 11 (53 bits); reject and redraw while r ≥ 2⁵³ − (2⁵³ mod n);
 *      return r mod n (unbiased; at least one output consumed, even for n = 1);
 *    - shuffle: Fisher–Yates/Durstenfeld, for i = len−1 down to 1 swap item i with item nextInt(i + 1);
 *    - sampleWithoutReplacement(N, k): Floyd's algorithm (J. Bentley, "Programming pearls: a sample of
 *      brilliance", CACM 30(9), 1987): for j = N − k … N − 1, t = nextInt(j + 1); add t to the sample
 *      unless already present, in which case add j; return the k indices sorted ascending.
 *
 * The implementation works on 32-bit halves (no BigInt in the hot path); about 50–100 million outputs
 * per second on a current laptop.
 */
import { requireInteger, show } from './validate.ts';

/** A seed: a string (hashed with FNV-1a 64), or an unsigned 64-bit integer as bigint or safe integer. */
export type Seed = string | number | bigint;

const MASK64 = (1n << 64n) - 1n;
const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;
const TWO_POW_MINUS_53 = 1 / TWO_POW_53;

/** 64-bit FNV-1a hash of the UTF-8 encoding of `text` (Fowler–Noll–Vo; draft-eastlake-fnv). */
export function fnv1a64(text: string): bigint {
  const bytes = new TextEncoder().encode(text);
  let h = 0xcbf29ce484222325n;
  for (const byte of bytes) {
    h = ((h ^ BigInt(byte)) * 0x100000001b3n) & MASK64;
  }
  return h;
}

/** The unsigned 64-bit integer a seed stands for (step 1 in the module comment). */
export function seedToUint64(seed: Seed): bigint {
  if (typeof seed === 'string') return fnv1a64(seed);
  if (typeof seed === 'bigint') {
    if (seed < 0n || seed > MASK64) throw new RangeError(`seed must be in [0, 2^64), got ${seed}`);
    return seed;
  }
  if (typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0) return BigInt(seed);
  throw new RangeError(
    `seed must be a string, a bigint in [0, 2^64) or a non-negative safe integer, got ${show(seed)}`,
  );
}

/** SplitMix64 (Steele, Lea & Flood 2014), used only to expand a 64-bit seed into xoshiro state. */
export class SplitMix64 {
  private state: bigint;

  constructor(seed: bigint | number) {
    this.state = seedToUint64(seed);
  }

  /** Next 64-bit output as an unsigned bigint. */
  next(): bigint {
    this.state = (this.state + 0x9e3779b97f4a7c15n) & MASK64;
    let z = this.state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    return z ^ (z >> 31n);
  }
}

/**
 * xoshiro256** seeded through SplitMix64 (see the module comment for the exact algorithm).
 * State words are kept as (high, low) pairs of signed 32-bit integers.
 */
export class Xoshiro256StarStar {
  private s0h = 0;
  private s0l = 0;
  private s1h = 0;
  private s1l = 0;
  private s2h = 0;
  private s2l = 0;
  private s3h = 0;
  private s3l = 0;
  /** Output of the last step: high and low 32 bits, unsigned. */
  private outH = 0;
  private outL = 0;

  constructor(seed: Seed) {
    const sm = new SplitMix64(seedToUint64(seed));
    this.setState([sm.next(), sm.next(), sm.next(), sm.next()]);
  }

  /** A generator with an explicit 256-bit state (for reference test vectors); not all zero. */
  static fromState(state: readonly [bigint, bigint, bigint, bigint]): Xoshiro256StarStar {
    const rng = new Xoshiro256StarStar(0n);
    rng.setState(state);
    return rng;
  }

  private setState(state: readonly [bigint, bigint, bigint, bigint]): void {
    for (const word of state) {
      if (word < 0n || word > MASK64) throw new RangeError(`state words must be in [0, 2^64), got ${word}`);
    }
    if (state.every((w) => w === 0n)) throw new RangeError('xoshiro256** state must not be all zero');
    const hi = (w: bigint): number => Number(w >> 32n) | 0;
    const lo = (w: bigint): number => Number(w & 0xffffffffn) | 0;
    this.s0h = hi(state[0]);
    this.s0l = lo(state[0]);
    this.s1h = hi(state[1]);
    this.s1l = lo(state[1]);
    this.s2h = hi(state[2]);
    this.s2l = lo(state[2]);
    this.s3h = hi(state[3]);
    this.s3l = lo(state[3]);
  }

  /** Advance one step; leaves the 64-bit output in outH/outL. */
  private step(): void {
    // m = s1 · 5 (mod 2⁶⁴): the low half's product is < 2³⁵, exact in a double.
    const pl = (this.s1l >>> 0) * 5;
    const ml = pl >>> 0;
    const mh = (Math.imul(this.s1h, 5) + (pl - ml) / TWO_POW_32) | 0;
    // r = rotl(m, 7)
    const rh = (mh << 7) | (ml >>> 25);
    const rl = (ml << 7) | (mh >>> 25);
    // out = r · 9 (mod 2⁶⁴)
    const ql = (rl >>> 0) * 9;
    this.outL = ql >>> 0;
    this.outH = (Math.imul(rh, 9) + (ql - this.outL) / TWO_POW_32) >>> 0;

    // t = s1 << 17
    const th = (this.s1h << 17) | (this.s1l >>> 15);
    const tl = this.s1l << 17;
    this.s2h ^= this.s0h;
    this.s2l ^= this.s0l;
    this.s3h ^= this.s1h;
    this.s3l ^= this.s1l;
    this.s1h ^= this.s2h;
    this.s1l ^= this.s2l;
    this.s0h ^= this.s3h;
    this.s0l ^= this.s3l;
    this.s2h ^= th;
    this.s2l ^= tl;
    // s3 = rotl(s3, 45) = rotl(swap halves, 13)
    const h = this.s3h;
    const l = this.s3l;
    this.s3h = (l << 13) | (h >>> 19);
    this.s3l = (h << 13) | (l >>> 19);
  }

  /** Next raw 64-bit output as an unsigned bigint (slow; for test vectors and seeds). */
  nextUint64(): bigint {
    this.step();
    return (BigInt(this.outH) << 32n) | BigInt(this.outL);
  }

  /** The upper 32 bits of the next output, as an unsigned integer. */
  nextUint32(): number {
    this.step();
    return this.outH;
  }

  /** The upper 53 bits of the next output, as an integer in [0, 2⁵³). */
  private next53(): number {
    this.step();
    return this.outH * 2097152 + (this.outL >>> 11);
  }

  /** Uniform double in [0, 1): (output ≫ 11) · 2⁻⁵³. */
  nextFloat(): number {
    return this.next53() * TWO_POW_MINUS_53;
  }

  /**
   * Uniform integer in [0, n) without modulo bias, for integer 1 ≤ n ≤ 2⁵³: draw r = output ≫ 11 and
   * redraw while r ≥ 2⁵³ − (2⁵³ mod n); return r mod n.
   */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_53) {
      throw new RangeError(`nextInt bound must be an integer in [1, 2^53], got ${show(n)}`);
    }
    const limit = TWO_POW_53 - (TWO_POW_53 % n);
    let r = this.next53();
    while (r >= limit) r = this.next53();
    return r % n;
  }

  /** Shuffles `items` in place (Fisher–Yates, Durstenfeld's variant) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /**
   * k distinct indices drawn uniformly from 0..populationSize−1, sorted ascending, by Floyd's
   * algorithm: O(k) memory and O(k log k) time whatever the population size (up to 2⁵³).
   */
  sampleWithoutReplacement(populationSize: number, k: number): number[] {
    requireInteger('populationSize', populationSize, 0);
    requireInteger('k', k, 0);
    if (k > populationSize) {
      throw new RangeError(
        `cannot draw ${k} items without replacement from a population of ${populationSize}`,
      );
    }
    const chosen = new Set<number>();
    for (let j = populationSize - k; j < populationSize; j++) {
      const t = this.nextInt(j + 1);
      chosen.add(chosen.has(t) ? j : t);
    }
    return Array.from(Float64Array.from(chosen).sort());
  }
}

/** A xoshiro256** generator for `seed` (see the module comment for how seeds are expanded). */
export function createRng(seed: Seed): Xoshiro256StarStar {
  return new Xoshiro256StarStar(seed);
}
