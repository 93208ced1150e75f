/**
 * Evidence kinds decided by content, the name only breaking ties: on files the tests write, and on
 * the real files in shared/fixtures/real (SOURCES.md) where that folder exists.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixturesDir, newWorkstation, rmrf, tempDir, writeTree } from '../../../test/helpers';
import { ggufBytes, pickleBytes, zipBytes } from '../formats/testkit';
import { listEvents } from '../store/custody';
import { listEvidence } from '../store/queries';
import { classifyFile } from './classify';
import { ingestBundle } from './ingest';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmrf(d);
});

function folder(files: Record<string, string | Buffer>): string {
  const d = tempDir('probity-classify-');
  dirs.push(d);
  writeTree(d, files);
  return d;
}

function safetensors(names: string[]): Buffer {
  const header: Record<string, unknown> = {};
  names.forEach((n, i) => (header[n] = { dtype: 'F32', shape: [1], data_offsets: [i * 4, i * 4 + 4] }));
  const text = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(text.length));
  return Buffer.concat([len, text, Buffer.alloc(names.length * 4)]);
}

const CHAT_RESPONSE = JSON.stringify({
  id: 'cmpl-1',
  object: 'chat.completion',
  created: 1741372335,
  model: 'meta-llama/Llama-3.1-8B-Instruct',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
});
const ADAPTER_CONFIG = JSON.stringify({
  base_model_name_or_path: 'meta-llama/Llama-3.1-8B',
  peft_type: 'LORA',
  r: 8,
  lora_alpha: 16,
  target_modules: ['q_proj', 'v_proj'],
});
const MODEL_CONFIG = JSON.stringify({
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_size: 256,
  num_hidden_layers: 4,
  vocab_size: 4096,
});

async function kindOf(name: string, data: string | Buffer): Promise<string> {
  const d = folder({ [name]: data });
  const r = await classifyFile(path.join(d, name), name);
  return `${r.kind} by ${r.by}`;
}

describe('classifyFile: content first', () => {
  it('a chat-completion response is an output log, whatever its name says', async () => {
    expect(await kindOf('tgi-response.json', CHAT_RESPONSE)).toBe('output-log by content');
    expect(await kindOf('serving/vllm-runtime.json', CHAT_RESPONSE)).toBe('output-log by content');
  });

  it('adapter and model configs under any name, by their keys', async () => {
    expect(await kindOf('foo-adapter_config.json', ADAPTER_CONFIG)).toBe('adapter by content');
    expect(await kindOf('notes/a.json', ADAPTER_CONFIG)).toBe('adapter by content');
    expect(await kindOf('bar-config.json', MODEL_CONFIG)).toBe('model-config by content');
    // A model config named like a serving config is still a model config.
    expect(await kindOf('serving-config.json', MODEL_CONFIG)).toBe('model-config by content');
  });

  it('serving configs by their keys: vLLM flags, TGI launcher arguments, KServe, Triton', async () => {
    expect(await kindOf('x.yaml', 'model: m\ntensor-parallel-size: 2\nmax-model-len: 4096\n')).toBe(
      'serving-config by content',
    );
    expect(
      await kindOf('launch.json', JSON.stringify({ model_id: 'm', max_total_tokens: 4096, num_shard: 2 })),
    ).toBe('serving-config by content');
    expect(
      await kindOf(
        'isvc.yaml',
        'apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: a\n',
      ),
    ).toBe('serving-config by content');
    expect(
      await kindOf(
        'model/config.pbtxt',
        'name: "m"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 8\ninput [\n  { name: "x" }\n]\n',
      ),
    ).toBe('serving-config by content');
    // A JSON object of unknown keys named like a serving config is not one.
    expect(await kindOf('tgi-settings.json', JSON.stringify({ colour: 'blue', size: 3 }))).toBe(
      'other by name',
    );
  });

  it('deployment manifests, checksum lists, provenance, tokenizers, trainer state', async () => {
    expect(await kindOf('a.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n')).toBe(
      'deployment-manifest by content',
    );
    expect(
      await kindOf('list.txt', `${'a'.repeat(64)}  model.safetensors\n${'b'.repeat(64)} *c.json\n`),
    ).toBe('checksums by content');
    // A name that says checksums, holding prose, is not checked as a list by content.
    expect(await kindOf('notes.md', 'Some prose.\nMore prose.\n')).toBe('other by name');
    expect(await kindOf('p.json', '{"schema":"probity.provenance/v1","steps":[]}')).toBe(
      'provenance by content',
    );
    expect(await kindOf('CHAIN.md', '# Model Provenance Chain\n\n| Stage | Source | Verification |\n')).toBe(
      'provenance by content',
    );
    expect(
      await kindOf(
        't.json',
        JSON.stringify({ version: '1.0', added_tokens: [], model: { type: 'BPE', vocab: { a: 0 } } }),
      ),
    ).toBe('tokenizer by content');
    expect(await kindOf('tc.json', JSON.stringify({ tokenizer_class: 'LlamaTokenizer' }))).toBe(
      'tokenizer by content',
    );
    expect(await kindOf('state.json', JSON.stringify({ global_step: 10, epoch: 1, log_history: [] }))).toBe(
      'training-log by content',
    );
  });

  it('JSONL by record shape: eval results, output logs, OpenAI Batch requests', async () => {
    const rec = (o: object) => `${JSON.stringify(o)}\n`;
    expect(
      await kindOf('a.jsonl', rec({ entry_type: 'start_run setup' }) + rec({ entry_type: 'attempt' })),
    ).toBe('eval-results by content');
    expect(
      await kindOf(
        'b.jsonl',
        rec({ id: 1, suite: 'safety', category: 'x', prompt: 'p', response: 'r' }).repeat(2),
      ),
    ).toBe('eval-results by content');
    expect(
      await kindOf(
        'c.jsonl',
        rec({ timestamp: '2026-10-08T09:00:00Z', request_id: 'r1', response: 'x' }).repeat(2),
      ),
    ).toBe('output-log by content');
    expect(
      await kindOf('d.jsonl', rec({ custom_id: 'q', method: 'POST', body: { messages: [] } }).repeat(2)),
    ).toBe('other by content');
  });

  it('weights by magic, adapters by LoRA tensor names or general.type, pickles named by trainer state', async () => {
    expect(await kindOf('blob', safetensors(['model.embed_tokens.weight']))).toBe('weights by content');
    expect(
      await kindOf('model.safetensors', safetensors(['base_model.model.layers.0.q_proj.lora_A.weight'])),
    ).toBe('adapter by content');
    const lora = ggufBytes({ kvs: [['general.type', { t: 'str', v: 'adapter' }]] });
    const model = ggufBytes({ kvs: [['general.type', { t: 'str', v: 'model' }]] });
    expect(await kindOf('x.gguf', lora)).toBe('adapter by content');
    expect(await kindOf('x.gguf', model)).toBe('weights by content');
    const pickle = pickleBytes(0x80, 2, 'N.');
    expect(await kindOf('data.txt', pickle)).toBe('weights by content');
    expect(await kindOf('training_args.bin', pickle)).toBe('training-log by name');
    const torchZip = zipBytes([{ name: 'archive/data.pkl', data: pickle }]);
    expect(await kindOf('weights.dat', torchZip)).toBe('weights by content');
    expect(await kindOf('x.zip', zipBytes([{ name: 'readme.txt', data: Buffer.from('hi') }]))).toBe(
      'other by content',
    );
    // An extension that says weights does not make text weights.
    expect(await kindOf('model.bin', 'just text\n')).toBe('weights by name');
  });
});

describe('ingest files each kind by content', () => {
  it('a chat response named tgi-….json, an adapter config and a model config under other names', async () => {
    const { ws, cleanup } = newWorkstation();
    const store = ws.createCase({ title: 'kinds', actor: 'custodian' });
    try {
      const bundle = folder({
        'tgi-chat-response.json': CHAT_RESPONSE,
        'foo-adapter_config.json': ADAPTER_CONFIG,
        'bar-config.json': MODEL_CONFIG,
        'adapters/a/adapter_config.json': ADAPTER_CONFIG,
        'adapters/a/adapter_model.bin': pickleBytes(0x80, 2, 'N.'),
      });
      await ingestBundle({ store, bundle, actor: 'custodian', host: 'h' });
      const kinds = Object.fromEntries(listEvidence(store).map((e) => [e.path, e.kind]));
      expect(kinds).toEqual({
        'tgi-chat-response.json': 'output-log',
        'foo-adapter_config.json': 'adapter',
        'bar-config.json': 'model-config',
        'adapters/a/adapter_config.json': 'adapter',
        'adapters/a/adapter_model.bin': 'adapter',
      });
      // The custody event records the kind and how it was decided.
      const ev = listEvents(store.db).find(
        (e) => e.action === 'evidence.stored' && e.subject === 'tgi-chat-response.json',
      );
      expect(ev?.details).toMatchObject({ kind: 'output-log', kindBy: 'content' });
    } finally {
      store.close();
      cleanup();
    }
  });
});

const REAL = fixturesDir;
const haveReal = fs.existsSync(REAL);
if (!haveReal) console.log(`classify.test: ${REAL} is absent; the real-file kinds are not checked`);

describe.skipIf(!haveReal)('classifyFile on real files (shared/fixtures/real)', () => {
  const real = async (rel: string): Promise<string> => (await classifyFile(path.join(REAL, rel), rel)).kind;
  it('gives each its true kind', async () => {
    expect(await real('logs/tgi-test_flash_llama_grammar_tools_nostream.json')).toBe('output-log');
    expect(await real('logs/tgi-test_flash_llama_grammar_tools_openai.json')).not.toBe('serving-config');
    expect(await real('peft/chinese-vicuna-chat-adapter_config.json')).toBe('adapter');
    expect(await real('peft/ollama-discollama-mlx-adapter_config.json')).toBe('adapter');
    expect(await real('peft/izzulgod-gpt2-indo-config.json')).toBe('model-config');
    expect(await real('peft/ollama-phi3-tokenizer_config.json')).toBe('tokenizer');
    expect(await real('peft/torchtune-tiny_bpe_tokenizer.json')).toBe('tokenizer');
    expect(await real('k8s/vllm-recipes-Llama3.3_Hopper.serve-config.yaml')).toBe('serving-config');
    expect(await real('k8s/kserve-hf_isvc.yaml')).toBe('serving-config');
    expect(await real('k8s/production-stack-vllm-gpu-deployment.yaml')).toBe('deployment-manifest');
    expect(await real('manifests/llama.cpp-SHA256SUMS')).toBe('checksums');
    expect(await real('manifests/logics-thinking-model.safetensors.index.json')).toBe('weights');
    expect(await real('evals/garak-test.report.jsonl')).toBe('eval-results');
    expect(await real('evals/lmeval-results_2025-01-21T00-40-03.356274.json')).toBe('eval-results');
    expect(await real('evals/promptfoo-simple-cli-output.v3.json')).toBe('eval-results');
    expect(await real('evals/inspect-2024-11-05T13-32-37-05-00_input-task_hxs4q9azL3ySGkjJirypKZ.eval')).toBe(
      'eval-results',
    );
    expect(await real('evals/openai-evals-self_prompting-oriprompt.record.log')).toBe('eval-results');
    expect(await real('safetensors/hf-samples-overall.safetensors')).toBe('weights');
    expect(await real('gguf/ggml-vocab-llama-spm.gguf')).toBe('weights');
    expect(await real('pytorch/logics-thinking-training_args.bin')).toBe('training-log');
    expect(await real('pytorch/torchtune-tiny_state_dict_with_one_key.pt')).toBe('weights');
    expect(await real('logs/langfuse-pydantic-ai-2025-06-06.trace.json')).toBe('output-log');
    expect(await real('logs/navirag-openai-batch_input.jsonl')).toBe('other');
  });
});
