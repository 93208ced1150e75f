/**
 * The demo generator's only source of randomness.
 *
 * Why our own: `Math.random` cannot be seeded, and the demo bundles must be byte-identical for the
 * same seed on every machine, so that tests of later features can assert against `DemoFacts` and
 * against file hashes.
 *
 * Construction:
 * - Every independent stream is named by a label ("weights/lm_head.weight", "logs/users", ...).
 *   The 64-bit FNV-1a hash of the UTF-8 bytes of `seed + "\u0000" + label` is the stream key, so
 *   adding a new stream (or generating tensors in a different order) never shifts the numbers of
 *   the existing ones.
 * - The key is expanded with SplitMix64 (Steele, Lea & Flood 2014) into two 64-bit words, whose
 *   four 32-bit halves become the state of xoshiro128** 1.0 (Blackman & Vigna 2018). SplitMix64
 *   runs on BigInt because it is called only twice per stream; xoshiro128** runs on 32-bit words
 *   with `Math.imul`, which is exact in JavaScript, so the hot path needs no BigInt.
 * - Normal deviates use the Box–Muller transform. It calls `Math.log`, `Math.sqrt`, `Math.cos`
 *   and `Math.sin`; V8 implements the transcendental ones with its own fdlibm port rather than the
 *   platform libm, so results do not vary across operating systems for a given Node major. Values
 *   are then rounded to bfloat16, which hides any last-ulp difference in practice.
 */

const MASK64 = (1n << 64n) - 1n;
const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;

function fnv1a64(bytes: Uint8Array): bigint {
  let h = FNV64_OFFSET;
  for (const b of bytes) {
    h ^= BigInt(b);
    h = (h * FNV64_PRIME) & MASK64;
  }
  return h;
}

/** One SplitMix64 step: returns the advanced state and the mixed output. */
function splitMix64(state: bigint): { state: bigint; output: bigint } {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  z ^= z >> 31n;
  return { state: next, output: z };
}

function rotl32(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** Box–Muller yields deviates in pairs; the second one is kept for the next call. */
  private spareNormal: number | null = null;

  constructor(key: bigint) {
    let st = key;
    const words: number[] = [];
    for (let i = 0; i < 2; i++) {
      const step = splitMix64(st);
      st = step.state;
      words.push(Number(step.output & 0xffffffffn), Number(step.output >> 32n));
    }
    const [a = 0, b = 0, c = 0, d = 0] = words;
    // xoshiro must not start from the all-zero state; SplitMix64 makes that astronomically
    // unlikely, but the guard costs nothing.
    this.s0 = a;
    this.s1 = b;
    this.s2 = c;
    this.s3 = (a | b | c | d) === 0 ? 1 : d;
  }

  /** xoshiro128**: next unsigned 32-bit integer. */
  nextU32(): number {
    const result = Math.imul(rotl32(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl32(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * TWO_POW_26 + lo) / TWO_POW_53;
  }

  /** Uniform integer in [0, n). The bias of scaling a 53-bit float is far below anything we measure. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0)
      throw new RangeError(`Rng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi], both ends included. */
  intBetween(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** Uniform double in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new RangeError('Rng.pick: empty list');
    return item;
  }

  /** Index drawn with probability proportional to `weights[i]`. */
  weightedIndex(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i] ?? 0;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  /** Standard normal deviate (Box–Muller). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    // 1 - float() lies in (0, 1], so the logarithm is finite.
    const u1 = 1 - this.float();
    const u2 = this.float();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Lower-case hex string of `chars` characters. */
  hex(chars: number): string {
    let out = '';
    while (out.length < chars) out += this.nextU32().toString(16).padStart(8, '0');
    return out.slice(0, chars);
  }

  /** Digits-only string of `chars` characters (leading zeros allowed). */
  digits(chars: number): string {
    let out = '';
    for (let i = 0; i < chars; i++) out += String(this.int(10));
    return out;
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffled<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const a = out[i] as T;
      out[i] = out[j] as T;
      out[j] = a;
    }
    return out;
  }

  /** `k` distinct items, in the order they were drawn. */
  sample<T>(items: readonly T[], k: number): T[] {
    if (k > items.length) throw new RangeError(`Rng.sample: asked ${k} of ${items.length}`);
    return this.shuffled(items).slice(0, k);
  }
}

/** The stream named `label` under `seed`. Same (seed, label) → same numbers, always. */
export function createRng(seed: string, label: string): Rng {
  return new Rng(fnv1a64(new TextEncoder().encode(`${seed}\u0000${label}`)));
}
