/**
 * Seeded mutation fuzzing of every parser against every relevant real fixture. Each run mutates a
 * fixture (bit flips, byte overwrites with 0x00 / 0xFF / random, truncation, inserted or deleted
 * runs, length fields set to huge values), writes it to one reused temp file and parses it. The
 * parser must either return a JSON-serialisable result or throw a ProbityError; anything else —
 * a TypeError, RangeError, a run slower than the per-run limit — fails with the seed and mutation
 * so the case can be replayed with `replay(seed)`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProbityError } from '../util/errors.ts';
import { readSafetensorsHeader, readSafetensorsIndex } from './safetensors.ts';
import { readGgufHeader } from './gguf.ts';
import { scanPickle, scanTorchFile } from './pickle.ts';
import { parseAdapterConfig } from './peft.ts';
import { parseModelConfig } from './hfconfig.ts';
import { parseTokenizerJson, parseTokenizerConfig } from './tokenizer.ts';
import { inspectArtifact } from './detect.ts';
import { deflateSync } from 'node:zlib';
import {
  fixture,
  ggufBytes,
  hdf5,
  npy,
  pbInt,
  pbLen,
  pickleBytes,
  repoRoot,
  safetensorsBytes,
  sbu,
  scratch,
  sevenZip,
  tar,
  zipBytes,
} from './testkit.ts';
import { withoutShared } from '../../../test/shared';

type Parse = (file: string) => Promise<unknown>;
type Family = 'gguf' | 'safetensors' | 'pickle' | 'zip' | 'json';

interface Target {
  rel: string;
  family: Family;
  parse: Parse;
  runs: number;
  /** Bytes built here instead of a fixture file (formats with no real fixture). */
  bytes?: () => Buffer;
}

const TARGETS: Target[] = [
  { rel: 'gguf/ggml-vocab-bert-bge.gguf', family: 'gguf', parse: readGgufHeader, runs: 220 },
  { rel: 'gguf/ggml-vocab-llama-spm.gguf', family: 'gguf', parse: readGgufHeader, runs: 220 },
  { rel: 'gguf/ggml-vocab-phi-3.gguf', family: 'gguf', parse: readGgufHeader, runs: 220 },
  { rel: 'gguf/threatflux-gguf-rs-test_model.gguf', family: 'gguf', parse: readGgufHeader, runs: 300 },
  {
    rel: 'gguf/corrupt/ggml-vocab-bert-bge.utf8-mangled.gguf',
    family: 'gguf',
    parse: readGgufHeader,
    runs: 100,
  },
  {
    rel: 'safetensors/hf-samples-overall.safetensors',
    family: 'safetensors',
    parse: readSafetensorsHeader,
    runs: 300,
  },
  {
    rel: 'safetensors/hf-samples-f.safetensors',
    family: 'safetensors',
    parse: readSafetensorsHeader,
    runs: 150,
  },
  {
    rel: 'safetensors/candle-whisper-mel_filters.safetensors',
    family: 'safetensors',
    parse: readSafetensorsHeader,
    runs: 150,
  },
  {
    rel: 'safetensors/ollama-minicpm3-4b-model.safetensors',
    family: 'safetensors',
    parse: readSafetensorsHeader,
    runs: 200,
  },
  {
    rel: 'safetensors/malicious-fixtures/modelaudit-malicious_import.safetensors',
    family: 'safetensors',
    parse: readSafetensorsHeader,
    runs: 150,
  },
  {
    rel: 'safetensors/malicious-fixtures/modelaudit-safe_model.safetensors',
    family: 'safetensors',
    parse: readSafetensorsHeader,
    runs: 100,
  },
  { rel: 'pytorch/candle-test.pt', family: 'zip', parse: scanTorchFile, runs: 250 },
  {
    rel: 'pytorch/torchtune-tiny_state_dict_with_one_key.pt',
    family: 'zip',
    parse: scanTorchFile,
    runs: 200,
  },
  { rel: 'pytorch/logics-thinking-training_args.bin', family: 'zip', parse: scanTorchFile, runs: 250 },
  {
    rel: 'pytorch/malicious-fixtures/modelaudit-malicious_eval.pt',
    family: 'zip',
    parse: scanTorchFile,
    runs: 200,
  },
  {
    rel: 'pytorch/malicious-fixtures/modelaudit-safe_model.pt',
    family: 'zip',
    parse: scanTorchFile,
    runs: 150,
  },
  {
    rel: 'peft/chinese-vicuna-chat-adapter_config.json',
    family: 'json',
    parse: parseAdapterConfig,
    runs: 60,
  },
  {
    rel: 'peft/openmath-qwen2.5-math-adapter_config.json',
    family: 'json',
    parse: parseAdapterConfig,
    runs: 60,
  },
  {
    rel: 'peft/phishing-analyzer-qwen2.5-7b-adapter_config.json',
    family: 'json',
    parse: parseAdapterConfig,
    runs: 60,
  },
  {
    rel: 'peft/ollama-discollama-mlx-adapter_config.json',
    family: 'json',
    parse: parseAdapterConfig,
    runs: 40,
  },
  { rel: 'peft/izzulgod-gpt2-indo-config.json', family: 'json', parse: parseModelConfig, runs: 60 },
  { rel: 'peft/ollama-minicpm3-4b-config.json', family: 'json', parse: parseModelConfig, runs: 60 },
  { rel: 'peft/ollama-phi3-config.json', family: 'json', parse: parseModelConfig, runs: 40 },
  { rel: 'peft/ollama-llama3-testdata-config.json', family: 'json', parse: parseModelConfig, runs: 40 },
  { rel: 'peft/mistralxgo-mistral-7b-config.json', family: 'json', parse: parseModelConfig, runs: 40 },
  {
    rel: 'peft/modelaudit-malicious-ssti-tokenizer_config.json',
    family: 'json',
    parse: parseTokenizerConfig,
    runs: 60,
  },
  {
    rel: 'peft/ollama-minicpm3-4b-tokenizer_config.json',
    family: 'json',
    parse: parseTokenizerConfig,
    runs: 60,
  },
  {
    rel: 'peft/phishing-analyzer-tokenizer_config.json',
    family: 'json',
    parse: parseTokenizerConfig,
    runs: 40,
  },
  { rel: 'peft/torchtune-tiny_bpe_tokenizer.json', family: 'json', parse: parseTokenizerJson, runs: 60 },
  {
    rel: 'manifests/logics-thinking-model.safetensors.index.json',
    family: 'json',
    parse: readSafetensorsIndex,
    runs: 40,
  },
];

