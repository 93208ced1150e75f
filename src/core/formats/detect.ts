/**
 * `inspectArtifact(file)`: decide what a model artifact is — by magic bytes first, then by name,
 * then by the shape of its JSON — and run the matching parser.
 *
 * Magic: "GGUF" (and the pre-GGUF ggml magics, which the GGUF reader names); "PK\3\4" (a zip:
 * a PyTorch checkpoint when it has a .pkl member); 0x80 followed by a protocol byte 2–5 (a
 * pickle, or a legacy torch.save stream); an 8-byte little-endian length followed by "{" that
 * fits the file (safetensors); a Git LFS pointer (git-lfs docs/spec.md: `version
 * https://git-lfs.github.com/spec/v1`, `oid sha256:<hex>`, `size <n>`, under 1,024 bytes).
 * Names: *.safetensors.index.json, adapter_config.json, tokenizer_config.json, tokenizer.json,
 * config.json (also with a `<prefix>-` in front), *.jinja; a weights extension whose magic does
 * not match is still handed to its parser so the error explains what is wrong.
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
import { scanTorchFile, type PickleScanReport } from './pickle.ts';
import { readZipDirectory, looksLikeZip } from './zip.ts';
import { parseJson, isJsonObject, type JsonObject } from './json.ts';
import { decodeUtf8Strict } from './text.ts';

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
  if (n.endsWith('.jinja') || n.endsWith('.jinja2')) return 'chat-template';
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

async function dispatchJson(kind: JsonKind, file: string, base: Base): Promise<Artifact> {
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

const WEIGHT_EXT: Readonly<Record<string, 'safetensors' | 'gguf' | 'torch'>> = {
  '.safetensors': 'safetensors',
  '.gguf': 'gguf',
  '.pt': 'torch',
  '.pth': 'torch',
  '.bin': 'torch',
  '.ckpt': 'torch',
  '.pkl': 'torch',
  '.pickle': 'torch',
};

/**
 * Identify and parse one artifact. Parser errors (malformed, unreadable) propagate as ProbityErrors.
 * `nameHint` is the name to dispatch on when `file` has none of its own (a content-addressed
 * evidence object): its base name stands in for the file's wherever a name decides the kind.
 */
export async function inspectArtifact(file: string, nameHint?: string): Promise<Artifact> {
  const { head, size, zipHasPickle, zipCount } = await withFileSource(file, async (src) => {
    const h = await src.read(0, Math.min(src.size, LFS_MAX));
    let has = false;
    let count = 0;
    if (looksLikeZip(h)) {
      const dir = await readZipDirectory(src);
      count = dir.entries.length;
      has = dir.entries.some((e) => e.name.endsWith('.pkl'));
    }
    return { head: h, size: src.size, zipHasPickle: has, zipCount: count };
  });
  const name = path.basename(nameHint ?? file);
  const magic = head.subarray(0, 16).toString('hex');
  const base = (detectedBy: Base['detectedBy']): Base => ({ file, fileSize: size, detectedBy });

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
    if (zipHasPickle) return { ...base('magic'), kind: 'torch-zip', result: await scanTorchFile(file) };
    return {
      ...base('magic'),
      kind: 'unknown',
      result: {
        format: 'unknown',
        reason: `zip archive with ${fmt(zipCount)} members, none of them a pickle`,
        magic,
      },
    };
  }
  // safetensors before pickle: a header length like 0x0280 starts with the bytes of PROTO 2.
  if (size >= 10 && head.length >= 9) {
    const n = head.readBigUInt64LE(0);
    if (n >= 2n && n <= BigInt(Math.min(SAFETENSORS_MAX_HEADER, size - 8)) && head[8] === 0x7b) {
      return { ...base('magic'), kind: 'safetensors', result: await readSafetensorsHeader(file) };
    }
  }
  const b0 = head[0];
  const b1 = head[1] ?? 0;
  if (b0 === 0x80 && b1 >= 2 && b1 <= 5) {
    return { ...base('magic'), kind: 'pickle', result: await scanTorchFile(file) };
  }
  const byName = kindByName(name);
  if (byName) return dispatchJson(byName, file, base('name'));
  const ext = WEIGHT_EXT[path.extname(name).toLowerCase()];
  if (ext === 'safetensors')
    return { ...base('name'), kind: 'safetensors', result: await readSafetensorsHeader(file) };
  if (ext === 'gguf') return { ...base('name'), kind: 'gguf', result: await readGgufHeader(file) };
  if (ext === 'torch') {
    const scan = await scanTorchFile(file);
    return { ...base('name'), kind: scan.format === 'torch-zip' ? 'torch-zip' : 'pickle', result: scan };
  }
  // Unnamed JSON: decide by its keys.
  const firstChar = /^\s*(.)/s.exec(headText)?.[1];
  if ((name.toLowerCase().endsWith('.json') || firstChar === '{') && size <= SNIFF_JSON_MAX) {
    let obj: JsonObject | null = null;
    try {
      const text = await withFileSource(file, async (src) =>
        decodeUtf8Strict(file, await src.read(0, src.size)),
      );
      const v = parseJson(text.replace(/^\ufeff/, ''), file).value;
      obj = isJsonObject(v) ? v : null;
    } catch {
      obj = null;
    }
    const byContent = obj ? kindByContent(obj) : null;
    if (byContent) return dispatchJson(byContent, file, base('content'));
    return {
      ...base('none'),
      kind: 'unknown',
      result: {
        format: 'unknown',
        reason: obj ? 'JSON object of an unrecognised shape' : 'not a JSON object',
        magic,
      },
    };
  }
  return {
    ...base('none'),
    kind: 'unknown',
    result: {
      format: 'unknown',
      reason: size === 0 ? 'empty file' : 'no known magic bytes or file name',
      magic,
    },
  };
}
