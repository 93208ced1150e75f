/**
 * Checksum sources found inside the evidence, each checked against the evidence itself (the
 * custody SHA-256 recorded at ingest): the "known-good values" of the playbook's File integrity
 * row ("Compare all model file checksums against known-good values — 100% match").
 *
 * - sha256sum / BSD-tag lists (checksums.sha256, SHA256SUMS, …): paths are relative to the list's
 *   folder, as `sha256sum -c` run there reads them (ingest/checksums.ts parses and resolves them);
 *   all-f / all-0 placeholders (llama.cpp's SHA256SUMS has dozens) are digests of nothing and are
 *   reported as not checked.
 * - `*.safetensors.index.json`: its weight_map against the headers of the shards present beside
 *   it (formats/safetensors.ts checkShardedIndex).
 * - Git LFS pointers (git-lfs docs/spec.md): `oid sha256:` and `size` against a real file of the
 *   same name elsewhere in the evidence.
 * - Per-tensor digest maps (ollama's convert/testdata/*.json: tensor name → SHA-256 of the
 *   tensor's bytes, metadata key → expected value) against a GGUF or safetensors file beside it.
 */
import {
  checkShardedIndex,
  parseLfsPointer,
  readSafetensorsHeader,
  readSafetensorsIndex,
  type SafetensorsHeader,
} from '../formats/index.ts';
import { isJsonObject, parseJson } from '../formats/json.ts';
import { checkManifest, parseChecksumFile, type ParsedChecksums } from '../ingest/checksums.ts';
import { isChecksumName } from '../ingest/classify.ts';
import {
  basename,
  inspectEvidence,
  isWeightsPath,
  posixDir,
  readEvidenceText,
  type CaseFile,
  type CaseFiles,
} from './case-files.ts';
import { hashRange } from './hash-range.ts';
import { reasonOf, withLabel } from './relabel.ts';
import { weightsFromArtifact, type WeightsFile } from './tensors.ts';
import { item, short, type CheckItem } from './types.ts';

const LIST_MAX = 64 * 1024 * 1024;
const PLACEHOLDER = /^(f{64}|0{64})$/;

export function isChecksumList(f: CaseFile): boolean {
  return f.kind === 'checksums' || isChecksumName(basename(f.path));
}

function withoutPlaceholders(parsed: ParsedChecksums): { parsed: ParsedChecksums; placeholders: string[] } {
  const placeholders = parsed.entries.filter((e) => PLACEHOLDER.test(e.hex)).map((e) => e.listedPath);
  return {
    parsed: { ...parsed, entries: parsed.entries.filter((e) => !PLACEHOLDER.test(e.hex)) },
    placeholders,
  };
}

/** One checksum list against the evidence below its folder. */
export async function checkChecksumList(cf: CaseFiles, list: CaseFile): Promise<CheckItem[]> {
  let text: string;
  try {
    text = await readEvidenceText(list, LIST_MAX);
  } catch (err) {
    return [
      item('not-analysed', list.path, `checksum list unreadable: ${reasonOf(err)}`, { source: list.path }),
    ];
  }
  const { parsed, placeholders } = withoutPlaceholders(parseChecksumFile(text));
  const bundleFiles = cf.files.map((f) => ({ path: f.path, sha256: f.sha256 }));
  const { checks, unlisted } = checkManifest(list.path, parsed, bundleFiles, (p) =>
    isChecksumName(basename(p)),
  );
  const out: CheckItem[] = checks.map((c) => {
    const details = { source: list.path, expected: c.expected, actual: c.actual, outcome: c.status };
    if (c.status === 'matched')
      return item('pass', c.listedPath, `${c.listedPath}: matches ${list.path}`, details);
    if (c.status === 'missing')
      return item(
        'fail',
        c.listedPath,
        `${c.listedPath}: listed in ${list.path}, not in the evidence (missing)`,
        details,
      );
    return item(
      'fail',
      c.listedPath,
      `${c.listedPath}: sha256 ${short(c.actual)} but ${list.path} lists ${short(c.expected)} (mismatched)`,
      details,
    );
  });
  if (placeholders.length > 0)
    out.push(
      item(
        'not-analysed',
        list.path,
        `${list.path}: ${placeholders.length} placeholder digest${placeholders.length === 1 ? '' : 's'} (all f or all 0) not checked`,
        { source: list.path, placeholders },
      ),
    );
  if (parsed.skipped.length > 0)
    out.push(
      item(
        'info',
        list.path,
        `${list.path}: ${parsed.skipped.length} line(s) skipped (not SHA-256 checksum lines)`,
        {
          source: list.path,
          skipped: parsed.skipped,
        },
      ),
    );
  if (unlisted.length > 0)
    out.push(
      item(
        'info',
        list.path,
        `${list.path}: ${unlisted.length} file(s) below its folder are not listed (new)`,
        {
          source: list.path,
          new: unlisted,
        },
      ),
    );
  return out;
}

