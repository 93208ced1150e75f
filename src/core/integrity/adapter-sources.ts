/**
 * Where adapters come from in a case, for the adapter audit: the adapter files preserved in the
 * evidence (a PEFT folder with adapter_config.json and adapter_model.*, or a GGUF LoRA with
 * general.type = adapter) and the adapters the serving side names (serving-config.ts: vLLM
 * `lora-modules`, command-line flags in deployment manifests and `kubectl describe` output,
 * lora-syncer ConfigMaps), with the switches that let adapters be loaded at all.
 */
import { parseAdapterConfig, type AdapterConfig, type PickleScanReport } from '../formats/index.ts';
import { classifyFile } from '../ingest/classify.ts';
import {
  basename,
  inspectEvidence,
  posixDir,
  readEvidenceText,
  type CaseFile,
  type CaseFiles,
} from './case-files.ts';
import { reasonOf, withLabel } from './relabel.ts';
import {
  argvFlags,
  containersOf,
  describeContainers,
  loraModules,
  parseConfigDocuments,
  syncerAdapters,
  type ConfigValue,
  type NamedAdapter,
} from './serving-config.ts';
import { readServingConfig, servingConfigs } from './configuration.ts';
import { weightsFromArtifact, type TensorRef } from './tensors.ts';

export interface AdapterWeights {
  file: string;
  sha256: string;
  format: 'safetensors' | 'gguf' | 'pickle' | 'other';
  tensors: TensorRef[];
  pickle: PickleScanReport | null;
  alpha: number | null;
}

export interface FoundAdapter {
  name: string;
  /** Evidence folder holding it, or null when only named by the serving side. */
  dir: string | null;
  config: { file: string; cfg: AdapterConfig } | null;
  weights: AdapterWeights | null;
  namedBy: NamedAdapter[];
  problems: string[];
}

export interface ServingFacts {
  /** Files read for adapter names and switches. */
  examined: string[];
  named: NamedAdapter[];
  /** `enable-lora` (or `--enable-lora`) seen on, with where. */
  loraEnabled: string[];
  /** VLLM_ALLOW_RUNTIME_LORA_UPDATING=true seen, with where. */
  runtimeLoraUpdating: string[];
  unreadable: string[];
}

async function adapterWeights(f: CaseFile): Promise<AdapterWeights> {
  const a = await inspectEvidence(f);
  const w = weightsFromArtifact(f.object, f.path, a);
  if (w)
    return {
      file: f.path,
      sha256: f.sha256,
      format: w.format,
      tensors: w.tensors,
      pickle: null,
      alpha: a.kind === 'gguf' ? (a.result.adapter?.loraAlpha ?? null) : null,
    };
  const pickle = a.kind === 'pickle' || a.kind === 'torch-zip' ? a.result : null;
  return {
    file: f.path,
    sha256: f.sha256,
    format: pickle ? 'pickle' : 'other',
    tensors: [],
    pickle,
    alpha: null,
  };
}

interface Sorted {
  file: CaseFile;
  format: string;
}

async function peftFolder(dir: string, files: Sorted[]): Promise<FoundAdapter> {
  const found: FoundAdapter = {
    name: basename(dir) || '(bundle root)',
    dir,
    config: null,
    weights: null,
    namedBy: [],
    problems: [],
  };
  // The adapter config by its content (any name); its exact PEFT name first when there are several.
  const configs = files.filter((x) => x.format === 'peft-adapter-config').map((x) => x.file);
  const cfgFile =
    configs.find((f) => basename(f.path) === 'adapter_config.json') ??
    configs[0] ??
    files.find((x) => basename(x.file.path) === 'adapter_config.json')?.file;
  if (cfgFile) {
    try {
      found.config = {
        file: cfgFile.path,
        cfg: await withLabel(cfgFile.object, cfgFile.path, () => parseAdapterConfig(cfgFile.object)),
      };
    } catch (err) {
      found.problems.push(reasonOf(err));
    }
  }
  const weights = files.filter((x) => x.file !== cfgFile && !/^(json|text|empty)/.test(x.format));
  const wFile =
    weights.find((x) => basename(x.file.path) === 'adapter_model.safetensors')?.file ??
    weights.find((x) => basename(x.file.path).startsWith('adapter_model.'))?.file ??
    weights.find((x) => x.format === 'safetensors')?.file ??
    weights[0]?.file;
  if (wFile) {
    try {
      found.weights = await adapterWeights(wFile);
    } catch (err) {
      found.problems.push(reasonOf(err));
    }
  }
  return found;
}

