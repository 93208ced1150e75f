/**
 * Serving configurations and deployment manifests, read for the configuration and adapter checks.
 *
 * - vLLM serve configs (`vllm serve --config FILE`): a YAML/JSON mapping whose keys are the CLI
 *   flag names without `--` (docs.vllm.ai, "Serve config file"); `no-X: true` is the negative form
 *   of `X` and is read as `X: false`; a value that is a JSON object in a string (speculative-config)
 *   is expanded. Keys are normalised (leading dashes dropped, `_` read as `-`) so that
 *   `max_model_len`, `--max-model-len` and `max-model-len` compare equal. Nested mappings are
 *   flattened to dotted keys; lists stay whole values.
 * - Command lines (Kubernetes container `command` + `args`, `kubectl describe pod` Args): vLLM
 *   flags are read the same way (`--flag value`, `--flag=value`, a bare `--flag` is true,
 *   `--lora-modules` takes every value up to the next flag).
 * - Adapters a deployment loads: `lora-modules` entries (`name=path` or a JSON object with name,
 *   path, base_model_name), the Gateway API inference extension's lora-syncer ConfigMap
 *   (`vLLMLoRAConfig.ensureExist.models[].id/source`), and the switches that allow adapters at all
 *   (`enable-lora`, env VLLM_ALLOW_RUNTIME_LORA_UPDATING).
 */
import YAML from 'yaml';
import { malformed } from '../formats/reader.ts';

export type ConfigValue = string | number | boolean | null | ConfigValue[] | { [k: string]: ConfigValue };

/** Flattened key → value. */
export type FlatConfig = Map<string, ConfigValue>;

const MAX_DOCS = 1000;

/** Parse YAML (possibly several documents) or JSON; throws `malformed` naming `label`. */
export function parseConfigDocuments(text: string, label: string): ConfigValue[] {
  const trimmed = text.replace(/^\ufeff/, '').trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return [JSON.parse(trimmed) as ConfigValue];
    } catch {
      // YAML is a superset of JSON: fall through for a better error message.
    }
  }
  const docs = YAML.parseAllDocuments(text, { uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length > MAX_DOCS) throw malformed(label, `more than ${MAX_DOCS} YAML documents`);
  const out: ConfigValue[] = [];
  for (const d of list) {
    const err = d.errors[0];
    if (err) throw malformed(label, `YAML: ${err.message.split('\n')[0] ?? 'parse error'}`);
    out.push(d.toJS({ maxAliasCount: 100 }) as ConfigValue);
  }
  return out.filter((d) => d !== null && d !== undefined);
}

