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
import { inflateRawSync, constants as zlibConstants } from 'node:zlib';
import {
  readZipDirectory,
  entryDataOffset,
  inflateEntry,
  looksLikeZip,
  type ZipEntry,
} from '../io/archive/zip.ts';
import type { Capability } from './danger.ts';
import { FindingList, levelOf, worse, type ScanFinding, type ScanLevel, type RulesId } from './verdict.ts';
import { findEmbedded, isFailure, looksGzip, looksZlib, startsLikePickle } from './embedded.ts';
import { SCANNER_RULES } from './rules.ts';
import { readLinear, type ArrayRegion } from './pickle-linear.ts';

export { classifyGlobal, type PickleClassification } from './pickle-classify.ts';

export interface PickleGlobal {
  module: string;
  name: string;
  /** Byte offset of the opcode within its pickle stream (the zip member, or the file). */
  offset: number;
  opcode: 'GLOBAL' | 'STACK_GLOBAL' | 'INST' | 'EXT1' | 'EXT2' | 'EXT4';
  classification: PickleClassification;
  reason: string | null;
  /** What a dangerous global gives whoever controls the pickle. */
  capability: Capability | null;
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

export interface PickleTensor {
  /** The key it is stored under in its dict (a state dict's parameter name), or null where not stored by name. */
  name: string | null;
  /** The storage class, e.g. `torch.FloatStorage`, or `torch.UntypedStorage` with the dtype given apart. */
  storage: string;
  /** Size as the pickle gives it, e.g. `(4096, 256)`. */
  shape: string;
  /** The storage key: the `<archive>/data/<key>` member holding the bytes. */
  key: string;
}

/** Tensors listed per pickle; a larger state dict says how many more there were. */
const MAX_TENSORS = 10_000;

export interface PickleScan {
  /** Zip member name, or null for a plain file. */
  member: string | null;
  /** For a pickle found inside another one: where, and how it was decoded (`offset 9 BINBYTES → base64`). */
  nesting: string | null;
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
  /**
   * The tensors of a state dict: each `name → torch._utils._rebuild_tensor_v2(storage, offset, size,
   * stride)` set into a dict, with the storage's type and key (the first MAX_TENSORS).
   */
  tensors: PickleTensor[];
  /** Arrays joblib writes after a NumpyArrayWrapper, read past the way joblib.load reads them. */
  joblibArrays: JoblibArray[];
  verdict: ScanLevel;
  /** Everything that lowered or capped this pickle's verdict. */
  findings: ScanFinding[];
  /** Notes that do not change the verdict. */
  problems: string[];
  /**
   * The second, linear reading (pickle-linear.ts) of a pickle read to its end: the imports it
   * lists and whether they are the interpreter's. Null when the pickle was not read to its end.
   */
  secondReading: { globals: string[]; calls: number; agree: boolean } | null;
}

export interface PickleImportSummary {
  ref: string;
  classification: PickleClassification;
  reason: string | null;
  capability: Capability | null;
  count: number;
}

export interface PickleScanReport {
  format: 'pickle' | 'torch-zip' | 'torch-legacy';
  fileSize: number;
  /** The verdict ladder (verdict.ts): the worst of `findings`. */
  verdict: ScanLevel;
  /** The rule set the verdict was reached under. */
  rules: RulesId;
  /** Every finding that lowered or capped the verdict, worst first (nested pickles included). */
  findings: ScanFinding[];
  /** Distinct imports over all pickles, dangerous first. */
  imports: PickleImportSummary[];
  pickles: PickleScan[];
  /** For a torch zip: archive directory name, member count, member names (first 1,000). */
  archive: { root: string | null; memberCount: number; members: string[] } | null;
  problems: string[];
}

type AV =
  | { k: 'str'; v: string }
  | { k: 'bytes'; v: Buffer }
  | { k: 'lit'; v: string }
  | { k: 'global'; g: PickleGlobal }
  | { k: 'tuple'; items: AV[]; len: number }
  | { k: 'list' }
  | { k: 'dict'; entries: [AV, AV][] }
  | { k: 'set' }
  | {
      k: 'call';
      desc: string;
      tensor?: PickleTensor;
      /** The callee and its first arguments, and the state a BUILD gave the result. */
      target?: string;
      argv?: AV[];
      state?: AV;
    }
  | { k: 'other'; storage?: { dtype: string; key: string } };
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

/** Text and bytes arguments longer than this are read to their end but not kept. */
const MAX_KEPT_STRING = 8 * 1024 * 1024;
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
  switch (v.k) {
    case 'str':
      return JSON.stringify(v.v.length > 200 ? v.v.slice(0, 200) + '…' : v.v);
    case 'bytes':
      return `b${JSON.stringify(v.v.subarray(0, 60).toString('latin1'))}${v.v.length > 60 ? '…' : ''} (${fmt(v.v.length)} bytes)`;
    case 'lit':
      return v.v;
    case 'global':
      return `${v.g.module}.${v.g.name}`;
    case 'tuple':
      return depth >= 3 ? '(…)' : `(${v.items.map((x) => describeArg(x, depth + 1)).join(', ')})`;
    case 'list':
      return '[…]';
    case 'dict':
      return '{…}';
    case 'set':
      return '{…} (set)';
    case 'call':
      return `<${v.desc}>`;
    case 'other':
      return '…';
  }
}

/** Opcodes and the protocol that introduced them (pickletools.opcodes `proto`). */
const OPCODE_PROTOCOL: Readonly<Record<string, number>> = {
  PROTO: 2,
  NEWOBJ: 2,
  EXT1: 2,
  EXT2: 2,
  EXT4: 2,
  TUPLE1: 2,
  TUPLE2: 2,
  TUPLE3: 2,
  NEWTRUE: 2,
  NEWFALSE: 2,
  LONG1: 2,
  LONG4: 2,
  BINBYTES: 3,
  SHORT_BINBYTES: 3,
  SHORT_BINUNICODE: 4,
  BINUNICODE8: 4,
  BINBYTES8: 4,
  EMPTY_SET: 4,
  ADDITEMS: 4,
  FROZENSET: 4,
  NEWOBJ_EX: 4,
  STACK_GLOBAL: 4,
  MEMOIZE: 4,
  FRAME: 4,
  BYTEARRAY8: 5,
  NEXT_BUFFER: 5,
  READONLY_BUFFER: 5,
};

/** torch's tensor rebuilders: (storage, storage_offset, size, stride, …). */
const TENSOR_REBUILDERS = new Set(['torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_tensor']);
/** Wrappers whose first argument is a rebuilt tensor (nn.Parameter). */
const TENSOR_WRAPPERS = new Set([
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
]);

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** A literal found inside this pickle that holds (or seems to hold) another pickle. */
export interface EmbeddedRef {
  src: ByteSource;
  start: number;
  end: number;
  /** Where the literal is, and how it was decoded: `offset 12 BINBYTES → base64 → zlib`. */
  path: string;
}

/** Dict entries kept per dict: enough for a joblib array wrapper's state (six keys). */
const MAX_DICT_KEEP = 16;

function keepEntry(d: AV, key: AV, value: AV): void {
  if (d.k === 'dict' && d.entries.length < MAX_DICT_KEEP) d.entries.push([key, value]);
}

