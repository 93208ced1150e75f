/**
 * What kind of evidence a file is. A file's kind is what its content is; its name only breaks
 * ties (DESIGN.md, the verdict ladder): the content is read first — magic bytes, a safetensors or
 * GGUF header, the members of a zip, the leading members of a JSON document, the first records of
 * a JSONL file, the keys of a YAML document, the line format of a text file — and the name is
 * consulted only where the content is compatible with several kinds (a pickle is weights, an
 * adapter's weights or a trainer's saved arguments) or says nothing (an empty file, unknown
 * binary, prose).
 *
 * One function decides, for ingest (each stored object, with its folder's other files) and for
 * `probity inspect` (one file): {@link classifyFile}. Reads are bounded: at most
 * {@link SNIFF_BYTES} from the start, plus a zip's central directory (src/core/io/archive/zip.ts bounds it).
 */
import path from 'node:path';
import YAML from 'yaml';
import type { EvidenceKind } from '../../shared/domain';
import { withFileSource } from '../formats/reader.ts';
import { looksLikeZip, readZipDirectory } from '../io/archive/zip.ts';
import { parseChecksumFile } from './checksums';
import { jsonShape, type JsonShape } from './json-shape';

/** How much of a file is read to decide its kind. */
export const SNIFF_BYTES = 4 * 1024 * 1024;

export interface KindDecision {
  kind: EvidenceKind;
  /** 'content' when the bytes decided; 'name' when the content left it open and the name chose. */
  by: 'content' | 'name';
  /** What the content is, as read: 'safetensors', 'peft-adapter-config', 'chat-completion', … */
  format: string;
  /** One line: why this kind. */
  reason: string;
}

/** Is this a checksum list by its name (sha256sum/BSD output, SHA256SUMS, checksums.*)? */
export function isChecksumName(name: string): boolean {
  const base = name.toLowerCase();
  return (
    base.endsWith('.sha256') ||
    base.endsWith('.sha256sum') ||
    base === 'sha256sums' ||
    base.startsWith('sha256sums.') ||
    base.startsWith('checksums.') ||
    base === 'checksums' ||
    base === 'checksums.txt'
  );
}

// ---------------------------------------------------------------------------------------------
// Names, for ties only.

const WEIGHT_EXT = new Set([
  '.safetensors',
  '.gguf',
  '.bin',
  '.pt',
  '.pth',
  '.ckpt',
  '.onnx',
  '.h5',
  '.keras',
  '.msgpack',
  '.npy',
  '.npz',
  '.pkl',
  '.pickle',
  '.joblib',
]);
const TOKENIZER_NAMES = new Set([
  'tokenizer.json',
  'tokenizer_config.json',
  'tokenizer.model',
  'special_tokens_map.json',
  'merges.txt',
  'added_tokens.json',
  // transformers saves the chat template beside the tokenizer files (and prefers it to tokenizer_config's).
  'chat_template.jinja',
  'chat_template.json',
]);

function nameParts(bundlePath: string): { base: string; ext: string; dirs: string[] } {
  const lower = bundlePath.toLowerCase();
  const base = path.posix.basename(lower);
  return { base, ext: path.posix.extname(base), dirs: lower.split('/').slice(0, -1) };
}

function inDir(dirs: readonly string[], ...names: string[]): boolean {
  return dirs.some((d) => names.some((n) => d === n || d.startsWith(n)));
}

/** Trainer state saved beside a checkpoint (transformers Trainer): by name, among pickles. */
function isTrainerStateName(base: string): boolean {
  return (
    base.includes('training_args') ||
    /^(optimizer|scheduler|scaler)\.(pt|pth|bin)$/.test(base) ||
    /^rng_state(_\d+)?\.(pt|pth)$/.test(base)
  );
}

/**
 * The kind a name suggests when the content said nothing definite. Never a serving config: that
 * is decided by its keys (a chat response named `tgi-….json` is not a serving config, whatever
 * its name says); a model config or an adapter config only under its exact transformers/PEFT name.
 */
