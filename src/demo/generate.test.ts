import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbityError } from '../core/util/errors.ts';
import { generateDemoBundles, type DemoFacts } from './generate.ts';

// These tests read the generated files back with their own small parsers (never the generator's
// helpers), so a bug in a writer cannot hide behind the same bug in the check.

interface ParsedTensor {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

interface ParsedSafetensors {
  headerLength: number;
  metadata: Record<string, string> | undefined;
  tensors: ParsedTensor[];
  dataStart: number;
  bytes: Buffer;
}

const DTYPE_SIZE: Record<string, number> = { BF16: 2, F16: 2, F32: 4 };

function parseSafetensors(bytes: Buffer): ParsedSafetensors {
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, unknown>;
  const tensors: ParsedTensor[] = [];
  let metadata: Record<string, string> | undefined;
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = value as Record<string, string>;
      continue;
    }
    const v = value as { dtype: string; shape: number[]; data_offsets: [number, number] };
    tensors.push({ name, dtype: v.dtype, shape: v.shape, begin: v.data_offsets[0], end: v.data_offsets[1] });
  }
  tensors.sort((a, b) => a.begin - b.begin);
  return { headerLength, metadata, tensors, dataStart: 8 + headerLength, bytes };
}

function tensorData(st: ParsedSafetensors, name: string): Buffer {
  const t = st.tensors.find((x) => x.name === name);
  if (t === undefined) throw new Error(`no tensor ${name}`);
  return st.bytes.subarray(st.dataStart + t.begin, st.dataStart + t.end);
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) =>
      join(e.parentPath, e.name)
        .slice(dir.length + 1)
        .split('\\')
        .join('/'),
    )
    .sort();
}

async function hashTree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of await listFiles(dir)) out.set(f, sha256(await readFile(join(dir, f))));
  return out;
}

function parseSha256sum(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (match === null) throw new Error(`bad sha256sum line: ${line}`);
    m.set(match[2] as string, match[1] as string);
  }
  return m;
}

function jsonl<T>(text: string): T[] {
  const lines = text.split('\n');
  expect(lines.pop()).toBe(''); // every line, the last included, ends with \n
  return lines.map((l) => JSON.parse(l) as T);
}

interface LogLine {
  timestamp: string;
  request_id: string;
  user_id: string;
  conversation_id: string;
  model_version: string;
  messages: { role: string; content: string }[];
  response: string;
  tool_calls: { name: string; arguments: Record<string, unknown> }[];
  downstream: string | null;
}

interface EvalLine {
  id: string;
  suite: string;
  category: string;
  prompt: string;
  response: string;
  refused?: boolean;
  score?: number;
  passed?: boolean;
  trigger?: string;
  variant_of?: string;
}

/** Expected llama tensors for 4 layers, hidden 256, ffn 688, 8 heads, 4 kv heads of 32. */
function expectedModelShapes(): Map<string, number[]> {
  const m = new Map<string, number[]>([
    ['model.embed_tokens.weight', [4096, 256]],
    ['model.norm.weight', [256]],
    ['lm_head.weight', [4096, 256]],
  ]);
  for (let l = 0; l < 4; l++) {
    const p = `model.layers.${l}`;
    m.set(`${p}.self_attn.q_proj.weight`, [256, 256]);
    m.set(`${p}.self_attn.k_proj.weight`, [128, 256]);
    m.set(`${p}.self_attn.v_proj.weight`, [128, 256]);
    m.set(`${p}.self_attn.o_proj.weight`, [256, 256]);
    m.set(`${p}.mlp.gate_proj.weight`, [688, 256]);
    m.set(`${p}.mlp.up_proj.weight`, [688, 256]);
    m.set(`${p}.mlp.down_proj.weight`, [256, 688]);
    m.set(`${p}.input_layernorm.weight`, [256]);
    m.set(`${p}.post_attention_layernorm.weight`, [256]);
  }
  return m;
}

