/**
 * `inspectArtifact(file)`: decide what a model artifact is — by its content first; a name only
 * breaks ties — run the matching parser, and judge it on the verdict ladder (verdict.ts).
 *
 * Content: a Git LFS pointer (git-lfs docs/spec.md); "GGUF" (and the pre-GGUF ggml magics);
 * "PK\3\4" (a zip: a Keras 3 `.keras` when it has config.json + metadata.json, an `.npz` when
 * its members are .npy arrays, otherwise every member that holds a pickle by content — a torch
 * checkpoint, or a pickle stored as `data.txt`); 7z, tar (also the pre-0.4 torch.save layout),
 * gzip, bzip2, xz, zstd, rar (archives.ts); "\x93NUMPY" (.npy); the HDF5 signature (a Keras
 * .h5); an 8-byte little-endian length followed by "{" that fits the file (safetensors); PROTO
 * 0x80 + 0–5, or a protocol-0 GLOBAL line (a pickle under any name: .pkl, .dill, .joblib, .bin…).
 * Names break ties for what has no magic: JSON configs (*.safetensors.index.json,
 * adapter_config.json, tokenizer_config.json, tokenizer.json, config.json), Jinja templates
 * (.jinja, .jinja2, .j2, .template), YAML configs, `saved_model.pb` / `.pb`, `.onnx`. A weights
 * extension whose content does not match is still handed to its parser so the error explains
 * what is wrong.
 */
import path from 'node:path';
import { withFileSource, malformed, fmt } from './reader.ts';
import {
  readSafetensorsHeader,
  readSafetensorsIndex,
  SAFETENSORS_MAX_HEADER,
  type SafetensorsHeader,
  type SafetensorsIndex,
} from './safetensors.ts';
import { readGgufHeader, type GgufHeader } from './gguf.ts';
import { parseAdapterConfig, type AdapterConfig } from './peft.ts';
import { parseModelConfig, type ModelConfig } from './hfconfig.ts';
import {
  parseTokenizerJson,
  parseTokenizerConfig,
  parseChatTemplateFile,
  type TokenizerJson,
  type TokenizerConfig,
  type ChatTemplateFile,
} from './tokenizer.ts';
import { scanTorchFile, scanTorchSource, looksLikePickle, type PickleScanReport } from './pickle.ts';
import { readZipDirectory, looksLikeZip, type ZipEntry } from '../io/archive/zip.ts';
import { parseJson, isJsonObject, type JsonObject } from './json.ts';
import { decodeUtf8Strict } from './text.ts';
import { scanNpy, scanNpz, zipIsNpz, NPY_MAGIC, type NumpyResult } from './numpy.ts';
import { archiveMagic, scanArchive, type ArchiveResult } from './archives.ts';
import { scanKerasZip, zipIsKeras, auditKerasH5, type KerasResult } from './keras.ts';
import { readHdf5RootAttributes, HDF5_MAGIC, findHdf5Superblock } from './hdf5.ts';
import { scanSavedModel, scanOnnx, type SavedModelResult, type OnnxResult } from './protobuf.ts';
import { scanTemplateConfig, templateFindings, type TemplateConfigResult } from './templates.ts';
import { startsLikePickle } from './embedded.ts';
import { FindingList, type ScanVerdict } from './verdict.ts';
import { SCANNER_RULES } from './rules.ts';
import { ProbityError } from '../util/errors.ts';

export interface LfsPointer {
  format: 'lfs-pointer';
  /** The spec URL from the version line. */
  version: string;
  oidAlgorithm: string;
  oid: string;
  /** Size in bytes of the real object the pointer stands for. */
  size: number;
  /** Extra `key value` lines (git-lfs extensions). */
  extra: Record<string, string>;
  problems: string[];
}

export interface UnknownArtifact {
  format: 'unknown';
  reason: string;
  /** First 16 bytes, hex. */
  magic: string;
}

interface Base {
  file: string;
  fileSize: number;
  /** How the kind was decided: 'magic', 'name' or 'content'. */
  detectedBy: 'magic' | 'name' | 'content' | 'none';
  /** The verdict ladder for this artifact, with every finding that lowered or capped it. */
  scan: ScanVerdict;
}

