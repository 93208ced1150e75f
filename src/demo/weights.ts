/**
 * Weights of the demo model, the planted perturbation, and the LoRA adapters.
 *
 * Values are random but plausibly scaled: linear layers ~ normal(0, 0.02) (the `initializer_range`
 * of config.json), RMSNorm gains ~ normal(1, 0.05). Each tensor has its own PRNG stream named after
 * it, so the reference and the incident copies of an untouched tensor are bit-identical without
 * having to keep one around.
 */
import {
  ARCH,
  LORA_MISMATCH_RANK,
  LORA_RANK,
  LORA_RANK_MISMATCH_LAYER,
  LORA_TARGETS,
  PERTURBATION_RANK,
  PERTURBATION_RELATIVE_NORM,
  SHARD1_LAYERS,
  SHARD_NAMES,
} from './constants.ts';
import { createRng } from './prng.ts';
import {
  bf16ToFloat32,
  elementCount,
  float32ToBf16,
  type TensorEntry,
} from '../core/formats/safetensors-writer.ts';

export type TensorInit = 'linear' | 'norm';

export interface ModelTensorSpec {
  name: string;
  /** [out, in] for linear layers, as PyTorch's nn.Linear stores them. */
  shape: readonly number[];
  shard: (typeof SHARD_NAMES)[number];
  init: TensorInit;
}

const LINEAR_STD = 0.02;
const NORM_MEAN = 1;
const NORM_STD = 0.05;

/** Every tensor of LlamaForCausalLM for ARCH, with Hugging Face names. */
export function modelTensorSpecs(): ModelTensorSpec[] {
  const h = ARCH.hiddenSize;
  const kv = ARCH.numKeyValueHeads * ARCH.headDim; // GQA: k/v project to fewer heads than q
  const q = ARCH.numAttentionHeads * ARCH.headDim;
  const ffn = ARCH.intermediateSize;
  const [shard1, shard2] = SHARD_NAMES;
  const specs: ModelTensorSpec[] = [
    { name: 'model.embed_tokens.weight', shape: [ARCH.vocabSize, h], shard: shard1, init: 'linear' },
  ];
  for (let layer = 0; layer < ARCH.numHiddenLayers; layer++) {
    const shard = SHARD1_LAYERS.includes(layer) ? shard1 : shard2;
    const p = `model.layers.${layer}`;
    specs.push(
      { name: `${p}.self_attn.q_proj.weight`, shape: [q, h], shard, init: 'linear' },
      { name: `${p}.self_attn.k_proj.weight`, shape: [kv, h], shard, init: 'linear' },
      { name: `${p}.self_attn.v_proj.weight`, shape: [kv, h], shard, init: 'linear' },
      { name: `${p}.self_attn.o_proj.weight`, shape: [h, q], shard, init: 'linear' },
      { name: `${p}.mlp.gate_proj.weight`, shape: [ffn, h], shard, init: 'linear' },
      { name: `${p}.mlp.up_proj.weight`, shape: [ffn, h], shard, init: 'linear' },
      { name: `${p}.mlp.down_proj.weight`, shape: [h, ffn], shard, init: 'linear' },
      { name: `${p}.input_layernorm.weight`, shape: [h], shard, init: 'norm' },
      { name: `${p}.post_attention_layernorm.weight`, shape: [h], shard, init: 'norm' },
    );
  }
  specs.push(
    { name: 'model.norm.weight', shape: [h], shard: shard2, init: 'norm' },
    { name: 'lm_head.weight', shape: [ARCH.vocabSize, h], shard: shard2, init: 'linear' },
  );
  return specs;
}

function normalValues(seed: string, label: string, count: number, mean: number, std: number): Float32Array {
  const rng = createRng(seed, label);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = mean + std * rng.normal();
  return out;
}

/** The reference value of one model tensor, already rounded to bf16 (returned as bytes). */
export function referenceTensorBytes(seed: string, spec: ModelTensorSpec): Uint8Array {
  const n = elementCount(spec.shape);
  const values =
    spec.init === 'norm'
      ? normalValues(seed, `weights/${spec.name}`, n, NORM_MEAN, NORM_STD)
      : normalValues(seed, `weights/${spec.name}`, n, 0, LINEAR_STD);
  return float32ToBf16(values);
}

export function toEntry(spec: ModelTensorSpec, data: Uint8Array): TensorEntry {
  return { name: spec.name, dtype: ARCH.dtype, shape: spec.shape, data };
}

export interface PerturbationResult {
  bytes: Uint8Array;
  /** ‖W' − W‖_F / ‖W‖_F measured on the bf16 values actually written. */
  relativeFrobenius: number;
  maxAbsDelta: number;
  changedElements: number;
}

/**
 * Adds Δ = U·Vᵀ (U: [rows, rank], V: [cols, rank], normal entries) scaled so that ‖Δ‖_F is
 * `PERTURBATION_RELATIVE_NORM` × ‖W‖_F. A low-rank edit is what a targeted weight-editing attack
 * (ROME-style) leaves behind, so an integrity check that looks at the spectrum of W' − W should
 * find a handful of dominant singular values.
 */