/** A bare pickle stream, cut out of a fixture, to fuzz the pickle scanner without the zip around it. */
function pickleMemberOf(zip: Buffer, member: string): Buffer {
  const i = zip.indexOf(Buffer.from(member, 'latin1'));
  const start = i + member.length + zip.readUInt16LE(i - 2);
  const size = zip.readUInt32LE(i - 12);
  return zip.subarray(start, start + size);
}

/** mulberry32: small, fast, good enough to drive mutations reproducibly. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HUGE: readonly bigint[] = [
  0xffffffffn,
  0x7fffffffn,
  0x80000000n,
  0xffffffffffffffffn,
  0x7fffffffffffffffn,
  1n << 32n,
  1n << 40n,
  100_000_001n,
];

/** Offsets of length/count fields worth overwriting, per family (found from the original bytes). */
function lengthFields(family: Family, buf: Buffer): number[] {
  const out: number[] = [];
  if (family === 'gguf') {
    out.push(8, 16);
    // Walk the KV section the way the spec lays it out, collecting length offsets.
    let p = 24;
    const kvCount = Number(buf.readBigUInt64LE(16));
    const str = (): void => {
      out.push(p);
      p += 8 + Number(buf.readBigUInt64LE(p));
    };
    const fixed = [1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8];
    const val = (t: number): void => {
      if (t === 8) return str();
      if (t === 9) {
        const et = buf.readUInt32LE(p);
        out.push(p, p + 4);
        const n = Number(buf.readBigUInt64LE(p + 4));
        p += 12;
        if (et === 8) for (let i = 0; i < n && out.length < 2000; i++) str();
        else p += n * (fixed[et] ?? 1);
        return;
      }
      p += fixed[t] ?? 1;
    };
    try {
      for (let i = 0; i < kvCount && p < buf.length; i++) {
        str();
        const t = buf.readUInt32LE(p);
        out.push(p);
        p += 4;
        val(t);
      }
    } catch {
      // the corrupt fixture stops early; the offsets found so far are enough
    }
    for (let q = p; q < Math.min(buf.length - 8, p + 512); q += 4) out.push(q);
  } else if (family === 'safetensors') {
    out.push(0, 4);
  } else if (family === 'zip' || family === 'pickle') {
    const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd >= 0) out.push(eocd + 8, eocd + 10, eocd + 12, eocd + 16);
    for (let i = 0; i < buf.length - 5; i++) {
      const b = buf[i];
      if (
        b === 0x58 ||
        b === 0x42 ||
        b === 0x54 ||
        b === 0x8c ||
        b === 0x8d ||
        b === 0x95 ||
        b === 0x43 ||
        b === 0x55
      )
        out.push(i + 1);
      if (buf.readUInt32LE(i) === 0x02014b50) out.push(i + 20, i + 24, i + 28, i + 42);
      if (buf.readUInt32LE(i) === 0x04034b50) out.push(i + 18, i + 26, i + 28);
    }
  }
  return out;
}