export type Artifact = Base &
  (
    | { kind: 'safetensors'; result: SafetensorsHeader }
    | { kind: 'safetensors-index'; result: SafetensorsIndex }
    | { kind: 'gguf'; result: GgufHeader }
    | { kind: 'adapter-config'; result: AdapterConfig }
    | { kind: 'model-config'; result: ModelConfig }
    | { kind: 'tokenizer'; result: TokenizerJson }
    | { kind: 'tokenizer-config'; result: TokenizerConfig }
    | { kind: 'chat-template'; result: ChatTemplateFile }
    | { kind: 'pickle'; result: PickleScanReport }
    | { kind: 'torch-zip'; result: PickleScanReport }
    | { kind: 'lfs-pointer'; result: LfsPointer }
    | { kind: 'numpy'; result: NumpyResult }
    | { kind: 'archive'; result: ArchiveResult }
    | { kind: 'keras'; result: KerasResult }
    | { kind: 'saved-model'; result: SavedModelResult }
    | { kind: 'onnx'; result: OnnxResult }
    | { kind: 'template-config'; result: TemplateConfigResult }
    | { kind: 'unknown'; result: UnknownArtifact }
  );

export type ArtifactKind = Artifact['kind'];

const LFS_MAX = 1024;
const SNIFF_JSON_MAX = 64 * 1024 * 1024;
const LFS_VERSIONS = ['https://git-lfs.github.com/spec/v1', 'https://hawser.github.com/spec/v1'];

/** Parse a Git LFS pointer file's text (throws `malformed` when it is not one). */
export function parseLfsPointer(file: string, text: string): LfsPointer {
  const problems: string[] = [];
  if (!text.endsWith('\n')) problems.push('last line is not newline-terminated');
  const lines = text.split('\n').filter((l, i, a) => !(i === a.length - 1 && l === ''));
  const kv = new Map<string, string>();
  const order: string[] = [];
  for (const line of lines) {
    const m = /^([a-z0-9.-]+) (.*)$/.exec(line);
    if (!m || m[1] === undefined || m[2] === undefined)
      throw malformed(file, `LFS pointer line ${JSON.stringify(line.slice(0, 80))} is not "key value"`);
    if (kv.has(m[1])) throw malformed(file, `LFS pointer repeats key ${m[1]}`);
    kv.set(m[1], m[2]);
    order.push(m[1]);
  }
  const version = kv.get('version');
  if (version === undefined || order[0] !== 'version')
    throw malformed(file, 'LFS pointer does not start with a version line');
  if (!LFS_VERSIONS.includes(version)) problems.push(`unknown LFS spec version ${JSON.stringify(version)}`);
  const oidRaw = kv.get('oid');
  const m = oidRaw === undefined ? null : /^([a-z0-9]+):([0-9a-f]+)$/.exec(oidRaw);
  if (!m || m[1] === undefined || m[2] === undefined)
    throw malformed(file, `LFS pointer oid ${JSON.stringify(oidRaw ?? null)} is not "<algorithm>:<hex>"`);
  if (m[1] === 'sha256' && m[2].length !== 64)
    throw malformed(file, `LFS pointer sha256 oid has ${m[2].length} hex digits, not 64`);
  const sizeRaw = kv.get('size');
  if (sizeRaw === undefined || !/^\d+$/.test(sizeRaw) || !Number.isSafeInteger(Number(sizeRaw)))
    throw malformed(file, `LFS pointer size ${JSON.stringify(sizeRaw ?? null)} is not an integer`);
  const rest = order.slice(1).filter((k) => k !== 'oid' && k !== 'size');
  const sorted = [...rest].sort();
  if (rest.join('\n') !== sorted.join('\n'))
    problems.push('extra keys are not sorted (spec: keys after version are sorted)');
  const extra: Record<string, string> = {};
  for (const k of rest) extra[k] = kv.get(k) ?? '';
  return {
    format: 'lfs-pointer',
    version,
    oidAlgorithm: m[1],
    oid: m[2],
    size: Number(sizeRaw),
    extra,
    problems,
  };
}

type JsonKind =
  | 'safetensors-index'
  | 'adapter-config'
  | 'tokenizer-config'
  | 'tokenizer'
  | 'model-config'
  | 'chat-template';

function kindByName(name: string): JsonKind | null {
  const n = name.toLowerCase();
  if (n.endsWith('.safetensors.index.json')) return 'safetensors-index';
  if (n.endsWith('adapter_config.json')) return 'adapter-config';
  if (n.endsWith('tokenizer_config.json')) return 'tokenizer-config';
  if (n.endsWith('tokenizer.json')) return 'tokenizer';
  if (n === 'config.json' || n.endsWith('-config.json') || n.endsWith('.config.json')) return 'model-config';
  if (n.endsWith('.jinja') || n.endsWith('.jinja2') || n.endsWith('.j2') || n.endsWith('.template'))
    return 'chat-template';
  return null;
}

