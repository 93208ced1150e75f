import { afterAll, describe, expect, it } from 'vitest';
import { parseModelConfig } from './hfconfig.ts';
import { fixture, scratch } from './testkit.ts';
import { withoutShared } from '../../../test/shared';

const tmp = scratch();
afterAll(() => tmp.cleanup());

describe.skipIf(withoutShared())('config.json fixtures', () => {
  it('GPT-2 aliases: n_layer, n_embd, n_head, n_positions; n_inner null', async () => {
    const c = await parseModelConfig(fixture('peft/izzulgod-gpt2-indo-config.json'));
    expect(c).toMatchObject({
      modelType: 'gpt2',
      architectures: ['GPT2LMHeadModel'],
      numHiddenLayers: 12,
      hiddenSize: 768,
      numAttentionHeads: 12,
      numKeyValueHeads: null,
      intermediateSize: null,
      vocabSize: 50257,
      maxPositionEmbeddings: 1024,
      torchDtype: 'float32',
      bosTokenId: 50256,
      eosTokenId: 50256,
      transformersVersion: '4.51.3',
      quantization: { present: false, method: null },
      remoteCode: null,
    });
    expect(c.sources).toEqual({
      numHiddenLayers: 'n_layer',
      hiddenSize: 'n_embd',
      numAttentionHeads: 'n_head',
      maxPositionEmbeddings: 'n_positions',
    });
    expect(c.problems).toEqual([]);
  });

  it('Mistral 7B: GQA 32/8, sliding window, bf16', async () => {
    const c = await parseModelConfig(fixture('peft/mistralxgo-mistral-7b-config.json'));
    expect(c).toMatchObject({
      modelType: 'mistral',
      numHiddenLayers: 32,
      hiddenSize: 4096,
      intermediateSize: 14336,
      numAttentionHeads: 32,
      numKeyValueHeads: 8,
      vocabSize: 32000,
      maxPositionEmbeddings: 32768,
      slidingWindow: 4096,
      tieWordEmbeddings: false,
      torchDtype: 'bfloat16',
      rope: { theta: 10000, scaling: null },
    });
    expect(c.problems).toEqual([]);
  });

  it('Llama-3 testdata: no model_type, llama3 rope scaling', async () => {
    const c = await parseModelConfig(fixture('peft/ollama-llama3-testdata-config.json'));
    expect(c.modelType).toBeNull();
    expect(c.architectures).toEqual(['LlamaForCausalLM']);
    expect(c.vocabSize).toBe(128256);
    expect(c.rope).toEqual({
      theta: 500000,
      scaling: {
        type: 'llama3',
        factor: 8,
        originalMaxPositionEmbeddings: 8192,
        keys: [
          'factor',
          'low_freq_factor',
          'high_freq_factor',
          'original_max_position_embeddings',
          'rope_type',
        ],
      },
    });
    expect(c.eosTokenId).toBe(128009);
    expect(c.problems).toEqual(['no model_type: AutoConfig cannot resolve this config without it']);
  });

  it('MiniCPM3: remote code via auto_map, eos_token_id list, longrope', async () => {
    const c = await parseModelConfig(fixture('peft/ollama-minicpm3-4b-config.json'));
    expect(c).toMatchObject({
      modelType: 'minicpm3',
      numHiddenLayers: 62,
      hiddenSize: 2560,
      intermediateSize: 6400,
      numAttentionHeads: 40,
      numKeyValueHeads: 40,
      vocabSize: 73448,
      nameOrPath: 'openbmb/MiniCPM3-4B',
    });
    expect(c.eosTokenId).toEqual([2, 73440]);
    expect(c.rope.scaling?.type).toBe('longrope');
    expect(c.remoteCode).toEqual({
      AutoConfig: 'configuration_minicpm.MiniCPM3Config',
      AutoModel: 'modeling_minicpm.MiniCPM3Model',
      AutoModelForCausalLM: 'modeling_minicpm.MiniCPM3ForCausalLM',
      AutoModelForSeq2SeqLM: 'modeling_minicpm.MiniCPM3ForCausalLM',
      AutoModelForSequenceClassification: 'modeling_minicpm.MiniCPM3ForSequenceClassification',
    });
    expect(c.problems[0]).toMatch(/^auto_map present/);
  });

  it('Phi-3 128k: auto_map, pad token, longrope with 48 factors', async () => {
    const c = await parseModelConfig(fixture('peft/ollama-phi3-config.json'));
    expect(c).toMatchObject({
      modelType: 'phi3',
      hiddenSize: 3072,
      intermediateSize: 8192,
      maxPositionEmbeddings: 131072,
      vocabSize: 32064,
      padTokenId: 32000,
      slidingWindow: 262144,
    });
    expect(c.rope.scaling).toEqual({
      type: 'longrope',
      factor: null,
      originalMaxPositionEmbeddings: null,
      keys: ['long_factor', 'short_factor', 'type'],
    });
    expect(c.remoteCode).toEqual({
      AutoConfig: 'configuration_phi3.Phi3Config',
      AutoModelForCausalLM: 'modeling_phi3.Phi3ForCausalLM',
    });
  });
});

describe('generated model configs', () => {
  it('text_config fallback, quantization_config and consistency checks', async () => {
    const c = await parseModelConfig(
      tmp.write(
        'config.json',
        JSON.stringify({
          model_type: 'llava',
          architectures: ['LlavaForConditionalGeneration'],
          quantization_config: { quant_method: 'bitsandbytes' },
          text_config: {
            num_hidden_layers: 4,
            hidden_size: 100,
            num_attention_heads: 7,
            num_key_value_heads: 3,
            vocab_size: 10,
          },
        }),
      ),
    );
    expect(c).toMatchObject({
      numHiddenLayers: 4,
      hiddenSize: 100,
      vocabSize: 10,
      quantization: { present: true, method: 'bitsandbytes' },
    });
    expect(c.sources).toMatchObject({ numHiddenLayers: 'text_config.num_hidden_layers' });
    expect(c.problems).toEqual([
      'num_key_value_heads 3 does not divide num_attention_heads 7',
      'hidden size 100 is not a multiple of the 7 attention heads',
    ]);
  });
});
