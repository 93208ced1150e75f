/**
 * A streaming scanner for one large JSON document (RFC 8259), for eval logs that are a single JSON
 * object holding a long array (promptfoo `results.results[]`, Inspect `samples[]`): the document is
 * never held whole. The caller's selector decides, for every value met on the way down, whether to
 *
 *   - 'descend' into it (an object or array whose members matter),
 *   - capture it 'whole' (its text is handed to `onValue` and parsed with JSON.parse, so every
 *     captured value is fully validated), or
 *   - 'skip' it (scanned for structure only, nothing kept).
 *
 * Only the structure is checked by the scanner itself (brackets, strings, separators); a captured
 * value larger than `maxValueChars` is refused with a named error instead of growing without bound.
 * Line numbers (1-based, counting LF) are tracked so that a bad element can be reported by line.
 */

/** A path from the root: object keys and array indices. */
export type JsonPath = readonly (string | number)[];

export type ScanDecision = 'descend' | 'whole' | 'skip';

export interface JsonScanHandlers {
  /** Called once for each value whose parent was descended into (and for the root). */
  select(path: JsonPath): ScanDecision;
  /** Called with the text of each value selected 'whole', and the line its first character is on. */
  onValue(path: JsonPath, text: string, line: number): void;
}

/** Thrown for a document that is not well-formed JSON; `line` is where the scanner stopped. */
export class JsonScanError extends Error {
  override readonly name = 'JsonScanError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

type FrameState = 'key' | 'colon' | 'value' | 'comma';

interface Frame {
  kind: 'object' | 'array';
  mode: ScanDecision;
  path: JsonPath;
  /** What may come next: a key (objects), a colon, a value, or a comma / the closing bracket. */
  state: FrameState;
  /** No member or element yet (the closing bracket may follow the opening one). */
  empty: boolean;
  /** Object: the key of the member being read (only tracked in 'descend' frames). */
  key: string | null;
  /** Array: index of the element being read. */
  index: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LF = 0x0a;
const MAX_KEY_CHARS = 64 * 1024;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isScalarEnd(c: number): boolean {
  return isWhitespace(c) || c === 0x2c || c === 0x5d || c === 0x7d; // , ] }
}

interface Capture {
  depth: number;
  path: JsonPath;
  parts: string[];
  chars: number;
  line: number;
}

/** The scanner: feed() it decoded text chunks in order, then end(). */
export class JsonStreamScanner {
  private readonly stack: Frame[] = [];
  private line = 1;
  private inString = false;
  private escape = false;
  private stringIsKey = false;
  private inScalar = false;
  private rootDone = false;
  /** The 'whole' value being captured, if any. */
  private capture: Capture | null = null;
  private captureStart = 0;
  /** The key being read in a 'descend' object, if any. */
  private keyParts: string[] | null = null;
  private keyStart = 0;
  private keyChars = 0;

  constructor(
    private readonly handlers: JsonScanHandlers,
    private readonly maxValueChars = 256 * 1024 * 1024,
  ) {}

  /** The 1-based line of the current position. */
  get currentLine(): number {
    return this.line;
  }

  feed(chunk: string): void {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === LF) this.line++;
      if (this.inString) {
        this.stringChar(c, chunk, i);
        continue;
      }
      if (this.inScalar) {
        if (!isScalarEnd(c)) continue;
        this.inScalar = false;
        this.valueEnded(chunk, i);
      }
      if (!isWhitespace(c)) this.structural(c, chunk, i);
    }
    this.carryOver(chunk);
  }

  /** Checks that the document ended at a value boundary. */
  end(): void {
    if (this.inScalar) {
      this.inScalar = false;
      this.valueEnded('', 0);
    }
    if (this.inString || this.stack.length > 0 || !this.rootDone) {
      throw new JsonScanError('the document ends before its JSON value is complete (truncated?)', this.line);
    }
  }

  private fail(message: string): never {
    throw new JsonScanError(message, this.line);
  }

  private stringChar(c: number, chunk: string, i: number): void {
    if (this.escape) {
      this.escape = false;
      return;
    }
    if (c === BACKSLASH) {
      this.escape = true;
      return;
    }
    if (c !== QUOTE) return;
    this.inString = false;
    if (this.stringIsKey) this.keyEnded(chunk, i + 1);
    else this.valueEnded(chunk, i + 1);
  }

