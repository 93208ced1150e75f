/**
 * Static, opcode-level scanning of Python pickles (protocols 0–5) and PyTorch checkpoints.
 * Nothing is ever unpickled: the scanner decodes opcodes (CPython Lib/pickletools.py, PEP 307 for
 * protocol 2, PEP 3154 for 4, PEP 574 for 5) and runs a small abstract interpreter over the pickle
 * machine's stack and memo, so that STACK_GLOBAL's module and name can be resolved from the
 * strings pushed before it — directly, or fetched back from the memo by GET/BINGET/LONG_BINGET
 * after PUT/BINPUT/LONG_BINPUT/MEMOIZE. Every argument length is checked against the bytes left.
 *
 * For each import it records module, name, byte offset, opcode, and a classification
 * (see pickle-classify.ts); for each call site (REDUCE, NEWOBJ, NEWOBJ_EX, OBJ, INST, BUILD on an
 * imported object) the callee and its literal string arguments — so `builtins.eval("…")` shows the
 * code it would have run.
 *
 * PyTorch: `torch.save` since 1.6 writes a zip whose `<archive>/data.pkl` is the pickle and whose
 * `<archive>/data/<key>` members hold raw storage bytes named by persistent ids
 * `('storage', StorageType, key, location, numel)`. The legacy format is a run of pickles —
 * magic number 0x1950a86a20f9469cfc6c, protocol version, sys info, the object, the storage keys —
 * followed by raw storage bytes.
 */
import {
  withFileSource,
  Cursor,
  malformed,
  fmt,
  q,
  ProblemList,
  bufferSource,
  type ByteSource,
} from './reader.ts';
import { ProbityError } from '../util/errors.ts';
import { classifyGlobal, type PickleClassification } from './pickle-classify.ts';
import { readZipDirectory, entryDataOffset, inflateEntry, looksLikeZip, type ZipEntry } from './zip.ts';

export { classifyGlobal, type PickleClassification } from './pickle-classify.ts';

export interface PickleGlobal {
  module: string;
  name: string;
  /** Byte offset of the opcode within its pickle stream (the zip member, or the file). */
  offset: number;
  opcode: 'GLOBAL' | 'STACK_GLOBAL' | 'INST' | 'EXT1' | 'EXT2' | 'EXT4';
  classification: PickleClassification;
  reason: string | null;
  /** True when a REDUCE/NEWOBJ/OBJ/INST/BUILD was applied to it. */
  called: boolean;
}

export interface PickleCall {
  offset: number;
  opcode: 'REDUCE' | 'NEWOBJ' | 'NEWOBJ_EX' | 'OBJ' | 'INST' | 'BUILD';
  /** `module.name` of the callee. */
  target: string;
  /** Literal arguments as far as they are known: strings JSON-quoted (≤ 200 chars), imports by name, `…` otherwise. */
  args: string[];
}

export interface PickleScan {
  /** Zip member name, or null for a plain file. */
  member: string | null;
  /** Offset where this pickle starts within its stream. */
  start: number;
  /** Offset just after STOP (or where scanning stopped). */
  end: number;
  protocol: number | null;
  /** True when STOP was reached. */
  complete: boolean;
  opcodeCount: number;
  globals: PickleGlobal[];
  calls: PickleCall[];
  /** Keys from torch persistent ids `('storage', type, key, location, numel)`. */
  storageKeys: string[];
  verdict: PickleClassification;
  problems: string[];
}

export interface PickleImportSummary {
  ref: string;
  classification: PickleClassification;
  reason: string | null;
  count: number;
}

export interface PickleScanReport {
  format: 'pickle' | 'torch-zip' | 'torch-legacy';
  fileSize: number;
  /** 'dangerous' if any import is dangerous, else 'unknown' if any is unknown, else 'safe'. */
  verdict: PickleClassification;
  /** Distinct imports over all pickles, dangerous first. */
  imports: PickleImportSummary[];
  pickles: PickleScan[];
  /** For a torch zip: archive directory name, member count, member names (first 1,000). */
  archive: { root: string | null; memberCount: number; members: string[] } | null;
  problems: string[];
}

type AV =
  { k: 'str'; v: string } | { k: 'global'; g: PickleGlobal } | { k: 'tuple'; items: AV[] } | { k: 'other' };
const OTHER: AV = { k: 'other' };

const enum Arg {
  None,
  U1,
  U2,
  I4,
  U4,
  U8,
  F8,
  Line,
  Line2,
  Bytes1,
  Bytes4,
  Bytes4Signed,
  Bytes8,
}

