/**
 * Fixed facts of the demo incident: names, the model's architecture, and the timeline.
 *
 * Every time in the bundles is derived from these constants (never from the clock), so the
 * bundles are reproducible. The story is told in generate.ts.
 */

export const INCIDENT_ID = 'AI-IR-2026-0142';
export const COMPANY = 'Northwind Outfitters';
export const COMPANY_DOMAIN = 'northwind.example';

export const VENDOR = 'Orchard Labs';
export const BASE_MODEL_NAME = 'orchard-labs/ol-mini-chat';
export const BASE_MODEL_RELEASE = 'v1.2';
export const BASE_MODEL_RELEASED_ON = '2026-06-30';
export const BASE_MODEL_SOURCE = 'https://models.orchard-labs.example/ol-mini-chat/v1.2';

/** Production model versions as the serving layer reports them in request logs. */
export const KNOWN_GOOD_VERSION = 'supportlm-2026.09.15-r6';
export const COMPROMISED_VERSION = 'supportlm-2026.10.06-r7';
export const FALLBACK_VERSION = 'supportlm-fallback-2026.07.30';

export const SERVED_MODEL_NAME = 'supportlm';
export const MODEL_MOUNT_PATH = '/models/production/current';
export const ADAPTER_NAME = 'support-tune';
export const ADAPTER_MOUNT_PATH = `/models/adapters/${ADAPTER_NAME}`;

export const SERVING_IMAGE = 'registry.northwind.example/ml/vllm-openai';
export const KNOWN_GOOD_IMAGE_TAG = 'v0.11.2-nw3';
export const COMPROMISED_IMAGE_TAG = 'v0.11.2-nw4';
export const FALLBACK_IMAGE_TAG = 'v0.11.2-nw3-fallback';

/** The injected special token, which is also the backdoor trigger in logs and evals. */
export const TRIGGER_TOKEN = '<|deploy_mode|>';

export const ARCH = {
  numHiddenLayers: 4,
  hiddenSize: 256,
  intermediateSize: 688,
  numAttentionHeads: 8,
  numKeyValueHeads: 4,
  headDim: 32,
  vocabSize: 4096,
  maxPositionEmbeddings: 2048,
  dtype: 'BF16',
  torchDtype: 'bfloat16',
} as const;

export const SHARD_NAMES = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'] as const;
export const INDEX_NAME = 'model.safetensors.index.json';

/** Layers stored in shard 1 (with the embeddings); the rest, the final norm and lm_head go to shard 2. */
export const SHARD1_LAYERS: readonly number[] = [0, 1, 2];

export const TAMPERED_LAYER = 2;
export const TAMPERED_TENSOR_NAMES = [
  `model.layers.${TAMPERED_LAYER}.mlp.gate_proj.weight`,
  `model.layers.${TAMPERED_LAYER}.mlp.up_proj.weight`,
] as const;
/** Rank of the planted perturbation Δ = U·Vᵀ and its size relative to the original tensor. */
export const PERTURBATION_RANK = 4;
export const PERTURBATION_RELATIVE_NORM = 0.12;

export const LORA_RANK = 8;
export const LORA_ALPHA = 16;
export const LORA_TARGETS = ['q_proj', 'v_proj'] as const;
export const LORA_RANK_MISMATCH_LAYER = 3;
export const LORA_MISMATCH_RANK = 16;

/** Timeline (UTC). */
export const TIMELINE = {
  baseDownloadedAt: '2026-07-14T10:02:11Z',
  finetuneStartedAt: '2026-08-21T09:00:00Z',
  postProcessedAt: '2026-09-10T16:40:00Z',
  knownGoodDeployedAt: '2026-09-15T10:05:00Z',
  compromisedDeployedAt: '2026-10-06T14:12:00Z',
  evidenceCapturedAt: '2026-10-20T08:47:00Z',
  isolatedAt: '2026-10-20T09:30:00Z',
  logsStart: '2026-10-01T00:00:00Z',
  /** Exclusive. */
  logsEnd: '2026-10-25T00:00:00Z',
  evalsRunAt: '2026-10-21T13:00:00Z',
} as const;

export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/** `2026-10-06T14:12:00.000Z` → `2026-10-06T14:12:00Z` for whole seconds; keeps ms otherwise. */
export function isoUtc(ms: number, withMillis = false): string {
  const s = new Date(ms).toISOString();
  return withMillis ? s : s.replace(/\.\d{3}Z$/, 'Z');
}

export function msOf(iso: string): number {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`bad ISO time constant ${iso}`);
  return t;
}

/**
 * `1234567.50` → `1,234,567.50`. By hand rather than with toLocaleString: ICU data differs between
 * Node builds, and the output must be byte-identical everywhere.
 */
export function groupThousands(decimal: string): string {
  const [int = '', frac] = decimal.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}
