/**
 * Playbook, Integrity Verification, row "Architecture validation": "Verify layer counts, hidden
 * sizes, vocabulary size — Pass criteria: matches specification".
 *
 * The specification is config.json (transformers PretrainedConfig) and, with `--baseline`, the
 * known-good model's config, tensors and tokenizer. Checked:
 * - layer count: distinct layer indices in the tensor names vs num_hidden_layers;
 * - hidden size: embedding columns and q_proj in-features vs hidden_size; q/k projection rows vs
 *   heads × head_dim; MLP rows vs intermediate_size; every layer's tensors shaped like layer 0's;
 * - vocabulary: embedding rows = lm_head rows = vocab_size, and every tokenizer id — base vocab
 *   and added tokens, tokenizer.json and tokenizer_config.json — below it: an id the embedding
 *   has no row for is a token the model cannot embed (a smuggled special token);
 * - GGUF: `<arch>.block_count`, `embedding_length`, `feed_forward_length` and the token list
 *   against the tensors (ggml docs/gguf.md standardized key-value pairs), special-token ids;
 * - baseline: the same config fields, the same tensor inventory (names, shapes, dtypes), the same
 *   tokenizer ids.
 */
import type { GgufHeader } from '../formats/index.ts';
import { EMBEDDING_RE, LM_HEAD_RE, findTensor, type ModelFacts } from './model-facts.ts';
import { layerIndices, tensorPlace } from './tensor-names.ts';
import { CHECK_TITLES, countByStatus, item, n, statusOf, type CheckItem, type CheckResult } from './types.ts';

function expect(
  subject: string,
  what: string,
  actual: number | null,
  spec: number | null,
  specName: string,
  details: Record<string, unknown> = {},
): CheckItem | null {
  if (actual === null || spec === null) return null;
  const d = { ...details, what, actual, expected: spec };
  return actual === spec
    ? item('pass', subject, `${what} ${actual} = ${specName} ${spec}`, d)
    : item('fail', subject, `${what} is ${actual} but ${specName} is ${spec}`, d);
}

function present(list: (CheckItem | null)[]): CheckItem[] {
  return list.filter((i): i is CheckItem => i !== null);
}

function layerCountItems(f: ModelFacts): CheckItem[] {
  const cfg = f.config;
  if (!cfg || f.tensors.size === 0) return [];
  const layers = layerIndices(f.tensors.keys());
  const out = present([
    expect(
      cfg.file,
      'distinct layer indices in the weights',
      layers.length,
      cfg.cfg.numHiddenLayers,
      'num_hidden_layers',
      {
        layers,
      },
    ),
  ]);
  const gaps = layers.filter((l, i) => l !== i);
  if (gaps.length > 0)
    out.push(
      item('fail', cfg.file, `layer indices are not 0..${layers.length - 1}: ${layers.join(', ')}`, {
        layers,
      }),
    );
  return out;
}

/** Every layer's tensor of a role has the shape layer 0's has (a grafted layer stands out). */
function layerShapeItems(f: ModelFacts): CheckItem[] {
  const byRole = new Map<string, { layer: number; shape: number[]; name: string }[]>();
  for (const t of f.tensors.values()) {
    const { layer, role } = tensorPlace(t.name);
    if (layer === null) continue;
    const list = byRole.get(role) ?? [];
    list.push({ layer, shape: t.shape, name: t.name });
    byRole.set(role, list);
  }
  const out: CheckItem[] = [];
  for (const [role, list] of byRole) {
    const ref = [...list].sort((a, b) => a.layer - b.layer)[0];
    if (!ref) continue;
    for (const t of list)
      if (t.shape.join('x') !== ref.shape.join('x'))
        out.push(
          item(
            'fail',
            t.name,
            `${t.name} is [${t.shape.join(', ')}] but ${role} of layer ${ref.layer} is [${ref.shape.join(', ')}]`,
            {
              role,
              shape: t.shape,
              expected: ref.shape,
            },
          ),
        );
  }
  return out;
}

