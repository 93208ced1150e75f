/**
 * The second reading of a pickle: a deliberately simple, linear walk over its opcodes, written
 * apart from the symbolic interpreter in pickle.ts and sharing none of its code. It keeps no
 * stack: it remembers only the two most recent values pushed (a string, or "something else"),
 * and the strings written to the memo, which is all a pickle written by Python's own pickler needs
 * for every import to be read — `GLOBAL`/`INST` carry module and name in their argument, and
 * `STACK_GLOBAL` comes right after the two strings (or memo fetches) that name it.
 *
 * A pickle is called safe only when this walk and the interpreter list the same imports
 * (pickle.ts): a pickle crafted so that the two disagree (a value pushed and popped between the
 * name strings, a memo slot overwritten…) reads one way to one reader and another way to the
 * other, and is reported as not analysed with both lists.
 */
import type { ByteSource } from './reader.ts';

export interface LinearReading {
  /** `module.name` of every import, in order of appearance (EXT codes as `copyreg extension N`). */
  globals: string[];
  /** Call-like opcodes (REDUCE, NEWOBJ, NEWOBJ_EX, OBJ, INST, BUILD) with their offsets. */
  calls: { opcode: string; offset: number }[];
  /** True when STOP was reached inside the range. */
  stopped: boolean;
  /** Why the walk stopped early, when it did. */
  problem: string | null;
}

/**
 * Bytes inside the pickle stream that are not opcodes: the array data joblib writes right after a
 * NumpyArrayWrapper's BUILD (absolute offsets in the source). The interpreter measures them from
 * the wrapper's state; this walk takes a region only where it finds itself exactly at its start
 * right after a BUILD, and walks an object array's own pickle (`pickle: true`) as a pickle. A
 * region it does not land on leaves the array bytes to be read as opcodes, and the readings
 * disagree.
 */
export interface ArrayRegion {
  from: number;
  to: number;
  pickle: boolean;
}

/** Strings longer than this are not kept (no module or attribute name is that long). */
const MAX_NAME = 4096;
const MAX_LISTED = 100_000;
const WINDOW = 1024 * 1024;

/** How each opcode's argument is laid out, by opcode character (pickletools' argument kinds). */
type ArgKind =
  'none' | 'line' | 'twolines' | 'u8' | 'u16' | 'i32' | 'u32' | 'f64' | 'u64' | 'len8' | 'len32' | 'len64';

const LAYOUT: Record<number, ArgKind> = {};
function def(kind: ArgKind, codes: string): void {
  for (const ch of codes) LAYOUT[ch.charCodeAt(0)] = kind;
}
def('none', '(.012NRabdel}]o)stu\x85\x86\x87\x88\x89\x8f\x90\x91\x92\x93\x94\x97\x98\x81Q');
def('line', 'FILPSVgp');
def('twolines', 'ci');
def('u8', 'Khq\x80\x82');
def('u16', 'M\x83');
def('i32', 'J\x84');
def('u32', 'jr');
def('f64', 'G');
def('u64', '\x95');
def('len8', 'UC\x8a\x8c');
def('len32', 'XBT\x8b');
def('len64', '\x8d\x8e\x96');

const STRING_OPS = new Set(['V', 'X', 'U', 'T', 'S', '\x8c', '\x8d'].map((c) => c.charCodeAt(0)));
const CALL_OPS: Record<number, string> = {
  0x52: 'REDUCE',
  0x81: 'NEWOBJ',
  0x92: 'NEWOBJ_EX',
  0x6f: 'OBJ',
  0x69: 'INST',
  0x62: 'BUILD',
};
/** Opcodes that neither push nor consume a value the walk cares about. */
const TRANSPARENT = new Set([0x70, 0x71, 0x72, 0x94, 0x95, 0x80]);

class Window {
  private buf: Buffer = Buffer.alloc(0);
  private at = 0;
  constructor(
    private readonly src: ByteSource,
    public pos: number,
    private readonly end: number,
  ) {}

  private async ensure(n: number): Promise<boolean> {
    if (this.pos + n > this.end) return false;
    if (this.pos >= this.at && this.pos + n <= this.at + this.buf.length) return true;
    const len = Math.min(Math.max(n, WINDOW), this.end - this.pos);
    this.buf = await this.src.read(this.pos, len);
    this.at = this.pos;
    return true;
  }

  async bytes(n: number): Promise<Buffer | null> {
    if (!(await this.ensure(n))) return null;
    const b = this.buf.subarray(this.pos - this.at, this.pos - this.at + n);
    this.pos += n;
    return b;
  }

  /** Skip `n` bytes without reading them. */
  skip(n: number): boolean {
    if (this.pos + n > this.end) return false;
    this.pos += n;
    return true;
  }

  async line(): Promise<string | null> {
    const parts: Buffer[] = [];
    for (;;) {
      if (!(await this.ensure(1))) return null;
      const rel = this.pos - this.at;
      const nl = this.buf.indexOf(0x0a, rel);
      if (nl >= 0) {
        parts.push(this.buf.subarray(rel, nl));
        this.pos += nl - rel + 1;
        return Buffer.concat(parts).toString('utf8');
      }
      parts.push(this.buf.subarray(rel));
      this.pos += this.buf.length - rel;
      if (parts.reduce((s, p) => s + p.length, 0) > MAX_NAME) return null;
    }
  }
}

