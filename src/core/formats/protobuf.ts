/**
 * Protocol-buffer models read at the wire level (protobuf encoding spec: varint keys, wire types
 * 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32; groups 3/4 are refused). Only the fields that
 * decide a verdict are decoded; every length is checked against its enclosing message first.
 *
 * TensorFlow SavedModel (`saved_model.pb`, tensorflow/core/protobuf/saved_model.proto,
 * meta_graph.proto, graph.proto, function.proto, node_def.proto): the op of every node of every
 * graph and every library function. `PyFunc`/`EagerPyFunc` call back into Python; file ops read or
 * write the filesystem; an op that is neither in the standard TensorFlow op registry (tf-ops.ts)
 * nor a function of the graph's own library comes from a custom-op library loaded at import time.
 *
 * ONNX (`onnx/onnx.proto`): operator-set domains (a domain outside ONNX's and ONNX Runtime's
 * needs a custom-op library), node domains, and initializers stored as external data whose
 * `location` is absolute or climbs out of the model folder (the runtime reads whatever it names).
 */
import { fmt, malformed, q, type ByteSource } from './reader.ts';
import { FindingList, type ScanFinding } from './verdict.ts';
import { isRegistryOp } from './tf-ops.ts';

const MAX_PB = 512 * 1024 * 1024;
const MAX_DEPTH = 64;
const MAX_FIELDS = 20_000_000;

interface Field {
  no: number;
  wt: number;
  /** varint value (wire type 0), else 0. */
  v: number;
  start: number;
  end: number;
}

class Pb {
  fields = 0;
  constructor(
    readonly buf: Buffer,
    readonly file: string,
  ) {}

  varint(p: { pos: number }, end: number): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (p.pos >= end)
        throw malformed(this.file, `protobuf varint runs past its message at offset ${fmt(p.pos)}`);
      const b = this.buf[p.pos++] ?? 0;
      v += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return v;
      mul *= 128;
    }
    throw malformed(this.file, `protobuf varint longer than 10 bytes at offset ${fmt(p.pos)}`);
  }

  /** The fields of the message in `[start, end)`. */
  *fieldsOf(start: number, end: number): Generator<Field> {
    const p = { pos: start };
    while (p.pos < end) {
      if (++this.fields > MAX_FIELDS)
        throw malformed(this.file, `more than ${fmt(MAX_FIELDS)} protobuf fields`);
      const key = this.varint(p, end);
      const no = Math.floor(key / 8);
      const wt = key % 8;
      if (no === 0) throw malformed(this.file, `protobuf field number 0 at offset ${fmt(p.pos)}`);
      if (wt === 0) {
        const s = p.pos;
        const v = this.varint(p, end);
        yield { no, wt, v, start: s, end: p.pos };
      } else if (wt === 1 || wt === 5) {
        const n = wt === 1 ? 8 : 4;
        if (p.pos + n > end)
          throw malformed(this.file, `protobuf fixed field passes its message at offset ${fmt(p.pos)}`);
        yield { no, wt, v: 0, start: p.pos, end: p.pos + n };
        p.pos += n;
      } else if (wt === 2) {
        const len = this.varint(p, end);
        if (p.pos + len > end)
          throw malformed(
            this.file,
            `protobuf field ${no} of ${fmt(len)} bytes passes its message at offset ${fmt(p.pos)}`,
          );
        yield { no, wt, v: 0, start: p.pos, end: p.pos + len };
        p.pos += len;
      } else
        throw malformed(
          this.file,
          `protobuf wire type ${wt} (field ${no}) at offset ${fmt(p.pos)} is not supported`,
        );
    }
  }

  str(f: Field): string {
    return this.buf.subarray(f.start, f.end).toString('utf8');
  }
}

async function readAll(src: ByteSource): Promise<Buffer> {
  if (src.size > MAX_PB)
    throw malformed(src.name, `${fmt(src.size)} bytes is more than the ${fmt(MAX_PB)}-byte protobuf limit`);
  return src.read(0, src.size);
}