function hiddenSizeItems(f: ModelFacts): CheckItem[] {
  const cfg = f.config;
  if (!cfg || f.tensors.size === 0) return [];
  const c = cfg.cfg;
  const emb = findTensor(f, EMBEDDING_RE);
  const q = findTensor(f, /(^|\.)(q_proj|wq|query)\.weight$/);
  const k = findTensor(f, /(^|\.)(k_proj|wk|key)\.weight$/);
  const gate = findTensor(f, /(^|\.)(gate_proj|up_proj|w1|fc1|c_fc|dense_h_to_4h)\.weight$/);
  const headDim =
    cfg.headDim ?? (c.hiddenSize !== null && c.numAttentionHeads ? c.hiddenSize / c.numAttentionHeads : null);
  return present([
    emb
      ? expect(
          emb.name,
          `${emb.name} columns (hidden size)`,
          emb.shape[1] ?? null,
          c.hiddenSize,
          'hidden_size',
        )
      : null,
    q ? expect(q.name, `${q.name} in-features`, q.shape[1] ?? null, c.hiddenSize, 'hidden_size') : null,
    q && headDim !== null && c.numAttentionHeads !== null
      ? expect(
          q.name,
          `${q.name} rows`,
          q.shape[0] ?? null,
          c.numAttentionHeads * headDim,
          'num_attention_heads × head_dim',
        )
      : null,
    k && headDim !== null && c.numKeyValueHeads !== null
      ? expect(
          k.name,
          `${k.name} rows`,
          k.shape[0] ?? null,
          c.numKeyValueHeads * headDim,
          'num_key_value_heads × head_dim',
        )
      : null,
    gate
      ? expect(gate.name, `${gate.name} rows`, gate.shape[0] ?? null, c.intermediateSize, 'intermediate_size')
      : null,
  ]);
}

/** The vocabulary size the model can embed: embedding rows, else config vocab_size. */
function embeddingRows(f: ModelFacts): { rows: number; from: string } | null {
  const emb = findTensor(f, EMBEDDING_RE);
  if (emb && emb.shape[0] !== undefined) return { rows: emb.shape[0], from: `${emb.name} rows` };
  const v = f.config?.cfg.vocabSize;
  return v !== null && v !== undefined ? { rows: v, from: 'config vocab_size' } : null;
}

function vocabItems(f: ModelFacts): CheckItem[] {
  const out: CheckItem[] = [];
  const c = f.config;
  const emb = findTensor(f, EMBEDDING_RE);
  const head = findTensor(f, LM_HEAD_RE);
  if (c && emb)
    out.push(
      ...present([expect(emb.name, `${emb.name} rows`, emb.shape[0] ?? null, c.cfg.vocabSize, 'vocab_size')]),
    );
  if (c && head)
    out.push(
      ...present([
        expect(head.name, `${head.name} rows`, head.shape[0] ?? null, c.cfg.vocabSize, 'vocab_size'),
      ]),
    );
  if (c && emb && !head && f.tensors.size > 0) {
    const tied = c.cfg.tieWordEmbeddings;
    out.push(
      tied === false
        ? item('fail', c.file, 'no output head (lm_head) tensor although tie_word_embeddings is false', {})
        : item('info', c.file, 'no lm_head tensor: the output head is tied to the embedding', {}),
    );
  }
  out.push(...tokenizerItems(f));
  return out;
}

function tokenizerItems(f: ModelFacts): CheckItem[] {
  const limit = embeddingRows(f);
  if (!limit) return [];
  const out: CheckItem[] = [];
  const what = `the ${limit.rows}-row embedding (${limit.from})`;
  const tj = f.tokenizer;
  if (tj) {
    const bad = tj.tok.addedTokens.filter((t) => t.id >= limit.rows);
    for (const t of bad)
      out.push(
        item(
          'fail',
          tj.file,
          `${tj.file}: added token ${t.id} ${JSON.stringify(t.content)}${t.special ? ' (special)' : ''} has no row in ${what}: the model cannot embed it`,
          { token: t.content, id: t.id, special: t.special, vocabRows: limit.rows, source: limit.from },
        ),
      );
    const baseMax = tj.tok.vocabSize - 1;
    if (tj.tok.vocabSize > limit.rows)
      out.push(
        item('fail', tj.file, `${tj.file}: ${tj.tok.vocabSize} vocabulary entries exceed ${what}`, {
          vocabSize: tj.tok.vocabSize,
        }),
      );
    if (bad.length === 0 && tj.tok.maxTokenId !== null && tj.tok.maxTokenId < limit.rows)
      out.push(
        item(
          'pass',
          tj.file,
          `${tj.file}: every token id (0..${tj.tok.maxTokenId}, ${tj.tok.addedTokenCount} added) fits ${what}`,
          {
            maxTokenId: tj.tok.maxTokenId,
            baseMax,
          },
        ),
      );
  }
  const tc = f.tokenizerConfig;
  if (tc)
    for (const t of tc.tc.addedTokensDecoder.filter((x) => x.id >= limit.rows))
      out.push(
        item(
          'fail',
          tc.file,
          `${tc.file}: added_tokens_decoder ${t.id} ${JSON.stringify(t.content)} has no row in ${what}`,
          {
            token: t.content,
            id: t.id,
            vocabRows: limit.rows,
          },
        ),
      );
  return out;
}