/** Python string literal of a protocol 0 STRING argument, unquoted (escapes left as they are). */
function unquote(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && (t[0] === "'" || t[0] === '"') && t[t.length - 1] === t[0]) return t.slice(1, -1);
  return t;
}

/** Walk the opcodes of the pickle in `[start, end)` of `src`, first to last, until STOP. */
export async function readLinear(
  src: ByteSource,
  start: number,
  end: number,
  regions: readonly ArrayRegion[] = [],
): Promise<LinearReading> {
  const w = new Window(src, start, end);
  let nextRegion = 0;
  let afterBuild = false;
  const out: LinearReading = { globals: [], calls: [], stopped: false, problem: null };
  let prev: string | null = null;
  let last: string | null = null;
  const memo = new Map<number, string | null>();
  const pushed = (v: string | null): void => {
    prev = last;
    last = v;
  };
  const note = (ref: string): void => {
    if (out.globals.length < MAX_LISTED) out.globals.push(ref);
  };
  while (w.pos < end) {
    while (nextRegion < regions.length && regions[nextRegion]!.from < w.pos) nextRegion++;
    const region = regions[nextRegion];
    if (afterBuild && region !== undefined && region.from === w.pos && region.to <= end) {
      nextRegion++;
      if (region.pickle) {
        const inner = await readLinear(src, region.from, region.to);
        if (!inner.stopped || inner.problem !== null) {
          out.problem = `array pickle at offset ${region.from - start}: ${inner.problem ?? 'no STOP'}`;
          return out;
        }
        for (const g of inner.globals) note(g);
        out.calls.push(...inner.calls.slice(0, MAX_LISTED - out.calls.length));
      }
      w.skip(region.to - w.pos);
      afterBuild = false;
      continue;
    }
    const at = w.pos;
    const head = await w.bytes(1);
    const op = head?.[0];
    if (op === undefined) break;
    const kind = LAYOUT[op];
    if (kind === undefined) {
      out.problem = `unknown opcode 0x${op.toString(16).padStart(2, '0')} at offset ${at - start}`;
      return out;
    }
    if (op === 0x2e) {
      out.stopped = true;
      return out;
    }
    let value: string | null = null;
    let intArg: number | null = null;
    let text: string | null = null;
    let ok = true;
    switch (kind) {
      case 'none':
        break;
      case 'line':
        text = await w.line();
        ok = text !== null;
        break;
      case 'twolines': {
        const a = await w.line();
        const b = a === null ? null : await w.line();
        ok = a !== null && b !== null;
        if (ok) text = `${a}.${b}`;
        break;
      }
      case 'u8':
      case 'u16':
      case 'i32':
      case 'u32':
      case 'u64':
      case 'f64': {
        const size = { u8: 1, u16: 2, i32: 4, u32: 4, u64: 8, f64: 8 }[kind];
        const b = await w.bytes(size);
        ok = b !== null;
        if (b && kind === 'u8') intArg = b.readUInt8(0);
        if (b && kind === 'u16') intArg = b.readUInt16LE(0);
        if (b && kind === 'i32') intArg = b.readInt32LE(0);
        if (b && kind === 'u32') intArg = b.readUInt32LE(0);
        break;
      }
      case 'len8':
      case 'len32':
      case 'len64': {
        const lb = await w.bytes(kind === 'len8' ? 1 : kind === 'len32' ? 4 : 8);
        if (!lb) {
          ok = false;
          break;
        }
        const len =
          kind === 'len8'
            ? lb.readUInt8(0)
            : kind === 'len32'
              ? lb.readInt32LE(0)
              : Number(lb.readBigUInt64LE(0));
        if (len < 0 || !Number.isSafeInteger(len)) {
          ok = false;
          break;
        }
        if (STRING_OPS.has(op) && len <= MAX_NAME) {
          const b = await w.bytes(len);
          ok = b !== null;
          if (b) value = op === 0x55 || op === 0x54 ? b.toString('latin1') : b.toString('utf8');
        } else ok = w.skip(len);
        break;
      }
    }
    if (!ok) {
      out.problem = `opcode at offset ${at - start} runs past the end`;
      return out;
    }
    afterBuild = op === 0x62;
    const call = CALL_OPS[op];
    if (call && out.calls.length < MAX_LISTED) out.calls.push({ opcode: call, offset: at - start });
    if (op === 0x63 || op === 0x69) note(text ?? '');
    if (op === 0x53 || op === 0x56) value = unquote(text ?? '');
    if (op === 0x82 || op === 0x83 || op === 0x84) note(`copyreg extension ${intArg ?? '?'}`);
    if (op === 0x93) note(`${prev ?? '?'}.${last ?? '?'}`);
    // Memo writes remember what was pushed last; memo reads push it back.
    if (op === 0x70) memo.set(Number.parseInt(text ?? '', 10), last);
    else if (op === 0x71 || op === 0x72) memo.set(intArg ?? -1, last);
    else if (op === 0x94) memo.set(memo.size, last);
    if (TRANSPARENT.has(op)) continue;
    if (op === 0x67) pushed(memo.get(Number.parseInt(text ?? '', 10)) ?? null);
    else if (op === 0x68 || op === 0x6a) pushed(memo.get(intArg ?? -1) ?? null);
    else pushed(STRING_OPS.has(op) ? value : null);
  }
  out.problem = 'no STOP before the end of the range';
  return out;
}