// ---------------------------------------------------------------- SavedModel

export interface SavedModelResult {
  format: 'saved-model';
  schemaVersion: number | null;
  metaGraphs: number;
  tags: string[];
  tensorflowVersion: string | null;
  nodeCount: number;
  functionCount: number;
  /** Distinct op names with counts. */
  ops: Record<string, number>;
  findings: ScanFinding[];
  problems: string[];
}

const TF_OPS: Readonly<
  Record<string, { level: 'dangerous' | 'suspicious'; why: string; cap?: 'code-exec' | 'file' | 'process' }>
> = {
  PyFunc: { level: 'dangerous', why: 'calls back into a Python function at run time', cap: 'code-exec' },
  PyFuncStateless: {
    level: 'dangerous',
    why: 'calls back into a Python function at run time',
    cap: 'code-exec',
  },
  EagerPyFunc: { level: 'dangerous', why: 'calls back into a Python function at run time', cap: 'code-exec' },
  WriteFile: { level: 'dangerous', why: 'writes a file', cap: 'file' },
  ReadFile: { level: 'suspicious', why: 'reads a file named at run time' },
  MatchingFiles: { level: 'suspicious', why: 'lists files' },
  ImmutableConst: { level: 'suspicious', why: 'memory-maps a file' },
  PrintV2: { level: 'suspicious', why: 'writes to a file or stream named by its attribute' },
  DebugIdentityV2: { level: 'suspicious', why: 'writes debug dumps to a folder' },
  SummaryWriter: { level: 'suspicious', why: 'writes event files' },
  CreateSummaryFileWriter: { level: 'suspicious', why: 'writes event files' },
  WriteAudioSummary: { level: 'suspicious', why: 'writes summaries' },
  Save: { level: 'suspicious', why: 'writes checkpoint files outside the saver graph' },
  SaveSlices: { level: 'suspicious', why: 'writes checkpoint files' },
};

