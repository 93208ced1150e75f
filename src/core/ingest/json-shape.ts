/**
 * The leading shape of a JSON document whose text may be cut short (a bounded prefix of a large
 * tokenizer.json or eval summary): the member names of the top-level object and of the objects
 * directly inside it (`a`, `a.b`), and the string values found at those two depths. Arrays are
 * skipped over, never entered. The scan stops, without error, where the text ends.
 */

export interface JsonShape {
  /** `key` for top-level members, `key.child` for members of a top-level object member. */
  keys: Set<string>;
  /** String values at those paths (at most 200 characters each). */
  strings: Map<string, string>;
  /** Members whose value is an array, a number, a boolean or null (top level only). */
  types: Map<string, 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null'>;
  /** The whole document was read (the closing brace was reached). */
  complete: boolean;
}

interface Frame {
  array: boolean;
  /** Path of this container, or null when it is inside an array (nothing recorded below it). */
  path: string[] | null;
  expectKey: boolean;
  key: string | null;
}

const MAX_DEPTH_RECORDED = 2;

/** Where the string starting at `i` (a quote) ends, exclusive; -1 when the text ends first. */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x5c) j++;
    else if (c === 0x22) return j + 1;
  }
  return -1;
}

/** The shape of the JSON object `text` starts with, or null when it does not start with `{`. */
export function jsonShape(text: string): JsonShape | null {
  const start = /^\uFEFF?\s*\{/.exec(text);
  if (!start) return null;
  const shape: JsonShape = { keys: new Set(), strings: new Map(), types: new Map(), complete: false };
  const stack: Frame[] = [];
  let i = start[0].length - 1;
  const record = (frame: Frame, key: string): string | null => {
    if (!frame.path || frame.array) return null;
    const path = [...frame.path, key];
    return path.length <= MAX_DEPTH_RECORDED ? path.join('.') : null;
  };
  while (i < text.length) {
    const c = text[i] as string;
    const top = stack[stack.length - 1];
    if (c === '{' || c === '[') {
      let path: string[] | null = null;
      if (!top) path = [];
      else if (!top.array && top.path && top.key !== null) path = [...top.path, top.key];
      if (top && !top.array && top.path?.length === 0 && top.key !== null)
        shape.types.set(top.key, c === '{' ? 'object' : 'array');
      stack.push({ array: c === '[', path: c === '[' ? null : path, expectKey: c === '{', key: null });
      i++;
      continue;
    }
    if (c === '}' || c === ']') {
      stack.pop();
      i++;
      if (stack.length === 0) {
        shape.complete = true;
        return shape;
      }
      continue;
    }
    if (!top) return shape;
    if (c === '"') {
      const end = stringEnd(text, i);
      if (end < 0) return shape;
      let value: string;
      try {
        value = JSON.parse(text.slice(i, end)) as string;
      } catch {
        return shape;
      }
      if (!top.array && top.expectKey) {
        top.key = value;
        top.expectKey = false;
        const p = record(top, value);
        if (p !== null) shape.keys.add(p);
      } else if (!top.array && top.key !== null) {
        const p = record(top, top.key);
        if (p !== null) shape.strings.set(p, value.slice(0, 200));
        if (top.path?.length === 0) shape.types.set(top.key, 'string');
      }
      i = end;
      continue;
    }
    if (c === ',') {
      if (!top.array) {
        top.expectKey = true;
        top.key = null;
      }
      i++;
      continue;
    }
    if (c === ':' || c === ' ' || c === '\n' || c === '\r' || c === '\t') {
      i++;
      continue;
    }
    // A number or a literal: up to the next delimiter.
    const m = /^[^,}\]\s]+/.exec(text.slice(i, i + 64));
    const word = m?.[0] ?? c;
    if (!top.array && top.key !== null && top.path?.length === 0)
      shape.types.set(
        top.key,
        word === 'true' || word === 'false' ? 'boolean' : word === 'null' ? 'null' : 'number',
      );
    i += word.length;
  }
  return shape;
}