/** Opcode byte → [name, argument encoding] (pickletools.opcodes). */
const OPS = new Map<number, readonly [string, Arg]>([
  [0x28, ['MARK', Arg.None]],
  [0x2e, ['STOP', Arg.None]],
  [0x30, ['POP', Arg.None]],
  [0x31, ['POP_MARK', Arg.None]],
  [0x32, ['DUP', Arg.None]],
  [0x46, ['FLOAT', Arg.Line]],
  [0x49, ['INT', Arg.Line]],
  [0x4a, ['BININT', Arg.I4]],
  [0x4b, ['BININT1', Arg.U1]],
  [0x4c, ['LONG', Arg.Line]],
  [0x4d, ['BININT2', Arg.U2]],
  [0x4e, ['NONE', Arg.None]],
  [0x50, ['PERSID', Arg.Line]],
  [0x51, ['BINPERSID', Arg.None]],
  [0x52, ['REDUCE', Arg.None]],
  [0x53, ['STRING', Arg.Line]],
  [0x54, ['BINSTRING', Arg.Bytes4Signed]],
  [0x55, ['SHORT_BINSTRING', Arg.Bytes1]],
  [0x56, ['UNICODE', Arg.Line]],
  [0x58, ['BINUNICODE', Arg.Bytes4]],
  [0x61, ['APPEND', Arg.None]],
  [0x62, ['BUILD', Arg.None]],
  [0x63, ['GLOBAL', Arg.Line2]],
  [0x64, ['DICT', Arg.None]],
  [0x7d, ['EMPTY_DICT', Arg.None]],
  [0x65, ['APPENDS', Arg.None]],
  [0x67, ['GET', Arg.Line]],
  [0x68, ['BINGET', Arg.U1]],
  [0x69, ['INST', Arg.Line2]],
  [0x6a, ['LONG_BINGET', Arg.U4]],
  [0x6c, ['LIST', Arg.None]],
  [0x5d, ['EMPTY_LIST', Arg.None]],
  [0x6f, ['OBJ', Arg.None]],
  [0x70, ['PUT', Arg.Line]],
  [0x71, ['BINPUT', Arg.U1]],
  [0x72, ['LONG_BINPUT', Arg.U4]],
  [0x73, ['SETITEM', Arg.None]],
  [0x74, ['TUPLE', Arg.None]],
  [0x29, ['EMPTY_TUPLE', Arg.None]],
  [0x75, ['SETITEMS', Arg.None]],
  [0x47, ['BINFLOAT', Arg.F8]],
  [0x80, ['PROTO', Arg.U1]],
  [0x81, ['NEWOBJ', Arg.None]],
  [0x82, ['EXT1', Arg.U1]],
  [0x83, ['EXT2', Arg.U2]],
  [0x84, ['EXT4', Arg.I4]],
  [0x85, ['TUPLE1', Arg.None]],
  [0x86, ['TUPLE2', Arg.None]],
  [0x87, ['TUPLE3', Arg.None]],
  [0x88, ['NEWTRUE', Arg.None]],
  [0x89, ['NEWFALSE', Arg.None]],
  [0x8a, ['LONG1', Arg.Bytes1]],
  [0x8b, ['LONG4', Arg.Bytes4Signed]],
  [0x42, ['BINBYTES', Arg.Bytes4]],
  [0x43, ['SHORT_BINBYTES', Arg.Bytes1]],
  [0x8c, ['SHORT_BINUNICODE', Arg.Bytes1]],
  [0x8d, ['BINUNICODE8', Arg.Bytes8]],
  [0x8e, ['BINBYTES8', Arg.Bytes8]],
  [0x8f, ['EMPTY_SET', Arg.None]],
  [0x90, ['ADDITEMS', Arg.None]],
  [0x91, ['FROZENSET', Arg.None]],
  [0x92, ['NEWOBJ_EX', Arg.None]],
  [0x93, ['STACK_GLOBAL', Arg.None]],
  [0x94, ['MEMOIZE', Arg.None]],
  [0x95, ['FRAME', Arg.U8]],
  [0x96, ['BYTEARRAY8', Arg.Bytes8]],
  [0x97, ['NEXT_BUFFER', Arg.None]],
  [0x98, ['READONLY_BUFFER', Arg.None]],
]);

/**
 * Opcodes a protocol 0/1 pickle can plausibly start with (it has no PROTO): MARK, the empty
 * containers, GLOBAL, NONE and the scalar pushes. Anything else is not treated as a pickle.
 */
const PROTOCOL0_OPENERS = new Set([
  0x28, 0x5d, 0x7d, 0x29, 0x63, 0x4e, 0x49, 0x46, 0x4c, 0x53, 0x56, 0x58, 0x54, 0x55, 0x4b, 0x4a, 0x4d, 0x47,
  0x50,
]);

/** Could a stream starting with these bytes be a pickle? (PROTO 0–5, or a protocol 0/1 opener.) */
export function looksLikePickle(b0: number | undefined, b1: number | undefined): boolean {
  if (b0 === 0x80) return b1 !== undefined && b1 <= MAX_HIGHEST_PROTOCOL;
  return b0 !== undefined && PROTOCOL0_OPENERS.has(b0);
}