export async function scanSavedModel(src: ByteSource): Promise<SavedModelResult> {
  const buf = await readAll(src);
  const pb = new Pb(buf, src.name);
  const findings = new FindingList();
  const ops: Record<string, number> = {};
  const tags: string[] = [];
  let schemaVersion: number | null = null;
  let metaGraphs = 0;
  let tfVersion: string | null = null;
  let nodeCount = 0;
  let functionCount = 0;
  let saverOps = false;
  /** Ops outside the registry, judged once every library function name is known. */
  const unknownOps: { op: string; at: string }[] = [];
  const libraryFunctions = new Set<string>();

  const node = (s: number, e: number, where: string): void => {
    nodeCount++;
    let op = '';
    let name = '';
    for (const f of pb.fieldsOf(s, e)) {
      if (f.no === 2 && f.wt === 2) op = pb.str(f);
      else if (f.no === 1 && f.wt === 2) name = pb.str(f);
    }
    ops[op] = (ops[op] ?? 0) + 1;
    if (op === 'SaveV2' || op === 'RestoreV2') saverOps = true;
    const rule = TF_OPS[op];
    const at = `${where}, node ${q(name, 80)}`;
    if (rule) findings.add(rule.level, `op ${op}: ${rule.why}`, at, rule.cap);
    else if (op === '') findings.add('suspicious', 'node without an op', at);
    else if (!isRegistryOp(op) && unknownOps.length < 10_000) unknownOps.push({ op, at });
  };
  const graph = (s: number, e: number, where: string): void => {
    for (const f of pb.fieldsOf(s, e)) {
      if (f.no === 1 && f.wt === 2) node(f.start, f.end, where);
      else if (f.no === 2 && f.wt === 2) {
        for (const fn of pb.fieldsOf(f.start, f.end)) {
          if (fn.no !== 1 || fn.wt !== 2) continue;
          functionCount++;
          let fname = '?';
          for (const g of pb.fieldsOf(fn.start, fn.end)) {
            if (g.no === 1 && g.wt === 2)
              for (const h of pb.fieldsOf(g.start, g.end)) if (h.no === 1 && h.wt === 2) fname = pb.str(h);
          }
          libraryFunctions.add(fname);
          for (const g of pb.fieldsOf(fn.start, fn.end))
            if (g.no === 3 && g.wt === 2) node(g.start, g.end, `${where}, function ${q(fname, 80)}`);
        }
      }
    }
  };
  for (const f of pb.fieldsOf(0, buf.length)) {
    if (f.no === 1 && f.wt === 0) schemaVersion = f.v;
    else if (f.no === 2 && f.wt === 2) {
      metaGraphs++;
      const where = `meta graph ${metaGraphs}`;
      for (const m of pb.fieldsOf(f.start, f.end)) {
        if (m.no === 1 && m.wt === 2) {
          for (const i of pb.fieldsOf(m.start, m.end)) {
            if (i.no === 4 && i.wt === 2 && tags.length < 100) tags.push(pb.str(i));
            else if (i.no === 5 && i.wt === 2) tfVersion = pb.str(i);
          }
        } else if (m.no === 2 && m.wt === 2) graph(m.start, m.end, where);
      }
    } else if (f.wt === 2 || f.wt === 0) continue;
  }
  if (metaGraphs === 0) throw malformed(src.name, 'not a SavedModel: no meta_graphs');
  // A node may call a function of the graph's own library by its name; anything else outside the
  // registry needs a custom-op library, whose native code runs when it is loaded.
  for (const { op, at } of unknownOps)
    if (!libraryFunctions.has(op))
      findings.add(
        'suspicious',
        `op ${q(op, 80)} is not a standard TensorFlow op (not in the TensorFlow 2.x op registry Probity carries): running the graph needs a custom-op library, whose native code runs at load`,
        at,
      );
  const problems: string[] = [];
  if (!saverOps && nodeCount > 0)
    problems.push('no SaveV2/RestoreV2 ops: the graph has no saver (hand-made?)');
  return {
    format: 'saved-model',
    schemaVersion,
    metaGraphs,
    tags,
    tensorflowVersion: tfVersion,
    nodeCount,
    functionCount,
    ops,
    findings: findings.toArray(),
    problems,
  };
}

// ---------------------------------------------------------------- ONNX

export interface OnnxResult {
  format: 'onnx';
  irVersion: number | null;
  producer: string | null;
  opsets: { domain: string; version: number }[];
  nodeCount: number;
  /** Distinct `domain::op_type` with counts. */
  ops: Record<string, number>;
  externalData: string[];
  findings: ScanFinding[];
  problems: string[];
}

const ONNX_DOMAINS = new Set([
  '',
  'ai.onnx',
  'ai.onnx.ml',
  'ai.onnx.training',
  'ai.onnx.preview.training',
  'com.microsoft',
  'com.microsoft.nchwc',
  'com.microsoft.experimental',
  'org.pytorch.aten',
  'com.ms.internal.nhwc',
]);

function escapes(p: string): boolean {
  return (
    p.startsWith('/') ||
    p.startsWith('\\') ||
    /^[A-Za-z]:/.test(p) ||
    p.split(/[\\/]/).includes('..') ||
    p.includes('\0')
  );
}