  private structural(c: number, chunk: string, i: number): void {
    const top = this.stack[this.stack.length - 1];
    switch (c) {
      case 0x7d: // }
      case 0x5d: // ]
        this.close(c === 0x7d ? 'object' : 'array', chunk, i);
        return;
      case 0x3a: // :
        if (!top || top.state !== 'colon') this.fail('unexpected ":"');
        top.state = 'value';
        return;
      case 0x2c: // ,
        if (!top || top.state !== 'comma') this.fail('unexpected ","');
        if (top.kind === 'object') top.state = 'key';
        else {
          top.state = 'value';
          top.index++;
        }
        return;
      case QUOTE:
        if (top && top.state === 'key') {
          this.keyStarted(top, i);
          return;
        }
        this.valueStarted(top, i);
        this.inString = true;
        this.stringIsKey = false;
        return;
      case 0x7b: // {
      case 0x5b: // [
        this.open(top, c === 0x7b ? 'object' : 'array', i);
        return;
      default:
        this.valueStarted(top, i);
        this.inScalar = true;
    }
  }

  private keyStarted(top: Frame, i: number): void {
    top.state = 'colon';
    top.empty = false;
    this.inString = true;
    this.stringIsKey = true;
    if (top.mode === 'descend') {
      this.keyParts = [];
      this.keyStart = i;
      this.keyChars = 0;
    }
  }

  private keyEnded(chunk: string, end: number): void {
    const top = this.stack[this.stack.length - 1];
    if (!top || !this.keyParts) return;
    const total = this.keyChars + (end - this.keyStart);
    const raw = this.keyParts.join('') + chunk.slice(this.keyStart, end);
    this.keyParts = null;
    if (total > MAX_KEY_CHARS) {
      top.key = null;
      return;
    }
    try {
      top.key = JSON.parse(raw) as string;
    } catch {
      this.fail('a key is not a valid JSON string');
    }
  }

  private open(top: Frame | undefined, kind: 'object' | 'array', i: number): void {
    const decision = this.valueStarted(top, i);
    const mode: ScanDecision = decision === 'whole' || top?.mode === 'skip' ? 'skip' : decision;
    this.stack.push({
      kind,
      mode,
      path: mode === 'descend' ? this.childPath(top) : [],
      state: kind === 'object' ? 'key' : 'value',
      empty: true,
      key: null,
      index: 0,
    });
  }

  private close(kind: 'object' | 'array', chunk: string, i: number): void {
    const top = this.stack[this.stack.length - 1];
    const closable = top && top.kind === kind && (top.state === 'comma' || top.empty);
    if (!closable) this.fail(`unexpected "${kind === 'object' ? '}' : ']'}"`);
    this.stack.pop();
    this.valueEnded(chunk, i + 1);
  }

  /** Path of the value about to start under `parent`, from its path and its current key or index. */
  private childPath(parent: Frame | undefined): JsonPath {
    if (!parent) return [];
    return [...parent.path, parent.kind === 'object' ? (parent.key ?? '') : parent.index];
  }

  /** A value begins at chunk[i]: check it may, and ask the selector when its parent is descended. */
  private valueStarted(parent: Frame | undefined, i: number): ScanDecision {
    if (parent) {
      if (parent.state !== 'value') this.fail(parent.kind === 'object' ? 'expected a key' : 'expected ","');
      parent.state = 'comma';
      parent.empty = false;
    } else if (this.rootDone) this.fail('unexpected text after the JSON document');
    if (parent && parent.mode !== 'descend') return 'skip';
    const path = this.childPath(parent);
    const decision = this.handlers.select(path);
    if (decision === 'whole') {
      this.capture = { depth: this.stack.length, path, parts: [], chars: 0, line: this.line };
      this.captureStart = i;
    }
    return decision;
  }

  /** A value ended just before chunk[end]. */
  private valueEnded(chunk: string, end: number): void {
    if (this.stack.length === 0) this.rootDone = true;
    const cap = this.capture;
    if (!cap || cap.depth !== this.stack.length) return;
    const text = cap.parts.join('') + chunk.slice(this.captureStart, end);
    this.capture = null;
    this.handlers.onValue(cap.path, text, cap.line);
  }

  /** At the end of a chunk, move the pending part of a capture (or key) out of it. */
  private carryOver(chunk: string): void {
    const cap = this.capture;
    if (cap) {
      const part = chunk.slice(this.captureStart);
      cap.parts.push(part);
      cap.chars += part.length;
      this.captureStart = 0;
      if (cap.chars > this.maxValueChars) {
        throw new JsonScanError(
          `the value at ${describePath(cap.path)} is larger than ${this.maxValueChars} characters; refused`,
          cap.line,
        );
      }
    }
    if (this.keyParts) {
      const part = chunk.slice(this.keyStart);
      this.keyChars += part.length;
      if (this.keyChars <= MAX_KEY_CHARS) this.keyParts.push(part);
      this.keyStart = 0;
    }
  }
}

/** `results.results[3]`-style rendering of a path, for messages. */
export function describePath(path: JsonPath): string {
  if (path.length === 0) return 'the document root';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
