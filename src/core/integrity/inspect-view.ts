/**
 * The workstation's artifact inspector: one evidence file parsed by the format parsers (the same
 * ones `probity inspect` uses, render-inspect.ts) and described as the wire shape the UI draws
 * (src/shared/integrity.ts ArtifactInspection): labelled fields, header metadata, the tensor
 * table with byte ranges, pickle imports with their classification, and the parser's problems.
 */
import type { ArtifactField, ArtifactInspection, ArtifactTable } from '../../shared/integrity';
import type { Artifact, GgufValue, PickleScanReport } from '../formats/index.ts';
import { summarizeScanned } from '../formats/index.ts';
import { ProbityError } from '../util/errors.ts';
import { humanBytes } from '../util/format.ts';
import { inspectEvidence, loadCaseFiles } from './case-files.ts';
import { layerIndices } from './tensor-names.ts';
import { ggufTensors, safetensorsTensors, type TensorRef } from './tensors.ts';
import type { CaseStore } from '../store/workstation.ts';
import { listEvidence } from '../store/queries.ts';

type Pair = [string, unknown, boolean?];

function fields(pairs: Pair[]): ArtifactField[] {
  return pairs
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([label, v, flag]) => ({
      label,
      value:
        typeof v === 'string' ? v : typeof v === 'number' ? v.toLocaleString('en-US') : JSON.stringify(v),
      ...(flag ? { flag: true } : {}),
    }));
}

function clip(s: string, max = 400): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function counts(map: Record<string, number>): string {
  return Object.entries(map)
    .map(([d, c]) => `${d} ×${c}`)
    .join(', ');
}

function tensorRows(t: readonly TensorRef[]): ArtifactInspection['tensors'] {
  return t.map((x) => ({
    name: x.name,
    dtype: x.dtype,
    shape: x.shape,
    bytes: x.end - x.begin,
    begin: x.begin,
    end: x.end,
  }));
}

function ggufValueText(v: GgufValue): string {
  if (typeof v !== 'object') return clip(String(v));
  if (v.kind === 'array')
    return `[${v.elementType} × ${v.length}] ${clip(v.head.map((x) => (typeof x === 'object' ? '…' : String(x))).join(', '), 160)}`;
  return `(${v.length}-byte string, sha256 ${v.sha256 ?? 'not computed'}) ${clip(v.head, 160)}`;
}

/** Rows of a state dict shown; the count says how many there are in all. */
const MAX_TENSOR_ROWS = 500;

function pickleView(r: PickleScanReport): Pick<ArtifactInspection, 'fields' | 'imports' | 'tables'> {
  const tensors = r.pickles.flatMap((p) => p.tensors);
  const arrays = r.pickles.flatMap((p) => p.joblibArrays);
  const calls = r.pickles
    .flatMap((p) => p.calls)
    .filter((c) => r.imports.some((i) => i.ref === c.target && i.classification !== 'safe'));
  return {
    fields: fields([
      ['pickles', r.pickles.length],
      ['tensors', tensors.length || null],
      ['joblib arrays', arrays.length || null],
      [
        'archive',
        r.archive ? `${r.archive.root ?? '(no root folder)'}, ${r.archive.memberCount} members` : null,
      ],
    ]),
    imports: r.imports.map((i) => ({
      classification: i.classification,
      ref: i.ref,
      count: i.count,
      reason: i.reason,
    })),
    tables: [
      ...(calls.length
        ? [
            {
              title: 'Calls of non-safe imports',
              columns: ['Target', 'Arguments', 'Offset'],
              rows: calls.map((c) => [c.target, clip(c.args.join(', '), 200), String(c.offset)]),
            },
          ]
        : []),
      ...(tensors.length
        ? [
            {
              title:
                tensors.length > MAX_TENSOR_ROWS
                  ? `State-dict tensors (first ${MAX_TENSOR_ROWS} of ${tensors.length})`
                  : `State-dict tensors (${tensors.length})`,
              columns: ['Name', 'Storage', 'Shape', 'Storage key'],
              rows: tensors
                .slice(0, MAX_TENSOR_ROWS)
                .map((t) => [t.name ?? '(not stored by name)', t.storage, t.shape, t.key]),
            },
          ]
        : []),
      ...(arrays.length
        ? [
            {
              // Read past the way joblib.load reads them: raw elements, or an object array's pickle.
              title: `joblib arrays (${arrays.length})`,
              columns: ['dtype', 'Shape', 'Order', 'Data bytes', 'Data offset', 'Stored as'],
              rows: arrays
                .slice(0, MAX_TENSOR_ROWS)
                .map((x) => [
                  x.dtype,
                  `(${x.shape.join(', ')})`,
                  x.order,
                  String(x.dataBytes),
                  String(x.dataOffset),
                  x.objectPickle
                    ? 'pickle (object dtype, scanned)'
                    : `raw${x.padding !== null ? `, ${x.padding} pad bytes` : ''}`,
                ]),
            },
          ]
        : []),
    ],
  };
}

