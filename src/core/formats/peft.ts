/**
 * PEFT adapter_config.json (huggingface/peft, `PeftConfig` / `LoraConfig` in
 * src/peft/tuners/lora/config.py), the file that says which base model an adapter modifies and
 * which of its modules it touches.
 *
 * `target_modules` has three forms in LoraConfig: a list of module-name suffixes, a single string
 * that is matched as a full regular expression against every module name, or the special string
 * "all-linear" (every linear layer except the output head). `rank_pattern` / `alpha_pattern` map
 * module-name regexes to per-module r / alpha overriding `r` / `lora_alpha`.
 *
 * Also recognised: MLX-LM LoRA configs that share the file name (`lora_parameters` with rank,
 * alpha, scale; `model` the base) — reported with `dialect: 'mlx-lm'` — since a file called
 * adapter_config.json that is not PEFT's is itself a finding.
 */
import { readJsonFile, isJsonObject, jsonTypeName, type JsonValue } from './json.ts';
import { malformed, ProblemList } from './reader.ts';
import { Fields, isLocalPath } from './jsonfields.ts';

export type TargetModules =
  | { kind: 'list'; modules: string[] }
  | { kind: 'regex'; pattern: string }
  | { kind: 'all-linear' }
  /** Absent or null: PEFT falls back to its per-architecture default. */
  | { kind: 'default' };

export interface AdapterConfig {
  format: 'adapter-config';
  dialect: 'peft' | 'mlx-lm' | 'unknown';
  peftType: string | null;
  taskType: string | null;
  r: number | null;
  loraAlpha: number | null;
  loraDropout: number | null;
  targetModules: TargetModules;
  excludeModules: TargetModules | null;
  modulesToSave: string[] | null;
  rankPattern: Record<string, number> | null;
  alphaPattern: Record<string, number> | null;
  baseModelNameOrPath: string | null;
  /** True when the base model reference is a filesystem path, not a Hub id. */
  baseModelIsLocalPath: boolean;
  revision: string | null;
  useDora: boolean | null;
  useRslora: boolean | null;
  trainableTokenIndices: JsonValue | null;
  layersToTransform: number | number[] | null;
  layersPattern: string | string[] | null;
  inferenceMode: boolean | null;
  peftVersion: string | null;
  /** auto_mapping (base model class + library), as written. */
  autoMapping: JsonValue | null;
  /** Every key not listed above, as written. */
  other: Record<string, JsonValue>;
  problems: string[];
}

const MAX_BYTES = 16 * 1024 * 1024;

function targets(f: Fields, key: string): TargetModules | null {
  const v = f.any(key);
  if (v === undefined || v === null) return null;
  if (typeof v === 'string')
    return v === 'all-linear' ? { kind: 'all-linear' } : { kind: 'regex', pattern: v };
  if (Array.isArray(v) && v.every((x) => typeof x === 'string'))
    return { kind: 'list', modules: v as string[] };
  f.problems.add(`${key} is ${jsonTypeName(v)}, expected a list of names, a regex string or "all-linear"`);
  return null;
}

export async function parseAdapterConfig(file: string): Promise<AdapterConfig> {
  const json = await readJsonFile(file, MAX_BYTES);
  if (!isJsonObject(json.value))
    throw malformed(file, `adapter config is ${jsonTypeName(json.value)}, not a JSON object`);
  const problems = new ProblemList();
  for (const p of json.problems) problems.add(p);
  const f = new Fields(json.value, problems);

  let dialect: AdapterConfig['dialect'] = 'unknown';
  const peftType = f.str('peft_type');
  if (peftType !== null) dialect = 'peft';
  else if (f.has('lora_parameters')) dialect = 'mlx-lm';

  let r = f.int('r');
  let loraAlpha = f.num('lora_alpha');
  let loraDropout = f.num('lora_dropout');
  let baseModelNameOrPath = f.str('base_model_name_or_path');
  if (dialect === 'mlx-lm') {
    problems.add('not a PEFT config: an MLX-LM LoRA training config (no peft_type)');
    const lp = f.obj('lora_parameters');
    if (lp) {
      const g = new Fields(lp, problems, 'lora_parameters.');
      r = g.int('rank');
      loraAlpha = g.num('alpha');
      loraDropout = g.num('dropout');
    }
    baseModelNameOrPath ??= f.str('model');
  } else if (dialect === 'unknown') {
    problems.add('no peft_type: not a PEFT adapter config');
  }
  if (r !== null && r <= 0) problems.add(`r is ${r}; the rank must be positive`);
  const targetModules = targets(f, 'target_modules') ?? { kind: 'default' };
  if (targetModules.kind === 'regex') {
    try {
      new RegExp(targetModules.pattern);
    } catch {
      problems.add(`target_modules regex ${JSON.stringify(targetModules.pattern)} does not compile`);
    }
  }
  const layersPatternRaw = f.any('layers_pattern');
  let layersPattern: string | string[] | null = null;
  if (typeof layersPatternRaw === 'string') layersPattern = layersPatternRaw;
  else if (Array.isArray(layersPatternRaw) && layersPatternRaw.every((x) => typeof x === 'string'))
    layersPattern = layersPatternRaw as string[];
  else if (layersPatternRaw !== undefined && layersPatternRaw !== null)
    problems.add(`layers_pattern is ${jsonTypeName(layersPatternRaw)}`);
  const tti = f.any('trainable_token_indices');
  const autoMapping = f.any('auto_mapping');

  const config: AdapterConfig = {
    format: 'adapter-config',
    dialect,
    peftType,
    taskType: f.str('task_type'),
    r,
    loraAlpha,
    loraDropout,
    targetModules,
    excludeModules: targets(f, 'exclude_modules'),
    modulesToSave: f.strList('modules_to_save'),
    rankPattern: f.numMap('rank_pattern'),
    alphaPattern: f.numMap('alpha_pattern'),
    baseModelNameOrPath,
    baseModelIsLocalPath: baseModelNameOrPath !== null && isLocalPath(baseModelNameOrPath),
    revision: f.str('revision'),
    useDora: f.bool('use_dora'),
    useRslora: f.bool('use_rslora'),
    trainableTokenIndices: tti === undefined ? null : tti,
    layersToTransform: f.intOrIntList('layers_to_transform'),
    layersPattern,
    inferenceMode: f.bool('inference_mode'),
    peftVersion: f.str('peft_version'),
    autoMapping: autoMapping === undefined ? null : autoMapping,
    other: {},
    problems: [],
  };
  if (dialect === 'mlx-lm') f.used.add('model');
  config.other = f.rest();
  if (config.baseModelIsLocalPath)
    problems.add(
      `base_model_name_or_path ${JSON.stringify(baseModelNameOrPath)} is a local path: the base model cannot be verified from the Hub`,
    );
  if (isJsonObject(autoMapping ?? null)) {
    const known = new Set(['base_model_class', 'parent_library']);
    for (const k of Object.keys(autoMapping as object))
      if (!known.has(k)) problems.add(`auto_mapping has non-standard key ${JSON.stringify(k)}`);
  }
  config.problems = problems.toArray();
  return config;
}
