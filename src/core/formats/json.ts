/**
 * A strict JSON reader (RFC 8259) for the small JSON artifacts that travel with a model:
 * config.json, adapter_config.json, tokenizer.json, tokenizer_config.json, safetensors headers and
 * *.safetensors.index.json.
 *
 * `JSON.parse` silently keeps the last of two duplicate keys and silently rounds integers above
 * 2^53. Both matter in an investigation: a duplicated key is a classic way to show one value to a
 * scanner and another to the loader (Python's json module also keeps the last, other parsers the
 * first), and a rounded token id or size is a wrong fact. This parser records every duplicate key
 * and every integer that does not survive conversion, with its JSON Pointer (RFC 6901), and refuses
 * nesting deeper than a fixed limit instead of overflowing the stack.
 */
import { readFileBounded } from './text.ts';
import { malformed, setOwn, fmt } from './reader.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface JsonParseResult {
  value: JsonValue;
  /** JSON Pointers of keys that occur more than once in the same object (the last value is kept). */
  duplicateKeys: string[];
  /** Integers whose text is not exactly representable as a JavaScript number. */
  lossyNumbers: { path: string; text: string }[];
}

const MAX_DEPTH = 256;
const MAX_REPORTED = 100;

function escapePointer(seg: string): string {
  return seg.replace(/~/g, '~0').replace(/\//g, '~1');
}

class Parser {
  private i = 0;
  private readonly path: string[] = [];
  readonly duplicateKeys: string[] = [];
  readonly lossyNumbers: { path: string; text: string }[] = [];

  constructor(
    private readonly s: string,
    private readonly file: string,
    private readonly label: string,
  ) {}

  private pointer(extra?: string): string {
    const segs = extra === undefined ? this.path : [...this.path, extra];
    return segs.length === 0 ? '' : '/' + segs.map(escapePointer).join('/');
  }

  private fail(what: string): never {
    let line = 1;
    let col = 1;
    for (let k = 0; k < this.i && k < this.s.length; k++) {
      if (this.s.charCodeAt(k) === 10) {
        line++;
        col = 1;
      } else col++;
    }
    throw malformed(this.file, `invalid ${this.label} at line ${line} column ${col}: ${what}`);
  }

  private ws(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.i = i;
  }

  parseDocument(): JsonValue {
    this.ws();
    const v = this.value(0);
    this.ws();
    if (this.i < this.s.length) this.fail('unexpected data after the top-level value');
    return v;
  }

  private value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    const c = this.s.charCodeAt(this.i);
    switch (c) {
      case 0x7b: // {
        return this.object(depth);
      case 0x5b: // [
        return this.array(depth);
      case 0x22: // "
        return this.string();
      case 0x74: // t
        return this.literal('true', true);
      case 0x66: // f
        return this.literal('false', false);
      case 0x6e: // n
        return this.literal('null', null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        if (Number.isNaN(c)) this.fail('unexpected end of input');
        return this.fail(`unexpected character ${JSON.stringify(this.s[this.i])}`);
    }
  }

  private literal<T>(word: string, v: T): T {
    if (this.s.startsWith(word, this.i)) {
      this.i += word.length;
      return v;
    }
    return this.fail('invalid literal');
  }

  private number(): number {
    const s = this.s;
    const start = this.i;
    let i = this.i;
    if (s.charCodeAt(i) === 0x2d) i++;
    const digits = (): number => {
      const from = i;
      while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
      return i - from;
    };
    let integer = true;
    if (s.charCodeAt(i) === 0x30) i++;
    else if (digits() === 0) {
      this.i = i;
      this.fail('invalid number');
    }
    if (s.charCodeAt(i) === 0x2e) {
      integer = false;
      i++;
      if (digits() === 0) {
        this.i = i;
        this.fail('invalid number: no digits after the decimal point');
      }
    }
    const e = s.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      integer = false;
      i++;
      const sign = s.charCodeAt(i);
      if (sign === 0x2b || sign === 0x2d) i++;
      if (digits() === 0) {
        this.i = i;
        this.fail('invalid number: empty exponent');
      }
    }
    this.i = i;
    const text = s.slice(start, i);
    const n = Number(text);
    if (integer && !Number.isSafeInteger(n) && this.lossyNumbers.length < MAX_REPORTED) {
      this.lossyNumbers.push({ path: this.pointer(), text });
    }
    return n;
  }

  private string(): string {
    const s = this.s;
    let i = this.i + 1;
    let out = '';
    let runStart = i;
    for (;;) {
      if (i >= s.length) {
        this.i = i;
        this.fail('unterminated string');
      }
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        out += s.slice(runStart, i);
        this.i = i + 1;
        return out;
      }
      if (c < 0x20) {
        this.i = i;
        this.fail('control character in string');
      }
      if (c === 0x5c) {
        out += s.slice(runStart, i);
        const esc = s[i + 1];
        switch (esc) {
          case '"':
          case '\\':
          case '/':
            out += esc;
            i += 2;
            break;
          case 'b':
            out += '\b';
            i += 2;
            break;
          case 'f':
            out += '\f';
            i += 2;
            break;
          case 'n':
            out += '\n';
            i += 2;
            break;
          case 'r':
            out += '\r';
            i += 2;
            break;
          case 't':
            out += '\t';
            i += 2;
            break;
          case 'u': {
            const hex = s.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
              this.i = i;
              this.fail('invalid \\u escape');
            }
            out += String.fromCharCode(parseInt(hex, 16));
            i += 6;
            break;
          }
          default:
            this.i = i;
            this.fail('invalid escape');
        }
        runStart = i;
        continue;
      }
      i++;
    }
  }

  private array(depth: number): JsonValue[] {
    this.i++;
    const out: JsonValue[] = [];
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return out;
    }
    for (;;) {
      this.path.push(String(out.length));
      this.ws();
      out.push(this.value(depth + 1));
      this.path.pop();
      this.ws();
      const c = this.s.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        continue;
      }
      if (c === 0x5d) {
        this.i++;
        return out;
      }
      this.fail("expected ',' or ']' in array");
    }
  }

  private object(depth: number): JsonObject {
    this.i++;
    const out: JsonObject = {};
    this.ws();
    if (this.s.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.i) !== 0x22) this.fail('expected a string key');
      const key = this.string();
      this.ws();
      if (this.s.charCodeAt(this.i) !== 0x3a) this.fail("expected ':' after key");
      this.i++;
      this.ws();
      this.path.push(key);
      const v = this.value(depth + 1);
      this.path.pop();
      if (Object.prototype.hasOwnProperty.call(out, key) && this.duplicateKeys.length < MAX_REPORTED) {
        this.duplicateKeys.push(this.pointer(key));
      }
      setOwn(out, key, v);
      this.ws();
      const c = this.s.charCodeAt(this.i);
      if (c === 0x2c) {
        this.i++;
        continue;
      }
      if (c === 0x7d) {
        this.i++;
        return out;
      }
      this.fail("expected ',' or '}' in object");
    }
  }
}