const MAX_LINE = 64 * 1024;
const MAX_KEPT_STRING = 64 * 1024;
const MAX_STACK = 1_000_000;
const MAX_MEMO = 1_000_000;
const MAX_GLOBALS = 10_000;
const MAX_CALLS = 2_000;
const MAX_TUPLE_KEEP = 8;
const MAX_HIGHEST_PROTOCOL = 5;

/** Python's repr-quoted STRING argument ('abc' or "abc" with backslash escapes), protocol 0. */
function unquotePy2(file: string, s: string, at: number): string {
  const q = s[0];
  if (s.length < 2 || (q !== "'" && q !== '"') || s[s.length - 1] !== q) {
    throw malformed(file, `STRING argument at offset ${fmt(at)} is not quoted`);
  }
  const body = s.slice(1, -1);
  return body.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_m, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    const map: Record<string, string> = {
      n: '\n',
      r: '\r',
      t: '\t',
      '\\': '\\',
      "'": "'",
      '"': '"',
      a: '\x07',
      b: '\b',
      f: '\f',
      v: '\v',
    };
    return map[e] ?? '\\' + e;
  });
}

/** raw-unicode-escape decoding for UNICODE (protocol 0): \uXXXX and \UXXXXXXXX, other bytes latin-1. */
function rawUnicodeEscape(s: string): string {
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, u4?: string, u8?: string) => {
    const cp = parseInt(u4 ?? u8 ?? '0', 16);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
  });
}

/** A call argument in words; nested tuples are shown three levels deep (a pickle can nest them a million deep). */
function describeArg(v: AV, depth = 0): string {
  if (v.k === 'str') return JSON.stringify(v.v.length > 200 ? v.v.slice(0, 200) + '…' : v.v);
  if (v.k === 'global') return `${v.g.module}.${v.g.name}`;
  if (v.k === 'tuple')
    return depth >= 3 ? '(…)' : `(${v.items.map((x) => describeArg(x, depth + 1)).join(', ')})`;
  return '…';
}

/** The abstract machine for one pickle. */
class Scanner {
  private stack: AV[] = [];
  private marks: number[] = [];
  private droppedStack = 0;
  private memo = new Map<number, AV>();
  private memoCount = 0;
  private underflows = 0;
  readonly globals: PickleGlobal[] = [];
  readonly calls: PickleCall[] = [];
  readonly storageKeys: string[] = [];
  readonly problems = new ProblemList(50);
  protocol: number | null = null;
  opcodeCount = 0;
  complete = false;

  constructor(
    private readonly c: Cursor,
    private readonly base: number,
    private readonly member: string | null,
  ) {}

  private get file(): string {
    return this.c.src.name;
  }

  private readonly reported = new Set<string>();
  /** Record a problem the first time its key comes up. */
  private once(key: string, problem: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.problems.add(problem);
  }

  private where(at: number): string {
    return `${this.member ? `member ${q(this.member)} ` : ''}offset ${fmt(at - this.base)}`;
  }

  private push(v: AV): void {
    if (this.stack.length >= MAX_STACK) {
      // Keep the top half: STACK_GLOBAL and the call opcodes only look near the top.
      const drop = this.stack.length >> 1;
      this.stack.splice(0, drop);
      this.droppedStack += drop;
      this.marks = this.marks.map((m) => Math.max(0, m - drop));
      this.once('stack', `stack deeper than ${fmt(MAX_STACK)} entries; the bottom was discarded`);
    }
    this.stack.push(v);
  }

  private floor(): number {
    return this.marks.length > 0 ? (this.marks[this.marks.length - 1] ?? 0) : 0;
  }

  private underflow(op: string, at: number): void {
    this.underflows++;
    if (this.underflows <= 3)
      this.problems.add(`${op} at ${this.where(at)} pops an empty stack (the unpickler would fail here)`);
  }

  private pop(op: string, at: number): AV {
    if (this.stack.length <= this.floor()) {
      this.underflow(op, at);
      return OTHER;
    }
    return this.stack.pop() ?? OTHER;
  }

  private top(op: string, at: number): AV {
    if (this.stack.length <= this.floor()) {
      this.underflow(op, at);
      return OTHER;
    }
    return this.stack[this.stack.length - 1] ?? OTHER;
  }

  private popMark(op: string, at: number): AV[] {
    const m = this.marks.pop();
    if (m === undefined) {
      this.underflow(`${op} (no MARK)`, at);
      return [];
    }
    return this.stack.splice(m);
  }

  private addGlobal(module: string, name: string, at: number, opcode: PickleGlobal['opcode']): PickleGlobal {
    const v = classifyGlobal(module, name);
    const g: PickleGlobal = {
      module,
      name,
      offset: at - this.base,
      opcode,
      classification: v.classification,
      reason: v.reason,
      called: false,
    };
    if (this.globals.length < MAX_GLOBALS) this.globals.push(g);
    else this.once('globals', `more than ${fmt(MAX_GLOBALS)} imports; only the first are listed`);
    return g;
  }