/** A safetensors index against the shard headers present in its folder. */
export async function checkIndex(cf: CaseFiles, index: CaseFile): Promise<CheckItem[]> {
  const dir = posixDir(index.path);
  try {
    const idx = await withLabel(index.object, index.path, () => readSafetensorsIndex(index.object));
    const shards = new Map<string, SafetensorsHeader>();
    const siblings = cf.files.filter(
      (f) =>
        posixDir(f.path) === dir && f.kind === 'weights' && f.path.toLowerCase().endsWith('.safetensors'),
    );
    for (const s of siblings)
      shards.set(basename(s.path), await withLabel(s.object, s.path, () => readSafetensorsHeader(s.object)));
    const problems = checkShardedIndex(idx, shards);
    const details = {
      source: index.path,
      shards: idx.shards,
      tensorCount: idx.tensorCount,
      totalSize: idx.totalSize,
    };
    const out = problems.map((p) =>
      item('fail', index.path, `${index.path}: ${p}`, { ...details, problem: p }),
    );
    if (problems.length === 0)
      out.push(
        item(
          'pass',
          index.path,
          `${index.path}: weight_map (${idx.tensorCount} tensors) consistent with the ${shards.size} shard${shards.size === 1 ? '' : 's'} present`,
          details,
        ),
      );
    for (const p of idx.problems)
      out.push(item('info', index.path, `${index.path}: ${p}`, { source: index.path }));
    return out;
  } catch (err) {
    return [
      item('not-analysed', index.path, `${index.path}: index not checked: ${reasonOf(err)}`, {
        source: index.path,
      }),
    ];
  }
}

const LFS_HEAD = /^version https:\/\/(git-lfs\.github\.com|hawser\.github\.com)\/spec\/v1\n/;

/** Git LFS pointers against a same-named real file, when the evidence holds one. */
export async function checkLfsPointers(cf: CaseFiles): Promise<CheckItem[]> {
  const out: CheckItem[] = [];
  const pointers: CaseFile[] = [];
  for (const f of cf.files) {
    if (f.size >= 1024 || f.size < 40) continue;
    const text = await readEvidenceText(f, 1024).catch(() => '');
    if (LFS_HEAD.test(text)) pointers.push(f);
  }
  const pointerPaths = new Set(pointers.map((p) => p.path));
  for (const p of pointers) {
    let ptr;
    try {
      ptr = parseLfsPointer(p.path, await readEvidenceText(p, 1024));
    } catch (err) {
      out.push(
        item('fail', p.path, `${p.path}: malformed LFS pointer: ${reasonOf(err)}`, { source: p.path }),
      );
      continue;
    }
    const candidates = cf.files.filter(
      (f) => !pointerPaths.has(f.path) && basename(f.path) === basename(p.path),
    );
    const real = candidates.find((f) => f.size === ptr.size) ?? candidates[0];
    const details = { source: p.path, oid: ptr.oid, size: ptr.size, realFile: real?.path ?? null };
    if (!real) {
      out.push(
        item(
          'not-analysed',
          p.path,
          `${p.path}: a Git LFS pointer (sha256:${short(ptr.oid)}, ${ptr.size} bytes); the real file is not in the evidence`,
          details,
        ),
      );
      continue;
    }
    const ok = ptr.oidAlgorithm === 'sha256' && ptr.oid === real.sha256 && ptr.size === real.size;
    out.push(
      item(
        ok ? 'pass' : 'fail',
        real.path,
        ok
          ? `${real.path}: matches the LFS pointer ${p.path}`
          : `${real.path}: sha256 ${short(real.sha256)} (${real.size} bytes) but the LFS pointer ${p.path} says ${short(ptr.oid)} (${ptr.size} bytes)`,
        { ...details, actual: real.sha256, actualSize: real.size },
      ),
    );
  }
  return out;
}

const HEX64 = /^[0-9a-f]{64}$/;
const TENSORISH = /(^blk\.\d+\.|^token_embd|^output|\.weight(\.lora_[ab])?$|\.bias$|\.lora_[ab]$)/;

/** Tensor name → expected SHA-256 of its bytes; metadata key → expected value. */
export interface TensorDigestMap {
  tensors: Map<string, string>;
  kv: Map<string, string>;
}