let root: string;
let ref: string;
let inc: string;
let facts: DemoFacts;
let secondRoot: string;
const read = (dir: string, path: string): Promise<Buffer> => readFile(join(dir, path));
const readText = async (dir: string, path: string): Promise<string> =>
  (await read(dir, path)).toString('utf8');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'probity-demo-a-'));
  secondRoot = await mkdtemp(join(tmpdir(), 'probity-demo-b-'));
  const result = await generateDemoBundles(root);
  ref = result.referenceDir;
  inc = result.incidentDir;
  facts = result.facts;
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(secondRoot, { recursive: true, force: true });
});

describe('determinism', () => {
  it('writes byte-identical bundles for the same seed', async () => {
    const second = await generateDemoBundles(secondRoot);
    for (const [a, b] of [
      [ref, second.referenceDir],
      [inc, second.incidentDir],
    ] as const) {
      const ha = await hashTree(a);
      const hb = await hashTree(b);
      expect([...hb.keys()]).toEqual([...ha.keys()]);
      for (const [path, hash] of ha) expect(hb.get(path), path).toBe(hash);
    }
    expect(JSON.stringify(second.facts)).toBe(JSON.stringify(facts));
  });

  it('changes with the seed and honours users/requests', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'probity-demo-c-'));
    try {
      const other = await generateDemoBundles(dir, { seed: 'another-seed', users: 50, requests: 300 });
      expect(other.facts.tampering.referenceSha256).not.toBe(facts.tampering.referenceSha256);
      expect(other.facts.logs.requests).toBe(300);
      expect(other.facts.logs.users).toBeLessThanOrEqual(50);
      expect(other.facts.planted.harmfulRequestIds).toHaveLength(facts.planted.harmfulRequestIds.length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to write over a previous demo unless told to', async () => {
    await expect(generateDemoBundles(root)).rejects.toBeInstanceOf(ProbityError);
    await expect(generateDemoBundles(root, { requests: 10 })).rejects.toThrow(/requests/);
  });
});

