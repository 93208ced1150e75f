/**
 * Typed field access for config JSON: each getter returns the value when it has the expected
 * type, null when absent or JSON null, and records a problem (and returns null) when the key is
 * present with the wrong type — a config that says `"r": "8"` is worth a line in the report.
 */
import { isJsonObject, jsonTypeName, type JsonObject, type JsonValue } from './json.ts';
import type { ProblemList } from './reader.ts';

export class Fields {
  readonly used = new Set<string>();
  constructor(
    readonly source: JsonObject,
    readonly problems: ProblemList,
    private readonly prefix = '',
  ) {}

  private raw(key: string): JsonValue | undefined {
    this.used.add(key);
    return Object.prototype.hasOwnProperty.call(this.source, key) ? this.source[key] : undefined;
  }

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.source, key);
  }

  private wrong(key: string, v: JsonValue, want: string): null {
    this.problems.add(`${this.prefix}${key} is ${jsonTypeName(v)}, expected ${want}`);
    return null;
  }

  str(key: string): string | null {
    const v = this.raw(key);
    if (v === undefined || v === null) return null;
    return typeof v === 'string' ? v : this.wrong(key, v, 'a string');
  }

  num(key: string): number | null {
    const v = this.raw(key);
    if (v === undefined || v === null) return null;
    return typeof v === 'number' ? v : this.wrong(key, v, 'a number');
  }

  int(key: string): number | null {
    const v = this.raw(key);
    if (v === undefined || v === null) return null;
    return typeof v === 'number' && Number.isInteger(v) ? v : this.wrong(key, v, 'an integer');
  }

  bool(key: string): boolean | null {
    const v = this.raw(key);
    if (v === undefined || v === null) return null;
    return typeof v === 'boolean' ? v : this.wrong(key, v, 'true or false');
  }

  strList(key: string): string[] | null {
    const v = this.raw(key);
    if (v === undefined || v === null) return null;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    return this.wrong(key, v, 'a list of strings');
  }

  intOrIntList(key: string): number | number[] | null {
    const v = this.raw(key);
    if (v === undefined || v === null) return null;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x)))
      return v as number[];
    return this.wrong(key, v, 'an integer or a list of integers');
  }

  /** An object whose values are all numbers (rank_pattern, alpha_pattern). */
  numMap(key: string): Record<string, number> | null {
    const v = this.raw(key);
    if (v === undefined || v === null) return null;
    if (isJsonObject(v) && Object.values(v).every((x) => typeof x === 'number'))
      return v as Record<string, number>;
    return this.wrong(key, v, 'an object of numbers');
  }

  obj(key: string): JsonObject | null {
    const v = this.raw(key);
    if (v === undefined || v === null) return null;
    return isJsonObject(v) ? v : this.wrong(key, v, 'an object');
  }

  any(key: string): JsonValue | undefined {
    return this.raw(key);
  }

  /** Keys not read through this accessor, with their values. */
  rest(): Record<string, JsonValue> {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(this.source)) {
      if (this.used.has(k)) continue;
      if (k === '__proto__')
        Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      else out[k] = v;
    }
    return out;
  }
}

/** Is this base-model reference a local filesystem path rather than a Hub id? */
export function isLocalPath(ref: string): boolean {
  return /^(\/|~|\.\.?[\\/]|[A-Za-z]:[\\/]|\\\\)/.test(ref) || ref.split('/').length > 2;
}