function kindByContent(o: JsonObject): JsonKind | null {
  if (isJsonObject(o.weight_map)) return 'safetensors-index';
  if ('peft_type' in o || isJsonObject(o.lora_parameters)) return 'adapter-config';
  if (
    isJsonObject(o.model) &&
    ('vocab' in o.model || 'type' in o.model) &&
    ('added_tokens' in o || 'pre_tokenizer' in o)
  )
    return 'tokenizer';
  if ('tokenizer_class' in o || isJsonObject(o.added_tokens_decoder)) return 'tokenizer-config';
  if (typeof o.chat_template === 'string' && ('eos_token' in o || 'bos_token' in o))
    return 'tokenizer-config';
  if ('model_type' in o || Array.isArray(o.architectures)) return 'model-config';
  return null;
}

async function dispatchJson(kind: JsonKind, file: string, base: Pre): Promise<Draft> {
  switch (kind) {
    case 'safetensors-index':
      return { ...base, kind, result: await readSafetensorsIndex(file) };
    case 'adapter-config':
      return { ...base, kind, result: await parseAdapterConfig(file) };
    case 'tokenizer-config':
      return { ...base, kind, result: await parseTokenizerConfig(file) };
    case 'tokenizer':
      return { ...base, kind, result: await parseTokenizerJson(file) };
    case 'model-config':
      return { ...base, kind, result: await parseModelConfig(file) };
    case 'chat-template':
      return { ...base, kind, result: await parseChatTemplateFile(file) };
  }
}

type Pre = Omit<Base, 'scan'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Draft = DistributiveOmit<Artifact, 'scan'>;

const WEIGHT_EXT: Readonly<Record<string, 'safetensors' | 'gguf' | 'torch'>> = {
  '.safetensors': 'safetensors',
  '.gguf': 'gguf',
  '.pt': 'torch',
  '.pth': 'torch',
  '.bin': 'torch',
  '.ckpt': 'torch',
  '.pkl': 'torch',
  '.pickle': 'torch',
  '.dill': 'torch',
  '.joblib': 'torch',
};

/** Extensions under which a loose protocol-0/1 opener is worth a trial scan as a pickle. */
const PICKLE_EXT = new Set([
  '.pkl',
  '.pickle',
  '.dill',
  '.joblib',
  '.pt',
  '.pth',
  '.bin',
  '.ckpt',
  '.p',
  '.sav',
  '.data',
  '.npy',
]);

const URL_ONLY = /^\s*(https?|ftp|s3|gs|hf):\/\/\S+\s*$/i;

/** The verdict ladder for a parsed artifact: the parser's own findings, weighed. */
export function artifactVerdict(a: Draft): ScanVerdict {
  const f = new FindingList();
  switch (a.kind) {
    case 'pickle':
    case 'torch-zip':
      f.addAll(a.result.findings);
      break;
    case 'numpy':
    case 'archive':
    case 'keras':
    case 'saved-model':
    case 'onnx':
      f.addAll(a.result.findings);
      break;
    case 'safetensors': {
      for (const s of a.result.suspiciousMetadata)
        f.add(
          'suspicious',
          `metadata ${JSON.stringify(s.key)} reads like code: ${s.matched.join(', ')}`,
          'header',
        );
      const values = Object.entries(a.result.metadata ?? {});
      if (values.length > 0 && values.every(([, v]) => URL_ONLY.test(v)))
        f.add(
          'suspicious',
          `metadata holds only URLs (${values.map(([k]) => k).join(', ')}): content that lives elsewhere`,
          'header',
        );
      for (const p of a.result.problems) f.add('suspicious', p, 'header');
      break;
    }
    case 'gguf':
      for (const t of a.result.tokenizer?.chatTemplates ?? [])
        templateFindings(t.suspicious, `chat template ${JSON.stringify(t.name)}`, f);
      break;
    case 'tokenizer-config':
      for (const t of a.result.chatTemplates)
        templateFindings(t.suspicious, `chat_template ${JSON.stringify(t.name)}`, f);
      break;
    case 'chat-template':
      templateFindings(a.result.template.suspicious, 'template', f);
      break;
    case 'template-config':
      templateFindings(a.result.constructs, `${a.result.blockCount} Jinja block(s)`, f);
      break;
    case 'model-config':
      if (a.result.remoteCode)
        f.add(
          'suspicious',
          `auto_map names Python code that runs with trust_remote_code: ${Object.values(a.result.remoteCode).join(', ')}`,
          'auto_map',
          'code-exec',
        );
      break;
    case 'safetensors-index':
    case 'adapter-config':
    case 'tokenizer':
      break;
    case 'lfs-pointer':
      f.add('not-analysed', 'a Git LFS pointer, not the file it stands for: nothing to scan', null);
      break;
    case 'unknown':
      f.add('not-analysed', `unsupported: ${a.result.reason}`, null);
      break;
  }
  return { level: f.level, findings: f.toArray(), rules: SCANNER_RULES };
}