function kindByName(bundlePath: string): EvidenceKind {
  const { base, ext, dirs } = nameParts(bundlePath);
  if (isChecksumName(base)) return 'checksums';
  if (base.startsWith('adapter_model.') || base === 'adapter_config.json') return 'adapter';
  if (base === 'config.json' || base === 'generation_config.json') return 'model-config';
  if (
    TOKENIZER_NAMES.has(base) ||
    /^vocab\.[a-z]+$/.test(base) ||
    base.endsWith('.tiktoken') ||
    base === 'spiece.model'
  )
    return 'tokenizer';
  if (isTrainerStateName(base) || base === 'trainer_state.json') return 'training-log';
  if (WEIGHT_EXT.has(ext)) return 'weights';
  if (base.includes('provenance') || inDir(dirs, 'provenance')) return 'provenance';
  if (ext === '.eval' || base.endsWith('.report.jsonl') || inDir(dirs, 'eval', 'evals', 'benchmark'))
    return 'eval-results';
  if (
    /deploy|manifest|kustomiz|helm|values|pod[_-]?describe/.test(base) ||
    inDir(dirs, 'deployment', 'deploy', 'k8s', 'kubernetes')
  )
    return 'deployment-manifest';
  if (
    ext === '.log' ||
    /train|finetune|fine-tune|fine_tune|sft|lora_run/.test(base) ||
    inDir(dirs, 'training', 'train', 'finetune')
  )
    return 'training-log';
  if (inDir(dirs, 'logs', 'log') && (ext === '.jsonl' || ext === '.json')) return 'output-log';
  return 'other';
}

// ---------------------------------------------------------------------------------------------
// Content.

/** What was read of a file: its first bytes and, for a zip, its member names. */
export interface Sniffed {
  size: number;
  /** The first min(size, SNIFF_BYTES) bytes. */
  head: Buffer;
  /** Member names when the file is a zip whose directory could be read; null otherwise. */
  zipMembers: string[] | null;
  /** Why the zip directory could not be read, when it could not. */
  zipProblem: string | null;
}

type Decided = Omit<KindDecision, 'by'> | null;

function content(kind: EvidenceKind, format: string, reason: string): Decided {
  return { kind, format, reason };
}

const LORA_NAME = /\.(lora_A|lora_B|lora_embedding_A|lora_embedding_B|lora_magnitude_vector)[.\\"]/;

function safetensorsHeaderLength(head: Buffer, size: number): number | null {
  if (size < 10 || head.length < 9) return null;
  const n = head.readBigUInt64LE(0);
  if (n < 2n || n > BigInt(size - 8) || head[8] !== 0x7b) return null;
  return Number(n);
}

/** The value of GGUF's `general.type` key when it lies in the bytes read (GGUF v2/v3 layout). */
function ggufGeneralType(head: Buffer): string | null {
  const key = Buffer.from('general.type', 'latin1');
  let at = head.indexOf(key);
  while (at >= 8) {
    const keyLen = head.readBigUInt64LE(at - 8);
    const v = at + key.length;
    if (keyLen === BigInt(key.length) && v + 12 <= head.length && head.readUInt32LE(v) === 8) {
      const len = Number(head.readBigUInt64LE(v + 4));
      if (len <= 64 && v + 12 + len <= head.length)
        return head.subarray(v + 12, v + 12 + len).toString('utf8');
    }
    at = head.indexOf(key, at + 1);
  }
  return null;
}

function binaryKind(s: Sniffed): Decided {
  const h = s.head;
  const m4 = h.subarray(0, 4).toString('latin1');
  if (m4 === 'GGUF') {
    const type = ggufGeneralType(h);
    return type === 'adapter'
      ? content('adapter', 'gguf', 'GGUF file with general.type = adapter (a LoRA)')
      : content('weights', 'gguf', 'GGUF magic');
  }
  if (['lmgg', 'fmgg', 'tjgg', 'algg'].includes(m4)) return content('weights', 'ggml', 'pre-GGUF ggml magic');
  if (h.subarray(0, 8).equals(Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])))
    return content('weights', 'hdf5', 'HDF5 signature (a Keras .h5 model)');
  if (h.subarray(0, 6).toString('latin1') === '\x93NUMPY')
    return content('weights', 'npy', 'NumPy .npy magic');
  if (looksLikeZip(h)) {
    const members = s.zipMembers;
    if (!members) return content('other', 'zip', `zip archive whose directory was not read: ${s.zipProblem}`);
    if (members.some((m) => m.endsWith('.pkl')))
      return content('weights', 'torch-zip', 'zip holding a pickle (a torch.save checkpoint)');
    if (members.includes('header.json') && members.some((m) => m.startsWith('samples/')))
      return content('eval-results', 'inspect-eval', 'zip with header.json and samples/ (an Inspect log)');
    if (members.includes('config.json') && members.some((m) => m.endsWith('.weights.h5')))
      return content('weights', 'keras', 'zip with config.json and *.weights.h5 (a Keras model)');
    if (members.length > 0 && members.every((m) => m.endsWith('.npy')))
      return content('weights', 'npz', 'zip of .npy arrays (NumPy .npz)');
    return content('other', 'zip', `zip archive with ${members.length} members, none of them a model`);
  }
  const st = safetensorsHeaderLength(h, s.size);
  if (st !== null) {
    const header = h.subarray(8, 8 + Math.min(st, h.length - 8)).toString('latin1');
    if (LORA_NAME.test(header))
      return content('adapter', 'safetensors', 'safetensors with LoRA tensors (lora_A/lora_B)');
    return content('weights', 'safetensors', 'safetensors header');
  }
  if (h[0] === 0x80 && (h[1] ?? 0) >= 2 && (h[1] ?? 0) <= 5)
    return content('weights', 'pickle', `pickle protocol ${h[1]}`);
  return null;
}