interface Mutation {
  data: Buffer;
  what: string;
}

function mutate(src: Buffer, family: Family, fields: number[], r: () => number): Mutation {
  const int = (n: number): number => Math.floor(r() * n);
  // Half of the positions land in the first 4 KiB, where the headers are.
  const pos = (len: number): number => (r() < 0.5 ? int(Math.min(len, 4096)) : int(len));
  const buf = Buffer.from(src);
  const kind = int(family === 'json' ? 7 : 6);
  switch (kind) {
    case 0: {
      const n = 1 + int(8);
      const at: number[] = [];
      for (let i = 0; i < n; i++) {
        const p = pos(buf.length);
        const bit = int(8);
        buf[p] = (buf[p] ?? 0) ^ (1 << bit);
        at.push(p);
      }
      return { data: buf, what: `flip ${n} bits at ${at.join(',')}` };
    }
    case 1: {
      const fill = [0x00, 0xff, -1][int(3)] ?? 0;
      const p = pos(buf.length);
      const n = 1 + int(16);
      for (let i = p; i < Math.min(buf.length, p + n); i++) buf[i] = fill < 0 ? int(256) : fill;
      return { data: buf, what: `overwrite ${n} bytes at ${p} with ${fill < 0 ? 'random' : fill}` };
    }
    case 2: {
      const n = r() < 0.3 ? int(Math.min(buf.length, 64)) : int(buf.length);
      return { data: buf.subarray(0, n), what: `truncate to ${n}` };
    }
    case 3: {
      const p = pos(buf.length);
      const run = Buffer.alloc(1 + int(64));
      const mode = int(3);
      for (let i = 0; i < run.length; i++) run[i] = mode === 0 ? 0 : mode === 1 ? 0xff : int(256);
      return {
        data: Buffer.concat([buf.subarray(0, p), run, buf.subarray(p)]),
        what: `insert ${run.length} bytes (mode ${mode}) at ${p}`,
      };
    }
    case 4: {
      const p = pos(buf.length);
      const n = 1 + int(64);
      return {
        data: Buffer.concat([buf.subarray(0, p), buf.subarray(p + n)]),
        what: `delete ${n} bytes at ${p}`,
      };
    }
    case 5: {
      const p = fields.length > 0 && r() < 0.8 ? (fields[int(fields.length)] ?? 0) : pos(buf.length);
      const v = HUGE[int(HUGE.length)] ?? 0n;
      const wide = v > 0xffffffffn || r() < 0.5;
      if (wide && p + 8 <= buf.length) buf.writeBigUInt64LE(v, p);
      else if (p + 4 <= buf.length) buf.writeUInt32LE(Number(v & 0xffffffffn), p);
      return { data: buf, what: `length field at ${p} := ${v}` };
    }
    default: {
      // JSON: swap a number for a huge or odd one, or nest deeply.
      const text = buf.toString('latin1');
      const nums = [...text.matchAll(/-?\d+(\.\d+)?/g)];
      const m = nums[int(Math.max(1, nums.length))];
      const repl =
        ['99999999999999999999999', '1e400', '-1', '0.5', '"x"', '[[[[[[[[[[', 'null', '{}'][int(8)] ?? '0';
      if (!m || m.index === undefined) return { data: buf, what: 'no-op' };
      const out = text.slice(0, m.index) + repl + text.slice(m.index + m[0].length);
      return { data: Buffer.from(out, 'latin1'), what: `number at ${m.index} := ${repl}` };
    }
  }
}

const tmp = scratch('probity-fuzz-');
afterAll(() => tmp.cleanup());
const PER_RUN_LIMIT_MS = 3000;