function unknown(base: Pre, reason: string, magic: string): Draft {
  return { ...base, kind: 'unknown', result: { format: 'unknown', reason, magic } };
}

async function isMalformed<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ProbityError && err.code === 'malformed') return null;
    throw err;
  }
}

/**
 * Identify and parse one artifact. Parser errors (malformed, unreadable) propagate as ProbityErrors.
 * `nameHint` is the name to dispatch on when `file` has none of its own (a content-addressed
 * evidence object): its base name stands in for the file's wherever a name decides the kind.
 */
export async function inspectArtifact(file: string, nameHint?: string): Promise<Artifact> {
  const d = await detect(file, nameHint);
  return { ...d, scan: artifactVerdict(d) } as Artifact;
}

async function detect(file: string, nameHint?: string): Promise<Draft> {
  const name = path.basename(nameHint ?? file);
  const ext = path.extname(name).toLowerCase();
  return withFileSource(file, async (src) => {
    const size = src.size;
    const head = await src.read(0, Math.min(size, LFS_MAX));
    const magic = head.subarray(0, 16).toString('hex');
    const base = (detectedBy: Base['detectedBy']): Pre => ({ file, fileSize: size, detectedBy });

    // Git LFS pointer (before anything else: it is what a failed `git lfs pull` leaves behind).
    const headText = head.toString('latin1');
    if (size < LFS_MAX && headText.startsWith('version https://') && /\noid [a-z0-9]+:/.test(headText)) {
      return {
        ...base('content'),
        kind: 'lfs-pointer',
        result: parseLfsPointer(file, decodeUtf8Strict(file, head)),
      };
    }
    const m4 = head.subarray(0, 4).toString('latin1');
    if (m4 === 'GGUF' || ['lmgg', 'fmgg', 'tjgg', 'algg'].includes(m4)) {
      return { ...base('magic'), kind: 'gguf', result: await readGgufHeader(file) };
    }
    if (looksLikeZip(head)) {
      const dir = await readZipDirectory(src);
      if (zipIsKeras(dir.entries))
        return { ...base('magic'), kind: 'keras', result: await scanKerasZip(src) };
      if (await zipIsNpz(src, dir.entries))
        return { ...base('magic'), kind: 'numpy', result: await scanNpz(src) };
      const scan = await isMalformed(() => scanTorchSource(src));
      if (scan) return { ...base('magic'), kind: 'torch-zip', result: scan };
      return unknown(base('magic'), zipReason(dir.entries), magic);
    }
    const arch = archiveMagic(head);
    if (arch) return { ...base('magic'), kind: 'archive', result: await scanArchive(src, arch) };
    if (head.subarray(0, 6).equals(NPY_MAGIC))
      return { ...base('magic'), kind: 'numpy', result: await scanNpy(src) };
    if (
      head.subarray(0, 8).equals(HDF5_MAGIC) ||
      ((ext === '.h5' || ext === '.hdf5' || ext === '.keras') && (await findHdf5Superblock(src)) >= 0)
    )
      return { ...base('magic'), kind: 'keras', result: await scanH5(src) };
    // safetensors before pickle: a header length like 0x0280 starts with the bytes of PROTO 2.
    if (size >= 10 && head.length >= 9) {
      const n = head.readBigUInt64LE(0);
      if (n >= 2n && n <= BigInt(Math.min(SAFETENSORS_MAX_HEADER, size - 8)) && head[8] === 0x7b) {
        return { ...base('magic'), kind: 'safetensors', result: await readSafetensorsHeader(file) };
      }
    }
    const b0 = head[0];
    const b1 = head[1] ?? 0;
    if ((b0 === 0x80 && b1 <= 5) || startsLikePickle(head)) {
      const scan = await scanTorchSource(src);
      return { ...base('magic'), kind: scan.format === 'torch-zip' ? 'torch-zip' : 'pickle', result: scan };
    }
    if (looksLikePickle(b0, b1)) {
      // A protocol 0/1 pickle has no magic: a trial scan that reaches STOP decides, whatever the name.
      const scan = await isMalformed(() => scanTorchSource(src));
      if (scan && (scan.pickles[0]?.complete || PICKLE_EXT.has(ext)))
        return { ...base(scan.pickles[0]?.complete ? 'content' : 'name'), kind: 'pickle', result: scan };
    }
    const byName = kindByName(name);
    if (byName) return dispatchJson(byName, file, base('name'));
    if (ext === '.yaml' || ext === '.yml')
      return { ...base('name'), kind: 'template-config', result: await scanTemplateConfig(file, 'yaml') };
    if (name === 'saved_model.pb' || ext === '.pb') {
      const r = await isMalformed(() => scanSavedModel(src));
      if (r)
        return { ...base(name === 'saved_model.pb' ? 'name' : 'content'), kind: 'saved-model', result: r };
      if (name === 'saved_model.pb')
        return { ...base('name'), kind: 'saved-model', result: await scanSavedModel(src) };
    }
    if (ext === '.onnx' || (b0 === 0x08 && size < 512 * 1024 * 1024)) {
      const r = await isMalformed(() => scanOnnx(src));
      if (r) return { ...base(ext === '.onnx' ? 'name' : 'content'), kind: 'onnx', result: r };
      if (ext === '.onnx') return { ...base('name'), kind: 'onnx', result: await scanOnnx(src) };
    }
    const wext = WEIGHT_EXT[ext];
    if (wext === 'safetensors')
      return { ...base('name'), kind: 'safetensors', result: await readSafetensorsHeader(file) };
    if (wext === 'gguf') return { ...base('name'), kind: 'gguf', result: await readGgufHeader(file) };
    if (wext === 'torch') {
      const scan = await scanTorchFile(file);
      return { ...base('name'), kind: scan.format === 'torch-zip' ? 'torch-zip' : 'pickle', result: scan };
    }
    // Unnamed JSON: decide by its keys.
    const firstChar = /^\s*(.)/s.exec(headText)?.[1];
    if ((name.toLowerCase().endsWith('.json') || firstChar === '{') && size <= SNIFF_JSON_MAX) {
      let obj: JsonObject | null = null;
      try {
        const text = decodeUtf8Strict(file, await src.read(0, src.size));
        const v = parseJson(text.replace(/^\ufeff/, ''), file).value;
        obj = isJsonObject(v) ? v : null;
      } catch {
        obj = null;
      }
      const byContent = obj ? kindByContent(obj) : null;
      if (byContent) return dispatchJson(byContent, file, base('content'));
      return unknown(base('none'), obj ? 'JSON object of an unrecognised shape' : 'not a JSON object', magic);
    }
    return unknown(
      base('none'),
      size === 0 ? 'empty file' : 'content matches no format Probity reads (and the name does not say which)',
      magic,
    );
  });
}

function zipReason(entries: readonly ZipEntry[]): string {
  const enc = entries.filter((e) => e.flags & 1).length;
  return `zip archive with ${fmt(entries.length)} members, none of them a pickle, an .npy array or a Keras config${enc ? ` (${fmt(enc)} encrypted: not readable)` : ''}`;
}

async function scanH5(src: Parameters<typeof readHdf5RootAttributes>[0]): Promise<KerasResult> {
  const findings = new FindingList();
  const problems: string[] = [];
  const attrs = await readHdf5RootAttributes(src);
  for (const u of attrs.unread) findings.add('not-analysed', u, 'HDF5 root attributes');
  const get = (n: string): string | null => attrs.attributes.find((a) => a.name === n)?.text ?? null;
  const modelConfig = get('model_config');
  const kerasVersion = get('keras_version');
  if (modelConfig === null) {
    if (attrs.unread.length === 0)
      problems.push('no model_config attribute: a weights-only file or not a Keras model');
  }
  const r = auditKerasH5(modelConfig, kerasVersion, findings);
  return { ...r, findings: findings.toArray(), problems };
}