/** A JSON object mapping tensor names to SHA-256 digests (and maybe metadata keys to values). */
export function parseTensorDigestMap(text: string, label: string): TensorDigestMap | null {
  let v;
  try {
    v = parseJson(text, label).value;
  } catch {
    return null;
  }
  if (!isJsonObject(v)) return null;
  const tensors = new Map<string, string>();
  const kv = new Map<string, string>();
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') return null;
    if (HEX64.test(val) && TENSORISH.test(k)) tensors.set(k, val);
    else kv.set(k, val);
  }
  return tensors.size > 0 ? { tensors, kv } : null;
}

async function weightsBeside(cf: CaseFiles, f: CaseFile, names: string[]): Promise<WeightsFile | null> {
  const local = cf.files.filter((w) => isWeightsPath(w.path) && posixDir(w.path) === posixDir(f.path));
  const pool = local.length > 0 ? local : cf.files.filter((w) => isWeightsPath(w.path));
  let best: WeightsFile | null = null;
  let bestHits = 0;
  for (const w of pool) {
    const parsed = await inspectEvidence(w)
      .then((a) => weightsFromArtifact(w.object, w.path, a))
      .catch(() => null);
    if (!parsed) continue;
    const have = new Set(parsed.tensors.map((t) => t.name));
    const hits = names.filter((n) => have.has(n)).length;
    if (hits > bestHits) [best, bestHits] = [parsed, hits];
  }
  return best;
}

function kvValue(w: WeightsFile, key: string): string | null {
  if (w.format === 'gguf') {
    const kv = [...w.header.metadata].reverse().find((m) => m.key === key);
    if (!kv) return null;
    return typeof kv.value === 'object' ? null : String(kv.value);
  }
  return null;
}

/** A per-tensor digest map against the weights it describes. */
export async function checkTensorDigestMap(
  cf: CaseFiles,
  f: CaseFile,
  map: TensorDigestMap,
): Promise<CheckItem[]> {
  const target = await weightsBeside(cf, f, [...map.tensors.keys()]);
  if (!target)
    return [
      item(
        'not-analysed',
        f.path,
        `${f.path}: per-tensor digests for ${map.tensors.size} tensors, but no weights file in the evidence holds those tensors`,
        {
          source: f.path,
          tensors: [...map.tensors.keys()],
        },
      ),
    ];
  const out: CheckItem[] = [];
  const byName = new Map(target.tensors.map((t) => [t.name, t]));
  for (const [name, expected] of map.tensors) {
    const t = byName.get(name);
    const details = { source: f.path, file: target.label, tensor: name, expected };
    if (!t) {
      out.push(
        item(
          'fail',
          `${target.label}#${name}`,
          `${target.label}: tensor ${name} listed in ${f.path} is missing`,
          details,
        ),
      );
      continue;
    }
    const actual = await hashRange(t.file, t.begin, t.end, 'sha256', t.label);
    out.push(
      item(
        actual === expected ? 'pass' : 'fail',
        `${target.label}#${name}`,
        actual === expected
          ? `${target.label}: tensor ${name} matches ${f.path}`
          : `${target.label}: tensor ${name} data sha256 ${short(actual)} but ${f.path} lists ${short(expected)}`,
        { ...details, actual },
      ),
    );
  }
  for (const [key, expected] of map.kv) {
    const actual = kvValue(target, key);
    if (actual === null) {
      out.push(
        item(
          'info',
          `${target.label}#${key}`,
          `${target.label}: metadata ${key} not compared (absent or an array)`,
          { source: f.path, key, expected },
        ),
      );
      continue;
    }
    out.push(
      item(
        actual === expected ? 'pass' : 'fail',
        `${target.label}#${key}`,
        actual === expected
          ? `${target.label}: metadata ${key} = ${expected} as ${f.path} lists`
          : `${target.label}: metadata ${key} is ${actual} but ${f.path} lists ${expected}`,
        { source: f.path, key, expected, actual },
      ),
    );
  }
  return out;
}

/** Candidate JSON files for per-tensor digest maps: small JSON that is not a known config. */
export async function findTensorDigestMaps(
  cf: CaseFiles,
): Promise<{ file: CaseFile; map: TensorDigestMap }[]> {
  const out: { file: CaseFile; map: TensorDigestMap }[] = [];
  for (const f of cf.files) {
    if (!f.path.toLowerCase().endsWith('.json') || f.size > 4 * 1024 * 1024) continue;
    if (!['other', 'checksums', 'weights'].includes(f.kind)) continue;
    if (f.path.toLowerCase().endsWith('.index.json')) continue;
    const text = await readEvidenceText(f, 4 * 1024 * 1024).catch(() => null);
    const map = text === null ? null : parseTensorDigestMap(text, f.path);
    if (map) out.push({ file: f, map });
  }
  return out;
}