  private addCall(callee: AV, opcode: PickleCall['opcode'], at: number, args: AV[]): void {
    if (callee.k !== 'global') return;
    callee.g.called = true;
    if (this.calls.length < MAX_CALLS) {
      this.calls.push({
        offset: at - this.base,
        opcode,
        target: `${callee.g.module}.${callee.g.name}`,
        args: args.slice(0, 4).map((a) => describeArg(a)),
      });
    }
  }

  private tuple(items: AV[]): AV {
    return { k: 'tuple', items: items.slice(0, MAX_TUPLE_KEEP) };
  }

  private memoPut(idx: number, v: AV): void {
    if (this.memo.size >= MAX_MEMO && !this.memo.has(idx)) {
      this.once('memo', `memo larger than ${fmt(MAX_MEMO)} entries; later entries are not tracked`);
      return;
    }
    if (!this.memo.has(idx)) this.memoCount++;
    this.memo.set(idx, v);
  }

  private memoGet(idx: number, at: number): AV {
    const v = this.memo.get(idx);
    if (v === undefined) {
      this.problems.add(`memo key ${idx} read at ${this.where(at)} was never stored`);
      return OTHER;
    }
    return v;
  }

  private async line(what: string): Promise<string> {
    const c = this.c;
    const at = c.pos;
    // Look in what is buffered first; refill (up to the line limit) only when no newline is there.
    let i = c.indexOf(0x0a, Math.min(c.buffered(), MAX_LINE));
    if (i < 0) {
      await c.need(Math.min(MAX_LINE, c.remaining), what);
      i = c.indexOf(0x0a, MAX_LINE);
    }
    if (i < 0)
      throw malformed(
        this.file,
        `${what} at ${this.where(at)} is not terminated by a newline within ${fmt(Math.min(MAX_LINE, c.remaining))} bytes`,
      );
    const s = c.bytes(i + 1).toString('latin1');
    return s.slice(0, -1).replace(/\r$/, '');
  }

  private async utf8Line(what: string): Promise<string> {
    return Buffer.from(await this.line(what), 'latin1').toString('utf8');
  }

  /** Read a length-prefixed payload; returns the bytes when short enough to keep, else null (skipped). */
  private async payload(len: number, what: string, at: number): Promise<Buffer | null> {
    const c = this.c;
    if (len > c.remaining)
      throw malformed(
        this.file,
        `${what} at ${this.where(at)} claims ${fmt(len)} bytes but only ${fmt(c.remaining)} remain`,
      );
    if (len > MAX_KEPT_STRING) {
      c.skip(len, what);
      return null;
    }
    await c.need(len, what);
    return c.bytes(len);
  }

  /** Run until STOP (or an error that leaves the byte stream undecodable). */
  async run(): Promise<void> {
    const c = this.c;
    for (;;) {
      const at = c.pos;
      if (c.remaining <= 0) {
        this.problems.add(`pickle ends at ${this.where(at)} without STOP (truncated)`);
        return;
      }
      if (!c.has(1)) await c.need(1, 'opcode');
      const code = c.u8();
      const op = OPS.get(code);
      if (!op) {
        this.problems.add(
          `unknown opcode 0x${code.toString(16).padStart(2, '0')} at ${this.where(at)}: the unpickler stops here`,
        );
        return;
      }
      this.opcodeCount++;
      const [name, arg] = op;
      try {
        const done = await this.step(name, arg, at);
        if (done) {
          this.complete = true;
          return;
        }
      } catch (err) {
        if (!(err instanceof ProbityError) || err.code !== 'malformed') throw err;
        this.problems.add(
          err.message.startsWith(`${this.file}: `) ? err.message.slice(this.file.length + 2) : err.message,
        );
        return;
      }
    }
  }