export function perturbLowRank(
  seed: string,
  name: string,
  shape: readonly number[],
  original: Uint8Array,
): PerturbationResult {
  const [rows = 0, cols = 0] = shape;
  const w = bf16ToFloat32(original);
  const rng = createRng(seed, `tamper/${name}`);
  const u = new Float64Array(rows * PERTURBATION_RANK);
  const v = new Float64Array(cols * PERTURBATION_RANK);
  for (let i = 0; i < u.length; i++) u[i] = rng.normal();
  for (let i = 0; i < v.length; i++) v[i] = rng.normal();

  const delta = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let s = 0;
      for (let k = 0; k < PERTURBATION_RANK; k++)
        s += (u[r * PERTURBATION_RANK + k] ?? 0) * (v[c * PERTURBATION_RANK + k] ?? 0);
      delta[r * cols + c] = s;
    }
  }
  const scale = (PERTURBATION_RELATIVE_NORM * frobenius(w)) / frobenius(delta);
  const tampered = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) tampered[i] = (w[i] ?? 0) + scale * (delta[i] ?? 0);
  const bytes = float32ToBf16(tampered);
  return { bytes, ...measureChange(w, bf16ToFloat32(bytes)) };
}

function frobenius(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] ?? 0;
    s += x * x;
  }
  return Math.sqrt(s);
}

function measureChange(before: Float32Array, after: Float32Array): Omit<PerturbationResult, 'bytes'> {
  let diff = 0;
  let maxAbsDelta = 0;
  let changedElements = 0;
  for (let i = 0; i < before.length; i++) {
    const d = (after[i] ?? 0) - (before[i] ?? 0);
    if (d !== 0) changedElements++;
    diff += d * d;
    maxAbsDelta = Math.max(maxAbsDelta, Math.abs(d));
  }
  return { relativeFrobenius: Math.sqrt(diff) / frobenius(before), maxAbsDelta, changedElements };
}

// ---------------------------------------------------------------------------------------------
// LoRA adapters
// ---------------------------------------------------------------------------------------------

export interface AdapterTensorPlan {
  layer: number;
  module: (typeof LORA_TARGETS)[number];
  rank: number;
}

/** Out-features of a LoRA target module (q has all heads, v only the kv heads). */
function targetOutFeatures(module: (typeof LORA_TARGETS)[number]): number {
  return module === 'q_proj' ? ARCH.numAttentionHeads * ARCH.headDim : ARCH.numKeyValueHeads * ARCH.headDim;
}

export function loraTensorName(layer: number, module: string, part: 'A' | 'B'): string {
  return `base_model.model.model.layers.${layer}.self_attn.${module}.lora_${part}.weight`;
}

export const ADAPTER_LM_HEAD_NAME = 'base_model.model.lm_head.weight';

/**
 * The LoRA pair for one module. The PRNG stream is named by (layer, module, rank), so the
 * legitimate rank-8 pair of layer 3 and the planted rank-16 pair differ, while layers 0–2 are the
 * same in the legitimate and the deployed adapter.
 */
function loraPair(seed: string, plan: AdapterTensorPlan): TensorEntry[] {
  const inF = ARCH.hiddenSize;
  const outF = targetOutFeatures(plan.module);
  const label = `adapter/${plan.layer}/${plan.module}/r${plan.rank}`;
  // lora_A is kaiming-uniform initialised and barely moves; lora_B starts at zero and learns small values.
  const a = normalValues(seed, `${label}/A`, plan.rank * inF, 0, 1 / Math.sqrt(inF));
  const b = normalValues(seed, `${label}/B`, outF * plan.rank, 0, 0.004);
  return [
    {
      name: loraTensorName(plan.layer, plan.module, 'A'),
      dtype: ARCH.dtype,
      shape: [plan.rank, inF],
      data: float32ToBf16(a),
    },
    {
      name: loraTensorName(plan.layer, plan.module, 'B'),
      dtype: ARCH.dtype,
      shape: [outF, plan.rank],
      data: float32ToBf16(b),
    },
  ];
}

/** What the approved fine-tuning run produced: rank 8 everywhere, no extra modules. */
export function legitimateAdapterPlan(): AdapterTensorPlan[] {
  const plan: AdapterTensorPlan[] = [];
  for (let layer = 0; layer < ARCH.numHiddenLayers; layer++) {
    for (const module of LORA_TARGETS) plan.push({ layer, module, rank: LORA_RANK });
  }
  return plan;
}

/** What was deployed: layer 3 swapped for rank-16 pairs (undeclared in adapter_config.json). */
export function deployedAdapterPlan(): AdapterTensorPlan[] {
  return legitimateAdapterPlan().map((p) =>
    p.layer === LORA_RANK_MISMATCH_LAYER ? { ...p, rank: LORA_MISMATCH_RANK } : p,
  );
}

export function adapterLoraTensors(seed: string, plan: readonly AdapterTensorPlan[]): TensorEntry[] {
  return plan.flatMap((p) => loraPair(seed, p));
}

/**
 * The full replacement lm_head that `modules_to_save: ["lm_head"]` ships: the reference lm_head
 * plus a small dense edit, so it is close to, but not equal to, the base model's.
 */
export function adapterLmHead(seed: string, referenceLmHead: Uint8Array): TensorEntry {
  const w = bf16ToFloat32(referenceLmHead);
  const rng = createRng(seed, 'adapter/lm_head');
  const out = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) out[i] = (w[i] ?? 0) + 0.004 * rng.normal();
  return {
    name: ADAPTER_LM_HEAD_NAME,
    dtype: ARCH.dtype,
    shape: [ARCH.vocabSize, ARCH.hiddenSize],
    data: float32ToBf16(out),
  };
}
