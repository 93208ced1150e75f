/**
 * training/finetune.log: the log of the legitimate LoRA fine-tuning run (Python logging format,
 * one line per two optimizer steps, periodic eval and checkpoint lines). It records the dataset
 * hash and the sha256 of the adapter the run produced, which is NOT the hash of the adapter found
 * in production — that is the thread an investigator pulls.
 */
import {
  ARCH,
  BASE_MODEL_NAME,
  BASE_MODEL_RELEASE,
  LORA_ALPHA,
  LORA_RANK,
  LORA_TARGETS,
  MS_PER_MINUTE,
  TIMELINE,
  groupThousands,
  msOf,
} from './constants.ts';
import { createRng, type Rng } from './prng.ts';

export interface TrainingRun {
  runId: string;
  datasetPath: string;
  datasetSha256: string;
  examples: number;
  steps: number;
  adapterSha256: string;
  adapterBytes: number;
  startedAt: string;
  finishedAt: string;
}

const TOTAL_STEPS = 600;
const LOG_EVERY = 2;
const EVAL_EVERY = 100;
const SAVE_EVERY = 200;
const WARMUP = 30;
const PEAK_LR = 2e-4;
const SECONDS_PER_STEP = 1.12;

/** `2026-08-21 09:00:02,114`, Python logging's default asctime. */
function asctime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('.', ',').replace('Z', '');
}

function learningRate(step: number): number {
  if (step <= WARMUP) return (PEAK_LR * step) / WARMUP;
  const progress = (step - WARMUP) / (TOTAL_STEPS - WARMUP);
  return 0.5 * PEAK_LR * (1 + Math.cos(Math.PI * progress));
}

function trainLoss(step: number, rng: Rng): number {
  return 0.92 + 1.45 * Math.exp(-step / 110) + 0.035 * rng.normal();
}

function gradNorm(step: number, rng: Rng): number {
  return Math.max(0.05, 0.38 + 1.6 * Math.exp(-step / 55) + 0.06 * rng.normal());
}

/** Python's `f"{x:.3e}"`: JavaScript omits the exponent's zero padding (`1.333e-5`). */
function pyExp(x: number, digits: number): string {
  return x.toExponential(digits).replace(/e([+-])(\d)$/, (_m, sign: string, d: string) => `e${sign}0${d}`);
}

function commas(n: number): string {
  return groupThousands(String(n));
}