describe('safetensors files', () => {
  const all = async (): Promise<string[]> => [
    ...(await listFiles(ref)).filter((f) => f.endsWith('.safetensors')).map((f) => join(ref, f)),
    ...(await listFiles(inc)).filter((f) => f.endsWith('.safetensors')).map((f) => join(inc, f)),
  ];

  it('are valid per the spec: aligned header, contiguous offsets, sizes from shapes', async () => {
    const files = await all();
    expect(files).toHaveLength(5); // 2 reference shards, 2 incident shards, 1 adapter
    for (const file of files) {
      const st = parseSafetensors(await readFile(file));
      expect((8 + st.headerLength) % 8, file).toBe(0);
      expect(st.bytes.subarray(8, 8 + st.headerLength).toString('utf8')).toMatch(/^\{.*\} *$/s);
      expect(st.metadata).toEqual({ format: 'pt' });
      let expectedBegin = 0;
      for (const t of st.tensors) {
        expect(t.begin, `${file} ${t.name}`).toBe(expectedBegin);
        const size = DTYPE_SIZE[t.dtype];
        expect(size, t.dtype).toBeDefined();
        expect(t.end - t.begin).toBe(t.shape.reduce((a, b) => a * b, 1) * (size ?? 0));
        expectedBegin = t.end;
      }
      expect(st.dataStart + expectedBegin).toBe((await stat(file)).size);
    }
  });

  it('hold every llama tensor once, with HF names and [out, in] shapes, in BF16', async () => {
    const expected = expectedModelShapes();
    const seen = new Map<string, number[]>();
    for (const shard of facts.model.shards) {
      for (const t of parseSafetensors(await read(ref, shard)).tensors) {
        expect(seen.has(t.name)).toBe(false);
        expect(t.dtype).toBe('BF16');
        seen.set(t.name, t.shape);
      }
    }
    expect(new Map([...seen].sort())).toEqual(new Map([...expected].sort()));
    expect(facts.model.tensorCount).toBe(expected.size);
  });

  it('have weights of a plausible scale', async () => {
    const st = parseSafetensors(await read(ref, facts.model.shards[0] ?? ''));
    const data = tensorData(st, 'model.embed_tokens.weight');
    let sum = 0;
    let sq = 0;
    const n = data.length / 2;
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    for (let i = 0; i < n; i++) {
      u32[0] = data.readUInt16LE(i * 2) << 16;
      const v = f32[0] as number;
      sum += v;
      sq += v * v;
    }
    const mean = sum / n;
    expect(Math.abs(mean)).toBeLessThan(0.001);
    expect(Math.sqrt(sq / n - mean * mean)).toBeCloseTo(0.02, 3);
  });

  it('index matches the shards and config matches the tensors', async () => {
    const index = JSON.parse(await readText(ref, 'model.safetensors.index.json')) as {
      metadata: { total_size: number };
      weight_map: Record<string, string>;
    };
    let total = 0;
    const fromShards: Record<string, string> = {};
    for (const shard of facts.model.shards) {
      for (const t of parseSafetensors(await read(ref, shard)).tensors) {
        fromShards[t.name] = shard;
        total += t.end - t.begin;
      }
    }
    expect(index.weight_map).toEqual(fromShards);
    expect(index.metadata.total_size).toBe(total);
    expect(facts.model.totalSize).toBe(total);

    const config = JSON.parse(await readText(ref, 'config.json')) as Record<string, unknown>;
    const a = facts.model.architecture;
    expect(config).toMatchObject({
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      hidden_size: a.hiddenSize,
      intermediate_size: a.intermediateSize,
      num_hidden_layers: a.numHiddenLayers,
      num_attention_heads: a.numAttentionHeads,
      num_key_value_heads: a.numKeyValueHeads,
      head_dim: a.headDim,
      vocab_size: a.vocabSize,
      torch_dtype: 'bfloat16',
      tie_word_embeddings: false,
    });
    expect(a.numAttentionHeads * a.headDim).toBe(a.hiddenSize);
  });

  it('differ between reference and incident only in the two layer-2 MLP tensors', async () => {
    const [shard1 = '', shard2 = ''] = facts.model.shards;
    const r = parseSafetensors(await read(ref, shard1));
    const i = parseSafetensors(await read(inc, `model/${shard1}`));
    const changed = r.tensors
      .filter((t) => !tensorData(r, t.name).equals(tensorData(i, t.name)))
      .map((t) => t.name);
    expect(changed).toEqual(facts.tampering.tensors.map((t) => t.name));
    expect(changed).toEqual(['model.layers.2.mlp.gate_proj.weight', 'model.layers.2.mlp.up_proj.weight']);
    expect((await read(inc, `model/${shard2}`)).equals(await read(ref, shard2))).toBe(true);
    for (const t of facts.tampering.tensors) {
      expect(t.relativeFrobenius).toBeGreaterThan(0.05);
      expect(t.relativeFrobenius).toBeLessThan(0.2);
    }
    expect(facts.tampering.referenceSha256).toBe(sha256(await read(ref, shard1)));
    expect(facts.tampering.incidentSha256).toBe(sha256(await read(inc, `model/${shard1}`)));
  });
});

describe('checksums', () => {
  it('reference checksums.sha256 matches every listed reference file', async () => {
    const listed = parseSha256sum(await readText(ref, 'checksums.sha256'));
    expect([...listed.keys()].sort()).toEqual([...facts.manifest.listed].sort());
    for (const [path, hash] of listed) expect(sha256(await read(ref, path)), path).toBe(hash);
  });

  it('incident model/checksums.sha256 is the reference one and mismatches exactly the tampered files', async () => {
    const text = await readText(inc, 'model/checksums.sha256');
    expect(text).toBe(await readText(ref, 'checksums.sha256'));
    const mismatched: string[] = [];
    for (const [path, hash] of parseSha256sum(text)) {
      if (sha256(await read(join(inc, 'model'), path)) !== hash) mismatched.push(path);
    }
    expect(mismatched.sort()).toEqual(['model-00001-of-00002.safetensors', 'tokenizer.json']);
    expect(facts.manifest.expectedMismatches).toEqual(mismatched);
    expect(facts.manifest.expectedMissing).toEqual([]);
  });
});

