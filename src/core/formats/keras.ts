/**
 * Keras models: the `.keras` zip (Keras 3 saving_lib: `config.json`, `metadata.json`,
 * `model.weights.h5`) and the legacy `.h5` (HDF5 file whose root attributes `model_config` and
 * `keras_version` hold the same JSON; read by hdf5.ts).
 *
 * What runs code when such a model is loaded is in the config: a `Lambda` layer carries a Python
 * function (marshalled bytecode in base64, or a module/function name), `TFOpLambda` and custom
 * objects are imported by `module` + `class_name`/`registered_name` and instantiated. Every
 * `module` outside Keras/TensorFlow's own packages is a custom object (`suspicious`), a module in
 * the danger table is `dangerous`, and a Lambda is `dangerous` (it is code, by design).
 */
import { parseJson, isJsonObject, type JsonValue } from './json.ts';
import { dangerOf } from './danger.ts';
import { FindingList, type ScanFinding } from './verdict.ts';
import { malformed, q, type ByteSource } from './reader.ts';
import { readZipDirectory, entryDataOffset, inflateEntry, type ZipEntry } from '../io/archive/zip.ts';
import { decodeUtf8Strict } from './text.ts';

export interface KerasResult {
  format: 'keras' | 'keras-h5';
  kerasVersion: string | null;
  modelClass: string | null;
  layerCount: number;
  /** Layer class names with counts. */
  layerClasses: Record<string, number>;
  /** `module.class` of objects outside keras/tensorflow. */
  customObjects: string[];
  findings: ScanFinding[];
  problems: string[];
}

const KERAS_MODULES = /^(keras|tf_keras|tensorflow|tf|keras_nlp|keras_hub|keras_cv|numpy|builtins)(\.|$)/;
const MAX_NODES = 2_000_000;

/** Walk a Keras config (any nesting) and add findings for code-carrying layers and custom objects. */
export function auditKerasConfig(
  config: JsonValue,
  findings: FindingList,
  where: string,
): Omit<KerasResult, 'format' | 'kerasVersion' | 'findings' | 'problems'> {
  const layerClasses: Record<string, number> = {};
  const custom = new Set<string>();
  let layerCount = 0;
  let nodes = 0;
  const modelClass = isJsonObject(config) && typeof config.class_name === 'string' ? config.class_name : null;
  const stack: { v: JsonValue; path: string }[] = [{ v: config, path: '' }];
  while (stack.length > 0) {
    const { v, path } = stack.pop() as { v: JsonValue; path: string };
    if (++nodes > MAX_NODES) {
      findings.add('not-analysed', `config has more than ${MAX_NODES} nodes; the rest was not read`, where);
      break;
    }
    if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push({ v: x, path: `${path}[${i}]` }));
      continue;
    }
    if (!isJsonObject(v)) continue;
    const cls = typeof v.class_name === 'string' ? v.class_name : null;
    const mod = typeof v.module === 'string' ? v.module : null;
    const reg = typeof v.registered_name === 'string' ? v.registered_name : null;
    const at = `${where} ${path || '(root)'}`;
    if (cls && isJsonObject(v.config)) {
      if ('name' in v.config || 'trainable' in v.config) {
        layerCount++;
        layerClasses[cls] = (layerClasses[cls] ?? 0) + 1;
      }
      if (cls === 'Lambda' || cls === 'TFOpLambda' || cls === 'SlicingOpLambda') {
        const fn = v.config.function;
        const desc =
          isJsonObject(fn) && isJsonObject(fn.config) && typeof fn.config.code === 'string'
            ? 'marshalled Python bytecode'
            : Array.isArray(fn)
              ? 'marshalled Python bytecode'
              : typeof fn === 'string'
                ? `function ${q(fn, 80)}`
                : isJsonObject(fn) && typeof fn.class_name === 'string'
                  ? `function ${q(String(fn.class_name), 80)}${typeof fn.module === 'string' ? ` from ${q(fn.module, 80)}` : ''}`
                  : 'a function';
        if (cls === 'Lambda')
          findings.add(
            'dangerous',
            `Lambda layer ${q(String(v.config.name ?? '?'), 60)} runs ${desc} when the model is loaded or called`,
            at,
            'code-exec',
          );
        else
          findings.add(
            'suspicious',
            `${cls} layer calls TensorFlow function ${q(String(v.config.function ?? '?'), 80)}`,
            at,
          );
      }
    }
    if (mod !== null) {
      const name = reg ?? cls ?? '?';
      const full = `${mod}.${name}`;
      const hit = dangerOf(full) ?? dangerOf(mod);
      if (hit) findings.add('dangerous', `${full}: ${hit.key}: ${hit.entry.why}`, at, hit.entry.capability);
      else if (!KERAS_MODULES.test(mod)) {
        if (custom.size < 1000) custom.add(full);
        findings.add(
          'suspicious',
          `custom object ${full}: its module is imported and its code runs at load time`,
          at,
        );
      }
    } else if (reg !== null && /[>.]/.test(reg) && !/^(keras|Custom>)/.test(reg)) {
      findings.add('suspicious', `registered object ${q(reg, 80)} is not a Keras class`, at);
    }
    for (const [k, x] of Object.entries(v)) stack.push({ v: x, path: `${path}.${k}` });
  }
  return { modelClass, layerCount, layerClasses, customObjects: [...custom] };
}