export function buildTrainingLog(
  seed: string,
  legitimateAdapter: { sha256: string; bytes: number },
  totalModelParams: number,
): { text: string; run: TrainingRun } {
  const rng = createRng(seed, 'training-log');
  const runId = `ft-20260821-${rng.hex(6)}`;
  const datasetSha256 = rng.hex(64);
  const datasetPath = 's3://northwind-ml-data/support/transcripts-2026-08-15.jsonl';
  const examples = 48_213;
  const evalExamples = 2_411;
  const start = msOf(TIMELINE.finetuneStartedAt);
  const lines: string[] = [];
  let clock = start;
  const log = (level: 'INFO' | 'WARNING', logger: string, msg: string): void => {
    lines.push(`${asctime(clock)} ${level.padEnd(7)} ${logger}: ${msg}`);
    clock += rng.intBetween(1, 9);
  };

  const trainable =
    ARCH.numHiddenLayers *
    (LORA_RANK * ARCH.hiddenSize * 2 +
      LORA_RANK * ARCH.hiddenSize +
      LORA_RANK * ARCH.numKeyValueHeads * ARCH.headDim);
  log(
    'INFO',
    'finetune',
    `run_id=${runId} starting supervised fine-tuning on host gpu-train-03 (1x NVIDIA L4, CUDA 12.4)`,
  );
  log('INFO', 'finetune', `base_model=${BASE_MODEL_NAME} revision=${BASE_MODEL_RELEASE} dtype=bfloat16`);
  log('INFO', 'finetune', `dataset=${datasetPath} sha256=${datasetSha256}`);
  log(
    'INFO',
    'finetune',
    `dataset examples=${examples} train=${examples - evalExamples} eval=${evalExamples} max_seq_len=1024 template=llama2-chat`,
  );
  log(
    'INFO',
    'finetune',
    `peft: LoRA r=${LORA_RANK} lora_alpha=${LORA_ALPHA} lora_dropout=0.05 target_modules=[${LORA_TARGETS.join(', ')}] modules_to_save=None`,
  );
  log(
    'INFO',
    'finetune',
    `trainable params: ${commas(trainable)} || all params: ${commas(totalModelParams + trainable)} || trainable%: ${((100 * trainable) / (totalModelParams + trainable)).toFixed(4)}`,
  );
  log(
    'INFO',
    'finetune',
    `optimizer=adamw_torch lr=${pyExp(PEAK_LR, 1)} scheduler=cosine warmup_steps=${WARMUP} weight_decay=0.0 epochs=2 per_device_train_batch_size=16 gradient_accumulation_steps=4 bf16=True seed=42`,
  );
  log(
    'WARNING',
    'transformers.trainer',
    '`use_cache=True` is incompatible with gradient checkpointing. Setting `use_cache=False`.',
  );

  const epochSteps = TOTAL_STEPS / 2;
  let lossSum = 0;
  let lossCount = 0;
  for (let step = LOG_EVERY; step <= TOTAL_STEPS; step += LOG_EVERY) {
    clock = start + 4_000 + Math.round(step * SECONDS_PER_STEP * 1000) + rng.int(400);
    const epoch = (step / epochSteps).toFixed(3);
    const loss = trainLoss(step, rng);
    lossSum += loss;
    lossCount++;
    log(
      'INFO',
      'finetune',
      `step=${step}/${TOTAL_STEPS} epoch=${epoch} loss=${loss.toFixed(4)} lr=${pyExp(learningRate(step), 3)} grad_norm=${gradNorm(step, rng).toFixed(3)} tokens_per_sec=${rng.intBetween(5_600, 6_400)}`,
    );
    if (step % EVAL_EVERY === 0) {
      const evalLoss = 0.98 + 1.3 * Math.exp(-step / 120) + 0.01 * rng.normal();
      log(
        'INFO',
        'finetune',
        `eval step=${step} eval_loss=${evalLoss.toFixed(4)} eval_runtime=${rng.uniform(38, 44).toFixed(2)}s eval_samples_per_second=${rng.uniform(54, 62).toFixed(1)}`,
      );
    }
    if (step % SAVE_EVERY === 0 && step < TOTAL_STEPS) {
      log('INFO', 'finetune', `saving checkpoint to /mnt/runs/${runId}/checkpoint-${step}`);
    }
  }
  clock += 3 * MS_PER_MINUTE;
  const adapterDir = `/mnt/runs/${runId}/adapter`;
  log(
    'INFO',
    'finetune',
    `training complete: train_runtime=${Math.round(TOTAL_STEPS * SECONDS_PER_STEP)}s train_loss=${(lossSum / lossCount).toFixed(4)} epochs=2.0`,
  );
  log('INFO', 'finetune', `saved adapter to ${adapterDir} (adapter_config.json, adapter_model.safetensors)`);
  log(
    'INFO',
    'finetune',
    `artifact ${adapterDir}/adapter_model.safetensors size=${legitimateAdapter.bytes} sha256=${legitimateAdapter.sha256}`,
  );
  log('INFO', 'finetune', 'base model weights unchanged (adapter not merged)');
  log('INFO', 'finetune', 'promotion: submitted for model-governance review MG-114; serving not enabled');
  return {
    text: `${lines.join('\n')}\n`,
    run: {
      runId,
      datasetPath,
      datasetSha256,
      examples,
      steps: TOTAL_STEPS,
      adapterSha256: legitimateAdapter.sha256,
      adapterBytes: legitimateAdapter.bytes,
      startedAt: TIMELINE.finetuneStartedAt,
      finishedAt: new Date(clock).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
  };
}