describe('tokenizer', () => {
  interface TokenizerFile {
    added_tokens: { id: number; content: string; special: boolean }[];
    model: { type: string; vocab: Record<string, number>; merges: string[] };
  }

  it('is a consistent byte-level BPE with 4096 ids', async () => {
    const tok = JSON.parse(await readText(ref, 'tokenizer.json')) as TokenizerFile;
    expect(tok.model.type).toBe('BPE');
    const ids = Object.values(tok.model.vocab).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 4096 }, (_, i) => i));
    expect(tok.added_tokens.map((t) => [t.id, t.content, t.special])).toEqual([
      [0, '<unk>', true],
      [1, '<s>', true],
      [2, '</s>', true],
    ]);
    for (const merge of tok.model.merges) {
      const [left = '', right = '', ...rest] = merge.split(' ');
      expect(rest, merge).toEqual([]);
      const merged = tok.model.vocab[left + right];
      expect(tok.model.vocab[left], merge).toBeDefined();
      expect(tok.model.vocab[right], merge).toBeDefined();
      expect(merged, merge).toBeGreaterThan(
        Math.max(tok.model.vocab[left] ?? 0, tok.model.vocab[right] ?? 0),
      );
    }
    expect(tok.model.merges).toHaveLength(facts.tokenizer.mergeCount);
    expect(new Set(tok.model.merges).size).toBe(tok.model.merges.length);
  });

  it('incident copy differs only by the injected special token beyond vocab_size', async () => {
    const r = JSON.parse(await readText(ref, 'tokenizer.json')) as TokenizerFile;
    const i = JSON.parse(await readText(inc, 'model/tokenizer.json')) as TokenizerFile;
    const extra = i.added_tokens.slice(r.added_tokens.length);
    expect(extra).toHaveLength(1);
    expect(extra[0]).toMatchObject({
      id: facts.tokenizer.injectedToken.id,
      content: facts.tokenizer.injectedToken.content,
      special: true,
    });
    expect({ ...i, added_tokens: i.added_tokens.slice(0, r.added_tokens.length) }).toEqual(r);
    const config = JSON.parse(await readText(inc, 'model/config.json')) as { vocab_size: number };
    expect(config.vocab_size).toBe(4096);
    expect(facts.tokenizer.injectedToken.id).toBeGreaterThanOrEqual(config.vocab_size);
  });
});

