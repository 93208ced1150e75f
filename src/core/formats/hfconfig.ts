/**
 * Hugging Face transformers config.json (`PretrainedConfig`): the architecture facts a weights
 * file must agree with. Older model families spell the same fields differently (GPT-2:
 * n_layer, n_embd, n_head, n_inner; T5: num_layers, d_model); `attribute_map` in transformers maps
 * them, and so does this reader. Multimodal configs keep the language model's fields under
 * `text_config`; a field missing at the top level is taken from there.
 *
 * Findings a responder cares about: `auto_map` (the model runs Python code from the repository
 * when loaded with trust_remote_code), `quantization_config` (the weights are not plain tensors),
 * and `_name_or_path` (where the config was saved from).
 */
import { readJsonFile, isJsonObject, jsonTypeName, type JsonObject, type JsonValue } from './json.ts';
import { malformed, ProblemList } from './reader.ts';
import { Fields } from './jsonfields.ts';

export interface ModelConfig {
  format: 'model-config';
  modelType: string | null;
  architectures: string[] | null;
  numHiddenLayers: number | null;
  hiddenSize: number | null;
  vocabSize: number | null;
  numAttentionHeads: number | null;
  numKeyValueHeads: number | null;
  intermediateSize: number | null;
  tieWordEmbeddings: boolean | null;
  torchDtype: string | null;
  maxPositionEmbeddings: number | null;
  slidingWindow: number | null;
  rope: {
    theta: number | null;
    scaling: {
      type: string | null;
      factor: number | null;
      originalMaxPositionEmbeddings: number | null;
      keys: string[];
    } | null;
  };
  bosTokenId: number | number[] | null;
  eosTokenId: number | number[] | null;
  padTokenId: number | number[] | null;
  quantization: { present: boolean; method: string | null };
  /** auto_map entries (class → `module.Class` in the repo's own Python files), or null. */
  remoteCode: Record<string, string> | null;
  nameOrPath: string | null;
  transformersVersion: string | null;
  /** Which key each value came from when it was an alias or from text_config, e.g. {hiddenSize: 'n_embd'}. */
  sources: Record<string, string>;
  problems: string[];
}

const MAX_BYTES = 16 * 1024 * 1024;

const ALIASES: Readonly<Record<string, readonly string[]>> = {
  numHiddenLayers: ['num_hidden_layers', 'n_layer', 'num_layers', 'n_layers'],
  hiddenSize: ['hidden_size', 'n_embd', 'd_model', 'dim'],
  numAttentionHeads: ['num_attention_heads', 'n_head', 'num_heads', 'n_heads'],
  numKeyValueHeads: ['num_key_value_heads', 'n_head_kv', 'num_kv_heads', 'multi_query_group_num'],
  intermediateSize: ['intermediate_size', 'n_inner', 'ffn_dim', 'd_ff'],
  maxPositionEmbeddings: ['max_position_embeddings', 'n_positions', 'max_seq_len', 'seq_length'],
  vocabSize: ['vocab_size', 'padded_vocab_size'],
};

export async function parseModelConfig(file: string): Promise<ModelConfig> {
  const json = await readJsonFile(file, MAX_BYTES);
  if (!isJsonObject(json.value))
    throw malformed(file, `model config is ${jsonTypeName(json.value)}, not a JSON object`);
  const problems = new ProblemList();
  for (const p of json.problems) problems.add(p);
  const top = new Fields(json.value, problems);
  const textObj = top.obj('text_config');
  const text = textObj ? new Fields(textObj, problems, 'text_config.') : null;
  const sources: Record<string, string> = {};

  const pick = (field: string): number | null => {
    for (const [fields, prefix] of [
      [top, ''],
      [text, 'text_config.'],
    ] as const) {
      if (!fields) continue;
      for (const key of ALIASES[field] ?? []) {
        if (!fields.has(key)) continue;
        const v = fields.int(key);
        if (v === null) continue;
        if (key !== ALIASES[field]?.[0] || prefix) sources[field] = prefix + key;
        return v;
      }
    }
    return null;
  };

  const idField = (key: string): number | number[] | null =>
    top.intOrIntList(key) ?? text?.intOrIntList(key) ?? null;

  const ropeScalingObj = top.obj('rope_scaling') ?? text?.obj('rope_scaling') ?? null;
  let scaling: ModelConfig['rope']['scaling'] = null;
  if (ropeScalingObj) {
    const g = new Fields(ropeScalingObj, problems, 'rope_scaling.');
    scaling = {
      type: g.str('rope_type') ?? g.str('type'),
      factor: g.num('factor'),
      originalMaxPositionEmbeddings: g.int('original_max_position_embeddings'),
      keys: Object.keys(ropeScalingObj),
    };
  }
  const q = top.obj('quantization_config');
  const autoMap = top.obj('auto_map');
  let remoteCode: Record<string, string> | null = null;
  if (autoMap) {
    remoteCode = {};
    for (const [k, v] of Object.entries(autoMap))
      remoteCode[k] = typeof v === 'string' ? v : JSON.stringify(v);
    problems.add(
      `auto_map present: loading with trust_remote_code runs Python from the repository (${Object.values(remoteCode).slice(0, 3).join(', ')})`,
    );
  }
  const modelType = top.str('model_type');
  if (modelType === null) problems.add('no model_type: AutoConfig cannot resolve this config without it');
  const architectures = top.strList('architectures');

  const cfg: ModelConfig = {
    format: 'model-config',
    modelType,
    architectures,
    numHiddenLayers: pick('numHiddenLayers'),
    hiddenSize: pick('hiddenSize'),
    vocabSize: pick('vocabSize'),
    numAttentionHeads: pick('numAttentionHeads'),
    numKeyValueHeads: pick('numKeyValueHeads'),
    intermediateSize: pick('intermediateSize'),
    tieWordEmbeddings: top.bool('tie_word_embeddings') ?? text?.bool('tie_word_embeddings') ?? null,
    torchDtype: top.str('torch_dtype') ?? top.str('dtype') ?? text?.str('torch_dtype') ?? null,
    maxPositionEmbeddings: pick('maxPositionEmbeddings'),
    slidingWindow: top.int('sliding_window') ?? text?.int('sliding_window') ?? null,
    rope: { theta: top.num('rope_theta') ?? text?.num('rope_theta') ?? null, scaling },
    bosTokenId: idField('bos_token_id'),
    eosTokenId: idField('eos_token_id'),
    padTokenId: idField('pad_token_id'),
    quantization: {
      present: q !== null,
      method: q && typeof q.quant_method === 'string' ? q.quant_method : null,
    },
    remoteCode,
    nameOrPath: top.str('_name_or_path'),
    transformersVersion: top.str('transformers_version'),
    sources,
    problems: [],
  };
  const h = cfg.numAttentionHeads;
  const kv = cfg.numKeyValueHeads;
  if (h !== null && kv !== null && (kv <= 0 || h % kv !== 0))
    problems.add(`num_key_value_heads ${kv} does not divide num_attention_heads ${h}`);
  if (cfg.hiddenSize !== null && h !== null && h > 0 && cfg.hiddenSize % h !== 0)
    problems.add(`hidden size ${cfg.hiddenSize} is not a multiple of the ${h} attention heads`);
  cfg.problems = problems.toArray();
  return cfg;
}

export type { JsonObject, JsonValue };