function ggufItems(file: string, h: GgufHeader): CheckItem[] {
  const names = h.tensors.map((t) => t.name);
  const dims = (re: RegExp): number[] | null => h.tensors.find((t) => re.test(t.name))?.dims ?? null;
  const emb = dims(/^token_embd\.weight$/);
  const ffn = dims(/^blk\.0\.ffn_(gate|up)\.weight$/);
  const m = h.model;
  const out = present([
    names.length > 0
      ? expect(
          file,
          'distinct blk.N indices',
          layerIndices(names).length,
          m.blockCount,
          `${h.architecture}.block_count`,
        )
      : null,
    emb
      ? expect(
          file,
          'token_embd columns',
          emb[0] ?? null,
          m.embeddingLength,
          `${h.architecture}.embedding_length`,
        )
      : null,
    emb ? expect(file, 'token_embd rows', emb[1] ?? null, m.vocabSize, 'the vocabulary size') : null,
    ffn
      ? expect(
          file,
          'blk.0 FFN rows',
          ffn[1] ?? null,
          m.feedForwardLength,
          `${h.architecture}.feed_forward_length`,
        )
      : null,
  ]);
  for (const p of h.problems.filter((x) => /outside the .*vocabulary|vocab_size is/.test(x)))
    out.push(item('fail', file, `${file}: ${p}`, {}));
  if (names.length === 0)
    out.push(
      item('info', file, `${file}: no tensors (a vocabulary-only GGUF): metadata only`, {
        tokens: h.tokenizer?.tokenCount ?? null,
      }),
    );
  return out;
}

const CONFIG_FIELDS = [
  ['modelType', 'model_type'],
  ['architectures', 'architectures'],
  ['numHiddenLayers', 'num_hidden_layers'],
  ['hiddenSize', 'hidden_size'],
  ['vocabSize', 'vocab_size'],
  ['numAttentionHeads', 'num_attention_heads'],
  ['numKeyValueHeads', 'num_key_value_heads'],
  ['intermediateSize', 'intermediate_size'],
  ['maxPositionEmbeddings', 'max_position_embeddings'],
  ['tieWordEmbeddings', 'tie_word_embeddings'],
  ['torchDtype', 'torch_dtype'],
] as const;

function baselineConfigItems(f: ModelFacts, b: ModelFacts): CheckItem[] {
  if (!f.config || !b.config) return [];
  const out: CheckItem[] = [];
  for (const [field, key] of CONFIG_FIELDS) {
    const x = JSON.stringify(f.config.cfg[field]);
    const y = JSON.stringify(b.config.cfg[field]);
    if (x !== y)
      out.push(
        item('fail', f.config.file, `${key} is ${x} but baseline ${b.caseId} has ${y}`, {
          key,
          actual: f.config.cfg[field],
          expected: b.config.cfg[field],
        }),
      );
  }
  if (out.length === 0)
    out.push(
      item('pass', f.config.file, `config.json architecture fields match baseline ${b.caseId}`, {
        fields: CONFIG_FIELDS.map(([, k]) => k),
      }),
    );
  return out;
}

function baselineTensorItems(f: ModelFacts, b: ModelFacts): CheckItem[] {
  if (f.tensors.size === 0 || b.tensors.size === 0) return [];
  const out: CheckItem[] = [];
  const names = [...new Set([...f.tensors.keys(), ...b.tensors.keys()])].sort();
  for (const name of names) {
    const x = f.tensors.get(name);
    const y = b.tensors.get(name);
    if (!x)
      out.push(
        item('fail', name, `tensor ${name} of baseline ${b.caseId} is missing`, { expected: y?.shape }),
      );
    else if (!y)
      out.push(
        item('fail', name, `tensor ${name} [${x.shape.join(', ')}] is not in baseline ${b.caseId}`, {
          actual: x.shape,
        }),
      );
    else if (x.shape.join('x') !== y.shape.join('x') || x.dtype !== y.dtype)
      out.push(
        item(
          'fail',
          name,
          `tensor ${name} is ${x.dtype} [${x.shape.join(', ')}], baseline ${y.dtype} [${y.shape.join(', ')}]`,
          {
            actual: { shape: x.shape, dtype: x.dtype },
            expected: { shape: y.shape, dtype: y.dtype },
          },
        ),
      );
  }
  if (out.length === 0)
    out.push(
      item(
        'pass',
        null,
        `the ${f.tensors.size} tensors have the names, shapes and dtypes of baseline ${b.caseId}`,
        { tensors: f.tensors.size },
      ),
    );
  return out;
}