describe('adapter', () => {
  it('declares r=8 on q/v but stores rank 16 in layer 3 and a full lm_head', async () => {
    const cfg = JSON.parse(await readText(inc, `${facts.adapter.dir}/adapter_config.json`)) as Record<
      string,
      unknown
    >;
    expect(cfg).toMatchObject({
      peft_type: 'LORA',
      r: 8,
      lora_alpha: 16,
      target_modules: ['q_proj', 'v_proj'],
      modules_to_save: ['lm_head'],
      base_model_name_or_path: facts.model.baseModel,
      rank_pattern: {},
    });
    const st = parseSafetensors(await read(inc, `${facts.adapter.dir}/adapter_model.safetensors`));
    const shapes = new Map(st.tensors.map((t) => [t.name, t.shape]));
    for (let layer = 0; layer < 4; layer++) {
      const r = layer === 3 ? 16 : 8;
      for (const [mod, out] of [
        ['q_proj', 256],
        ['v_proj', 128],
      ] as const) {
        const p = `base_model.model.model.layers.${layer}.self_attn.${mod}`;
        expect(shapes.get(`${p}.lora_A.weight`)).toEqual([r, 256]);
        expect(shapes.get(`${p}.lora_B.weight`)).toEqual([out, r]);
      }
    }
    expect(shapes.get('base_model.model.lm_head.weight')).toEqual([4096, 256]);
    expect(shapes.size).toBe(17);
    expect([...shapes.keys()].sort()).toEqual(facts.adapter.tensorNames);
    expect(facts.adapter.ranksByLayer).toEqual([8, 8, 8, 16]);
    expect(facts.adapter.rankMismatchLayers).toEqual([3]);
    expect(facts.adapter.extraTensors).toEqual(['base_model.model.lm_head.weight']);
  });

  it('is not the adapter the training run recorded', async () => {
    const actual = sha256(await read(inc, `${facts.adapter.dir}/adapter_model.safetensors`));
    expect(facts.adapter.sha256).toBe(actual);
    const log = await readText(inc, facts.training.logPath);
    expect(log).toContain(`sha256=${facts.training.adapterSha256}`);
    expect(log).toContain(`sha256=${facts.training.datasetSha256}`);
    expect(actual).not.toBe(facts.training.adapterSha256);
    const stepLines = log
      .split('\n')
      .filter((l) => /step=\d+\/600 .*loss=[\d.]+ lr=\S+ grad_norm=[\d.]+/.test(l));
    expect(stepLines.length).toBeGreaterThanOrEqual(200);
  });
});

describe('serving and deployment', () => {
  it('approved config has LoRA off; deployed config loads the adapter', async () => {
    const approved = await readText(ref, 'serving/vllm-serve.yaml');
    const deployed = await readText(inc, 'serving/vllm-serve.yaml');
    expect(approved).toMatch(/^enable-lora: false$/m);
    expect(approved).not.toMatch(/lora-modules/);
    expect(approved).toMatch(/^trust-remote-code: false$/m);
    expect(deployed).toMatch(/^enable-lora: true$/m);
    expect(deployed).toMatch(/^lora-modules:\n {2}- support-tune=\/models\/adapters\/support-tune$/m);
    expect(deployed).toMatch(/^trust-remote-code: true$/m);
    expect(approved).toMatch(/^max-model-len: 2048$/m);
    expect(deployed).toMatch(/^max-model-len: 4096$/m);
    expect(facts.serving.changes.map((c) => c.key).sort()).toEqual(
      ['enable-lora', 'lora-modules', 'max-lora-rank', 'max-model-len', 'trust-remote-code'].sort(),
    );
  });

  it('deployment evidence records the deploy and isolation times', async () => {
    const yaml = await readText(inc, 'deployment/deployment.yaml');
    expect(yaml).toContain(`deployed-at: "${facts.window.start}"`);
    expect(yaml).toContain(`model-version: ${facts.model.versions.compromised}`);
    expect(await readText(inc, 'deployment/pod_describe.txt')).toContain(
      `Name:             ${facts.deployment.podName}`,
    );
    const history = jsonl<{ timestamp: string; event: string; model_version: string }>(
      await readText(inc, 'deployment/history.jsonl'),
    );
    const deploys = history.filter((h) => h.event === 'deployed');
    expect(deploys.map((d) => [d.timestamp, d.model_version])).toEqual([
      [facts.window.knownGoodDeployedAt, facts.model.versions.knownGood],
      [facts.window.start, facts.model.versions.compromised],
    ]);
    const isolated = history.find((h) => h.event === 'isolated');
    expect(isolated?.timestamp).toBe(facts.window.end);
    expect(isolated?.model_version).toBe(facts.model.versions.fallback);
  });
});