type Body = Omit<ArtifactInspection, 'evidenceId' | 'path' | 'sha256' | 'size' | 'kind' | 'detectedBy'>;

function empty(format: string): Body {
  return { format, fields: [], metadata: [], tensors: null, imports: null, tables: [], problems: [] };
}

function chatTemplateTable(
  list: { name: string; length: number; sha256: string; suspicious: string[] }[],
): ArtifactTable[] {
  return list.length
    ? [
        {
          title: 'Chat templates',
          columns: ['Name', 'Length', 'SHA-256', 'Suspicious'],
          rows: list.map((c) => [c.name, String(c.length), c.sha256, c.suspicious.join(', ') || 'none']),
        },
      ]
    : [];
}

/**
 * Describe an artifact for the inspector: its verdict (with the rule set) first, every finding
 * that lowered or capped it as a table, then the parser's own description.
 */
export function artifactBody(a: Artifact): Body {
  const b = describe(a);
  const s = a.scan;
  return {
    ...b,
    fields: [
      {
        label: 'verdict',
        value: `${s.level} (rules ${s.rules.version}, ${s.rules.digest.slice(0, 12)})`,
        ...(s.level !== 'safe' ? { flag: true } : {}),
      },
      ...b.fields,
    ],
    tables: s.findings.length
      ? [
          {
            title: 'Findings',
            columns: ['Level', 'Finding', 'Where'],
            rows: s.findings.map((f) => [
              f.level,
              f.capability ? `${f.what} [${f.capability}]` : f.what,
              f.where ?? '',
            ]),
          },
          ...b.tables,
        ]
      : b.tables,
  };
}

