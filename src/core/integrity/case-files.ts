/**
 * The evidence of a case as the integrity checks see it: each file's bundle path, kind, SHA-256
 * (the custody digest recorded at ingest) and the content-addressed object that holds its bytes.
 *
 * Paths are compared "within the model folder": a known-good reference may keep config.json at the
 * bundle root while the incident bundle keeps it under model/. The model folder (`modelRoot`) is
 * the folder of the config.json that sits beside weights, else the folder of a safetensors index,
 * else that of the largest weights file; `rel()` strips it, and leaves paths outside it (an
 * adapters/ folder, serving/) as they are, which is also how provenance records name adapters.
 */
import path from 'node:path';
import type { EvidenceItem, EvidenceKind } from '../../shared/domain';
import { inspectArtifact, type Artifact } from '../formats/index.ts';
import { readFileBounded } from '../formats/text.ts';
import { listEvidence } from '../store/queries.ts';
import type { CaseStore } from '../store/workstation.ts';
import { withLabel } from './relabel.ts';

export interface CaseFile {
  id: number;
  /** Path inside the bundle, POSIX separators. */
  path: string;
  kind: EvidenceKind;
  sha256: string;
  size: number;
  /** Absolute path of the stored object (read-only, content-addressed). */
  object: string;
}

export interface CaseFiles {
  caseId: string;
  files: CaseFile[];
  byPath: Map<string, CaseFile>;
  /** The model folder inside the bundle ('' for the bundle root). */
  modelRoot: string;
}

export function posixDir(p: string): string {
  const d = path.posix.dirname(p);
  return d === '.' ? '' : d;
}

/** `p` relative to the model folder when it lies inside it; otherwise `p` unchanged. */
export function relToRoot(root: string, p: string): string {
  if (root === '') return p;
  if (p === root) return '';
  return p.startsWith(`${root}/`) ? p.slice(root.length + 1) : p;
}

export function rel(cf: CaseFiles, p: string): string {
  return relToRoot(cf.modelRoot, p);
}

/**
 * One entry per path: the first occurrence of a name, from the latest ingest that stored it.
 * Links are recorded but never followed, so they have no bytes to check and are left out.
 */
function latestByPath(items: readonly EvidenceItem[]): EvidenceItem[] {
  const map = new Map<string, EvidenceItem>();
  for (const e of items) {
    if (e.kind === 'link' || e.sha256 === null || e.occurrence !== 1) continue;
    const prev = map.get(e.path);
    if (!prev || e.id > prev.id) map.set(e.path, e);
  }
  return [...map.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function isWeightsPath(p: string): boolean {
  const l = p.toLowerCase();
  return l.endsWith('.safetensors') || l.endsWith('.gguf');
}

export function findModelRoot(files: readonly CaseFile[]): string {
  const weights = files.filter((f) => f.kind === 'weights' && isWeightsPath(f.path));
  const weightDirs = new Set(weights.map((f) => posixDir(f.path)));
  const configs = files
    .filter((f) => path.posix.basename(f.path) === 'config.json' && f.kind === 'model-config')
    .map((f) => posixDir(f.path))
    .sort((a, b) => a.length - b.length);
  const withWeights = configs.find((d) => weightDirs.has(d));
  if (withWeights !== undefined) return withWeights;
  const index = files.find((f) => f.path.toLowerCase().endsWith('.safetensors.index.json'));
  if (index) return posixDir(index.path);
  const largest = [...weights].sort((a, b) => b.size - a.size)[0];
  if (largest) return posixDir(largest.path);
  return configs[0] ?? '';
}

export function loadCaseFiles(store: CaseStore): CaseFiles {
  const files: CaseFile[] = latestByPath(listEvidence(store)).map((e) => ({
    id: e.id,
    path: e.path,
    kind: e.kind,
    sha256: e.sha256 as string,
    size: e.size,
    object: store.objectPath(e.sha256 as string),
  }));
  return {
    caseId: store.id,
    files,
    byPath: new Map(files.map((f) => [f.path, f])),
    modelRoot: findModelRoot(files),
  };
}

/** Parse one evidence file with the format parsers, dispatching on its bundle name. */
export function inspectEvidence(f: CaseFile): Promise<Artifact> {
  return withLabel(f.object, f.path, () => inspectArtifact(f.object, f.path));
}

/** The text of a small evidence file (strict UTF-8, at most `maxBytes`). */
export async function readEvidenceText(f: CaseFile, maxBytes = 16 * 1024 * 1024): Promise<string> {
  return withLabel(f.object, f.path, async () => (await readFileBounded(f.object, maxBytes)).text);
}

export function basename(p: string): string {
  return path.posix.basename(p);
}