  private async step(name: string, arg: Arg, at: number): Promise<boolean> {
    const c = this.c;
    // Decode the argument.
    let n = 0;
    let text: string | null = null;
    let payload: Buffer | null = null;
    let mod = '';
    switch (arg) {
      case Arg.None:
        break;
      case Arg.U1:
        await c.need(1, name);
        n = c.u8();
        break;
      case Arg.U2:
        await c.need(2, name);
        n = c.u16();
        break;
      case Arg.I4:
        await c.need(4, name);
        n = c.i32();
        break;
      case Arg.U4:
        await c.need(4, name);
        n = c.u32();
        break;
      case Arg.U8: {
        await c.need(8, name);
        const v = c.u64();
        if (v > BigInt(c.remaining))
          this.problems.add(
            `FRAME at ${this.where(at)} claims ${v} bytes but only ${fmt(c.remaining)} remain`,
          );
        break;
      }
      case Arg.F8:
        await c.need(8, name);
        c.skip(8);
        break;
      case Arg.Line:
        text = await this.line(`${name} argument`);
        break;
      case Arg.Line2:
        mod = await this.utf8Line(`${name} module`);
        text = await this.utf8Line(`${name} name`);
        break;
      case Arg.Bytes1: {
        await c.need(1, name);
        payload = await this.payload(c.u8(), name, at);
        break;
      }
      case Arg.Bytes4:
      case Arg.Bytes4Signed: {
        await c.need(4, name);
        const len = arg === Arg.Bytes4Signed ? c.i32() : c.u32();
        if (len < 0) throw malformed(this.file, `${name} at ${this.where(at)} has negative length ${len}`);
        payload = await this.payload(len, name, at);
        break;
      }
      case Arg.Bytes8: {
        await c.need(8, name);
        const len = c.u64();
        if (len > BigInt(c.remaining))
          throw malformed(
            this.file,
            `${name} at ${this.where(at)} claims ${len} bytes but only ${fmt(c.remaining)} remain`,
          );
        payload = await this.payload(Number(len), name, at);
        break;
      }
    }

    switch (name) {
      case 'STOP':
        // load_stop pops the result; left-over stack items and marks are ignored by CPython.
        this.pop(name, at);
        return true;
      case 'PROTO':
        if (this.protocol === null) this.protocol = n;
        if (n > MAX_HIGHEST_PROTOCOL)
          throw malformed(
            this.file,
            `unsupported pickle protocol ${n} at ${this.where(at)} (highest is ${MAX_HIGHEST_PROTOCOL})`,
          );
        return false;
      case 'FRAME':
        return false;
      case 'MARK':
        if (this.marks.length >= MAX_STACK) {
          this.marks.splice(0, this.marks.length >> 1);
          this.once('marks', `more than ${fmt(MAX_STACK)} nested MARKs; the outermost were discarded`);
        }
        this.marks.push(this.stack.length);
        return false;
      case 'POP':
        if (this.stack.length > this.floor()) this.stack.pop();
        else if (this.marks.length > 0) this.marks.pop();
        else this.underflow(name, at);
        return false;
      case 'POP_MARK':
        this.popMark(name, at);
        return false;
      case 'DUP':
        this.push(this.top(name, at));
        return false;
      case 'FLOAT':
      case 'INT':
      case 'LONG':
      case 'BININT':
      case 'BININT1':
      case 'BININT2':
      case 'BINFLOAT':
      case 'NONE':
      case 'NEWTRUE':
      case 'NEWFALSE':
      case 'LONG1':
      case 'LONG4':
      case 'EMPTY_DICT':
      case 'EMPTY_LIST':
      case 'EMPTY_SET':
      case 'BINBYTES':
      case 'SHORT_BINBYTES':
      case 'BINBYTES8':
      case 'BYTEARRAY8':
      case 'NEXT_BUFFER':
        this.push(OTHER);
        return false;
      case 'EMPTY_TUPLE':
        this.push(this.tuple([]));
        return false;
      case 'READONLY_BUFFER':
        this.top(name, at);
        return false;
      case 'STRING':
        this.push({ k: 'str', v: unquotePy2(this.file, text ?? '', at) });
        return false;
      case 'UNICODE':
        this.push({ k: 'str', v: rawUnicodeEscape(text ?? '') });
        return false;
      case 'BINSTRING':
      case 'SHORT_BINSTRING':
        this.push(payload === null ? OTHER : { k: 'str', v: payload.toString('latin1') });
        return false;
      case 'BINUNICODE':
      case 'SHORT_BINUNICODE':
      case 'BINUNICODE8':
        this.push(payload === null ? OTHER : { k: 'str', v: payload.toString('utf8') });
        return false;
      case 'PERSID':
        this.push(OTHER);
        return false;
      case 'BINPERSID': {
        const pid = this.pop(name, at);
        if (pid.k === 'tuple') {
          const [kind, , key] = pid.items;
          if (
            kind?.k === 'str' &&
            kind.v === 'storage' &&
            key?.k === 'str' &&
            this.storageKeys.length < 1_000_000
          )
            this.storageKeys.push(key.v);
        }
        this.push(OTHER);
        return false;
      }
      case 'REDUCE': {
        const args = this.pop(name, at);
        const fn = this.pop(name, at);
        this.addCall(fn, 'REDUCE', at, args.k === 'tuple' ? args.items : [args]);
        this.push(OTHER);
        return false;
      }
      case 'BUILD': {
        const state = this.pop(name, at);
        const obj = this.top(name, at);
        this.addCall(obj, 'BUILD', at, [state]);
        return false;
      }
      case 'NEWOBJ': {
        const args = this.pop(name, at);
        const cls = this.pop(name, at);
        this.addCall(cls, 'NEWOBJ', at, args.k === 'tuple' ? args.items : [args]);
        this.push(OTHER);
        return false;
      }
      case 'NEWOBJ_EX': {
        this.pop(name, at);
        const args = this.pop(name, at);
        const cls = this.pop(name, at);
        this.addCall(cls, 'NEWOBJ_EX', at, args.k === 'tuple' ? args.items : [args]);
        this.push(OTHER);
        return false;
      }
      case 'OBJ': {
        const items = this.popMark(name, at);
        const cls = items[0];
        if (cls) this.addCall(cls, 'OBJ', at, items.slice(1));
        else this.underflow(name, at);
        this.push(OTHER);
        return false;
      }
      case 'GLOBAL': {
        this.push({ k: 'global', g: this.addGlobal(mod, text ?? '', at, 'GLOBAL') });
        return false;
      }
      case 'INST': {
        const g = this.addGlobal(mod, text ?? '', at, 'INST');
        const items = this.popMark(name, at);
        this.addCall({ k: 'global', g }, 'INST', at, items);
        this.push(OTHER);
        return false;
      }
      case 'STACK_GLOBAL': {
        const nm = this.pop(name, at);
        const md = this.pop(name, at);
        let g: PickleGlobal;
        if (nm.k === 'str' && md.k === 'str') {
          g = this.addGlobal(md.v, nm.v, at, 'STACK_GLOBAL');
        } else {
          g = this.addGlobal(md.k === 'str' ? md.v : '?', nm.k === 'str' ? nm.v : '?', at, 'STACK_GLOBAL');
          g.classification = 'dangerous';
          g.reason =
            'STACK_GLOBAL operands are not literal strings: the imported name is computed at load time';
        }
        this.push({ k: 'global', g });
        return false;
      }
      case 'EXT1':
      case 'EXT2':
      case 'EXT4': {
        const g = this.addGlobal('(copyreg extension registry)', `code ${n}`, at, name);
        g.reason =
          'extension codes resolve through copyreg._inverted_registry, empty unless the loading program registers codes';
        this.problems.add(`${name} ${n} at ${this.where(at)}: import through the extension registry`);
        this.push({ k: 'global', g });
        return false;
      }
      case 'APPEND':
        this.pop(name, at);
        this.top(name, at);
        return false;
      case 'APPENDS':
      case 'SETITEMS':
      case 'ADDITEMS':
        this.popMark(name, at);
        this.top(name, at);
        return false;
      case 'SETITEM':
        this.pop(name, at);
        this.pop(name, at);
        this.top(name, at);
        return false;
      case 'DICT':
      case 'LIST':
      case 'FROZENSET':
        this.popMark(name, at);
        this.push(OTHER);
        return false;
      case 'TUPLE':
        this.push(this.tuple(this.popMark(name, at)));
        return false;
      case 'TUPLE1':
      case 'TUPLE2':
      case 'TUPLE3': {
        const k = name === 'TUPLE1' ? 1 : name === 'TUPLE2' ? 2 : 3;
        const items: AV[] = [];
        for (let i = 0; i < k; i++) items.unshift(this.pop(name, at));
        this.push(this.tuple(items));
        return false;
      }
      case 'GET':
      case 'BINGET':
      case 'LONG_BINGET': {
        let idx = n;
        if (name === 'GET') {
          idx = Number.parseInt(text ?? '', 10);
          if (!Number.isSafeInteger(idx))
            throw malformed(this.file, `GET at ${this.where(at)} has a non-integer key`);
        }
        this.push(this.memoGet(idx, at));
        return false;
      }
      case 'PUT':
      case 'BINPUT':
      case 'LONG_BINPUT': {
        let idx = n;
        if (name === 'PUT') {
          idx = Number.parseInt(text ?? '', 10);
          if (!Number.isSafeInteger(idx))
            throw malformed(this.file, `PUT at ${this.where(at)} has a non-integer key`);
        }
        this.memoPut(idx, this.top(name, at));
        return false;
      }
      case 'MEMOIZE':
        this.memoPut(this.memoCount, this.top(name, at));
        return false;
      default:
        return false;
    }
  }
}

