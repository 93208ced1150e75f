/**
 * The unauthorized PEFT LoRA adapter found in production, and the legitimate one that the
 * fine-tuning run (training/finetune.log) produced and that was never approved for serving.
 *
 * What an adapter audit should notice in the deployed one:
 * - it is loaded at all (the approved serving config has enable-lora: false);
 * - adapter_config.json declares r = 8 with an empty `rank_pattern`, but layer 3's q/v pairs have
 *   rank 16;
 * - `modules_to_save: ["lm_head"]` ships a full replacement output head
 *   (`base_model.model.lm_head.weight`), far beyond the declared q/v targets;
 * - its sha256 is not the one the training log recorded for the run's adapter.
 */
import { ARCH, BASE_MODEL_NAME, LORA_ALPHA, LORA_RANK, LORA_TARGETS } from './constants.ts';
import { num, sortedKeys, toJson } from './json.ts';
import { encodeSafetensors } from '../core/formats/safetensors-writer.ts';
import {
  adapterLmHead,
  adapterLoraTensors,
  deployedAdapterPlan,
  legitimateAdapterPlan,
  type AdapterTensorPlan,
} from './weights.ts';

export const PEFT_VERSION = '0.17.1';

export function adapterConfigJson(modulesToSave: readonly string[] | null): string {
  return `${toJson(
    sortedKeys({
      alpha_pattern: {},
      auto_mapping: null,
      base_model_name_or_path: BASE_MODEL_NAME,
      bias: 'none',
      corda_config: null,
      eva_config: null,
      exclude_modules: null,
      fan_in_fan_out: false,
      inference_mode: true,
      init_lora_weights: true,
      layer_replication: null,
      layers_pattern: null,
      layers_to_transform: null,
      loftq_config: {},
      lora_alpha: LORA_ALPHA,
      lora_bias: false,
      lora_dropout: num('0.05'),
      megatron_config: null,
      megatron_core: 'megatron.core',
      modules_to_save: modulesToSave === null ? null : [...modulesToSave],
      peft_type: 'LORA',
      peft_version: PEFT_VERSION,
      r: LORA_RANK,
      rank_pattern: {},
      revision: null,
      target_modules: [...LORA_TARGETS],
      target_parameters: null,
      task_type: 'CAUSAL_LM',
      trainable_token_indices: null,
      use_dora: false,
      use_qalora: false,
      use_rslora: false,
    }),
  )}\n`;
}

export interface BuiltAdapter {
  safetensors: Uint8Array;
  config: string;
  plan: AdapterTensorPlan[];
  tensorNames: string[];
}

/** Output of the approved fine-tuning run (hashed into the training log, never written out). */
export function buildLegitimateAdapter(seed: string): BuiltAdapter {
  const plan = legitimateAdapterPlan();
  const tensors = adapterLoraTensors(seed, plan);
  return {
    safetensors: encodeSafetensors(tensors),
    config: adapterConfigJson(null),
    plan,
    tensorNames: tensors.map((t) => t.name).sort(),
  };
}

export function buildDeployedAdapter(seed: string, referenceLmHead: Uint8Array): BuiltAdapter {
  const plan = deployedAdapterPlan();
  const tensors = [...adapterLoraTensors(seed, plan), adapterLmHead(seed, referenceLmHead)];
  return {
    safetensors: encodeSafetensors(tensors),
    config: adapterConfigJson(['lm_head']),
    plan,
    tensorNames: tensors.map((t) => t.name).sort(),
  };
}

/** Rank per layer actually stored (same for q and v in every plan we build). */
export function ranksByLayer(plan: readonly AdapterTensorPlan[]): number[] {
  const ranks = new Array<number>(ARCH.numHiddenLayers).fill(0);
  for (const p of plan) ranks[p.layer] = p.rank;
  return ranks;
}