const CONFIG_MAX = 64 * 1024 * 1024;

async function memberText(src: ByteSource, e: ZipEntry): Promise<string> {
  const start = await entryDataOffset(src, e, []);
  let data: Buffer;
  if (e.method === 8) data = await inflateEntry(src, e, start, CONFIG_MAX);
  else if (e.method === 0) {
    if (e.compressedSize > CONFIG_MAX)
      throw malformed(src.name, `${e.name} is larger than ${CONFIG_MAX} bytes`);
    data = await src.read(start, e.compressedSize);
  } else throw malformed(src.name, `${e.name} uses compression method ${e.method}`);
  return decodeUtf8Strict(src.name, data, e.name);
}

/** Does this zip directory look like a Keras 3 `.keras` archive? */
export function zipIsKeras(entries: readonly ZipEntry[]): boolean {
  const names = new Set(entries.map((e) => e.name));
  return (
    names.has('config.json') &&
    (names.has('metadata.json') || names.has('model.weights.h5') || names.has('model.weights.npz'))
  );
}

export async function scanKerasZip(src: ByteSource): Promise<KerasResult> {
  const dir = await readZipDirectory(src);
  const findings = new FindingList();
  const problems = [...dir.problems];
  const cfgEntry = dir.entries.find((e) => e.name === 'config.json');
  if (!cfgEntry) throw malformed(src.name, 'not a .keras archive: no config.json');
  let kerasVersion: string | null = null;
  const meta = dir.entries.find((e) => e.name === 'metadata.json');
  if (meta) {
    try {
      const m = parseJson(await memberText(src, meta), `${src.name}:metadata.json`).value;
      if (isJsonObject(m) && typeof m.keras_version === 'string') kerasVersion = m.keras_version;
    } catch (err) {
      problems.push(`metadata.json: ${(err as Error).message}`);
    }
  }
  const text = await memberText(src, cfgEntry);
  const config = parseJson(text, `${src.name}:config.json`).value;
  const audit = auditKerasConfig(config, findings, 'config.json');
  for (const e of dir.entries) {
    if (
      e.name.endsWith('/') ||
      ['config.json', 'metadata.json', 'model.weights.h5', 'model.weights.npz'].includes(e.name)
    )
      continue;
    findings.add('suspicious', `member ${q(e.name)} is not part of the .keras layout`, null);
  }
  return { format: 'keras', kerasVersion, ...audit, findings: findings.toArray(), problems };
}

/** Audit a legacy .h5's `model_config` JSON (read from the HDF5 root attributes). */
export function auditKerasH5(
  modelConfig: string | null,
  kerasVersion: string | null,
  findings: FindingList,
): Omit<KerasResult, 'findings' | 'problems'> {
  if (modelConfig === null)
    return {
      format: 'keras-h5',
      kerasVersion,
      modelClass: null,
      layerCount: 0,
      layerClasses: {},
      customObjects: [],
    };
  const config = parseJson(modelConfig, 'model_config').value;
  return { format: 'keras-h5', kerasVersion, ...auditKerasConfig(config, findings, 'model_config') };
}