function verdictOf(list: { classification: PickleClassification }[]): PickleClassification {
  if (list.some((g) => g.classification === 'dangerous')) return 'dangerous';
  if (list.some((g) => g.classification === 'unknown')) return 'unknown';
  return 'safe';
}

/** Scan one pickle starting at `start` of `src`; offsets are reported relative to `base`. */
async function scanOne(
  src: ByteSource,
  start: number,
  end: number,
  base: number,
  member: string | null,
): Promise<PickleScan> {
  const c = new Cursor(src, start, end);
  const s = new Scanner(c, base, member);
  await s.run();
  return {
    member,
    start: start - base,
    end: c.pos - base,
    protocol: s.protocol,
    complete: s.complete,
    opcodeCount: s.opcodeCount,
    globals: s.globals,
    calls: s.calls,
    storageKeys: s.storageKeys,
    verdict: verdictOf(s.globals),
    problems: s.problems.toArray(),
  };
}

/**
 * Scan a stream that holds one pickle, possibly followed by more pickles (each starting with
 * PROTO) up to `maxPickles`. Throws `malformed` when the first byte is not a pickle opcode.
 */
async function scanStream(
  src: ByteSource,
  start: number,
  end: number,
  member: string | null,
  maxPickles: number,
  problems: ProblemList,
  trailingExpected: boolean,
): Promise<PickleScan[]> {
  const label = member ? `member ${q(member)}` : 'file';
  if (end <= start) throw malformed(src.name, `${label} is empty: not a pickle`);
  const head = await src.read(start, Math.min(2, end - start));
  const first = head[0] ?? 0;
  if (first === 0x80 && (head[1] ?? 0) > MAX_HIGHEST_PROTOCOL) {
    throw malformed(
      src.name,
      `${label} is not a pickle: unsupported pickle protocol ${head[1] ?? '?'} (highest is ${MAX_HIGHEST_PROTOCOL})`,
    );
  }
  if (!looksLikePickle(first, head[1])) {
    throw malformed(
      src.name,
      `${label} does not start like a pickle (first byte 0x${first.toString(16).padStart(2, '0')}): not a pickle`,
    );
  }
  const out: PickleScan[] = [];
  let pos = start;
  while (out.length < maxPickles) {
    const scan = await scanOne(src, pos, end, start, member);
    if (
      out.length === 0 &&
      !scan.complete &&
      scan.globals.length === 0 &&
      (first !== 0x80 || scan.opcodeCount <= 1)
    ) {
      throw malformed(src.name, `${label} is not a pickle: ${scan.problems[0] ?? 'no opcodes'}`);
    }
    out.push(scan);
    pos = scan.end + start;
    if (!scan.complete || pos >= end) break;
    const next = (await src.read(pos, 1))[0];
    if (next !== 0x80) break;
  }
  const last = out[out.length - 1];
  if (last?.complete && pos < end && !trailingExpected) {
    problems.add(
      `${fmt(end - pos)} bytes follow the last pickle's STOP in ${label} (not unpickled by pickle.load, but not scanned either)`,
    );
  }
  return out;
}