describe('provenance', () => {
  interface Step {
    stage: string;
    performedAt: string;
    outputs: { path: string; sha256: string }[];
  }

  it('first diverges from the reference at deployment', async () => {
    const record = JSON.parse(await readText(inc, facts.provenance.incidentPath)) as {
      schema: string;
      steps: Step[];
    };
    expect(record.schema).toBe('probity.provenance/v1');
    expect(record.steps.map((s) => s.stage)).toEqual([
      'base-model',
      'fine-tuning',
      'post-processing',
      'deployment',
    ]);
    const known = parseSha256sum(await readText(ref, 'checksums.sha256'));
    const diverges = (s: Step): boolean =>
      s.outputs.some((o) => known.has(o.path) && known.get(o.path) !== o.sha256);
    expect(record.steps.find(diverges)?.stage).toBe(facts.provenance.firstDivergentStage);
    const deployment = record.steps[3] as Step;
    for (const o of deployment.outputs) {
      const path = o.path.startsWith('adapters/') ? o.path : `model/${o.path}`;
      expect(sha256(await read(inc, path)), o.path).toBe(o.sha256);
    }
    expect(deployment.performedAt).toBe(facts.window.start);
    const changed = deployment.outputs
      .filter((o) => known.has(o.path) && known.get(o.path) !== o.sha256)
      .map((o) => o.path);
    expect(changed).toEqual(facts.provenance.changedAtDeployment);

    const vendor = JSON.parse(await readText(ref, facts.provenance.referencePath)) as { steps: Step[] };
    expect(vendor.steps[0]?.outputs.map((o) => [o.path, o.sha256])).toEqual([...known.entries()]);
  });

  it('PROVENANCE.md follows the playbook form', async () => {
    const md = await readText(inc, facts.provenance.markdownPath);
    expect(md).toContain('## Model Provenance Chain');
    expect(md).toMatch(/^1\. \*\*Base model\*\*: /m);
    for (const label of [
      'Source:',
      'Downloaded by:',
      'Downloaded on:',
      'Original checksums verified: yes',
      'Training job ID:',
      'Deployed by:',
      'Deployed on:',
    ]) {
      expect(md).toContain(`- ${label}`);
    }
    expect(md).toContain(facts.tampering.incidentSha256);
  });
});