/**
 * joblib (≥ 0.10, joblib/numpy_pickle.py) pickles each NumPy array as a `NumpyArrayWrapper`
 * object and writes the array right after that object's BUILD, outside the pickle opcodes:
 * with joblib ≥ 1.2 first one byte giving a padding length n and n pad bytes (0xFF) that align the
 * data to 16 bytes, then the raw elements (shape × itemsize bytes); an object-dtype array is
 * written instead as a complete protocol-2 pickle of its own.
 */
const ARRAY_WRAPPERS = new Set([
  'joblib.numpy_pickle.NumpyArrayWrapper',
  'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper',
]);
const ARRAY_SUBCLASSES = new Set(['numpy.ndarray', 'numpy.matrix', 'numpy.memmap']);
const MAX_JOBLIB_ARRAYS = 1_000;

/** An array read the way joblib.load reads it. */
export interface JoblibArray {
  /** Offset of the wrapper's BUILD. */
  offset: number;
  shape: number[];
  /** The dtype string as pickled (`f8`, `<i4`, `O8`…). */
  dtype: string;
  order: string;
  allowMmap: boolean | null;
  /** Alignment padding bytes (joblib ≥ 1.2), or null where the wrapper has no alignment. */
  padding: number | null;
  /** Where the array data starts and how long it is (an object array: its pickle, to STOP). */
  dataOffset: number;
  dataBytes: number;
  objectPickle: boolean;
}

function isArrayWrapper(v: AV & { k: 'call' }): boolean {
  if (v.target && ARRAY_WRAPPERS.has(v.target)) return true;
  // Protocol 0/1: copyreg._reconstructor(cls, object, None).
  const cls = v.argv?.[0];
  return (
    v.target === 'copyreg._reconstructor' &&
    cls?.k === 'global' &&
    ARRAY_WRAPPERS.has(`${cls.g.module}.${cls.g.name}`)
  );
}

function dictGet(d: AV, key: string): AV | undefined {
  if (d.k !== 'dict') return undefined;
  for (const [k, v] of d.entries) if (k.k === 'str' && k.v === key) return v;
  return undefined;
}