function summarize(pickles: PickleScan[]): PickleImportSummary[] {
  const map = new Map<string, PickleImportSummary>();
  for (const p of pickles) {
    for (const g of p.globals) {
      const ref = `${g.module}.${g.name}`;
      const cur = map.get(ref);
      if (cur) cur.count++;
      else map.set(ref, { ref, classification: g.classification, reason: g.reason, count: 1 });
    }
  }
  const rank: Record<PickleClassification, number> = { dangerous: 0, unknown: 1, safe: 2 };
  return [...map.values()].sort(
    (a, b) => rank[a.classification] - rank[b.classification] || (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0),
  );
}

function report(
  format: PickleScanReport['format'],
  src: ByteSource,
  pickles: PickleScan[],
  archive: PickleScanReport['archive'],
  problems: ProblemList,
): PickleScanReport {
  const all = pickles.flatMap((p) => p.globals);
  return {
    format,
    fileSize: src.size,
    verdict: verdictOf(all),
    imports: summarize(pickles),
    pickles,
    archive,
    problems: problems.toArray(),
  };
}

/** The first pickle of a legacy (non-zip) torch.save file: PROTO 2, LONG1 of the magic number, STOP. */
const TORCH_LEGACY_MAGIC = Buffer.from('80028a0a6cfc9c46f9206aa850192e', 'hex');

/** Scan a pickle file (.pkl, .pickle, a legacy .bin/.pt): the first pickle and any that follow it directly. */
export async function scanPickle(file: string): Promise<PickleScanReport> {
  return withFileSource(file, async (src) => {
    const problems = new ProblemList();
    const pickles = await scanStream(src, 0, src.size, null, 8, problems, false);
    return report('pickle', src, pickles, null, problems);
  });
}

/** Largest deflated pickle member we inflate into memory. */
const MAX_INFLATED = 256 * 1024 * 1024;
const MAX_PICKLE_MEMBERS = 64;