async function runOne(file: string, parse: Parse): Promise<string | null> {
  const started = performance.now();
  try {
    const result = await parse(file);
    JSON.stringify(result);
  } catch (err) {
    if (!(err instanceof ProbityError)) {
      const e = err as Error;
      return `${e?.name ?? typeof err}: ${e?.message ?? String(err)}\n${e?.stack ?? ''}`;
    }
    if (!/^.+: .+/.test(err.message) || err.message.includes('\n'))
      return `ProbityError without a one-line "file: reason" message: ${JSON.stringify(err.message)}`;
  }
  const ms = performance.now() - started;
  return ms > PER_RUN_LIMIT_MS ? `took ${ms.toFixed(0)} ms` : null;
}

/** `target.runs` seeded mutations of `original`, each parsed; fails with the seed of the first bad run. */
async function fuzzRuns(target: Target, original: Buffer, ti: number, ext: string): Promise<number> {
  const fields = lengthFields(target.family, original);
  const file = path.join(tmp.dir, `fuzz-${ti}${ext}`);
  for (let i = 0; i < target.runs; i++) {
    const seed = ti * 100_000 + i;
    const r = rng(seed);
    const m = mutate(original, target.family, fields, r);
    writeFileSync(file, m.data);
    // Every fourth run goes through the sniffer/dispatcher instead of the direct parser.
    const parse = i % 4 === 3 ? inspectArtifact : target.parse;
    const failure = await runOne(file, parse);
    if (failure !== null) {
      expect.fail(
        `${target.rel} seed ${seed} (${m.what}) via ${parse === inspectArtifact ? 'inspectArtifact' : target.parse.name}: ${failure}`,
      );
    }
  }
  return target.runs;
}

/** Artifacts of the formats the scanner reads that have no real fixture here, built byte by byte. */
const EVIL = pickleBytes([0x80, 4], sbu('os'), sbu('system'), 0x93, sbu('id'), 0x85, 'R.');
const KERAS_CONFIG = JSON.stringify({
  class_name: 'Sequential',
  config: {
    layers: [{ class_name: 'Lambda', module: 'keras.layers', config: { name: 'l', function: 'f' } }],
  },
});
const GENERATED: Target[] = [
  {
    rel: 'generated/nested.pkl',
    family: 'pickle',
    parse: scanPickle,
    runs: 150,
    bytes: () =>
      pickleBytes(
        [0x80, 4],
        sbu('x'),
        0x94,
        [0x43, EVIL.length],
        EVIL,
        'X',
        [0, 1, 0, 0],
        'A'.repeat(256),
        0x86,
        '.',
      ),
  },
  {
    rel: 'generated/zlib-b64.pkl',
    family: 'pickle',
    parse: scanPickle,
    runs: 100,
    bytes: () => {
      const b = Buffer.from(deflateSync(EVIL).toString('base64'));
      const h = Buffer.from([0x58, 0, 0, 0, 0]);
      h.writeUInt32LE(b.length, 1);
      return pickleBytes([0x80, 4], h, b, '.');
    },
  },
  {
    rel: 'generated/object.npy',
    family: 'pickle',
    parse: inspectArtifact,
    runs: 120,
    bytes: () => npy('|O', '(1,)', EVIL),
  },
  {
    rel: 'generated/arrays.npz',
    family: 'zip',
    parse: inspectArtifact,
    runs: 120,
    bytes: () =>
      zipBytes([
        { name: 'a.npy', data: npy('<f4', '(2,)', Buffer.alloc(8)), deflate: true },
        { name: 'b.npy', data: npy('|O', '(1,)', EVIL) },
      ]),
  },
  {
    rel: 'generated/model.keras',
    family: 'zip',
    parse: inspectArtifact,
    runs: 120,
    bytes: () =>
      zipBytes([
        { name: 'metadata.json', data: Buffer.from('{"keras_version":"3.3.3"}') },
        { name: 'config.json', data: Buffer.from(KERAS_CONFIG), deflate: true },
      ]),
  },
  {
    rel: 'generated/model.h5',
    family: 'gguf',
    parse: inspectArtifact,
    runs: 150,
    bytes: () => hdf5({ keras_version: '2.15.0', model_config: KERAS_CONFIG }),
  },
  {
    rel: 'generated/saved_model.pb',
    family: 'gguf',
    parse: inspectArtifact,
    runs: 120,
    bytes: () => {
      const node = pbLen(1, Buffer.concat([pbLen(1, 'n'), pbLen(2, 'PyFunc')]));
      return Buffer.concat([
        pbInt(1, 1),
        pbLen(2, Buffer.concat([pbLen(1, pbLen(4, 'serve')), pbLen(2, node)])),
      ]);
    },
  },
  {
    rel: 'generated/model.onnx',
    family: 'gguf',
    parse: inspectArtifact,
    runs: 120,
    bytes: () => {
      const ext = pbLen(13, Buffer.concat([pbLen(1, 'location'), pbLen(2, '../x')]));
      const graph = Buffer.concat([
        pbLen(1, pbLen(4, 'Relu')),
        pbLen(5, Buffer.concat([pbLen(8, 'w'), ext])),
      ]);
      return Buffer.concat([pbInt(1, 8), pbLen(7, graph), pbLen(8, pbInt(2, 17))]);
    },
  },
  {
    rel: 'generated/old.tar',
    family: 'pickle',
    parse: inspectArtifact,
    runs: 100,
    bytes: () => tar([{ name: 'pickle', data: EVIL }]),
  },
  {
    rel: 'generated/a.7z',
    family: 'pickle',
    parse: inspectArtifact,
    runs: 100,
    bytes: () => sevenZip(Buffer.concat([Buffer.from([1, 0, EVIL.length - 1]), EVIL, Buffer.from([0])])),
  },
];

