/**
 * Layer index and role from a tensor name, for the per-layer summary of a weight diff and for the
 * layer count of architecture validation.
 *
 * Naming conventions covered: Hugging Face transformers (`model.layers.N.`,
 * `model.decoder.layers.N.`, `transformer.h.N.`, `gpt_neox.layers.N.`, `encoder.layer.N.`,
 * `transformer.blocks.N.`), PEFT adapters (the same behind `base_model.model.`), Meta's original
 * checkpoints (`layers.N.`) and GGUF (`blk.N.`, llama.cpp's gguf-py TensorNameMap). The role is
 * the rest of the name after the layer prefix, without a trailing `.weight`
 * (`model.layers.2.mlp.gate_proj.weight` → layer 2, role `mlp.gate_proj`).
 */

const LAYER_RE = /(?:^|\.)(?:layers|layer|h|blocks|block|blk)\.(\d{1,7})\./;

export interface TensorPlace {
  /** Layer index, or null for tensors outside the repeated blocks (embeddings, final norm, head). */
  layer: number | null;
  role: string;
}

export function tensorPlace(name: string): TensorPlace {
  const m = LAYER_RE.exec(name);
  if (!m || m[1] === undefined) return { layer: null, role: stripWeight(stripPeft(name)) };
  const rest = name.slice(m.index + m[0].length);
  return { layer: Number(m[1]), role: stripWeight(rest) };
}

function stripWeight(s: string): string {
  return s.endsWith('.weight') ? s.slice(0, -'.weight'.length) : s;
}

/** PEFT saves adapter tensors under `base_model.model.`; the module path follows it. */
export function stripPeft(name: string): string {
  return name.startsWith('base_model.model.') ? name.slice('base_model.model.'.length) : name;
}

/** Distinct layer indices among the names, ascending. */
export function layerIndices(names: Iterable<string>): number[] {
  const set = new Set<number>();
  for (const name of names) {
    const { layer } = tensorPlace(name);
    if (layer !== null) set.add(layer);
  }
  return [...set].sort((a, b) => a - b);
}

const collator = new Intl.Collator('en', { numeric: true });

/** Sort tensor names the way a person reads them: layer 10 after layer 9. */
export function compareTensorNames(a: string, b: string): number {
  return collator.compare(a, b);
}