async function scanTorchZip(src: ByteSource): Promise<PickleScanReport> {
  const dir = await readZipDirectory(src);
  const problems = new ProblemList();
  for (const p of dir.problems) problems.add(p);
  const pkls = dir.entries.filter((e) => e.name.endsWith('.pkl'));
  if (pkls.length === 0)
    throw malformed(
      src.name,
      `zip archive with ${fmt(dir.entries.length)} members and no .pkl member: not a PyTorch checkpoint`,
    );
  for (const e of dir.entries) {
    if (e.name.startsWith('/') || e.name.split(/[\\/]/).includes('..'))
      problems.add(`zip member name ${q(e.name)} escapes the archive directory`);
  }
  const dataPkl =
    pkls.find((e) => e.name.endsWith('/data.pkl') && e.name.split('/').length === 2) ??
    pkls.find((e) => e.name === 'data.pkl');
  let root: string | null = null;
  if (!dataPkl) problems.add('no <archive>/data.pkl member: not laid out like torch.save output');
  else if (dataPkl.name === 'data.pkl')
    problems.add(
      'data.pkl sits at the archive root; torch.save always writes <archive>/data.pkl (hand-made archive?)',
    );
  else root = dataPkl.name.slice(0, -'/data.pkl'.length);

  const pickles: PickleScan[] = [];
  // A .pkl member that could not be scanned keeps the verdict from being 'safe'.
  let unscanned = Math.max(0, pkls.length - MAX_PICKLE_MEMBERS);
  for (const e of pkls.slice(0, MAX_PICKLE_MEMBERS)) {
    const local: string[] = [];
    const start = await entryDataOffset(src, e, local);
    for (const p of local) problems.add(p);
    let scanSrc: ByteSource = src;
    let s = start;
    let end = start + e.compressedSize;
    if (e.method === 8) {
      const data = await inflateEntry(src, e, start, MAX_INFLATED);
      scanSrc = bufferSource(`${src.name}`, data);
      s = 0;
      end = data.length;
    } else if (e.method !== 0) {
      problems.add(`member ${q(e.name)} uses compression method ${e.method}; not scanned`);
      unscanned++;
      continue;
    } else if (e.compressedSize !== e.size) {
      problems.add(
        `stored member ${q(e.name)} has compressed size ${fmt(e.compressedSize)} ≠ size ${fmt(e.size)}`,
      );
    }
    try {
      pickles.push(...(await scanStream(scanSrc, s, end, e.name, 1, problems, false)));
    } catch (err) {
      if (!(err instanceof ProbityError) || err.code !== 'malformed') throw err;
      unscanned++;
      problems.add(
        err.message.startsWith(`${src.name}: `) ? err.message.slice(src.name.length + 2) : err.message,
      );
    }
  }
  if (pkls.length > MAX_PICKLE_MEMBERS)
    problems.add(`${fmt(pkls.length)} .pkl members; only the first ${MAX_PICKLE_MEMBERS} were scanned`);

  if (dataPkl && root !== null) {
    const main = pickles.find((p) => p.member === dataPkl.name);
    const prefix = `${root}/data/`;
    const dataMembers = new Set(
      dir.entries.filter((e: ZipEntry) => e.name.startsWith(prefix)).map((e) => e.name.slice(prefix.length)),
    );
    if (main) {
      const keys = new Set(main.storageKeys);
      for (const k of keys)
        if (!dataMembers.has(k))
          problems.add(`data.pkl references storage ${q(k)} but ${q(prefix + k)} is missing`);
      for (const k of dataMembers)
        if (!keys.has(k))
          problems.add(`${q(prefix + k)} is not referenced by data.pkl (unreferenced payload?)`);
    }
  }
  const result = report(
    'torch-zip',
    src,
    pickles,
    { root, memberCount: dir.entries.length, members: dir.entries.slice(0, 1000).map((e) => e.name) },
    problems,
  );
  if (unscanned > 0 && result.verdict === 'safe') result.verdict = 'unknown';
  return result;
}

/**
 * Scan a PyTorch checkpoint (.pt, .pth, .bin, .ckpt): a torch.save zip (every .pkl member), a
 * legacy torch.save stream (its five pickles), or a bare pickle. Anything else is `malformed`.
 */
export async function scanTorchFile(file: string): Promise<PickleScanReport> {
  return withFileSource(file, async (src) => {
    if (src.size < 4) throw malformed(file, `${fmt(src.size)} bytes is too short for a PyTorch file`);
    const head = await src.read(0, Math.min(src.size, 512));
    if (looksLikeZip(head)) return scanTorchZip(src);
    if (
      head.length >= TORCH_LEGACY_MAGIC.length &&
      head.subarray(0, TORCH_LEGACY_MAGIC.length).equals(TORCH_LEGACY_MAGIC)
    ) {
      const problems = new ProblemList();
      problems.add('legacy (pre-1.6) torch.save format');
      const pickles = await scanStream(src, 0, src.size, null, 5, problems, true);
      return report('torch-legacy', src, pickles, null, problems);
    }
    if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') {
      throw malformed(file, 'tar archive: the tar-based torch.save format (PyTorch < 0.4) is not supported');
    }
    if (looksLikePickle(head[0], head[1])) {
      const problems = new ProblemList();
      const pickles = await scanStream(src, 0, src.size, null, 8, problems, false);
      return report('pickle', src, pickles, null, problems);
    }
    throw malformed(
      file,
      `neither a zip archive nor a pickle (first bytes ${head.subarray(0, 4).toString('hex')}): not a PyTorch checkpoint`,
    );
  });
}