function describe(a: Artifact): Body {
  switch (a.kind) {
    case 'safetensors': {
      const h = a.result;
      const suspicious = new Set(h.suspiciousMetadata.map((s) => s.key));
      return {
        ...empty('safetensors'),
        fields: fields([
          ['header length', h.headerLength],
          ['tensors', h.tensors.length],
          ['parameters', h.parameterCount],
          ['dtypes', counts(h.dtypes)],
          ['layers (from names)', layerIndices(h.tensors.map((x) => x.name)).length || null],
          ...h.suspiciousMetadata.map((s): Pair => [
            `metadata ${s.key}`,
            `reads like code: ${s.matched.join(', ')}`,
            true,
          ]),
        ]),
        metadata: Object.entries(h.metadata ?? {}).map(([key, value]) => ({
          key,
          type: null,
          value: clip(value),
          ...(suspicious.has(key) ? { flag: true } : {}),
        })),
        tensors: tensorRows(safetensorsTensors(a.file, a.file, h)),
        problems: h.problems,
      };
    }
    case 'gguf': {
      const h = a.result;
      const tables: ArtifactTable[] = [];
      if (h.tokenizer) {
        tables.push({
          title: `Tokenizer: ${h.tokenizer.model ?? '?'} (pre ${h.tokenizer.pre ?? '-'}), ${h.tokenizer.tokenCount ?? '?'} tokens, ${h.tokenizer.mergeCount ?? 0} merges`,
          columns: ['Role', 'Id', 'Text'],
          rows: h.tokenizer.specialTokens.map((s) => [s.role, String(s.id), JSON.stringify(s.text)]),
        });
        tables.push(...chatTemplateTable(h.tokenizer.chatTemplates));
      }
      return {
        ...empty(`GGUF v${h.version} (${h.endianness}-endian)`),
        fields: fields([
          ['tensors', h.tensorCount],
          ['metadata pairs', h.kvCount],
          ['parameters', h.parameterCount],
          ['tensor types', counts(h.tensorTypes)],
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
          [
            'adapter',
            h.adapter ? `${h.adapter.type ?? 'unknown'} (alpha ${h.adapter.loraAlpha ?? '-'})` : null,
          ],
        ]),
        metadata: h.metadata.map((m) => ({ key: m.key, type: m.type, value: ggufValueText(m.value) })),
        tensors: tensorRows(ggufTensors(a.file, a.file, h)),
        tables,
        problems: h.problems,
      };
    }
    case 'pickle':
    case 'torch-zip':
      return { ...empty(a.result.format), ...pickleView(a.result), problems: a.result.problems };
    case 'safetensors-index':
      return {
        ...empty('safetensors index'),
        fields: fields([
          ['tensors', a.result.tensorCount],
          ['total size', a.result.totalSize],
        ]),
        tables: [
          {
            title: 'Shards',
            columns: ['Shard', 'Tensors'],
            rows: a.result.shards.map((s) => [s.name, String(s.tensorCount)]),
          },
        ],
        problems: a.result.problems,
      };
    case 'adapter-config': {
      const c = a.result;
      const t = c.targetModules;
      return {
        ...empty(`adapter config (${c.dialect})`),
        fields: fields([
          ['peft type', c.peftType],
          ['task type', c.taskType],
          ['r', c.r],
          ['lora alpha', c.loraAlpha],
          [
            'target modules',
            t.kind === 'list' ? t.modules.join(', ') : t.kind === 'regex' ? `/${t.pattern}/` : t.kind,
          ],
          ['modules to save', c.modulesToSave?.join(', ') ?? null, (c.modulesToSave?.length ?? 0) > 0],
          ['rank pattern', c.rankPattern && Object.keys(c.rankPattern).length ? c.rankPattern : null],
          ['base model', c.baseModelNameOrPath],
          ['peft version', c.peftVersion],
        ]),
        problems: c.problems,
      };
    }
    case 'model-config': {
      const c = a.result;
      return {
        ...empty('model config (config.json)'),
        fields: fields([
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
          ['remote code (auto_map)', c.remoteCode, !!c.remoteCode],
        ]),
        problems: c.problems,
      };
    }
    case 'tokenizer': {
      const t = a.result;
      return {
        ...empty('tokenizer.json'),
        fields: fields([
          ['model', t.modelType],
          ['vocabulary', t.vocabSize],
          ['highest id', t.maxTokenId],
          ['merges', t.mergeCount],
          ['added tokens', t.addedTokenCount],
        ]),
        tables: [
          {
            title: 'Added tokens',
            columns: ['Id', 'Special', 'Content'],
            rows: t.addedTokens.map((x) => [
              String(x.id),
              x.special ? 'yes' : 'no',
              JSON.stringify(x.content),
            ]),
          },
        ],
        problems: t.problems,
      };
    }
    case 'tokenizer-config': {
      const t = a.result;
      return {
        ...empty('tokenizer_config.json'),
        fields: fields([
          ['class', t.tokenizerClass],
          [
            'bos / eos / unk / pad',
            [t.bosToken, t.eosToken, t.unkToken, t.padToken].map((x) => x ?? '-').join(' / '),
          ],
          ['added tokens', t.addedTokensDecoderCount],
          ['model max length', t.modelMaxLengthText ?? t.modelMaxLength],
        ]),
        tables: chatTemplateTable(t.chatTemplates),
        problems: t.problems,
      };
    }
    case 'chat-template':
      return {
        ...empty('chat template'),
        fields: fields([
          ['length', a.result.template.length],
          ['sha256', a.result.template.sha256],
          [
            'suspicious',
            a.result.template.suspicious.join(', ') || 'none',
            a.result.template.suspicious.length > 0,
          ],
        ]),
        problems: a.result.problems,
      };
    case 'lfs-pointer':
      return {
        ...empty('Git LFS pointer (not the file itself)'),
        fields: fields([
          ['oid', `${a.result.oidAlgorithm}:${a.result.oid}`],
          ['size of the real file', a.result.size],
        ]),
        problems: a.result.problems,
      };
    case 'numpy':
    case 'archive':
    case 'keras':
    case 'saved-model':
    case 'onnx':
    case 'template-config': {
      const x = summarizeScanned(a.result);
      return { ...empty(x.format), fields: fields(x.fields), problems: x.problems };
    }
    case 'unknown':
      return {
        ...empty('not recognised'),
        fields: fields([
          ['reason', a.result.reason],
          ['first bytes', a.result.magic],
        ]),
      };
  }
}

/** Inspect one evidence file of a case by its evidence id. */
export async function inspectCaseEvidence(store: CaseStore, evidenceId: number): Promise<ArtifactInspection> {
  const item = listEvidence(store).find((e) => e.id === evidenceId);
  if (!item) throw new ProbityError('not-found', `${store.id}: no evidence with id ${evidenceId}`);
  if (item.sha256 === null)
    throw new ProbityError(
      'usage',
      `${item.path}: a link is recorded but never followed, so it has no bytes to inspect`,
      {
        file: item.path,
      },
    );
  const cf = loadCaseFiles(store);
  const file = {
    id: item.id,
    path: item.path,
    kind: item.kind,
    sha256: item.sha256,
    size: item.size,
    object: cf.byPath.get(item.path)?.object ?? store.objectPath(item.sha256),
  };
  const artifact = await inspectEvidence(file);
  const body = artifactBody(artifact);
  return {
    evidenceId: item.id,
    path: item.path,
    sha256: item.sha256,
    size: item.size,
    kind: artifact.kind,
    detectedBy: artifact.detectedBy,
    ...body,
    fields: [{ label: 'size', value: humanBytes(artifact.fileSize) }, ...body.fields],
  };
}
