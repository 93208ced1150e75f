/**
 * config.json, generation_config.json and model.safetensors.index.json, written the way
 * transformers' `save_pretrained` writes them (sorted keys, 2-space indent, trailing newline,
 * Python float literals).
 */
import { ARCH } from './constants.ts';
import { num, ordered, sortedKeys, toJson, type JsonValue } from './json.ts';
import { BOS_ID, EOS_ID } from './tokenizer.ts';

export const TRANSFORMERS_VERSION = '4.57.1';

/** Every field is consistent with the tensors in weights.ts (see modelTensorSpecs). */
export function configJson(): string {
  const config: Record<string, JsonValue> = {
    architectures: ['LlamaForCausalLM'],
    attention_bias: false,
    attention_dropout: num('0.0'),
    bos_token_id: BOS_ID,
    eos_token_id: EOS_ID,
    head_dim: ARCH.headDim,
    hidden_act: 'silu',
    hidden_size: ARCH.hiddenSize,
    initializer_range: num('0.02'),
    intermediate_size: ARCH.intermediateSize,
    max_position_embeddings: ARCH.maxPositionEmbeddings,
    mlp_bias: false,
    model_type: 'llama',
    num_attention_heads: ARCH.numAttentionHeads,
    num_hidden_layers: ARCH.numHiddenLayers,
    num_key_value_heads: ARCH.numKeyValueHeads,
    pretraining_tp: 1,
    rms_norm_eps: num('1e-05'),
    rope_scaling: null,
    rope_theta: num('10000.0'),
    tie_word_embeddings: false,
    torch_dtype: ARCH.torchDtype,
    transformers_version: TRANSFORMERS_VERSION,
    use_cache: true,
    vocab_size: ARCH.vocabSize,
  };
  return `${toJson(sortedKeys(config))}\n`;
}

export function generationConfigJson(): string {
  return `${toJson(
    ordered([
      ['bos_token_id', BOS_ID],
      ['do_sample', true],
      ['eos_token_id', EOS_ID],
      ['max_length', ARCH.maxPositionEmbeddings],
      ['temperature', num('0.6')],
      ['top_p', num('0.9')],
      ['transformers_version', TRANSFORMERS_VERSION],
    ]),
  )}\n`;
}

/** `total_size` is the sum of tensor bytes (not file sizes), as transformers records it. */
export function indexJson(totalSize: number, weightMap: ReadonlyMap<string, string>): string {
  const map = sortedKeys(Object.fromEntries(weightMap));
  return `${toJson(
    ordered([
      ['metadata', ordered([['total_size', totalSize]])],
      ['weight_map', map],
    ]),
  )}\n`;
}