/** A non-negative integer literal, or null. */
function intLit(v: AV | undefined): number | null {
  if (v?.k !== 'lit' || !/^\d+$/.test(v.v)) return null;
  const n = Number(v.v);
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * The item size and object-ness of a dtype pickled as `numpy.dtype(str, False, True)` + BUILD
 * state `(version, endian, subarray, names, fields, elsize, alignment, flags)`; null when it is
 * not literal (a structured dtype, a computed value).
 */
function dtypeOf(v: AV | undefined): { text: string; itemsize: number; object: boolean } | null {
  if (v?.k !== 'call' || (v.target !== 'numpy.dtype' && !v.target?.startsWith('numpy.dtypes.'))) return null;
  const spec = v.argv?.[0];
  if (spec?.k !== 'str') return null;
  const m = /^[<>|=]?([biufcmMOSUV])(\d+)$/.exec(spec.v);
  if (!m) return null;
  const kind = m[1]!;
  const state = v.state;
  const st = state?.k === 'tuple' ? state.items : [];
  // A subarray or named fields make a structured dtype whose items this reader does not decode.
  for (const i of [2, 3, 4]) {
    const x = st[i];
    if (x !== undefined && !(x.k === 'lit' && x.v === 'None')) return null;
  }
  const elsize = st[5]?.k === 'lit' ? Number(st[5].v) : -1;
  let itemsize: number;
  if (kind === 'S' || kind === 'U' || kind === 'V') {
    if (!Number.isSafeInteger(elsize) || elsize <= 0) return null;
    itemsize = elsize;
  } else itemsize = Number(m[2]);
  if (!Number.isSafeInteger(itemsize) || itemsize <= 0 || itemsize > 64) return null;
  return { text: spec.v, itemsize, object: kind === 'O' };
}

/** The abstract machine for one pickle. */
class Scanner {
  private stack: AV[] = [];
  private marks: number[] = [];
  private memo = new Map<number, AV>();
  private memoCount = 0;
  private underflows = 0;
  private dups = 0;
  private frameEnd: number | null = null;
  private protoSeen = false;
  private readonly start: number;
  readonly globals: PickleGlobal[] = [];
  readonly calls: PickleCall[] = [];
  readonly storageKeys: string[] = [];
  readonly tensors: PickleTensor[] = [];
  readonly joblibArrays: JoblibArray[] = [];
  /** Every joblib array's bytes in the stream (absolute offsets), for the second reading. */
  readonly arrayRegions: ArrayRegion[] = [];
  tensorsUncounted = 0;
  readonly problems = new ProblemList(50);
  readonly findings = new FindingList(200);
  readonly embedded: EmbeddedRef[] = [];
  protocol: number | null = null;
  opcodeCount = 0;
  complete = false;

  constructor(
    private readonly c: Cursor,
    private readonly base: number,
    private readonly member: string | null,
    private readonly nesting: string | null,
  ) {
    this.start = c.pos;
  }

  private get file(): string {
    return this.c.src.name;
  }

  private readonly reported = new Set<string>();
  /** Record a finding the first time its key comes up. */
  private once(
    key: string,
    level: ScanFinding['level'],
    what: string,
    at: number | null,
    cap?: Capability | null,
  ): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.finding(level, what, at, cap);
  }

  private finding(
    level: ScanFinding['level'],
    what: string,
    at: number | null,
    cap?: Capability | null,
  ): void {
    this.findings.add(level, what, at === null ? this.whereNoOffset() : this.where(at), cap);
  }

  private whereNoOffset(): string | null {
    const parts = [this.member ? `member ${q(this.member)}` : null, this.nesting].filter(Boolean);
    return parts.length ? parts.join(', ') : null;
  }

  where(at: number): string {
    return [this.member ? `member ${q(this.member)}` : null, this.nesting, `offset ${fmt(at - this.base)}`]
      .filter(Boolean)
      .join(', ');
  }

  private push(v: AV): void {
    if (this.stack.length >= MAX_STACK) {
      // Keep the top half: STACK_GLOBAL and the call opcodes only look near the top.
      const drop = this.stack.length >> 1;
      this.stack.splice(0, drop);
      this.marks = this.marks.map((m) => Math.max(0, m - drop));
      this.once(
        'stack',
        'suspicious',
        `stack deeper than ${fmt(MAX_STACK)} entries (resource exhaustion); the bottom was discarded`,
        this.c.pos,
      );
    }
    this.stack.push(v);
  }

  private floor(): number {
    return this.marks.length > 0 ? (this.marks[this.marks.length - 1] ?? 0) : 0;
  }

  private underflow(op: string, at: number): void {
    this.underflows++;
    if (this.underflows <= 3)
      this.finding(
        'suspicious',
        `${op} pops an empty stack or a missing MARK: impossible structure (the unpickler fails here)`,
        at,
      );
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
      capability: v.capability,
      called: false,
    };
    if (!IDENT.test(module) || !IDENT.test(name))
      this.finding(
        'suspicious',
        `${opcode} names ${q(`${module}.${name}`, 80)}, which is not a Python dotted name`,
        at,
      );
    this.noteGlobal(g, at);
    if (this.globals.length < MAX_GLOBALS) this.globals.push(g);
    else
      this.once(
        'globals',
        'suspicious',
        `more than ${fmt(MAX_GLOBALS)} imports; only the first are listed`,
        at,
      );
    return g;
  }

  private noteGlobal(g: PickleGlobal, at: number): void {
    const ref = `${g.module}.${g.name}`;
    // One finding per distinct import (at its first offset): a flood of one global stays one line.
    if (g.classification === 'dangerous')
      this.once(`g:${ref}`, 'dangerous', `${ref}: ${g.reason ?? 'dangerous'}`, at, g.capability);
    else if (g.classification === 'unknown')
      this.once(
        `g:${ref}`,
        'suspicious',
        `${ref} is not on the allowlist of ordinary ML, numeric and container globals`,
        at,
      );
  }

  /** A dict entry whose value is a rebuilt tensor: a state dict's parameter, by name. */
  private noteTensor(key: AV, value: AV): void {
    if (value.k !== 'call' || !value.tensor) return;
    if (this.tensors.length >= MAX_TENSORS) {
      this.tensorsUncounted++;
      return;
    }
    this.tensors.push({ ...value.tensor, name: key.k === 'str' ? key.v : describeArg(key) });
  }

  private addCall(callee: AV, opcode: PickleCall['opcode'], at: number, args: AV[]): AV {
    let target: string;
    if (callee.k === 'global') {
      callee.g.called = true;
      target = `${callee.g.module}.${callee.g.name}`;
    } else if (callee.k === 'call') {
      target = `result of ${callee.desc}`;
    } else {
      target = describeArg(callee);
      if (opcode === 'REDUCE' || opcode === 'NEWOBJ' || opcode === 'NEWOBJ_EX' || opcode === 'OBJ')
        if (callee.k !== 'other')
          this.finding(
            'suspicious',
            `${opcode} calls ${target}, which is not callable: impossible structure`,
            at,
          );
    }
    const shown = args.slice(0, 4).map((a) => describeArg(a));
    if (this.calls.length < MAX_CALLS)
      this.calls.push({ offset: at - this.base, opcode, target, args: shown });
    else this.once('calls', 'suspicious', `more than ${fmt(MAX_CALLS)} calls; only the first are listed`, at);
    const desc = `${target}(${shown.join(', ').slice(0, 120)})`;
    const call: AV = {
      k: 'call',
      desc: desc.length > 200 ? desc.slice(0, 200) + '…' : desc,
      target,
      argv: args.slice(0, MAX_TUPLE_KEEP),
    };
    const first = args[0];
    if (TENSOR_REBUILDERS.has(target) && first?.k === 'other' && first.storage)
      call.tensor = {
        name: null,
        storage: first.storage.dtype,
        shape: args[2] ? describeArg(args[2]) : '…',
        key: first.storage.key,
      };
    else if (TENSOR_WRAPPERS.has(target) && first?.k === 'call' && first.tensor) call.tensor = first.tensor;
    return call;
  }

  private tuple(items: AV[]): AV {
    return { k: 'tuple', items: items.slice(0, MAX_TUPLE_KEEP), len: items.length };
  }

  private memoPut(idx: number, v: AV, at: number): void {
    if (this.memo.has(idx))
      this.once(
        `memo-over-${idx}`,
        'suspicious',
        `memo key ${idx} is stored twice (the Pickler never reuses a key)`,
        at,
      );
    else if (this.memo.size >= MAX_MEMO) {
      this.once(
        'memo',
        'suspicious',
        `memo larger than ${fmt(MAX_MEMO)} entries (resource exhaustion); later entries are not tracked`,
        at,
      );
      return;
    }
    if (!this.memo.has(idx)) this.memoCount++;
    this.memo.set(idx, v);
  }

  private memoGet(idx: number, at: number): AV {
    const v = this.memo.get(idx);
    if (v === undefined) {
      this.finding(
        'suspicious',
        `memo key ${idx} is read but was never stored (the unpickler fails here)`,
        at,
      );
      return OTHER;
    }
    return v;
  }

  /** A literal that may carry another pickle: remember it for a recursive scan. */
  private literal(data: Buffer, isText: boolean, name: string, at: number): void {
    if (this.embedded.length >= MAX_EMBEDDED) return;
    const found = findEmbedded(data, isText);
    if (!found) return;
    const where = `${this.where(at)} ${name}`;
    if (isFailure(found)) {
      this.finding(
        'suspicious',
        `${name} literal looks like ${[...found.path].join(' → ')} data but does not decode (${found.reason}): payload not analysed`,
        at,
      );
      return;
    }
    this.embedded.push({
      src: bufferSource(this.file, found.data),
      start: 0,
      end: found.data.length,
      path: [where, ...found.path].join(' → '),
    });
  }

  /**
   * A newline-terminated argument (protocol 0), read to its end however long it is: only the first
   * MAX_KEPT_STRING bytes are kept (a longer one is reported), the rest is consumed in chunks.
   */
  private async line(what: string, at: number): Promise<{ text: string; cut: boolean }> {
    const c = this.c;
    const parts: Buffer[] = [];
    let kept = 0;
    let total = 0;
    for (;;) {
      if (c.remaining <= 0)
        throw malformed(
          this.file,
          `${what} at ${this.where(at)} is not terminated by a newline before the end`,
        );
      if (c.buffered() === 0) await c.need(Math.min(c.remaining, 1), what);
      const avail = c.buffered();
      const i = c.indexOf(0x0a, avail);
      const n = i >= 0 ? i + 1 : avail;
      const chunk = c.bytes(n);
      total += n;
      if (kept < MAX_KEPT_STRING) {
        const take = chunk.subarray(0, Math.min(chunk.length, MAX_KEPT_STRING - kept));
        parts.push(Buffer.from(take));
        kept += take.length;
      }
      if (i >= 0) break;
    }
    const cut = total > kept;
    if (cut)
      this.finding(
        'suspicious',
        `${what} is ${fmt(total)} bytes long; only the first ${fmt(MAX_KEPT_STRING)} were analysed (payload not analysed)`,
        at,
      );
    let s = Buffer.concat(parts).toString('latin1');
    if (!cut) s = s.slice(0, -1);
    return { text: s.replace(/\r$/, ''), cut };
  }

  private async utf8Line(what: string, at: number): Promise<string> {
    return Buffer.from((await this.line(what, at)).text, 'latin1').toString('utf8');
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
      // Too large to keep: look at its first bytes, and scan it in place when it starts like a pickle.
      const pos = c.pos;
      const head = await c.src.read(pos, Math.min(len, 256));
      if (startsLikePickle(head) && this.embedded.length < MAX_EMBEDDED)
        this.embedded.push({ src: c.src, start: pos, end: pos + len, path: `${this.where(at)} ${what}` });
      else if (looksZlib(head) || looksGzip(head) || /^[A-Za-z0-9+/=]{256}$/.test(head.toString('latin1')))
        this.finding(
          'suspicious',
          `${what} of ${fmt(len)} bytes may be encoded or compressed and is larger than the ${fmt(MAX_KEPT_STRING)} bytes decoded in place: payload not analysed`,
          at,
        );
      c.skip(len, what);
      return null;
    }
    await c.need(len, what);
    return Buffer.from(c.bytes(len));
  }

  /**
   * A joblib NumpyArrayWrapper has just been built: read its state, skip its array bytes exactly
   * (scanning an object array's pickle), and return what the unpickler puts in its place.
   */
  private async joblibArray(state: AV, at: number): Promise<AV> {
    const c = this.c;
    const from = c.pos;
    const stop: (why: string) => never = (why) => {
      this.finding('suspicious', `joblib array wrapper ${why}`, at);
      throw malformed(this.file, `joblib array at ${this.where(at)} cannot be skipped`);
    };
    if (state.k !== 'dict') stop('state is not a literal dict: the array that follows cannot be measured');
    const subclass = dictGet(state, 'subclass');
    const shapeV = dictGet(state, 'shape');
    const orderV = dictGet(state, 'order');
    const dtype = dtypeOf(dictGet(state, 'dtype'));
    const mmapV = dictGet(state, 'allow_mmap');
    const alignV = dictGet(state, 'numpy_array_alignment_bytes');
    if (shapeV?.k !== 'tuple' || shapeV.len !== shapeV.items.length)
      stop('shape is not a literal tuple: the array that follows cannot be measured');
    const shape: number[] = [];
    for (const d of shapeV.items) {
      const n = intLit(d);
      if (n === null) stop(`shape ${describeArg(shapeV)} is not made of literal integers`);
      shape.push(n);
    }
    if (!dtype)
      stop(
        `dtype ${describeArg(dictGet(state, 'dtype') ?? OTHER)} is not a literal plain dtype: the array cannot be measured`,
      );
    if (orderV?.k !== 'str' || (orderV.v !== 'C' && orderV.v !== 'F'))
      this.finding('suspicious', `joblib array order is ${describeArg(orderV ?? OTHER)}, not 'C' or 'F'`, at);
    if (subclass?.k !== 'global' || !ARRAY_SUBCLASSES.has(`${subclass.g.module}.${subclass.g.name}`))
      this.finding(
        'suspicious',
        `joblib array subclass is ${describeArg(subclass ?? OTHER)}, not a NumPy array class`,
        at,
      );
    let align: number | null = null;
    if (alignV !== undefined && !(alignV.k === 'lit' && alignV.v === 'None')) {
      align = intLit(alignV);
      if (align === null || align === 0)
        stop(`alignment ${describeArg(alignV)} is not a literal positive integer`);
    }
    // With framing, the unpickler has already read the whole frame: the array starts after it.
    if (this.frameEnd !== null) {
      if (c.pos !== this.frameEnd)
        stop(
          `BUILD ends at offset ${fmt(c.pos - this.base)} inside its frame (ends ${fmt(this.frameEnd - this.base)}): joblib commits the frame before the array, so opcodes and array data would diverge`,
        );
      this.frameEnd = null;
    }
    const rec: JoblibArray = {
      offset: at - this.base,
      shape,
      dtype: dtype.text,
      order: orderV?.k === 'str' ? orderV.v : '?',
      allowMmap: mmapV?.k === 'lit' ? mmapV.v === 'True' : null,
      padding: null,
      dataOffset: 0,
      dataBytes: 0,
      objectPickle: dtype.object,
    };
    if (this.joblibArrays.length < MAX_JOBLIB_ARRAYS) this.joblibArrays.push(rec);
    const shapeText = `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
    if (dtype.object) {
      // pickle.dump(array, protocol=2) straight into the stream: scan it as a pickle of its own.
      rec.dataOffset = c.pos - this.base;
      const inner = new Scanner(
        c,
        this.base,
        this.member,
        [this.nesting, `joblib object array at offset ${fmt(rec.dataOffset)}`].filter(Boolean).join(', '),
      );
      await inner.run();
      for (const f of inner.findings.toArray()) this.findings.add(f.level, f.what, f.where, f.capability);
      for (const g of inner.globals) if (this.globals.length < MAX_GLOBALS) this.globals.push(g);
      for (const k of inner.calls) if (this.calls.length < MAX_CALLS) this.calls.push(k);
      for (const e of inner.embedded) if (this.embedded.length < MAX_EMBEDDED) this.embedded.push(e);
      this.opcodeCount += inner.opcodeCount;
      rec.dataBytes = c.pos - this.base - rec.dataOffset;
      if (!inner.complete)
        throw malformed(this.file, `joblib object array at ${this.where(at)} is not a complete pickle`);
      this.arrayRegions.push({ from, to: c.pos, pickle: true });
      return { k: 'call', desc: `numpy object array ${shapeText}` };
    }
    if (align !== null) {
      await c.need(1, 'joblib array padding length');
      const pad = c.u8();
      rec.padding = pad;
      if (pad > align)
        this.finding(
          'suspicious',
          `joblib array padding of ${pad} bytes is more than its ${align}-byte alignment`,
          at,
        );
      await c.need(pad, 'joblib array padding');
      const bytes = c.bytes(pad);
      if (bytes.some((b) => b !== 0xff))
        this.finding(
          'suspicious',
          'joblib array padding holds bytes other than 0xFF (joblib writes 0xFF)',
          at,
        );
    }
    let count = 1n;
    for (const d of shape) count *= BigInt(d);
    const len = count * BigInt(dtype.itemsize);
    rec.dataOffset = c.pos - this.base;
    if (len > BigInt(c.remaining))
      stop(
        `for a ${dtype.text} array of shape ${shapeText} claims ${len} bytes of data but only ${fmt(c.remaining)} remain`,
      );
    rec.dataBytes = Number(len);
    c.skip(Number(len), 'joblib array data');
    this.arrayRegions.push({ from, to: c.pos, pickle: false });
    return { k: 'call', desc: `numpy ${dtype.text} array ${shapeText}` };
  }

  /** Run until STOP (or an error that leaves the byte stream undecodable). */
  async run(): Promise<void> {
    const c = this.c;
    for (;;) {
      const at = c.pos;
      if (this.frameEnd !== null && at >= this.frameEnd) this.frameEnd = null;
      if (c.remaining <= 0) {
        this.finding('not-analysed', 'pickle ends without STOP (truncated)', at);
        return;
      }
      if (!c.has(1)) await c.need(1, 'opcode');
      const code = c.u8();
      const op = OPS.get(code);
      if (!op) {
        this.finding(
          'not-analysed',
          `unknown opcode 0x${code.toString(16).padStart(2, '0')}: the unpickler stops here and nothing after it was read`,
          at,
        );
        return;
      }
      this.opcodeCount++;
      const [name, arg] = op;
      const needs = OPCODE_PROTOCOL[name];
      if (needs !== undefined && (this.protocol ?? 1) < needs && name !== 'PROTO')
        this.once(
          `proto-${name}`,
          'suspicious',
          `${name} is a protocol ${needs} opcode in a ${this.protocol === null ? 'protocol 0/1 pickle (no PROTO)' : `protocol ${this.protocol} pickle`}: no Pickler writes that`,
          at,
        );
      try {
        const done = await this.step(name, arg, at);
        if (this.frameEnd !== null && at < this.frameEnd && c.pos > this.frameEnd && name !== 'FRAME')
          this.finding(
            'suspicious',
            `${name} straddles the end of its frame at offset ${fmt(this.frameEnd - this.base)} (frame boundaries disagree with opcodes)`,
            at,
          );
        if (done) {
          this.complete = true;
          this.atStop(at);
          return;
        }
      } catch (err) {
        if (!(err instanceof ProbityError) || err.code !== 'malformed') throw err;
        const msg = err.message.startsWith(`${this.file}: `)
          ? err.message.slice(this.file.length + 2)
          : err.message;
        this.finding('not-analysed', `${msg}: the rest of the pickle was not read`, null);
        return;
      }
    }
  }

  private atStop(at: number): void {
    if (this.marks.length > 0)
      this.finding('suspicious', `${this.marks.length} MARK(s) still open at STOP: impossible structure`, at);
    if (this.stack.length > 0)
      this.finding(
        'suspicious',
        `${fmt(this.stack.length)} value(s) left on the stack under the result at STOP (the Pickler leaves exactly one)`,
        at,
      );
    if (this.frameEnd !== null && this.c.pos < this.frameEnd)
      this.finding(
        'suspicious',
        `STOP before the end of its frame (offset ${fmt(this.frameEnd - this.base)})`,
        at,
      );
    if (this.dups > 0)
      this.finding(
        'suspicious',
        `${fmt(this.dups)} DUP opcode(s): the Pickler never writes DUP (stack growth without a memo)`,
        null,
      );
  }

  private async step(name: string, arg: Arg, at: number): Promise<boolean> {
    const c = this.c;
    // Decode the argument.
    let n = 0;
    let text: string | null = null;
    let textCut = false;
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
        if (name === 'FRAME') {
          if (this.frameEnd !== null && at < this.frameEnd)
            this.finding(
              'suspicious',
              `FRAME begins before the previous frame ends at offset ${fmt(this.frameEnd - this.base)} (diverging frames)`,
              at,
            );
          if (v > BigInt(c.remaining)) {
            this.finding('suspicious', `FRAME claims ${v} bytes but only ${fmt(c.remaining)} remain`, at);
            this.frameEnd = null;
          } else this.frameEnd = c.pos + Number(v);
        }
        break;
      }
      case Arg.F8:
        await c.need(8, name);
        n = c.f64();
        break;
      case Arg.Line: {
        const l = await this.line(`${name} argument`, at);
        text = l.text;
        textCut = l.cut;
        break;
      }
      case Arg.Line2:
        mod = await this.utf8Line(`${name} module`, at);
        text = await this.utf8Line(`${name} name`, at);
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
        if (this.protoSeen)
          this.finding('suspicious', `duplicate PROTO ${n} (the Pickler writes one, first)`, at);
        else if (at !== this.start) this.finding('suspicious', `PROTO ${n} is not the first opcode`, at);
        this.protoSeen = true;
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
          this.once(
            'marks',
            'suspicious',
            `more than ${fmt(MAX_STACK)} nested MARKs; the outermost were discarded`,
            at,
          );
        }
        this.marks.push(this.stack.length);
        return false;
      case 'POP':
        if (this.stack.length > this.floor()) this.stack.pop();
        else if (this.marks.length > 0) {
          this.marks.pop();
          this.once('pop-mark', 'suspicious', 'POP removes a MARK (the Pickler uses POP_MARK for that)', at);
        } else this.underflow(name, at);
        return false;
      case 'POP_MARK':
        this.popMark(name, at);
        return false;
      case 'DUP':
        this.dups++;
        this.push(this.top(name, at));
        return false;
      case 'INT':
      case 'LONG':
      case 'FLOAT':
        this.push({ k: 'lit', v: (text ?? '').slice(0, 40) });
        return false;
      case 'BININT':
      case 'BININT1':
      case 'BININT2':
      case 'BINFLOAT':
        this.push({ k: 'lit', v: String(n) });
        return false;
      case 'NONE':
        this.push({ k: 'lit', v: 'None' });
        return false;
      case 'NEWTRUE':
        this.push({ k: 'lit', v: 'True' });
        return false;
      case 'NEWFALSE':
        this.push({ k: 'lit', v: 'False' });
        return false;
      case 'LONG1':
      case 'LONG4':
        this.push({
          k: 'lit',
          v: payload && payload.length <= 8 ? String(payload.length ? bigLE(payload) : 0n) : 'int',
        });
        return false;
      case 'EMPTY_DICT':
        this.push({ k: 'dict', entries: [] });
        return false;
      case 'EMPTY_LIST':
        this.push({ k: 'list' });
        return false;
      case 'EMPTY_SET':
        this.push({ k: 'set' });
        return false;
      case 'BINBYTES':
      case 'SHORT_BINBYTES':
      case 'BINBYTES8':
      case 'BYTEARRAY8':
        if (payload) this.literal(payload, false, name, at);
        this.push(
          payload === null
            ? OTHER
            : { k: 'bytes', v: payload.length > 4096 ? payload.subarray(0, 4096) : payload },
        );
        return false;
      case 'NEXT_BUFFER':
        this.finding(
          'not-analysed',
          'NEXT_BUFFER takes its data from out-of-band buffers that are not in the file',
          at,
        );
        this.push(OTHER);
        return false;
      case 'EMPTY_TUPLE':
        this.push(this.tuple([]));
        return false;
      case 'READONLY_BUFFER':
        this.top(name, at);
        return false;
      case 'STRING': {
        const v = textCut ? (text ?? '') : unquotePy2(this.file, text ?? '', at);
        this.literal(Buffer.from(v, 'latin1'), true, name, at);
        this.push({ k: 'str', v });
        return false;
      }
      case 'UNICODE': {
        const v = rawUnicodeEscape(text ?? '');
        this.literal(Buffer.from(v, 'utf8'), true, name, at);
        this.push({ k: 'str', v });
        return false;
      }
      case 'BINSTRING':
      case 'SHORT_BINSTRING':
        if (payload) this.literal(payload, true, name, at);
        this.push(payload === null ? OTHER : { k: 'str', v: payload.toString('latin1') });
        return false;
      case 'BINUNICODE':
      case 'SHORT_BINUNICODE':
      case 'BINUNICODE8':
        if (payload) this.literal(payload, true, name, at);
        this.push(payload === null ? OTHER : { k: 'str', v: payload.toString('utf8') });
        return false;
      case 'PERSID':
        this.push(OTHER);
        return false;
      case 'BINPERSID': {
        const pid = this.pop(name, at);
        if (pid.k === 'tuple') {
          const [kind, type, key] = pid.items;
          if (kind?.k === 'str' && kind.v === 'storage' && key?.k === 'str') {
            if (this.storageKeys.length < 1_000_000) this.storageKeys.push(key.v);
            const dtype =
              type?.k === 'global' ? `${type.g.module}.${type.g.name}` : describeArg(type ?? OTHER);
            this.push({ k: 'other', storage: { dtype, key: key.v } });
            return false;
          }
        }
        this.push(OTHER);
        return false;
      }
      case 'REDUCE': {
        const args = this.pop(name, at);
        const fn = this.pop(name, at);
        if (args.k !== 'tuple' && args.k !== 'other' && args.k !== 'call' && args.k !== 'global')
          this.finding(
            'suspicious',
            `REDUCE arguments are ${describeArg(args)}, not a tuple: impossible structure`,
            at,
          );
        this.push(this.addCall(fn, 'REDUCE', at, args.k === 'tuple' ? args.items : [args]));
        return false;
      }
      case 'BUILD': {
        const state = this.pop(name, at);
        const obj = this.top(name, at);
        if (obj.k === 'global') {
          obj.g.called = true;
          this.finding(
            'dangerous',
            `BUILD sets attributes on the imported ${obj.g.module}.${obj.g.name} itself (rewrites a class or module at load time)`,
            at,
            'code-exec',
          );
        } else if (obj.k === 'str' || obj.k === 'bytes' || obj.k === 'lit' || obj.k === 'tuple')
          this.finding('suspicious', `BUILD on ${describeArg(obj)}: impossible structure`, at);
        this.addCall(obj, 'BUILD', at, [state]);
        if (obj.k === 'call') {
          obj.state = state;
          if (isArrayWrapper(obj)) {
            // joblib's unpickler replaces the wrapper by the array it reads from the bytes that follow.
            const arr = await this.joblibArray(state, at);
            this.stack[this.stack.length - 1] = arr;
          }
        }
        return false;
      }
      case 'NEWOBJ': {
        const args = this.pop(name, at);
        const cls = this.pop(name, at);
        this.push(this.addCall(cls, 'NEWOBJ', at, args.k === 'tuple' ? args.items : [args]));
        return false;
      }
      case 'NEWOBJ_EX': {
        this.pop(name, at);
        const args = this.pop(name, at);
        const cls = this.pop(name, at);
        this.push(this.addCall(cls, 'NEWOBJ_EX', at, args.k === 'tuple' ? args.items : [args]));
        return false;
      }
      case 'OBJ': {
        const items = this.popMark(name, at);
        const cls = items[0];
        if (cls) this.push(this.addCall(cls, 'OBJ', at, items.slice(1)));
        else {
          this.underflow(name, at);
          this.push(OTHER);
        }
        return false;
      }
      case 'GLOBAL': {
        this.push({ k: 'global', g: this.addGlobal(mod, text ?? '', at, 'GLOBAL') });
        return false;
      }
      case 'INST': {
        const g = this.addGlobal(mod, text ?? '', at, 'INST');
        const items = this.popMark(name, at);
        this.push(this.addCall({ k: 'global', g }, 'INST', at, items));
        return false;
      }
      case 'STACK_GLOBAL': {
        const nm = this.pop(name, at);
        const md = this.pop(name, at);
        let g: PickleGlobal;
        if (nm.k === 'str' && md.k === 'str') {
          g = this.addGlobal(md.v, nm.v, at, 'STACK_GLOBAL');
        } else {
          g = {
            module: md.k === 'str' ? md.v : '?',
            name: nm.k === 'str' ? nm.v : '?',
            offset: at - this.base,
            opcode: 'STACK_GLOBAL',
            classification: 'dangerous',
            reason:
              'STACK_GLOBAL operands are not literal strings: the imported name is computed at load time',
            capability: 'import',
            called: false,
          };
          this.noteGlobal(g, at);
          if (this.globals.length < MAX_GLOBALS) this.globals.push(g);
        }
        this.push({ k: 'global', g });
        return false;
      }
      case 'EXT1':
      case 'EXT2':
      case 'EXT4': {
        const g: PickleGlobal = {
          module: '(copyreg extension registry)',
          name: `code ${n}`,
          offset: at - this.base,
          opcode: name,
          classification: 'unknown',
          reason:
            'extension codes resolve through copyreg._inverted_registry, empty unless the loading program registers codes',
          capability: 'import',
          called: false,
        };
        this.finding(
          'suspicious',
          `${name} ${n}: import through the extension registry, not resolvable from the file`,
          at,
        );
        if (this.globals.length < MAX_GLOBALS) this.globals.push(g);
        this.push({ k: 'global', g });
        return false;
      }
      case 'APPEND': {
        this.pop(name, at);
        const t = this.top(name, at);
        if (t.k !== 'list' && t.k !== 'other' && t.k !== 'call')
          this.finding('suspicious', `APPEND to ${describeArg(t)}: impossible structure`, at);
        return false;
      }
      case 'APPENDS':
      case 'SETITEMS':
      case 'ADDITEMS': {
        const items = this.popMark(name, at);
        const t = this.top(name, at);
        const want = name === 'APPENDS' ? 'list' : name === 'SETITEMS' ? 'dict' : 'set';
        if (t.k !== want && t.k !== 'other' && t.k !== 'call')
          this.finding('suspicious', `${name} on ${describeArg(t)}: impossible structure`, at);
        if (name === 'SETITEMS' && items.length % 2 === 1)
          this.finding('suspicious', 'SETITEMS with an odd number of items: impossible structure', at);
        if (name === 'SETITEMS')
          for (let i = 0; i + 1 < items.length; i += 2) {
            this.noteTensor(items[i]!, items[i + 1]!);
            keepEntry(t, items[i]!, items[i + 1]!);
          }
        return false;
      }
      case 'SETITEM': {
        const value = this.pop(name, at);
        const key = this.pop(name, at);
        this.noteTensor(key, value);
        const t = this.top(name, at);
        keepEntry(t, key, value);
        if (t.k !== 'dict' && t.k !== 'other' && t.k !== 'call')
          this.finding('suspicious', `SETITEM on ${describeArg(t)}: impossible structure`, at);
        return false;
      }
      case 'DICT': {
        const items = this.popMark(name, at);
        if (items.length % 2 === 1)
          this.finding('suspicious', 'DICT with an odd number of items: impossible structure', at);
        const d: AV = { k: 'dict', entries: [] };
        for (let i = 0; i + 1 < items.length; i += 2) keepEntry(d, items[i]!, items[i + 1]!);
        this.push(d);
        return false;
      }
      case 'LIST':
        this.popMark(name, at);
        this.push({ k: 'list' });
        return false;
      case 'FROZENSET':
        this.popMark(name, at);
        this.push({ k: 'set' });
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
        this.memoPut(idx, this.top(name, at), at);
        return false;
      }
      case 'MEMOIZE':
        this.memoPut(this.memoCount, this.top(name, at), at);
        return false;
      default:
        return false;
    }
  }
}

function bigLE(b: Buffer): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] ?? 0);
  const bits = BigInt(b.length * 8);
  if (b.length > 0 && ((b[b.length - 1] ?? 0) & 0x80) !== 0) v -= 1n << bits;
  return v;
}

/** The imports as the interpreter read them, in the linear walk's notation. */
function interpreterRefs(globals: readonly PickleGlobal[]): string[] {
  return globals.map((g) =>
    g.opcode.startsWith('EXT')
      ? `copyreg extension ${g.name.replace(/^code /, '')}`
      : `${g.module}.${g.name}`,
  );
}

function listRefs(refs: readonly string[]): string {
  const distinct = [...new Set(refs)];
  if (distinct.length === 0) return 'no global';
  const shown = distinct.slice(0, 20).map((r) => q(r, 120));
  return distinct.length > 20 ? `${shown.join(', ')} … (${fmt(distinct.length)} in all)` : shown.join(', ');
}

/**
 * Read a complete pickle a second time with the linear walk and compare the imports: the same
 * set of `module.name` (and the walk also reaching STOP) is agreement. When the interpreter
 * stopped listing imports (MAX_GLOBALS) it has already capped the verdict, and the sets are
 * compared only for the names it listed.
 */
async function compareReadings(
  src: ByteSource,
  start: number,
  stop: number,
  globals: readonly PickleGlobal[],
  regions: readonly ArrayRegion[],
): Promise<NonNullable<PickleScan['secondReading']>> {
  const r = await readLinear(src, start, stop, regions);
  const mine = new Set(interpreterRefs(globals));
  const theirs = new Set(r.globals);
  const capped = globals.length >= MAX_GLOBALS;
  const agree =
    r.stopped &&
    r.problem === null &&
    [...mine].every((x) => theirs.has(x)) &&
    (capped || [...theirs].every((x) => mine.has(x)));
  return { globals: [...theirs], calls: r.calls.length, agree };
}

function verdictOf(findings: readonly ScanFinding[], complete: boolean): ScanLevel {
  const l = levelOf(findings);
  return complete ? l : worse(l, 'not-analysed');
}

/** Scan one pickle starting at `start` of `src`; offsets are reported relative to `base`. */
async function scanOne(
  src: ByteSource,
  start: number,
  end: number,
  base: number,
  member: string | null,
  nesting: string | null,
): Promise<{ scan: PickleScan; embedded: EmbeddedRef[] }> {
  const c = new Cursor(src, start, end);
  const s = new Scanner(c, base, member, nesting);
  await s.run();
  const second = s.complete ? await compareReadings(src, start, c.pos, s.globals, s.arrayRegions) : null;
  if (second && !second.agree)
    s.findings.add(
      'not-analysed',
      `not analysed: the two readings disagree — interpreter: ${listRefs(interpreterRefs(s.globals))}; linear walk: ${listRefs(second.globals)}`,
      member ? `member ${q(member)}` : nesting,
    );
  const findings = s.findings.toArray();
  return {
    scan: {
      member,
      nesting,
      start: start - base,
      end: c.pos - base,
      protocol: s.protocol,
      complete: s.complete,
      opcodeCount: s.opcodeCount,
      globals: s.globals,
      calls: s.calls,
      storageKeys: s.storageKeys,
      tensors: s.tensors,
      joblibArrays: s.joblibArrays,
      verdict: verdictOf(findings, s.complete),
      findings,
      problems: s.problems.toArray(),
      secondReading: second,
    },
    embedded: s.embedded,
  };
}

/** Nested pickles are followed this many levels deep, and at most this many per file. */
const MAX_NESTING = 4;
const MAX_EMBEDDED = 64;
/** Embedded pickles scanned per top-level stream, all levels together (64 per level would compound). */
const MAX_EMBEDDED_TOTAL = 256;

/**
 * Scan a stream that holds one pickle, possibly followed by more pickles (each starting with
 * PROTO) up to `maxPickles`, and every pickle embedded in their literals, recursively. Throws
 * `malformed` when the first byte is not a pickle opcode.
 */
async function scanStream(
  src: ByteSource,
  start: number,
  end: number,
  member: string | null,
  maxPickles: number,
  findings: FindingList,
  problems: ProblemList,
  trailingExpected: boolean,
  nesting: string | null = null,
  depth = 0,
  budget: { left: number } = { left: MAX_EMBEDDED_TOTAL },
): Promise<PickleScan[]> {
  const label = member ? `member ${q(member)}` : nesting ? `pickle at ${nesting}` : 'file';
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
  const embedded: EmbeddedRef[] = [];
  let pos = start;
  while (out.length < maxPickles) {
    const r = await scanOne(src, pos, end, start, member, nesting);
    const scan = r.scan;
    if (
      out.length === 0 &&
      depth === 0 &&
      !scan.complete &&
      scan.globals.length === 0 &&
      (first !== 0x80 || scan.opcodeCount <= 1)
    ) {
      const f = scan.findings[0];
      throw malformed(
        src.name,
        `${label} is not a pickle: ${f ? `${f.what}${f.where ? ` (${f.where})` : ''}` : 'no opcodes'}`,
      );
    }
    if (nesting !== null) {
      // Inside another pickle, anything not read to the end is a payload that was not analysed.
      scan.findings = scan.findings.map((f) =>
        f.level === 'not-analysed' ? { ...f, level: 'suspicious' } : f,
      );
      if (!scan.complete && !scan.findings.some((f) => f.level !== 'dangerous'))
        scan.findings.push({
          level: 'suspicious',
          what: 'embedded pickle not read to its end: payload not analysed',
          where: nesting,
        });
      scan.verdict = levelOf(scan.findings);
    }
    out.push(scan);
    embedded.push(...r.embedded);
    pos = scan.end + start;
    if (!scan.complete || pos >= end) break;
    const next = (await src.read(pos, 1))[0];
    if (next !== 0x80) break;
  }
  const last = out[out.length - 1];
  if (last?.complete && pos < end && !trailingExpected) {
    findings.add(
      'suspicious',
      `${fmt(end - pos)} bytes follow the last pickle's STOP (not unpickled by pickle.load, not a pickle either)`,
      [label, `offset ${fmt(pos - start)}`].join(', '),
    );
    const tail = await src.read(pos, Math.min(end - pos, 256));
    if (startsLikePickle(tail) && embedded.length < MAX_EMBEDDED)
      embedded.push({ src, start: pos, end, path: `${label} after STOP, offset ${fmt(pos - start)}` });
  }
  for (const e of embedded) {
    if (depth + 1 > MAX_NESTING) {
      findings.add(
        'suspicious',
        `pickle nested more than ${MAX_NESTING} levels deep: payload not analysed`,
        e.path,
      );
      continue;
    }
    if (budget.left <= 0) {
      findings.add(
        'suspicious',
        `more than ${MAX_EMBEDDED_TOTAL} embedded pickles: this one and the rest were not analysed`,
        e.path,
      );
      break;
    }
    budget.left--;
    try {
      const inner = await scanStream(
        e.src,
        e.start,
        e.end,
        member,
        1,
        findings,
        problems,
        true,
        e.path,
        depth + 1,
        budget,
      );
      out.push(...inner);
    } catch (err) {
      if (!(err instanceof ProbityError) || err.code !== 'malformed') throw err;
      findings.add(
        'suspicious',
        `embedded pickle could not be scanned (${err.message}): payload not analysed`,
        e.path,
      );
    }
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
      else
        map.set(ref, {
          ref,
          classification: g.classification,
          reason: g.reason,
          capability: g.capability,
          count: 1,
        });
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
  findings: FindingList,
  problems: ProblemList,
): PickleScanReport {
  const all = new FindingList(500);
  all.addAll(findings.toArray());
  for (const p of pickles) {
    all.addAll(p.findings);
    if (!p.complete && p.nesting === null && !p.findings.some((f) => f.level === 'not-analysed'))
      all.add('not-analysed', 'pickle was not read to its end', p.member);
  }
  const list = all.toArray();
  return {
    format,
    fileSize: src.size,
    verdict: levelOf(list),
    rules: SCANNER_RULES,
    findings: list,
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
    const findings = new FindingList();
    const pickles = await scanStream(src, 0, src.size, null, 8, findings, problems, false);
    return report('pickle', src, pickles, null, findings, problems);
  });
}