function baselineTokenizerItems(f: ModelFacts, b: ModelFacts): CheckItem[] {
  const x = f.tokenizer;
  const y = b.tokenizer;
  if (!x || !y) return [];
  const known = new Map(y.tok.addedTokens.map((t) => [t.content, t.id]));
  const out = x.tok.addedTokens
    .filter((t) => known.get(t.content) !== t.id)
    .map((t) =>
      item(
        'fail',
        x.file,
        `${x.file}: added token ${t.id} ${JSON.stringify(t.content)} is not in baseline ${b.caseId}'s tokenizer`,
        {
          token: t.content,
          id: t.id,
          special: t.special,
        },
      ),
    );
  if (x.tok.vocabSize !== y.tok.vocabSize)
    out.push(
      item(
        'fail',
        x.file,
        `${x.file}: ${x.tok.vocabSize} vocabulary entries, baseline has ${y.tok.vocabSize}`,
        {},
      ),
    );
  if (out.length === 0)
    out.push(
      item('pass', x.file, `${x.file}: vocabulary and added tokens match baseline ${b.caseId}`, {
        addedTokens: x.tok.addedTokenCount,
      }),
    );
  return out;
}

/** Why nothing was validated, naming what was there and what was missing. */
function notAnalysedSummary(f: ModelFacts, examined: readonly string[]): string {
  const spec = f.config ? f.config.file : null;
  const ggufOnly = f.ggufs.length > 0 && examined.length === 0;
  if (examined.length === 0)
    return spec
      ? `no weights in the model folder to validate against ${spec}`
      : ggufOnly
        ? `GGUF metadata without tensors (${f.ggufs.map((g) => g.file).join(', ')}): nothing to validate`
        : 'no weights and no config.json in the evidence to validate';
  return spec
    ? `weights ${examined.join(', ')} and ${spec} could not be compared`
    : `no config.json beside ${examined.join(', ')} to validate the weights against`;
}

/** Architecture validation of a case's model facts (model-facts.ts), with a baseline's when given. */
export function checkArchitecture(
  f: ModelFacts,
  b: ModelFacts | null,
  remoteCode: readonly CheckItem[] = [],
): CheckResult {
  const items: CheckItem[] = [
    ...remoteCode,
    ...layerCountItems(f),
    ...hiddenSizeItems(f),
    ...layerShapeItems(f),
    ...vocabItems(f),
    ...f.ggufs.flatMap((g) => ggufItems(g.file, g.header)),
    ...(b
      ? [...baselineConfigItems(f, b), ...baselineTensorItems(f, b), ...baselineTokenizerItems(f, b)]
      : []),
  ];
  for (const u of f.unreadable) items.push(item('not-analysed', null, u, {}));
  const reasons: string[] = [];
  reasons.push(f.config ? `specification: ${f.config.file}` : 'no config.json in the model folder');
  reasons.push(
    f.weightFiles.length
      ? `tensors from ${f.weightFiles.join(', ')}`
      : 'no safetensors weights in the model folder',
  );
  if (f.tokenizer) reasons.push(`tokenizer: ${f.tokenizer.file}`);
  if (remoteCode.length > 0)
    reasons.push(
      `remote code: ${f.config?.file ?? 'config.json'} auto_map names ${remoteCode.length} Python module${remoteCode.length === 1 ? '' : 's'} run at load (trust_remote_code)`,
    );
  if (f.ggufs.length) reasons.push(`GGUF: ${f.ggufs.map((g) => g.file).join(', ')}`);
  if (b)
    reasons.push(
      `baseline ${b.caseId}: ${b.config ? b.config.file : 'no config.json'}, ${b.tensors.size} tensors`,
    );
  // Weights examined: the architecture lives in the tensors; a config alone specifies, it does not show.
  const examined = [
    ...f.weightFiles,
    ...f.ggufs.filter((g) => g.header.tensors.length > 0).map((g) => g.file),
  ];
  const status = statusOf(items, examined);
  const counts = countByStatus(items);
  return {
    check: 'architecture',
    title: CHECK_TITLES.architecture,
    status,
    summary:
      status === 'not-analysed'
        ? notAnalysedSummary(f, examined)
        : `${n(counts.fail, 'mismatch', 'mismatches')}, ${n(counts.pass, 'matching fact')}`,
    reasons,
    items,
    details: {
      counts,
      examined,
      layers: layerIndices(f.tensors.keys()).length,
      tensors: f.tensors.size,
      config: f.config
        ? {
            numHiddenLayers: f.config.cfg.numHiddenLayers,
            hiddenSize: f.config.cfg.hiddenSize,
            vocabSize: f.config.cfg.vocabSize,
            intermediateSize: f.config.cfg.intermediateSize,
          }
        : null,
    },
  };
}
