/**
 * `probity inspect`: one artifact, any kind the format parsers know (formats/detect.ts), described
 * for a reader: a summary of what the file is and says, then the detail (a tensor table with byte
 * ranges for weights, the import table for pickles). Problems found by the parser close the text.
 */
import type {
  Artifact,
  GgufHeader,
  GgufValue,
  PickleScanReport,
  SafetensorsHeader,
} from '../formats/index.ts';
import { humanBytes } from '../util/format.ts';
import { layerIndices } from './tensor-names.ts';
import { textTable } from './render.ts';
import { ggufTensors, safetensorsTensors, type TensorRef } from './tensors.ts';

function kv(pairs: [string, unknown][]): string {
  const rows = pairs.filter(([, v]) => v !== null && v !== undefined && v !== '');
  const w = Math.max(0, ...rows.map(([k]) => k.length));
  return rows
    .map(([k, v]) => `  ${`${k}:`.padEnd(w + 1)} ${typeof v === 'string' ? v : JSON.stringify(v)}\n`)
    .join('');
}

function clip(s: string, max = 100): string {
  const one = s.replace(/\n/g, '\\n');
  return one.length > max ? `${one.slice(0, max)}…` : one;
}

function tensorTable(tensors: readonly TensorRef[]): string {
  return textTable(
    ['NAME', 'DTYPE', 'SHAPE', 'BYTES', 'BYTE RANGE'],
    tensors.map((t) => [
      t.name,
      t.dtype,
      `[${t.shape.join(', ')}]`,
      String(t.end - t.begin),
      `${t.begin}..${t.end}`,
    ]),
    '  ',
  );
}

function problems(list: readonly string[]): string {
  return list.length ? `\nproblems (${list.length}):\n${list.map((p) => `  - ${p}\n`).join('')}` : '';
}

function safetensors(h: SafetensorsHeader, file: string): string {
  const t = safetensorsTensors(file, file, h);
  let out = kv([
    ['format', 'safetensors'],
    ['header length', h.headerLength],
    ['tensors', h.tensors.length],
    ['parameters', h.parameterCount.toLocaleString('en-US')],
    [
      'dtypes',
      Object.entries(h.dtypes)
        .map(([d, c]) => `${d} ×${c}`)
        .join(', '),
    ],
    ['layers (from names)', layerIndices(h.tensors.map((x) => x.name)).length || null],
  ]);
  if (h.metadata) out += `metadata:\n${kv(Object.entries(h.metadata).map(([k, v]) => [k, clip(v)]))}`;
  for (const s of h.suspiciousMetadata)
    out += `  ! metadata ${s.key} reads like code: ${s.matched.join(', ')}\n`;
  return `${out}\ntensors:\n${tensorTable(t)}${problems(h.problems)}`;
}

function ggufValueText(v: GgufValue): string {
  if (typeof v !== 'object') return clip(String(v));
  if (v.kind === 'array')
    return `[${v.elementType} × ${v.length}] ${clip(v.head.map((x) => (typeof x === 'object' ? '…' : String(x))).join(', '), 60)}`;
  return `(${v.length}-byte string, sha256 ${v.sha256 ?? 'not computed'}) ${clip(v.head, 40)}`;
}

function gguf(h: GgufHeader, file: string): string {
  let out = kv([
    ['format', `GGUF v${h.version} (${h.endianness}-endian)`],
    ['tensors', h.tensorCount],
    ['metadata pairs', h.kvCount],
    ['parameters', h.parameterCount.toLocaleString('en-US')],
    [
      'tensor types',
      Object.entries(h.tensorTypes)
        .map(([d, c]) => `${d} ×${c}`)
        .join(', '),
    ],
    ['architecture', h.architecture],
    ['block count', h.model.blockCount],
    ['embedding length', h.model.embeddingLength],
    ['context length', h.model.contextLength],
    ['feed-forward length', h.model.feedForwardLength],
    [
      'heads / kv heads',
      h.model.headCount === null ? null : `${h.model.headCount} / ${h.model.headCountKv ?? '-'}`,
    ],
    ['vocabulary', h.model.vocabSize],
    ['name', h.provenance.name],
    ['file type', h.provenance.fileTypeName],
    ['adapter', h.adapter ? `${h.adapter.type ?? 'unknown'} (alpha ${h.adapter.loraAlpha ?? '-'})` : null],
  ]);
  if (h.tokenizer) {
    out += `tokenizer: ${h.tokenizer.model ?? '?'} (pre ${h.tokenizer.pre ?? '-'}), ${h.tokenizer.tokenCount ?? '?'} tokens, ${h.tokenizer.mergeCount ?? 0} merges\n`;
    for (const s of h.tokenizer.specialTokens) out += `  ${s.role}: ${s.id} ${JSON.stringify(s.text)}\n`;
    for (const c of h.tokenizer.chatTemplates)
      out += `  chat template ${c.name}: ${c.length} chars, sha256 ${c.sha256}${c.suspicious.length ? `, SUSPICIOUS: ${c.suspicious.join(', ')}` : ''}\n`;
  }
  out += `metadata:\n${textTable(
    ['KEY', 'TYPE', 'VALUE'],
    h.metadata.map((m) => [m.key, m.type, ggufValueText(m.value)]),
    '  ',
  )}`;
  if (h.tensors.length) out += `\ntensors:\n${tensorTable(ggufTensors(file, file, h))}`;
  return out + problems(h.problems);
}