/** Adapters preserved in the evidence: PEFT folders and GGUF LoRA files. */
export async function evidenceAdapters(cf: CaseFiles): Promise<FoundAdapter[]> {
  const byDir = new Map<string, Sorted[]>();
  const ggufAdapters: CaseFile[] = [];
  for (const f of cf.files.filter((x) => x.kind === 'adapter')) {
    // What each adapter file is, by the same reading that gave it its kind.
    const format = await withLabel(f.object, f.path, () => classifyFile(f.object, f.path))
      .then((d) => d.format)
      .catch(() => 'unreadable');
    if (format === 'gguf') {
      ggufAdapters.push(f);
      continue;
    }
    const d = posixDir(f.path);
    byDir.set(d, [...(byDir.get(d) ?? []), { file: f, format }]);
  }
  const out: FoundAdapter[] = [];
  for (const [dir, files] of [...byDir].sort(([a], [b]) => (a < b ? -1 : 1)))
    out.push(await peftFolder(dir, files));
  const ggufs = [
    ...ggufAdapters,
    ...cf.files.filter((x) => x.kind === 'weights' && x.path.toLowerCase().endsWith('.gguf')),
  ];
  for (const f of ggufs) {
    const a = await inspectEvidence(f).catch(() => null);
    if (a?.kind !== 'gguf' || a.result.adapter === null) continue;
    out.push({
      name: basename(f.path).replace(/\.gguf$/i, ''),
      dir: posixDir(f.path),
      config: null,
      weights: await adapterWeights(f),
      namedBy: [],
      problems: [],
    });
  }
  return out;
}

function noteFlags(
  facts: ServingFacts,
  flags: Map<string, ConfigValue>,
  env: Map<string, string>,
  where: string,
): void {
  if (flags.get('enable-lora') === true) facts.loraEnabled.push(where);
  if (flags.has('lora-modules'))
    facts.named.push(...loraModules(flags.get('lora-modules'), `${where} lora-modules`));
  const rt = env.get('VLLM_ALLOW_RUNTIME_LORA_UPDATING');
  if (rt !== undefined && /^(1|true|yes)$/i.test(rt.trim())) facts.runtimeLoraUpdating.push(where);
}

async function fromManifest(facts: ServingFacts, f: CaseFile): Promise<void> {
  const text = await readEvidenceText(f, 16 * 1024 * 1024);
  if (/\.(ya?ml|json)$/i.test(f.path)) {
    const docs = parseConfigDocuments(text, f.path);
    for (const c of containersOf(docs))
      noteFlags(facts, argvFlags(c.argv), c.env, `${f.path} container ${c.name}`);
    facts.named.push(...syncerAdapters(docs, f.path));
  } else if (/\.(txt|log)$/i.test(f.path) || !/\.\w+$/.test(f.path)) {
    for (const c of describeContainers(text))
      noteFlags(facts, argvFlags(c.argv), c.env, `${f.path} container ${c.name}`);
  } else return;
  facts.examined.push(f.path);
}

/** What the serving configuration and deployment manifests say about adapters. */
export async function servingFacts(cf: CaseFiles): Promise<ServingFacts> {
  const facts: ServingFacts = {
    examined: [],
    named: [],
    loraEnabled: [],
    runtimeLoraUpdating: [],
    unreadable: [],
  };
  for (const f of servingConfigs(cf)) {
    try {
      noteFlags(facts, await readServingConfig(f), new Map(), f.path);
      facts.examined.push(f.path);
    } catch (err) {
      facts.unreadable.push(reasonOf(err));
    }
  }
  for (const f of cf.files.filter((x) => x.kind === 'deployment-manifest' && !x.path.endsWith('.jsonl'))) {
    try {
      await fromManifest(facts, f);
    } catch (err) {
      facts.unreadable.push(reasonOf(err));
    }
  }
  return facts;
}

/** Join named adapters to the evidence: same name, or the named path ends in the folder's name. */
export function joinAdapters(found: FoundAdapter[], named: readonly NamedAdapter[]): FoundAdapter[] {
  const out = [...found];
  for (const nm of named) {
    const tail = nm.path ? basename(nm.path.replace(/\/+$/, '')) : null;
    const match = out.find(
      (a) => a.name === nm.name || (tail !== null && a.dir !== null && basename(a.dir) === tail),
    );
    if (match) match.namedBy.push(nm);
    else out.push({ name: nm.name, dir: null, config: null, weights: null, namedBy: [nm], problems: [] });
  }
  return out;
}
