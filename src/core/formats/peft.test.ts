import { afterAll, describe, expect, it } from 'vitest';
import { parseAdapterConfig } from './peft.ts';
import { fixture, scratch, rejection } from './testkit.ts';
import { withoutShared } from '../../../test/shared';

const tmp = scratch();
afterAll(() => tmp.cleanup());

describe.skipIf(withoutShared())('PEFT adapter_config.json fixtures', () => {
  it('chinese-vicuna chat: early-2023 schema, LOCAL base path flagged, old keys kept in other', async () => {
    const c = await parseAdapterConfig(fixture('peft/chinese-vicuna-chat-adapter_config.json'));
    expect(c).toMatchObject({
      dialect: 'peft',
      peftType: 'LORA',
      taskType: 'CAUSAL_LM',
      r: 8,
      loraAlpha: 16,
      loraDropout: 0.05,
      targetModules: {
        kind: 'list',
        modules: ['q_proj', 'v_proj', 'k_proj', 'o_proj', 'down_proj', 'gate_proj', 'up_proj'],
      },
      modulesToSave: null,
      baseModelNameOrPath: '/model/yahma_llama_7b',
      baseModelIsLocalPath: true,
      inferenceMode: true,
      useDora: null,
    });
    expect(c.other).toEqual({ bias: 'none', enable_lora: null, fan_in_fan_out: false, merge_weights: false });
    expect(c.problems).toEqual([
      'base_model_name_or_path "/model/yahma_llama_7b" is a local path: the base model cannot be verified from the Hub',
    ]);
  });

  it('chinese-vicuna instruct: q_proj/v_proj on decapoda-research/llama-7b-hf', async () => {
    const c = await parseAdapterConfig(fixture('peft/chinese-vicuna-instruct-adapter_config.json'));
    expect(c.targetModules).toEqual({ kind: 'list', modules: ['q_proj', 'v_proj'] });
    expect(c.baseModelNameOrPath).toBe('decapoda-research/llama-7b-hf');
    expect(c.baseModelIsLocalPath).toBe(false);
    expect(c.problems).toEqual([]);
  });

  it('OpenMath (PEFT 0.18.1): r 16, alpha 32, empty patterns, newer keys in other', async () => {
    const c = await parseAdapterConfig(fixture('peft/openmath-qwen2.5-math-adapter_config.json'));
    expect(c).toMatchObject({
      peftType: 'LORA',
      r: 16,
      loraAlpha: 32,
      baseModelNameOrPath: 'Qwen/Qwen2.5-Math-1.5B',
      revision: null,
      useDora: false,
      useRslora: false,
      rankPattern: {},
      alphaPattern: {},
      trainableTokenIndices: null,
      layersToTransform: null,
      peftVersion: '0.18.1',
      targetModules: { kind: 'list', modules: ['q_proj', 'o_proj', 'k_proj', 'v_proj'] },
    });
    expect(c.other).toMatchObject({
      qalora_group_size: 16,
      megatron_core: 'megatron.core',
      use_qalora: false,
      alora_invocation_tokens: null,
    });
    expect(c.problems).toEqual([]);
  });

  it('phishing analyzer (PEFT 0.19.1): unsloth bnb-4bit base, non-standard auto_mapping key', async () => {
    const c = await parseAdapterConfig(fixture('peft/phishing-analyzer-qwen2.5-7b-adapter_config.json'));
    expect(c).toMatchObject({
      r: 8,
      loraAlpha: 16,
      loraDropout: 0,
      baseModelNameOrPath: 'unsloth/Qwen2.5-7B-Instruct-bnb-4bit',
      peftVersion: '0.19.1',
    });
    expect(c.targetModules).toEqual({
      kind: 'list',
      modules: ['k_proj', 'down_proj', 'o_proj', 'gate_proj', 'v_proj', 'up_proj', 'q_proj'],
    });
    expect(c.autoMapping).toEqual({
      base_model_class: 'Qwen2ForCausalLM',
      parent_library: 'transformers.models.qwen2.modeling_qwen2',
      unsloth_fixed: true,
    });
    expect(c.problems).toEqual(['auto_mapping has non-standard key "unsloth_fixed"']);
  });

  it('ollama discollama: an MLX-LM config under the PEFT name is identified as such', async () => {
    const c = await parseAdapterConfig(fixture('peft/ollama-discollama-mlx-adapter_config.json'));
    expect(c).toMatchObject({
      dialect: 'mlx-lm',
      peftType: null,
      r: 8,
      loraAlpha: 16,
      loraDropout: 0,
      useDora: false,
      baseModelNameOrPath: '/Users/pdevine/git/Meta-Llama-3-8B-Instruct',
      baseModelIsLocalPath: true,
    });
    expect(c.other).toMatchObject({ iters: 1000, lora_layers: 2, adapter_path: 'adapters-test' });
    expect(c.other).not.toHaveProperty('model');
    expect(c.problems[0]).toBe('not a PEFT config: an MLX-LM LoRA training config (no peft_type)');
  });
});

describe('generated adapter configs', () => {
  it('normalises target_modules: regex string, all-linear, absent; patterns and layer lists', async () => {
    const regex = await parseAdapterConfig(
      tmp.write(
        'a1.json',
        JSON.stringify({
          peft_type: 'LORA',
          r: 4,
          target_modules: '.*\\.(q|v)_proj$',
          rank_pattern: { 'layers.0': 16 },
          alpha_pattern: { 'layers.0': 32 },
          layers_to_transform: [0, 1],
          trainable_token_indices: { embed_tokens: [5, 6] },
          use_dora: true,
          revision: 'abc123',
        }),
      ),
    );
    expect(regex).toMatchObject({
      targetModules: { kind: 'regex', pattern: '.*\\.(q|v)_proj$' },
      rankPattern: { 'layers.0': 16 },
      alphaPattern: { 'layers.0': 32 },
      layersToTransform: [0, 1],
      trainableTokenIndices: { embed_tokens: [5, 6] },
      useDora: true,
      revision: 'abc123',
    });
    expect(
      (
        await parseAdapterConfig(
          tmp.write('a2.json', '{"peft_type":"LORA","target_modules":"all-linear","layers_to_transform":3}'),
        )
      ).targetModules,
    ).toEqual({ kind: 'all-linear' });
    expect((await parseAdapterConfig(tmp.write('a3.json', '{"peft_type":"IA3"}'))).targetModules).toEqual({
      kind: 'default',
    });
  });

  it('wrong types and a broken regex are problems, not crashes', async () => {
    const c = await parseAdapterConfig(
      tmp.write(
        'a4.json',
        '{"peft_type":"LORA","r":"8","target_modules":"(unclosed","rank_pattern":[1],"modules_to_save":"lm_head"}',
      ),
    );
    expect(c.r).toBeNull();
    expect(c.problems).toEqual([
      'r is a string, expected an integer',
      'target_modules regex "(unclosed" does not compile',
      'modules_to_save is a string, expected a list of strings',
      'rank_pattern is an array, expected an object of numbers',
    ]);
  });

  it('non-objects and invalid JSON are named errors', async () => {
    expect((await rejection(parseAdapterConfig(tmp.write('a5.json', '[1]')))).message).toMatch(
      /a5\.json: adapter config is an array, not a JSON object/,
    );
    expect((await rejection(parseAdapterConfig(tmp.write('a6.json', '{"r": 8,}')))).message).toMatch(
      /a6\.json: invalid JSON at line 1 column 9/,
    );
  });
});