describe.skipIf(withoutShared())('fuzz: mutated real fixtures only ever parse or throw ProbityError', () => {
  let total = 0;
  const extra: Target[] = [
    // Bare pickles cut out of the zips, scanned directly.
    {
      rel: 'pytorch/logics-thinking-training_args.bin#training_args/data.pkl',
      family: 'pickle',
      parse: scanPickle,
      runs: 250,
    },
    { rel: 'pytorch/candle-test.pt#test/data.pkl', family: 'pickle', parse: scanPickle, runs: 200 },
    {
      rel: 'pytorch/malicious-fixtures/modelaudit-malicious_eval.pt#data.pkl',
      family: 'pickle',
      parse: scanPickle,
      runs: 200,
    },
  ];

  for (const [ti, target] of [...TARGETS, ...extra].entries()) {
    it(`${target.rel} × ${target.runs}`, async () => {
      const [rel, member] = target.rel.split('#');
      const raw = readFileSync(fixture(rel ?? ''));
      total += await fuzzRuns(
        target,
        member ? pickleMemberOf(raw, member) : raw,
        ti,
        path.extname(rel ?? ''),
      );
    });
  }

  it('ran thousands of mutations within bounded memory', () => {
    expect(total).toBeGreaterThanOrEqual(4000);
    expect(process.memoryUsage().heapUsed).toBeLessThan(1024 * 1024 * 1024);
  });
});

/**
 * The same fuzzing on files built here, so a checkout without ../shared still fuzzes every parser:
 * a safetensors file with metadata, a GGUF with a vocabulary and tensors, a torch-style pickle, a
 * torch zip, and the JSON configs.
 */
