/**
 * A small pretty-printer for the JSON files the generator writes.
 *
 * Why not `JSON.stringify(value, null, 2)`: JavaScript objects put integer-like keys ("0", "42")
 * before all others, whatever the insertion order, so a BPE vocab (whose byte tokens include the
 * digits) or an `added_tokens_decoder` map cannot be written in id order with plain objects. And
 * Python writers (transformers, PEFT) emit floats such as `1e-05` and `10000.0`, which JavaScript
 * would print as `0.00001` and `10000`. Both are valid JSON, but we want files that look like the
 * ones those tools write, so callers can order keys explicitly and pin a number's literal text.
 */

/** An object whose keys are written in exactly this order. */
export class OrderedObject {
  constructor(readonly entries: readonly (readonly [string, JsonValue])[]) {}
}

/** A number written with this literal text (must be a valid JSON number). */
export class JsonNumberLiteral {
  constructor(readonly text: string) {
    if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text)) throw new Error(`not a JSON number: ${text}`);
  }
}

export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonNumberLiteral
  | OrderedObject
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

export function num(text: string): JsonNumberLiteral {
  return new JsonNumberLiteral(text);
}

export function ordered(entries: readonly (readonly [string, JsonValue])[]): OrderedObject {
  return new OrderedObject(entries);
}

/** Object with keys sorted by code point, as Python's `json.dumps(sort_keys=True)` writes them. */
export function sortedKeys(obj: { readonly [key: string]: JsonValue }): OrderedObject {
  return new OrderedObject(
    Object.keys(obj)
      .sort(compareCodePoints)
      .map((k) => [k, obj[k] as JsonValue] as const),
  );
}

export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Pretty JSON with `indent` spaces, "key": value separators, and no trailing newline. */
export function toJson(value: JsonValue, indent = 2): string {
  return write(value, indent, 0);
}

function write(value: JsonValue, indent: number, depth: number): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`non-finite number in JSON: ${value}`);
    return JSON.stringify(value);
  }
  if (value instanceof JsonNumberLiteral) return value.text;
  const entries: (readonly [string, JsonValue])[] | null =
    value instanceof OrderedObject
      ? value.entries.slice()
      : isArray(value)
        ? null
        : Object.keys(value).map((k) => [k, value[k] as JsonValue] as const);
  const pad = ' '.repeat(indent * (depth + 1));
  const closePad = ' '.repeat(indent * depth);
  if (entries === null) {
    const items = value as readonly JsonValue[];
    if (items.length === 0) return '[]';
    return `[\n${items.map((v) => pad + write(v, indent, depth + 1)).join(',\n')}\n${closePad}]`;
  }
  if (entries.length === 0) return '{}';
  const body = entries.map(([k, v]) => `${pad}${JSON.stringify(k)}: ${write(v, indent, depth + 1)}`);
  return `{\n${body.join(',\n')}\n${closePad}}`;
}

function isArray(value: JsonValue): value is readonly JsonValue[] {
  return Array.isArray(value);
}