/**
 * Parse JSON text; any syntax error is a `malformed` ProbityError naming `file`, line and column
 * (`label` says what the text is, e.g. "header JSON").
 */
export function parseJson(text: string, file: string, label = 'JSON'): JsonParseResult {
  const p = new Parser(text, file, label);
  const value = p.parseDocument();
  return { value, duplicateKeys: p.duplicateKeys, lossyNumbers: p.lossyNumbers };
}

export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface JsonFile extends JsonParseResult {
  fileSize: number;
  /** Problems found while decoding (byte-order mark, duplicate keys, lossy integers). */
  problems: string[];
}

/** Read and parse a JSON file of at most `maxBytes`, as strict UTF-8. */
export async function readJsonFile(file: string, maxBytes: number): Promise<JsonFile> {
  const { text, size, bom } = await readFileBounded(file, maxBytes);
  const parsed = parseJson(text, file);
  const problems: string[] = [];
  if (bom) problems.push('starts with a UTF-8 byte-order mark (Python json.load rejects it)');
  for (const p of parsed.duplicateKeys)
    problems.push(
      `duplicate key ${p === '' ? '(root)' : p}: the last value is used, other parsers may use the first`,
    );
  for (const n of parsed.lossyNumbers)
    problems.push(
      `integer ${n.text} at ${n.path || '(root)'} exceeds 2^53 and is rounded to ${fmt(Number(n.text))}`,
    );
  return { ...parsed, fileSize: size, problems };
}

/** The JSON type of a value in words, for error lines. */
export function jsonTypeName(v: JsonValue | undefined): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