/** Strict UTF-8 text of the head (a cut multi-byte character at the end is allowed), or null. */
function textOf(s: Sniffed): string | null {
  let h = s.head;
  // Control characters other than tab, newline, form feed and carriage return: not text.
  for (let i = 0; i < Math.min(h.length, 64 * 1024); i++) {
    const b = h[i] as number;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d) return null;
  }
  if (h.length < s.size) {
    // Drop a multi-byte sequence cut by the read limit.
    let cut = h.length;
    for (let back = 1; back <= 3 && cut - back >= 0; back++) {
      const b = h[cut - back] as number;
      if ((b & 0xc0) === 0xc0) {
        cut -= back;
        break;
      }
      if ((b & 0x80) === 0) break;
    }
    h = h.subarray(0, cut);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(h).replace(/^\uFEFF/, '');
  } catch {
    return null;
  }
}

function has(keys: ReadonlySet<string>, ...names: string[]): boolean {
  return names.some((n) => keys.has(n));
}

/**
 * vLLM engine arguments (vllm/engine/arg_utils.py) as they appear in a `vllm serve --config`
 * YAML or a JSON of the same flags; dashes and underscores both occur.
 */
const VLLM_ARGS = new Set(
  [
    'model',
    'served-model-name',
    'tokenizer',
    'tokenizer-mode',
    'revision',
    'tensor-parallel-size',
    'pipeline-parallel-size',
    'data-parallel-size',
    'max-model-len',
    'gpu-memory-utilization',
    'dtype',
    'quantization',
    'kv-cache-dtype',
    'max-num-seqs',
    'max-num-batched-tokens',
    'enable-lora',
    'lora-modules',
    'max-lora-rank',
    'max-loras',
    'enable-prefix-caching',
    'no-enable-prefix-caching',
    'enable-chunked-prefill',
    'trust-remote-code',
    'download-dir',
    'load-format',
    'swap-space',
    'enforce-eager',
    'speculative-config',
    'async-scheduling',
    'stream-interval',
    'max-cudagraph-capture-size',
    'chat-template',
    'tool-call-parser',
    'enable-auto-tool-choice',
    'disable-log-requests',
    'api-key',
    'block-size',
    'seed',
    'port',
    'host',
    'distributed-executor-backend',
    'compilation-config',
    'limit-mm-per-prompt',
    'guided-decoding-backend',
    'reasoning-parser',
  ].flatMap((k) => [k, k.replaceAll('-', '_')]),
);