describe('fuzz: mutated generated files only ever parse or throw ProbityError', () => {
  const tensorPickle = pickleBytes(
    [0x80, 2],
    '}q',
    0,
    '(',
    sbu('w'),
    'ctorch._utils\n_rebuild_tensor_v2\n(',
    '(',
    sbu('storage'),
    'ctorch\nFloatStorage\n',
    sbu('0'),
    sbu('cpu'),
    'K',
    4,
    't',
    'Q',
    'K',
    0,
    'K',
    2,
    'K',
    2,
    '\x86',
    'K',
    2,
    'K',
    1,
    '\x86',
    '\x89',
    'ccollections\nOrderedDict\n)R',
    't',
    'R',
    'u.',
  );
  const made = (rel: string): Buffer => readFileSync(path.join(repoRoot, 'test/fixtures', rel));
  const generated: [string, Family, Parse, Buffer, string][] = [
    // Written by libhdf5 and joblib themselves (test/fixtures/*/make.py): dense HDF5 attributes
    // (fractal heap, v2 B-trees, a huge object), joblib inline arrays, a zlib-compressed joblib.
    ['keras-dense-lambda.h5', 'gguf', inspectArtifact, made('hdf5/keras-dense-lambda.h5'), '.h5'],
    ['estimator.joblib', 'pickle', inspectArtifact, made('joblib/estimator.joblib'), '.joblib'],
    ['estimator.joblib.z', 'gguf', inspectArtifact, made('joblib/estimator.joblib.z'), '.z'],
    [
      'generated.safetensors',
      'safetensors',
      readSafetensorsHeader,
      safetensorsBytes(
        {
          __metadata__: { format: 'pt', note: 'made here' },
          'model.layers.0.mlp.up_proj.weight': { dtype: 'BF16', shape: [4, 8], data_offsets: [0, 64] },
          'model.layers.0.mlp.down_proj.weight': { dtype: 'F32', shape: [8, 4], data_offsets: [64, 192] },
          'lm_head.weight': { dtype: 'F16', shape: [2, 4], data_offsets: [192, 208] },
        },
        208,
      ),
      '.safetensors',
    ],
    [
      'generated.gguf',
      'gguf',
      readGgufHeader,
      ggufBytes({
        kvs: [
          ['general.architecture', { t: 'str', v: 'llama' }],
          ['llama.block_count', { t: 'u32', v: 2 }],
          ['llama.embedding_length', { t: 'u32', v: 8 }],
          ['tokenizer.ggml.model', { t: 'str', v: 'gpt2' }],
          [
            'tokenizer.ggml.tokens',
            {
              t: 'arr',
              et: 8,
              items: ['<s>', '</s>', 'a', 'b', 'ab'].map((v) => ({ t: 'str' as const, v })),
            },
          ],
          ['tokenizer.ggml.bos_token_id', { t: 'u32', v: 0 }],
          ['tokenizer.chat_template', { t: 'str', v: '{% for m in messages %}{{ m.content }}{% endfor %}' }],
        ],
        tensors: [
          { name: 'token_embd.weight', dims: [8, 5], type: 0, offset: 0 },
          { name: 'blk.0.attn_q.weight', dims: [8, 8], type: 0, offset: 160 },
        ],
        data: Buffer.alloc(416, 1),
      }),
      '.gguf',
    ],
    ['generated.pkl', 'pickle', scanPickle, tensorPickle, '.pkl'],
    [
      'generated.pt',
      'zip',
      scanTorchFile,
      zipBytes([
        { name: 'archive/data.pkl', data: tensorPickle },
        { name: 'archive/data/0', data: Buffer.alloc(16, 2) },
        { name: 'archive/version', data: Buffer.from('3\n') },
      ]),
      '.pt',
    ],
    [
      'adapter_config.json',
      'json',
      parseAdapterConfig,
      Buffer.from(
        JSON.stringify({
          peft_type: 'LORA',
          base_model_name_or_path: 'org/base',
          r: 8,
          lora_alpha: 16,
          target_modules: ['q_proj', 'v_proj'],
          modules_to_save: ['lm_head'],
        }),
      ),
      '.json',
    ],
    [
      'config.json',
      'json',
      parseModelConfig,
      Buffer.from(
        JSON.stringify({
          model_type: 'llama',
          architectures: ['LlamaForCausalLM'],
          hidden_size: 256,
          num_hidden_layers: 4,
          num_attention_heads: 8,
          num_key_value_heads: 4,
          vocab_size: 4096,
          torch_dtype: 'bfloat16',
        }),
      ),
      '.json',
    ],
    [
      'tokenizer.json',
      'json',
      parseTokenizerJson,
      Buffer.from(
        JSON.stringify({
          version: '1.0',
          added_tokens: [{ id: 5, content: '<|x|>', special: true }],
          model: { type: 'BPE', vocab: { a: 0, b: 1, ab: 2, '<s>': 3, '</s>': 4 }, merges: ['a b'] },
        }),
      ),
      '.json',
    ],
    [
      'tokenizer_config.json',
      'json',
      parseTokenizerConfig,
      Buffer.from(
        JSON.stringify({
          bos_token: '<s>',
          eos_token: '</s>',
          model_max_length: 4096,
          chat_template: "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}",
        }),
      ),
      '.json',
    ],
  ];
  for (const [gi, target] of GENERATED.entries()) {
    it(`${target.rel} × ${target.runs}`, async () => {
      await fuzzRuns(target, target.bytes!(), 800 + gi, path.extname(target.rel));
    });
  }
  for (const [gi, [name, family, parse, original, ext]] of generated.entries()) {
    it(`${name} × 150`, async () => {
      // The unmutated file parses: the mutations start from a valid file of its kind.
      await parse(tmp.write(`original-${gi}${ext}`, original));
      await fuzzRuns({ rel: name, family, parse, runs: 150 }, original, 900 + gi, ext);
    });
  }
});