export function isMapping(v: ConfigValue | undefined): v is { [k: string]: ConfigValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `--max_model_len` → `max-model-len`. */
export function normalizeKey(key: string): string {
  return key.replace(/^-+/, '').replace(/_/g, '-').trim().toLowerCase();
}

function expandJsonString(v: ConfigValue): ConfigValue {
  if (typeof v !== 'string' || !/^\s*\{/.test(v)) return v;
  try {
    const parsed = JSON.parse(v) as ConfigValue;
    return isMapping(parsed) ? parsed : v;
  } catch {
    return v;
  }
}

function flattenInto(out: FlatConfig, prefix: string, v: ConfigValue, top: boolean): void {
  const value = expandJsonString(v);
  if (isMapping(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0 && prefix) out.set(prefix, {});
    for (const [k, child] of entries) {
      let key = top ? normalizeKey(k) : k;
      let val = child;
      if (top && key.startsWith('no-') && child === true) {
        key = key.slice(3);
        val = false;
      }
      flattenInto(out, prefix ? `${prefix}.${key}` : key, val, false);
    }
    return;
  }
  out.set(prefix, value);
}

/** Flatten one mapping (top-level keys normalised as vLLM flags). */
export function flattenConfig(doc: ConfigValue): FlatConfig {
  const out: FlatConfig = new Map();
  if (isMapping(doc)) flattenInto(out, '', doc, true);
  return out;
}

/** `"4096"` → 4096, `"true"` → true: a command line carries strings, a YAML file typed values. */
function typedArg(s: string): ConfigValue {
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  if (s === 'true' || s === 'True') return true;
  if (s === 'false' || s === 'False') return false;
  return s;
}

const MULTI_VALUE = new Set(['lora-modules', 'prompt-adapters', 'middleware', 'allowed-origins']);

/** vLLM flags from a command line. The `serve MODEL` positional becomes `model`. */
export function argvFlags(argv: readonly string[]): FlatConfig {
  const out: FlatConfig = new Map();
  const serveAt = argv.indexOf('serve');
  const afterServe = serveAt >= 0 ? argv[serveAt + 1] : undefined;
  if (afterServe !== undefined && !afterServe.startsWith('-')) out.set('model', afterServe);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    let key = normalizeKey(eq > 0 ? a.slice(0, eq) : a);
    if (eq > 0) {
      out.set(key, typedArg(a.slice(eq + 1)));
      continue;
    }
    const values: string[] = [];
    while (i + 1 < argv.length && !(argv[i + 1] ?? '').startsWith('--')) {
      values.push(argv[i + 1] ?? '');
      i++;
      if (!MULTI_VALUE.has(key)) break;
    }
    let val: ConfigValue =
      values.length === 0 ? true : MULTI_VALUE.has(key) ? values : typedArg(values[0] ?? '');
    if (key.startsWith('no-') && values.length === 0) {
      key = key.slice(3);
      val = false;
    }
    out.set(key, val);
  }
  return out;
}

export interface ContainerSpec {
  name: string;
  argv: string[];
  env: Map<string, string>;
}

/** Every container (and init container) of every Kubernetes object in the documents. */
export function containersOf(docs: readonly ConfigValue[]): ContainerSpec[] {
  const out: ContainerSpec[] = [];
  const visit = (v: ConfigValue, depth: number): void => {
    if (depth > 64) return;
    if (Array.isArray(v)) {
      for (const x of v) visit(x, depth + 1);
      return;
    }
    if (!isMapping(v)) return;
    for (const key of ['containers', 'initContainers']) {
      const list = v[key];
      if (Array.isArray(list)) for (const c of list) if (isMapping(c)) out.push(containerSpec(c));
    }
    for (const [k, child] of Object.entries(v))
      if (k !== 'containers' && k !== 'initContainers') visit(child, depth + 1);
  };
  for (const d of docs) visit(d, 0);
  return out;
}

function strings(v: ConfigValue | undefined): string[] {
  return Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : [];
}

function containerSpec(c: { [k: string]: ConfigValue }): ContainerSpec {
  const env = new Map<string, string>();
  for (const e of Array.isArray(c.env) ? c.env : [])
    if (isMapping(e) && typeof e.name === 'string')
      env.set(e.name, typeof e.value === 'string' ? e.value : JSON.stringify(e.value ?? null));
  return {
    name: typeof c.name === 'string' ? c.name : '(unnamed)',
    argv: [...strings(c.command), ...strings(c.args)].flatMap((s) => shellWords(s)),
    env,
  };
}

/** Split `"--a b"` items the way a YAML author who wrote one string per line means them. */
function shellWords(s: string): string[] {
  return /\s/.test(s.trim()) && s.trim().startsWith('--') ? s.trim().split(/\s+/) : [s];
}

/** `kubectl describe pod` text: the Command/Args lines and the Environment block of each container. */
export function describeContainers(text: string): ContainerSpec[] {
  const out: ContainerSpec[] = [];
  const lines = text.split(/\r?\n/);
  let cur: ContainerSpec | null = null;
  let mode: 'argv' | 'env' | null = null;
  let modeIndent = 0;
  let lastName = 'container';
  const container = (): ContainerSpec => {
    if (!cur) {
      cur = { name: lastName, argv: [], env: new Map() };
      out.push(cur);
    }
    return cur;
  };
  for (const line of lines) {
    const indent = line.length - line.trimStart().length;
    const t = line.trim();
    if (mode && (indent <= modeIndent || t === '')) mode = null;
    const bare = /^([a-z0-9][a-z0-9.-]*):$/.exec(t);
    if (bare && bare[1] !== undefined && !mode) {
      lastName = bare[1];
      cur = null;
      continue;
    }
    if (/^(Command|Args):$/.test(t) || t === 'Environment:') {
      container();
      [mode, modeIndent] = [t === 'Environment:' ? 'env' : 'argv', indent];
      continue;
    }
    if (mode === 'argv') container().argv.push(...t.split(/\s+/));
    else if (mode === 'env') {
      const m = /^([A-Za-z_][A-Za-z0-9_]*):\s*(.*)$/.exec(t);
      if (m && m[1] !== undefined) container().env.set(m[1], m[2] ?? '');
    }
  }
  return out;
}

export interface NamedAdapter {
  name: string;
  path: string | null;
  baseModel: string | null;
  /** Where the adapter is named: the file and the key or flag. */
  source: string;
}

/** Adapters named by a `lora-modules` value (a list of `name=path` or JSON strings, or one string). */
export function loraModules(value: ConfigValue | undefined, source: string): NamedAdapter[] {
  const items: ConfigValue[] = Array.isArray(value)
    ? value
    : typeof value === 'string'
      ? value.split(/\s+/)
      : [];
  const out: NamedAdapter[] = [];
  for (const it of items) {
    const v = expandJsonString(it);
    if (isMapping(v) && typeof v.name === 'string')
      out.push({
        name: v.name,
        path: typeof v.path === 'string' ? v.path : null,
        baseModel: typeof v.base_model_name === 'string' ? v.base_model_name : null,
        source,
      });
    else if (typeof v === 'string' && v.includes('=')) {
      const [name = '', path = ''] = v.split('=', 2);
      out.push({ name, path, baseModel: null, source });
    } else if (typeof v === 'string' && v) out.push({ name: v, path: null, baseModel: null, source });
  }
  return out;
}

/** Adapters a Gateway API inference extension lora-syncer ConfigMap asks vLLM to load. */
export function syncerAdapters(docs: readonly ConfigValue[], label: string): NamedAdapter[] {
  const out: NamedAdapter[] = [];
  for (const d of docs) {
    if (!isMapping(d) || d.kind !== 'ConfigMap' || !isMapping(d.data)) continue;
    for (const [k, text] of Object.entries(d.data)) {
      if (typeof text !== 'string' || !text.includes('vLLMLoRAConfig')) continue;
      let inner: ConfigValue[];
      try {
        inner = parseConfigDocuments(text, `${label}#${k}`);
      } catch {
        continue;
      }
      for (const doc of inner) {
        const cfg = isMapping(doc) && isMapping(doc.vLLMLoRAConfig) ? doc.vLLMLoRAConfig : null;
        const base = typeof cfg?.defaultBaseModel === 'string' ? cfg.defaultBaseModel : null;
        const models = isMapping(cfg?.ensureExist) ? cfg.ensureExist.models : undefined;
        for (const m of Array.isArray(models) ? models : [])
          if (isMapping(m) && typeof m.id === 'string')
            out.push({
              name: m.id,
              path: typeof m.source === 'string' ? m.source : null,
              baseModel: typeof m.base_model === 'string' ? m.base_model : base,
              source: `${label} ConfigMap ${k} (lora-syncer ensureExist)`,
            });
      }
    }
  }
  return out;
}

export interface ConfigChange {
  key: string;
  change: 'added' | 'removed' | 'changed';
  approved: ConfigValue | null;
  deployed: ConfigValue | null;
}

function same(a: ConfigValue | undefined, b: ConfigValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Key-by-key differences, in the deployed file's key order, then removed keys. */
export function diffConfigs(approved: FlatConfig, deployed: FlatConfig): ConfigChange[] {
  const out: ConfigChange[] = [];
  for (const [key, v] of deployed) {
    if (!approved.has(key)) out.push({ key, change: 'added', approved: null, deployed: v });
    else if (!same(approved.get(key), v))
      out.push({ key, change: 'changed', approved: approved.get(key) ?? null, deployed: v });
  }
  for (const [key, v] of approved)
    if (!deployed.has(key)) out.push({ key, change: 'removed', approved: v, deployed: null });
  return out;
}

/** Kubernetes bookkeeping that changes on every apply and says nothing about configuration. */
const VOLATILE =
  /^(status|metadata\.(resourceVersion|uid|creationTimestamp|generation|managedFields|selfLink))(\.|$)/;

export function withoutVolatile(flat: FlatConfig): FlatConfig {
  return new Map([...flat].filter(([k]) => !VOLATILE.test(k)));
}

export function formatValue(v: ConfigValue | null): string {
  if (v === null) return '(absent)';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