/** Names that only a serving engine's configuration uses (`model`, `port`, `seed` are shared). */
const VLLM_DISTINCT = new Set(
  [...VLLM_ARGS].filter(
    (k) => !['model', 'tokenizer', 'revision', 'seed', 'port', 'host', 'dtype'].includes(k),
  ),
);

/** text-generation-inference launcher arguments (router/launcher `Args`, `/info`). */
const TGI_ARGS = [
  'max_total_tokens',
  'max_input_tokens',
  'max_input_length',
  'max_batch_total_tokens',
  'max_batch_prefill_tokens',
  'max_concurrent_requests',
  'num_shard',
  'sharded',
  'max_best_of',
  'max_stop_sequences',
  'waiting_served_ratio',
];

const KSERVE_KINDS =
  /^(InferenceService|LLMInferenceService|ServingRuntime|ClusterServingRuntime|InferenceGraph)$/;

function mappingKind(
  keys: ReadonlySet<string>,
  strings: ReadonlyMap<string, string>,
  flagLike: boolean,
): Decided {
  const str = (k: string) => strings.get(k);
  // Kubernetes resources.
  if (keys.has('apiVersion') && keys.has('kind')) {
    const kind = str('kind') ?? '';
    return KSERVE_KINDS.test(kind)
      ? content('serving-config', `k8s-${kind}`, `Kubernetes ${kind} resource (a serving runtime)`)
      : content('deployment-manifest', 'k8s', `Kubernetes resource (apiVersion, kind ${kind || '?'})`);
  }
  if ((str('schema') ?? '').startsWith('probity.provenance/'))
    return content('provenance', 'probity-provenance', `schema ${str('schema')}`);
  if (/slsa\.dev\/provenance/.test(str('predicateType') ?? ''))
    return content('provenance', 'slsa', 'in-toto statement with a SLSA provenance predicate');
  // Model artifacts (transformers, PEFT, tokenizers).
  if (keys.has('weight_map')) return content('weights', 'safetensors-index', 'index with a weight_map');
  if (keys.has('peft_type') || keys.has('lora_parameters'))
    return content('adapter', 'peft-adapter-config', 'adapter config (peft_type / lora_parameters)');
  if (
    keys.has('model') &&
    has(keys, 'model.vocab', 'model.type', 'model.merges') &&
    has(keys, 'added_tokens', 'pre_tokenizer', 'normalizer', 'decoder', 'post_processor')
  )
    return content('tokenizer', 'tokenizer-json', 'tokenizers model with vocab and added tokens');
  if (
    has(keys, 'tokenizer_class', 'added_tokens_decoder') ||
    (keys.has('chat_template') && has(keys, 'eos_token', 'bos_token'))
  )
    return content('tokenizer', 'tokenizer-config', 'tokenizer config (tokenizer_class / added tokens)');
  if (has(keys, 'model_type', 'architectures'))
    return content('model-config', 'hf-model-config', 'model config (model_type / architectures)');
  if (
    keys.has('_from_model_config') ||
    (keys.has('transformers_version') &&
      has(keys, 'do_sample', 'temperature', 'top_p', 'top_k', 'max_new_tokens', 'max_length') &&
      has(keys, 'bos_token_id', 'eos_token_id', 'pad_token_id', 'decoder_start_token_id'))
  )
    return content('model-config', 'generation-config', 'generation config');
  if (
    keys.size > 0 &&
    [...keys].every((k) => /^(bos|eos|unk|sep|pad|cls|mask)_token(\.|$)|^additional_special_tokens/.test(k))
  )
    return content('tokenizer', 'special-tokens-map', 'special tokens map');
  if (has(keys, 'log_history', 'best_model_checkpoint') || (keys.has('global_step') && keys.has('epoch')))
    return content('training-log', 'trainer-state', 'trainer state (log_history / global_step)');
  // What a model said: an output, not a configuration.
  const object = str('object') ?? '';
  if (
    /^(chat\.completion(\.chunk)?|text_completion|response)$/.test(object) ||
    (keys.has('choices') && has(keys, 'created', 'model', 'usage'))
  )
    return content(
      'output-log',
      'chat-completion',
      `a model response (object ${JSON.stringify(object || 'choices')})`,
    );
  if (keys.has('resourceSpans') || (keys.has('trace') && keys.has('observations')))
    return content('output-log', 'trace', 'trace spans of model calls');
  if (keys.has('interactions'))
    return content('output-log', 'recorded-interactions', 'recorded request/response pairs');
  // Eval results.
  if (keys.has('results') && has(keys, 'n-shot', 'versions', 'configs', 'group_subtasks', 'higher_is_better'))
    return content('eval-results', 'lm-eval-results', 'lm-evaluation-harness results summary');
  if (
    keys.has('evalId') ||
    (keys.has('results.version') && has(keys, 'results.results', 'results.table')) ||
    (keys.has('results') && has(keys, 'config', 'shareableUrl'))
  )
    return content('eval-results', 'promptfoo', 'promptfoo results');
  if (keys.has('eval') && has(keys, 'samples', 'plan', 'status') && has(keys, 'version', 'eval.task'))
    return content('eval-results', 'inspect-json', 'Inspect eval log');
  // Serving engines.
  if (keys.has('model_id') && TGI_ARGS.some((k) => keys.has(k)))
    return content('serving-config', 'tgi', 'text-generation-inference launcher arguments');
  const top = [...keys].filter((k) => !k.includes('.'));
  const distinct = top.filter((k) => VLLM_DISTINCT.has(k));
  if (flagLike && distinct.length > 0 && distinct.length * 2 >= top.filter((k) => !VLLM_ARGS.has(k)).length)
    return content('serving-config', 'vllm', `vLLM engine arguments (${distinct.slice(0, 3).join(', ')})`);
  if (keys.has('servingEngineSpec'))
    return content(
      'deployment-manifest',
      'helm-values',
      'Helm values of a serving stack (servingEngineSpec)',
    );
  if (keys.has('$schema') || (keys.has('properties') && keys.has('type')))
    return content('other', 'json-schema', 'a JSON Schema');
  return null;
}