export async function scanOnnx(src: ByteSource): Promise<OnnxResult> {
  const buf = await readAll(src);
  const pb = new Pb(buf, src.name);
  const findings = new FindingList();
  const ops: Record<string, number> = {};
  const opsets: OnnxResult['opsets'] = [];
  const external: string[] = [];
  let irVersion: number | null = null;
  let producer: string | null = null;
  let nodeCount = 0;
  let sawGraph = false;

  const tensor = (s: number, e: number, where: string): void => {
    let name = '';
    let location: string | null = null;
    for (const f of pb.fieldsOf(s, e)) {
      if (f.no === 8 && f.wt === 2) name = pb.str(f);
      else if (f.no === 13 && f.wt === 2) {
        let k = '';
        let v = '';
        for (const g of pb.fieldsOf(f.start, f.end)) {
          if (g.no === 1 && g.wt === 2) k = pb.str(g);
          else if (g.no === 2 && g.wt === 2) v = pb.str(g);
        }
        if (k === 'location') location = v;
      }
    }
    if (location !== null) {
      if (external.length < 1000) external.push(location);
      if (escapes(location))
        findings.add(
          'dangerous',
          `initializer ${q(name, 80)} reads external data from ${q(location, 120)}, outside the model folder`,
          where,
          'file',
        );
    }
  };
  const graph = (s: number, e: number, where: string, depth: number): void => {
    if (depth > MAX_DEPTH) {
      findings.add('not-analysed', `subgraphs nested more than ${MAX_DEPTH} deep were not read`, where);
      return;
    }
    for (const f of pb.fieldsOf(s, e)) {
      if (f.no === 1 && f.wt === 2) nodeProto(f.start, f.end, where, depth);
      else if ((f.no === 5 || f.no === 15) && f.wt === 2) tensor(f.start, f.end, where);
    }
  };
  const nodeProto = (s: number, e: number, where: string, depth: number): void => {
    nodeCount++;
    let op = '';
    let domain = '';
    let name = '';
    for (const f of pb.fieldsOf(s, e)) {
      if (f.no === 4 && f.wt === 2) op = pb.str(f);
      else if (f.no === 7 && f.wt === 2) domain = pb.str(f);
      else if (f.no === 3 && f.wt === 2) name = pb.str(f);
      else if (f.no === 5 && f.wt === 2) {
        for (const a of pb.fieldsOf(f.start, f.end)) {
          if (a.no === 6 && a.wt === 2) graph(a.start, a.end, `${where} > ${name || op}`, depth + 1);
          else if (a.no === 11 && a.wt === 2) graph(a.start, a.end, `${where} > ${name || op}`, depth + 1);
          else if (a.no === 5 && a.wt === 2) tensor(a.start, a.end, where);
        }
      }
    }
    const key = `${domain || 'ai.onnx'}::${op}`;
    ops[key] = (ops[key] ?? 0) + 1;
    if (!ONNX_DOMAINS.has(domain))
      findings.add(
        'suspicious',
        `node ${q(name || op, 80)} uses op ${q(op, 60)} from custom domain ${q(domain, 60)} (a custom-op library runs at load)`,
        where,
      );
  };
  for (const f of pb.fieldsOf(0, buf.length)) {
    if (f.no === 1 && f.wt === 0) irVersion = f.v;
    else if (f.no === 2 && f.wt === 2) producer = pb.str(f);
    else if (f.no === 7 && f.wt === 2) {
      sawGraph = true;
      graph(f.start, f.end, 'graph', 0);
    } else if (f.no === 8 && f.wt === 2) {
      let domain = '';
      let version = 0;
      for (const g of pb.fieldsOf(f.start, f.end)) {
        if (g.no === 1 && g.wt === 2) domain = pb.str(g);
        else if (g.no === 2 && g.wt === 0) version = g.v;
      }
      opsets.push({ domain, version });
      if (!ONNX_DOMAINS.has(domain))
        findings.add(
          'suspicious',
          `operator set from custom domain ${q(domain, 60)} (version ${version})`,
          'opset_import',
        );
    } else if (f.no === 25 && f.wt === 2) {
      for (const g of pb.fieldsOf(f.start, f.end))
        if (g.no === 7 && g.wt === 2) nodeProto(g.start, g.end, 'functions', 1);
    }
  }
  if (irVersion === null || !sawGraph)
    throw malformed(src.name, 'not an ONNX model: no ir_version or no graph');
  return {
    format: 'onnx',
    irVersion,
    producer,
    opsets,
    nodeCount,
    ops,
    externalData: external,
    findings: findings.toArray(),
    problems: [],
  };
}