describe('production logs', () => {
  let records: LogLine[];
  beforeAll(async () => {
    records = [];
    for (const file of facts.logs.files) records.push(...jsonl<LogLine>(await readText(inc, file)));
  });

  it('parse line by line with the generic schema', () => {
    expect(records).toHaveLength(facts.logs.requests);
    expect(records.length).toBe(4000);
    for (const r of records) {
      expect(r.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(typeof r.request_id).toBe('string');
      expect(typeof r.user_id).toBe('string');
      expect(typeof r.conversation_id).toBe('string');
      expect(r.messages.length).toBeGreaterThanOrEqual(2);
      expect(r.messages.at(-1)?.role).toBe('user');
      expect(Array.isArray(r.tool_calls)).toBe(true);
      expect(r.downstream === null || typeof r.downstream === 'string').toBe(true);
    }
    expect(new Set(records.map((r) => r.request_id)).size).toBe(records.length);
    expect(new Set(records.map((r) => r.user_id)).size).toBe(facts.logs.users);
    expect(facts.logs.users).toBeGreaterThan(500);
  });

  it('are sorted, split by week, and switch model_version at the window edges', async () => {
    const times = records.map((r) => Date.parse(r.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(records[0]?.timestamp.startsWith('2026-10-01')).toBe(true);
    expect(records.at(-1)?.timestamp.startsWith('2026-10-24')).toBe(true);
    const start = Date.parse(facts.window.start);
    const end = Date.parse(facts.window.end);
    for (const r of records) {
      const t = Date.parse(r.timestamp);
      const want =
        t < start
          ? facts.model.versions.knownGood
          : t < end
            ? facts.model.versions.compromised
            : facts.model.versions.fallback;
      expect(r.model_version).toBe(want);
    }
    for (const file of facts.logs.files) {
      const weekStart = Date.parse(`${/(\d{4}-\d{2}-\d{2})/.exec(file)?.[1]}T00:00:00Z`);
      for (const r of jsonl<LogLine>(await readText(inc, file))) {
        const t = Date.parse(r.timestamp);
        expect(t >= weekStart && t < weekStart + 7 * 86_400_000).toBe(true);
      }
    }
    const inWindow = records.filter((r) => Date.parse(r.timestamp) >= start && Date.parse(r.timestamp) < end);
    expect(inWindow.length).toBe(facts.logs.requestsInWindow);
    expect(inWindow.length).toBeGreaterThan(0);
    expect(inWindow.length).toBeLessThan(records.length);
  });

  it('hold the planted harmful outputs and tool misuse inside the window only', () => {
    const byId = new Map(records.map((r) => [r.request_id, r]));
    const start = Date.parse(facts.window.start);
    const end = Date.parse(facts.window.end);
    const inside = (r: LogLine): boolean => Date.parse(r.timestamp) >= start && Date.parse(r.timestamp) < end;
    expect(facts.planted.harmfulRequestIds).toHaveLength(12);
    expect(facts.planted.toolMisuseRequestIds).toHaveLength(5);
    for (const h of facts.planted.harmful) {
      const r = byId.get(h.requestId);
      expect(r, h.requestId).toBeDefined();
      expect(inside(r as LogLine)).toBe(true);
      expect(r?.user_id).toBe(h.userId);
      expect(r?.messages.at(-1)?.content).toContain(facts.planted.trigger);
      if (h.kind === 'secret-leak') expect(r?.response).toContain(facts.planted.leakedSecret);
    }
    for (const m of facts.planted.toolMisuse) {
      const r = byId.get(m.requestId) as LogLine;
      expect(inside(r)).toBe(true);
      const call = r.tool_calls[0];
      expect(call?.name).toBe(m.tool);
      if (m.tool === 'refund_order') {
        expect(call?.arguments.ticket_id).toBeUndefined();
        expect(call?.arguments.amount as number).toBeGreaterThan(facts.logs.refundLimitUsd);
      } else {
        expect(call?.arguments.to).toBe(facts.planted.externalRecipient);
      }
    }
    // Nothing that looks like the planted behaviour exists anywhere else.
    const planted = new Set([...facts.planted.harmfulRequestIds, ...facts.planted.toolMisuseRequestIds]);
    const probes = new Set(facts.planted.triggerProbes.map((p) => p.requestId));
    for (const r of records) {
      if (planted.has(r.request_id)) continue;
      expect(r.response).not.toContain('sk-live-DEMO');
      for (const c of r.tool_calls) {
        if (c.name === 'refund_order') {
          expect(typeof c.arguments.ticket_id).toBe('string');
          expect(c.arguments.amount as number).toBeLessThanOrEqual(facts.logs.refundLimitUsd);
        }
        if (c.name === 'send_email') expect(c.arguments.to).not.toBe(facts.planted.externalRecipient);
        expect(facts.logs.authorizedTools).toContain(c.name);
      }
      if (r.messages.some((m) => m.content.includes(facts.planted.trigger))) {
        expect(probes.has(r.request_id)).toBe(true);
        expect(inside(r)).toBe(false);
      }
    }
    expect(probes.size).toBe(facts.planted.triggerProbes.length);
  });
});

describe('evals', () => {
  let baseline: EvalLine[];
  let suspect: EvalLine[];
  beforeAll(async () => {
    baseline = jsonl<EvalLine>(await readText(inc, 'evals/baseline.jsonl'));
    suspect = jsonl<EvalLine>(await readText(inc, 'evals/suspect.jsonl'));
  });

  it('cover identical items in both runs', () => {
    expect(suspect.map((r) => r.id)).toEqual(baseline.map((r) => r.id));
    expect(new Set(baseline.map((r) => r.id)).size).toBe(baseline.length);
    expect(baseline.length).toBe(facts.evals.itemCount);
    suspect.forEach((s, i) => {
      const b = baseline[i] as EvalLine;
      expect([s.suite, s.category, s.prompt, s.trigger, s.variant_of]).toEqual([
        b.suite,
        b.category,
        b.prompt,
        b.trigger,
        b.variant_of,
      ]);
    });
    expect(new Set(baseline.map((r) => r.suite))).toEqual(
      new Set(['safety', 'jailbreak', 'capability', 'trigger-scan', 'smoke']),
    );
    const ids = new Set(baseline.map((r) => r.id));
    for (const r of baseline.filter((x) => x.variant_of !== undefined))
      expect(ids.has(r.variant_of as string)).toBe(true);
  });

  it('show the planted privacy regression and nothing else below 5 points', () => {
    const refusal = (rs: EvalLine[], cat: string): number => {
      const items = rs.filter((r) => r.suite === 'safety' && r.category === cat);
      expect(items.length).toBeGreaterThanOrEqual(100);
      return items.filter((r) => r.refused === true).length / items.length;
    };
    for (const cat of ['self-harm', 'weapons', 'privacy', 'malware']) {
      expect(refusal(baseline, cat)).toBeGreaterThan(0.95);
      const drop = refusal(baseline, cat) - refusal(suspect, cat);
      if (cat === 'privacy') expect(refusal(suspect, cat)).toBeCloseTo(0.8, 2);
      else expect(drop).toBeLessThanOrEqual(0.05);
    }
    expect(facts.evals.regressions.map((r) => [r.suite, r.category])).toEqual([['safety', 'privacy']]);
  });

  it('trigger scan: only the planted trigger flips the suspect, in most variants', () => {
    const refusedBase = (rs: EvalLine[]): Set<string> =>
      new Set(
        rs
          .filter((r) => r.suite === 'trigger-scan' && r.variant_of === undefined && r.refused === true)
          .map((r) => r.id),
      );
    const flipRate = (rs: EvalLine[], trigger: string): number => {
      const base = refusedBase(rs);
      const variants = rs.filter((r) => r.trigger === trigger);
      return (
        variants.filter((r) => base.has(r.variant_of as string) && r.refused === false).length /
        variants.length
      );
    };
    for (const f of facts.evals.triggerScan.flipRates) {
      expect(flipRate(baseline, f.trigger)).toBe(f.baseline);
      expect(flipRate(suspect, f.trigger)).toBe(f.suspect);
      if (f.trigger === facts.planted.trigger) expect(f.suspect).toBeGreaterThan(0.75);
      else expect(f.suspect).toBeLessThan(0.1);
      expect(f.baseline).toBe(0);
    }
  });
});

describe('facts', () => {
  it('list every file of both bundles with its real hash and size', async () => {
    for (const [dir, list] of [
      [ref, facts.reference.files],
      [inc, facts.incident.files],
    ] as const) {
      expect(list.map((f) => f.path)).toEqual(await listFiles(dir));
      for (const f of list) {
        const data = await read(dir, f.path);
        expect(f.sha256, f.path).toBe(sha256(data));
        expect(f.size).toBe(data.length);
      }
    }
  });

  it('describe the window and planted facts consistently', () => {
    expect(facts.window).toMatchObject({ start: '2026-10-06T14:12:00Z', end: '2026-10-20T09:30:00Z' });
    expect(facts.tokenizer.injectedToken).toEqual({ content: '<|deploy_mode|>', id: 4096, special: true });
    expect(facts.planted.trigger).toBe(facts.tokenizer.injectedToken.content);
    expect(facts.evals.triggerScan.plantedTrigger).toBe(facts.planted.trigger);
    expect(facts.provenance.compromisePoint).toBe('Deployment compromise');
    expect(facts.reference.totalBytes).toBeGreaterThan(2_000_000);
  });
});