/** `flagLike`: every top-level value is a scalar or a list (as command-line flags are). */
function yamlMapping(
  text: string,
): { keys: Set<string>; strings: Map<string, string>; flagLike: boolean } | null {
  let docs: YAML.Document.Parsed[];
  try {
    docs = YAML.parseAllDocuments(text) as YAML.Document.Parsed[];
  } catch {
    return null;
  }
  const doc = docs.find((d) => d.errors.length === 0 && d.contents !== null);
  if (!doc) return null;
  let v: unknown;
  try {
    v = doc.toJS({ maxAliasCount: 100 });
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const keys = new Set<string>();
  const strings = new Map<string, string>();
  let flagLike = true;
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    keys.add(k);
    if (typeof val === 'string') strings.set(k, val.slice(0, 200));
    if (typeof val === 'object' && val !== null && !Array.isArray(val)) {
      flagLike = false;
      for (const [k2, v2] of Object.entries(val as Record<string, unknown>)) {
        keys.add(`${k}.${k2}`);
        if (typeof v2 === 'string') strings.set(`${k}.${k2}`, v2.slice(0, 200));
      }
    }
  }
  return { keys, strings, flagLike };
}

/** The record shape of a JSONL file's first records. */
function jsonlKind(records: Record<string, unknown>[]): Decided {
  const keys = new Set(records.flatMap((r) => Object.keys(r)));
  const first = records[0] ?? {};
  if (keys.has('entry_type')) return content('eval-results', 'garak', 'garak report records (entry_type)');
  if (has(keys, 'spec', 'final_report') || (keys.has('event_id') && keys.has('sample_id')))
    return content('eval-results', 'openai-evals', 'OpenAI evals records');
  if (keys.has('doc_id') && has(keys, 'resps', 'filtered_resps', 'target', 'doc'))
    return content('eval-results', 'lm-eval-samples', 'lm-evaluation-harness samples (doc_id)');
  if (
    (Object.keys(first).length === 1 && 'run' in first) ||
    (keys.has('suite') && keys.has('response')) ||
    (keys.has('id') && keys.has('prompt') && keys.has('response') && !keys.has('timestamp'))
  )
    return content('eval-results', 'eval-jsonl', 'scored eval records (id, prompt, response)');
  if (keys.has('custom_id')) {
    if (!keys.has('response') && keys.has('body'))
      return content('other', 'openai-batch-input', 'OpenAI Batch requests without outputs');
    return content('output-log', 'openai-batch', 'OpenAI Batch output records');
  }
  if (
    keys.has('resourceSpans') ||
    [...keys].some((k) => k.startsWith('gen_ai.')) ||
    records.some((r) => r.object === 'chat.completion' || Array.isArray(r.choices)) ||
    ((keys.has('request_id') || keys.has('timestamp')) &&
      has(keys, 'response', 'messages', 'completion', 'output'))
  )
    return content('output-log', 'request-records', 'request/response records');
  if (keys.has('loss') && has(keys, 'step', 'epoch', 'global_step', 'learning_rate'))
    return content('training-log', 'training-metrics', 'training metrics records (loss, step)');
  return null;
}