/**
 * Scan the pickle held in `[start, end)` of `src` (an .npy object array's payload, a zip member, a
 * joblib/dill file): every pickle found there and in its literals, as a report of its own.
 */
export async function scanPickleRange(
  src: ByteSource,
  start: number,
  end: number,
  member: string | null,
  format: PickleScanReport['format'] = 'pickle',
): Promise<PickleScanReport> {
  const problems = new ProblemList();
  const findings = new FindingList();
  const pickles = await scanStream(src, start, end, member, 1, findings, problems, false);
  return report(format, src, pickles, null, findings, problems);
}

/** Largest deflated pickle member we inflate into memory. */
const MAX_INFLATED = 256 * 1024 * 1024;
const MAX_PICKLE_MEMBERS = 64;

/** The first bytes of a zip member, inflating only a prefix of a deflated one. */
async function memberHead(src: ByteSource, e: ZipEntry, start: number): Promise<Buffer> {
  if (e.method === 0) return src.read(start, Math.min(e.compressedSize, 256));
  if (e.method !== 8) return Buffer.alloc(0);
  const raw = await src.read(start, Math.min(e.compressedSize, 4096));
  try {
    return inflateRawSync(raw, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).subarray(0, 256);
  } catch {
    return Buffer.alloc(0);
  }
}

