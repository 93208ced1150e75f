/**
 * What a case says about its model's architecture, gathered once for the architecture check and
 * the adapter audit: config.json (transformers PretrainedConfig), the tensor shapes of the weights
 * in the model folder (adapters are evidence of their own kind and are left out), the tokenizer
 * (tokenizer.json, tokenizer_config.json) and any GGUF file's metadata.
 */
import {
  parseModelConfig,
  parseTokenizerConfig,
  parseTokenizerJson,
  type GgufHeader,
  type ModelConfig,
  type TokenizerConfig,
  type TokenizerJson,
} from '../formats/index.ts';
import { isJsonObject, parseJson } from '../formats/json.ts';
import { classifyFile } from '../ingest/classify.ts';
import { inspectEvidence, posixDir, readEvidenceText, type CaseFile, type CaseFiles } from './case-files.ts';
import { reasonOf, withLabel } from './relabel.ts';
import { weightsFromArtifact } from './tensors.ts';

export interface TensorShape {
  name: string;
  shape: number[];
  dtype: string;
  file: string;
}

export interface ModelFacts {
  caseId: string;
  config: { file: string; cfg: ModelConfig; headDim: number | null; nameOrPath: string | null } | null;
  /** Tensors of the safetensors weights in the model folder, by name. */
  tensors: Map<string, TensorShape>;
  weightFiles: string[];
  tokenizer: { file: string; tok: TokenizerJson } | null;
  tokenizerConfig: { file: string; tc: TokenizerConfig } | null;
  ggufs: { file: string; header: GgufHeader }[];
  /** Files that could not be read, with the reason. */
  unreadable: string[];
}

function atRoot(cf: CaseFiles, name: string): CaseFile | undefined {
  return cf.byPath.get(cf.modelRoot === '' ? name : `${cf.modelRoot}/${name}`);
}

async function headDimOf(f: CaseFile): Promise<number | null> {
  const v = parseJson(await readEvidenceText(f), f.path).value;
  if (!isJsonObject(v)) return null;
  const text = v.text_config;
  const hd = v.head_dim ?? (text !== undefined && isJsonObject(text) ? text.head_dim : undefined);
  return typeof hd === 'number' && Number.isInteger(hd) ? hd : null;
}

/**
 * The model's config: config.json in the model folder, else the one file there whose content is a
 * transformers config (model_type / architectures) under another name — kinds come from content.
 */
async function configFile(cf: CaseFiles): Promise<CaseFile | undefined> {
  const named = atRoot(cf, 'config.json');
  if (named) return named;
  const candidates: CaseFile[] = [];
  for (const f of cf.files.filter((x) => x.kind === 'model-config' && posixDir(x.path) === cf.modelRoot)) {
    const d = await classifyFile(f.object, f.path).catch(() => null);
    if (d?.format === 'hf-model-config') candidates.push(f);
  }
  return candidates.length === 1 ? candidates[0] : undefined;
}

async function loadConfig(cf: CaseFiles, unreadable: string[]): Promise<ModelFacts['config']> {
  const f = await configFile(cf);
  if (!f) return null;
  try {
    const cfg = await withLabel(f.object, f.path, () => parseModelConfig(f.object));
    return { file: f.path, cfg, headDim: await headDimOf(f), nameOrPath: cfg.nameOrPath };
  } catch (err) {
    unreadable.push(reasonOf(err, f.object, f.path));
    return null;
  }
}

async function loadWeights(cf: CaseFiles, facts: ModelFacts): Promise<void> {
  const weights = cf.files.filter((f) => f.kind === 'weights' && /\.(safetensors|gguf)$/i.test(f.path));
  for (const f of weights) {
    try {
      const w = weightsFromArtifact(f.object, f.path, await inspectEvidence(f));
      if (!w) continue;
      if (w.format === 'gguf') {
        facts.ggufs.push({ file: f.path, header: w.header });
        continue;
      }
      if (posixDir(f.path) !== cf.modelRoot) continue;
      facts.weightFiles.push(f.path);
      for (const t of w.tensors)
        facts.tensors.set(t.name, { name: t.name, shape: t.shape, dtype: t.dtype, file: f.path });
    } catch (err) {
      facts.unreadable.push(reasonOf(err));
    }
  }
}

export async function loadModelFacts(cf: CaseFiles): Promise<ModelFacts> {
  const facts: ModelFacts = {
    caseId: cf.caseId,
    config: null,
    tensors: new Map(),
    weightFiles: [],
    tokenizer: null,
    tokenizerConfig: null,
    ggufs: [],
    unreadable: [],
  };
  facts.config = await loadConfig(cf, facts.unreadable);
  await loadWeights(cf, facts);
  const tj = atRoot(cf, 'tokenizer.json');
  if (tj) {
    try {
      facts.tokenizer = {
        file: tj.path,
        tok: await withLabel(tj.object, tj.path, () => parseTokenizerJson(tj.object)),
      };
    } catch (err) {
      facts.unreadable.push(reasonOf(err));
    }
  }
  const tc = atRoot(cf, 'tokenizer_config.json');
  if (tc) {
    try {
      facts.tokenizerConfig = {
        file: tc.path,
        tc: await withLabel(tc.object, tc.path, () => parseTokenizerConfig(tc.object)),
      };
    } catch (err) {
      facts.unreadable.push(reasonOf(err));
    }
  }
  return facts;
}

/** The first tensor whose name matches, searching in a stable (sorted) order. */
export function findTensor(facts: ModelFacts, re: RegExp): TensorShape | null {
  const names = [...facts.tensors.keys()].sort();
  const name = names.find((n) => re.test(n));
  return name === undefined ? null : (facts.tensors.get(name) ?? null);
}

export const EMBEDDING_RE = /(^|\.)(embed_tokens|wte|word_embeddings|tok_embeddings|embed_in)\.weight$/;
export const LM_HEAD_RE = /(^|\.)(lm_head|embed_out)\.weight$|^output\.weight$/;