function jsonlRecords(text: string): Record<string, unknown>[] | null {
  const lines = text.split('\n');
  if (lines.length < 2) return null;
  const out: Record<string, unknown>[] = [];
  for (const line of lines.slice(0, 6)) {
    const t = line.trim();
    if (t === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch {
      // The last line of a bounded read may be cut: the earlier ones decide.
      if (out.length > 0) break;
      return null;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
    out.push(v as Record<string, unknown>);
  }
  return out.length > 0 ? out : null;
}

function textKind(text: string, s: Sniffed): Decided {
  const trimmed = text.trimStart();
  // LFS pointer: a stand-in, the kind of what it stands for is in its name.
  if (s.size < 1024 && text.startsWith('version https://') && /\noid [a-z0-9]+:/.test(text)) return null;
  if (trimmed.startsWith('{')) {
    const records = jsonlRecords(trimmed);
    const firstLineIsObject =
      records !== null &&
      (() => {
        try {
          JSON.parse(trimmed.split('\n')[0] ?? '');
          return true;
        } catch {
          return false;
        }
      })();
    if (records && firstLineIsObject && records.length > 1) return jsonlKind(records);
    const shape: JsonShape | null = jsonShape(text);
    if (shape) {
      const flagLike = [...shape.types.values()].every((t) => t !== 'object');
      const byShape = mappingKind(shape.keys, shape.strings, flagLike);
      if (byShape) return byShape;
      if (records && records.length === 1) return jsonlKind(records);
    }
    return null;
  }
  // Line formats, on whole lines of the first 1 MiB (YAML on the first 256 KiB: configs are small).
  const lines = (max: number): string =>
    s.head.length >= s.size && text.length <= max ? text : text.slice(0, text.lastIndexOf('\n', max) + 1);
  const head = lines(1024 * 1024);
  const checks = parseChecksumFile(head);
  if (checks.entries.length > 0 && checks.skipped.every((x) => x.reason !== 'not a checksum line'))
    return content('checksums', 'checksum-list', `${checks.entries.length} checksum lines`);
  // Line-anchored patterns use [ \t]*, never \s*, so a run of blank lines cannot make them quadratic.
  if (
    /^#[ \t]*Model Provenance Chain\b/im.test(head) ||
    /^\|[ \t]*Stage[ \t]*\|.*\|[ \t]*(Source|Verification)\b/im.test(head)
  )
    return content('provenance', 'provenance-markdown', 'Markdown provenance chain');
  if (/^Name:[ \t]+\S+/m.test(head) && /^Namespace:[ \t]+\S+/m.test(head))
    return content('deployment-manifest', 'kubectl-describe', 'kubectl describe output (Name, Namespace)');
  if (
    /^[ \t]*(platform|backend)[ \t]*:[ \t]*"/m.test(head) &&
    /^[ \t]*(max_batch_size[ \t]*:|input[ \t]*\[|instance_group[ \t]*\[)/m.test(head)
  )
    return content('serving-config', 'triton', 'Triton model configuration (platform/backend, inputs)');
  if (/^#version: /.test(text)) return content('tokenizer', 'bpe-merges', 'BPE merges list');
  const yaml = yamlMapping(lines(256 * 1024));
  if (yaml) return mappingKind(yaml.keys, yaml.strings, yaml.flagLike);
  if (/['"]loss['"][ \t]*:[ \t]*[\d.]/.test(head) && /['"](epoch|step|learning_rate)['"][ \t]*:/.test(head))
    return content('training-log', 'training-metrics', 'training metrics (loss, epoch)');
  return null;
}

/** The kind of a file from what was read of it (pure; `classifyFile` reads). */
export function classifySniffed(bundlePath: string, s: Sniffed): KindDecision {
  const named = kindByName(bundlePath);
  const tie = (format: string, reason: string): KindDecision => ({
    kind: named,
    by: 'name',
    format,
    reason: `${reason}; kind from the name`,
  });
  if (s.size === 0) return tie('empty', 'empty file');
  const bin = binaryKind(s);
  if (bin) {
    // Weights by content; the name may say whose (a trainer's state, an adapter's).
    if (bin.kind === 'weights') {
      const { base } = nameParts(bundlePath);
      if ((bin.format === 'pickle' || bin.format === 'torch-zip') && isTrainerStateName(base))
        return {
          kind: 'training-log',
          by: 'name',
          format: bin.format,
          reason: `${bin.reason}; trainer state by its name`,
        };
      if (base.startsWith('adapter_model.'))
        return {
          kind: 'adapter',
          by: 'name',
          format: bin.format,
          reason: `${bin.reason}; an adapter's by its name`,
        };
    }
    return { ...bin, by: 'content' };
  }
  const text = textOf(s);
  if (text === null) return tie('binary', 'binary content of no known format');
  const t = textKind(text, s);
  if (t) return { ...t, by: 'content' };
  if (s.size < 1024 && text.startsWith('version https://')) return tie('lfs-pointer', 'Git LFS pointer');
  return tie('text', 'text of no known shape');
}

/** Read what {@link classifySniffed} needs of a file, bounded. */
export async function sniffFile(file: string): Promise<Sniffed> {
  return withFileSource(file, async (src) => {
    const head = await src.read(0, Math.min(src.size, SNIFF_BYTES));
    let zipMembers: string[] | null = null;
    let zipProblem: string | null = null;
    if (looksLikeZip(head)) {
      try {
        zipMembers = (await readZipDirectory(src)).entries.map((e) => e.name);
      } catch (err) {
        zipProblem = (err as Error).message;
      }
    }
    return { size: src.size, head, zipMembers, zipProblem };
  });
}

/**
 * The kind of one file: `file` is read (bounded), `bundlePath` is its name in the evidence (the
 * name of a content-addressed object is its bundle path). The one decision ingest records and
 * `probity inspect` prints.
 */
export async function classifyFile(file: string, bundlePath: string = file): Promise<KindDecision> {
  return classifySniffed(bundlePath, await sniffFile(file));
}

/**
 * Kinds of the files of one bundle: each by {@link classifyFile}, then weights beside an adapter
 * config (a PEFT folder) that are the adapter's own — LoRA tensors by content, or named
 * `adapter_model.*` — are kind adapter. (A pickle's tensor names are not read here.)
 */
export async function classifyBundleFiles(
  files: readonly { bundlePath: string; file: string }[],
): Promise<Map<string, KindDecision>> {
  const out = new Map<string, KindDecision>();
  for (const f of files) out.set(f.bundlePath, await classifyFile(f.file, f.bundlePath));
  const adapterDirs = new Set(
    [...out].filter(([, d]) => d.format === 'peft-adapter-config').map(([p]) => path.posix.dirname(p)),
  );
  for (const [p, d] of out) {
    if (d.kind !== 'weights' || !adapterDirs.has(path.posix.dirname(p))) continue;
    const base = path.posix.basename(p).toLowerCase();
    if (base.startsWith('adapter'))
      out.set(p, {
        ...d,
        kind: 'adapter',
        by: 'name',
        reason: `${d.reason}; beside an adapter config, named ${base}`,
      });
  }
  return out;
}