/**
 * Scan a zip archive the way `torch.load` and `pickle.load` would meet it: every member whose name
 * ends `.pkl`, and every other member whose *content* starts like a pickle (a pickle stored as
 * `data.txt` is still a pickle), except the raw storage blobs under `<archive>/data/`.
 */
async function scanTorchZip(src: ByteSource): Promise<PickleScanReport> {
  const dir = await readZipDirectory(src);
  const problems = new ProblemList();
  const findings = new FindingList();
  for (const p of dir.problems) problems.add(p);
  for (const e of dir.entries) {
    if (e.name.startsWith('/') || e.name.split(/[\\/]/).includes('..'))
      findings.add('suspicious', `zip member name ${q(e.name)} escapes the archive directory`, null);
  }
  const dataPkl =
    dir.entries.find((e) => e.name.endsWith('/data.pkl') && e.name.split('/').length === 2) ??
    dir.entries.find((e) => e.name === 'data.pkl');
  let root: string | null = null;
  if (!dataPkl) problems.add('no <archive>/data.pkl member: not laid out like torch.save output');
  else if (dataPkl.name === 'data.pkl')
    problems.add(
      'data.pkl sits at the archive root; torch.save always writes <archive>/data.pkl (hand-made archive?)',
    );
  else root = dataPkl.name.slice(0, -'/data.pkl'.length);
  const storagePrefix = root === null ? null : `${root}/data/`;

  const pickles: PickleScan[] = [];
  let scanned = 0;
  for (const e of dir.entries) {
    if (e.name.endsWith('/')) continue;
    const isStorage = storagePrefix !== null && e.name.startsWith(storagePrefix);
    const byName = e.name.endsWith('.pkl');
    if (isStorage && !byName) continue;
    const local: string[] = [];
    let start: number;
    try {
      start = await entryDataOffset(src, e, local);
    } catch (err) {
      if (!(err instanceof ProbityError) || err.code !== 'malformed') throw err;
      findings.add('not-analysed', `member ${q(e.name)}: ${err.message}`, null);
      continue;
    }
    for (const p of local) findings.add('suspicious', p, null);
    if (e.flags & 1) {
      // The encryption flag alone proves nothing: torch's zip reader ignores it and reads the bytes.
      const head = await memberHead(src, e, start);
      if (!startsLikePickle(head)) {
        findings.add('not-analysed', `member ${q(e.name)} is encrypted: its content cannot be read`, null);
        continue;
      }
      findings.add(
        'suspicious',
        `member ${q(e.name)} is flagged encrypted but stored in clear (loaders that ignore the flag read it; password-aware tools do not)`,
        null,
      );
    } else if (!byName) {
      const head = await memberHead(src, e, start);
      if (!startsLikePickle(head)) continue;
    }
    if (scanned >= MAX_PICKLE_MEMBERS) {
      findings.add(
        'not-analysed',
        `more than ${MAX_PICKLE_MEMBERS} pickle members; the rest were not scanned`,
        null,
      );
      break;
    }
    scanned++;
    let scanSrc: ByteSource = src;
    let s = start;
    let end = start + e.compressedSize;
    if (e.method === 8) {
      try {
        const data = await inflateEntry(src, e, start, MAX_INFLATED);
        scanSrc = bufferSource(`${src.name}`, data);
        s = 0;
        end = data.length;
      } catch (err) {
        if (!(err instanceof ProbityError) || err.code !== 'malformed') throw err;
        findings.add('not-analysed', `member ${q(e.name)}: ${err.message}`, null);
        continue;
      }
    } else if (e.method !== 0) {
      findings.add(
        'not-analysed',
        `member ${q(e.name)} uses compression method ${e.method}; not scanned`,
        null,
      );
      continue;
    } else if (e.compressedSize !== e.size) {
      problems.add(
        `stored member ${q(e.name)} has compressed size ${fmt(e.compressedSize)} ≠ size ${fmt(e.size)}`,
      );
    }
    if (!byName)
      findings.add(
        'suspicious',
        `member ${q(e.name)} holds a pickle under a name that does not say so`,
        null,
      );
    try {
      pickles.push(...(await scanStream(scanSrc, s, end, e.name, 1, findings, problems, false)));
    } catch (err) {
      if (!(err instanceof ProbityError) || err.code !== 'malformed') throw err;
      const msg = err.message.startsWith(`${src.name}: `)
        ? err.message.slice(src.name.length + 2)
        : err.message;
      findings.add('not-analysed', msg, `member ${q(e.name)}`);
    }
  }
  if (scanned === 0)
    throw malformed(
      src.name,
      `zip archive with ${fmt(dir.entries.length)} members and no pickle member: not a PyTorch checkpoint`,
    );

  if (dataPkl && root !== null) {
    const main = pickles.find((p) => p.member === dataPkl.name && p.nesting === null);
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
  return report(
    'torch-zip',
    src,
    pickles,
    { root, memberCount: dir.entries.length, members: dir.entries.slice(0, 1000).map((e) => e.name) },
    findings,
    problems,
  );
}

/**
 * Scan a PyTorch checkpoint (.pt, .pth, .bin, .ckpt): a torch.save zip (every pickle member), a
 * legacy torch.save stream (its five pickles), or a bare pickle. Anything else is `malformed`.
 */
export async function scanTorchFile(file: string): Promise<PickleScanReport> {
  return withFileSource(file, (src) => scanTorchSource(src));
}

export async function scanTorchSource(src: ByteSource): Promise<PickleScanReport> {
  const file = src.name;
  if (src.size < 4) throw malformed(file, `${fmt(src.size)} bytes is too short for a PyTorch file`);
  const head = await src.read(0, Math.min(src.size, 512));
  if (looksLikeZip(head)) return scanTorchZip(src);
  if (
    head.length >= TORCH_LEGACY_MAGIC.length &&
    head.subarray(0, TORCH_LEGACY_MAGIC.length).equals(TORCH_LEGACY_MAGIC)
  ) {
    const problems = new ProblemList();
    const findings = new FindingList();
    problems.add('legacy (pre-1.6) torch.save format');
    const pickles = await scanStream(src, 0, src.size, null, 5, findings, problems, true);
    return report('torch-legacy', src, pickles, null, findings, problems);
  }
  if (looksLikePickle(head[0], head[1])) {
    const problems = new ProblemList();
    const findings = new FindingList();
    const pickles = await scanStream(src, 0, src.size, null, 8, findings, problems, false);
    return report('pickle', src, pickles, null, findings, problems);
  }
  throw malformed(
    file,
    `neither a zip archive nor a pickle (first bytes ${head.subarray(0, 4).toString('hex')}): not a PyTorch checkpoint`,
  );
}