function pickle(r: PickleScanReport): string {
  let out = kv([
    ['format', r.format],
    ['verdict', r.verdict],
    ['pickles', r.pickles.length],
    [
      'archive',
      r.archive ? `${r.archive.root ?? '(no root folder)'}, ${r.archive.memberCount} members` : null,
    ],
  ]);
  out += `imports:\n${textTable(
    ['CLASS', 'IMPORT', 'COUNT', 'REASON'],
    r.imports.map((i) => [i.classification, i.ref, String(i.count), i.reason ?? '']),
    '  ',
  )}`;
  const calls = r.pickles
    .flatMap((p) => p.calls)
    .filter((c) => r.imports.some((i) => i.ref === c.target && i.classification !== 'safe'));
  if (calls.length)
    out += `calls of non-safe imports:\n${calls.map((c) => `  ${c.target}(${c.args.join(', ')}) at offset ${c.offset}\n`).join('')}`;
  return out + problems(r.problems);
}

function body(a: Artifact): string {
  switch (a.kind) {
    case 'safetensors':
      return safetensors(a.result, a.file);
    case 'gguf':
      return gguf(a.result, a.file);
    case 'pickle':
    case 'torch-zip':
      return pickle(a.result);
    case 'safetensors-index':
      return (
        kv([
          ['format', 'safetensors index'],
          ['tensors', a.result.tensorCount],
          ['total size', a.result.totalSize],
        ]) +
        textTable(
          ['SHARD', 'TENSORS'],
          a.result.shards.map((s) => [s.name, String(s.tensorCount)]),
          '  ',
        ) +
        problems(a.result.problems)
      );
    case 'adapter-config': {
      const c = a.result;
      const t = c.targetModules;
      return (
        kv([
          ['format', `adapter config (${c.dialect})`],
          ['peft type', c.peftType],
          ['task type', c.taskType],
          ['r', c.r],
          ['lora alpha', c.loraAlpha],
          [
            'target modules',
            t.kind === 'list' ? t.modules.join(', ') : t.kind === 'regex' ? `/${t.pattern}/` : t.kind,
          ],
          ['modules to save', c.modulesToSave?.join(', ') ?? null],
          ['rank pattern', c.rankPattern && Object.keys(c.rankPattern).length ? c.rankPattern : null],
          ['base model', c.baseModelNameOrPath],
          ['peft version', c.peftVersion],
        ]) + problems(c.problems)
      );
    }
    case 'model-config': {
      const c = a.result;
      return (
        kv([
          ['format', 'model config (config.json)'],
          ['model type', c.modelType],
          ['architectures', c.architectures?.join(', ') ?? null],
          ['layers', c.numHiddenLayers],
          ['hidden size', c.hiddenSize],
          ['intermediate size', c.intermediateSize],
          [
            'heads / kv heads',
            c.numAttentionHeads === null ? null : `${c.numAttentionHeads} / ${c.numKeyValueHeads ?? '-'}`,
          ],
          ['vocabulary', c.vocabSize],
          ['max positions', c.maxPositionEmbeddings],
          ['tied embeddings', c.tieWordEmbeddings],
          ['dtype', c.torchDtype],
          ['quantization', c.quantization.present ? (c.quantization.method ?? 'yes') : null],
          ['remote code (auto_map)', c.remoteCode],
        ]) + problems(c.problems)
      );
    }
    case 'tokenizer': {
      const t = a.result;
      return (
        kv([
          ['format', 'tokenizer.json'],
          ['model', t.modelType],
          ['vocabulary', t.vocabSize],
          ['highest id', t.maxTokenId],
          ['merges', t.mergeCount],
          ['added tokens', t.addedTokenCount],
        ]) +
        textTable(
          ['ID', 'SPECIAL', 'CONTENT'],
          t.addedTokens.map((x) => [String(x.id), x.special ? 'yes' : 'no', JSON.stringify(x.content)]),
          '  ',
        ) +
        problems(t.problems)
      );
    }
    case 'tokenizer-config': {
      const t = a.result;
      return (
        kv([
          ['format', 'tokenizer_config.json'],
          ['class', t.tokenizerClass],
          [
            'bos / eos / unk / pad',
            [t.bosToken, t.eosToken, t.unkToken, t.padToken].map((x) => x ?? '-').join(' / '),
          ],
          ['added tokens', t.addedTokensDecoderCount],
          ['model max length', t.modelMaxLengthText ?? t.modelMaxLength],
        ]) +
        t.chatTemplates
          .map(
            (c) =>
              `  chat template ${c.name}: ${c.length} chars, sha256 ${c.sha256}${c.suspicious.length ? `, SUSPICIOUS: ${c.suspicious.join(', ')}` : ''}\n`,
          )
          .join('') +
        problems(t.problems)
      );
    }
    case 'chat-template':
      return (
        kv([
          ['format', 'chat template'],
          ['length', a.result.template.length],
          ['sha256', a.result.template.sha256],
          ['suspicious', a.result.template.suspicious.join(', ') || 'none'],
        ]) + problems(a.result.problems)
      );
    case 'lfs-pointer':
      return (
        kv([
          ['format', 'Git LFS pointer (not the file itself)'],
          ['oid', `${a.result.oidAlgorithm}:${a.result.oid}`],
          ['size of the real file', a.result.size],
        ]) + problems(a.result.problems)
      );
    case 'unknown':
      return kv([
        ['format', 'not recognised'],
        ['reason', a.result.reason],
        ['first bytes', a.result.magic],
      ]);
  }
}

export function renderInspect(a: Artifact): string {
  return `${a.file} (${humanBytes(a.fileSize)}, detected by ${a.detectedBy})\n${body(a)}`;
}
