/**
 * A tokenizer against the baseline's: vocabulary (tokens added, removed, remapped to another id),
 * merges, added and special tokens, and the normalizer, pre-tokenizer, post-processor and decoder
 * of tokenizer.json; the tokenizer metadata of a GGUF (model, pre-tokenizer, token and merge
 * counts, special token ids). And the same text tokenized by both, with the sequences compared: a
 * special token injected into the suspect tokenizer shows as one new id where the baseline had
 * several. Tokenizing uses `@huggingface/tokenizers` (pure JS, reads tokenizer.json offline).
 */
import { Tokenizer } from '@huggingface/tokenizers';
import type { GgufHeader } from '../formats/gguf.ts';
import { isJsonObject, parseJson, type JsonObject, type JsonValue } from '../formats/json.ts';
import { TOKENIZER_JSON_MAX_BYTES } from '../formats/tokenizer.ts';
import { canonicalJson } from '../util/canonical-json.ts';
import { readEvidenceText, type CaseFile } from './case-files.ts';

const LISTED = 50;

export interface LoadedTokenizer {
  file: string;
  json: JsonObject;
  config: JsonObject | null;
}

export async function loadTokenizerJson(f: CaseFile, config: CaseFile | null): Promise<LoadedTokenizer> {
  const { value } = parseJson(await readEvidenceText(f, TOKENIZER_JSON_MAX_BYTES), f.path);
  if (!isJsonObject(value)) throw new Error(`${f.path}: not a JSON object`);
  let cfg: JsonObject | null = null;
  if (config) {
    const parsed = parseJson(await readEvidenceText(config), config.path).value;
    cfg = isJsonObject(parsed) ? parsed : null;
  }
  return { file: f.path, json: value, config: cfg };
}

function vocabOf(t: JsonObject): Map<string, number> {
  const out = new Map<string, number>();
  const model = t.model;
  if (!isJsonObject(model)) return out;
  const v = model.vocab;
  if (isJsonObject(v)) {
    for (const [k, id] of Object.entries(v)) if (typeof id === 'number') out.set(k, id);
  } else if (Array.isArray(v)) {
    v.forEach((e, i) => {
      if (Array.isArray(e) && typeof e[0] === 'string') out.set(e[0], i);
    });
  }
  return out;
}

function mergesOf(t: JsonObject): string[] {
  const model = t.model;
  if (!isJsonObject(model) || !Array.isArray(model.merges)) return [];
  return model.merges.map((m) => (Array.isArray(m) ? m.map(String).join(' ') : String(m)));
}

interface AddedTok {
  id: number;
  content: string;
  special: boolean;
}

function addedOf(t: JsonObject): AddedTok[] {
  if (!Array.isArray(t.added_tokens)) return [];
  return t.added_tokens.flatMap((e) =>
    isJsonObject(e) && typeof e.content === 'string' && typeof e.id === 'number'
      ? [{ id: e.id, content: e.content, special: e.special === true }]
      : [],
  );
}

function part(v: JsonValue | undefined): string {
  return v === undefined ? 'null' : canonicalJson(v);
}

export interface TokenizerDiff {
  file: string;
  baselineFile: string;
  vocab: {
    added: { token: string; id: number }[];
    removed: { token: string; id: number }[];
    remapped: { token: string; from: number; to: number }[];
    counts: { added: number; removed: number; remapped: number };
  };
  merges: { added: string[]; removed: string[]; counts: { added: number; removed: number } };
  addedTokens: {
    added: AddedTok[];
    removed: AddedTok[];
    changed: { content: string; from: AddedTok; to: AddedTok }[];
  };
  /** normalizer, pre_tokenizer, post_processor, decoder that differ: both sides as JSON. */
  components: { component: string; baseline: string; suspect: string }[];
  /** One line per difference, for findings. */
  lines: string[];
}

function clip(s: string): string {
  return s.length > 2000 ? `${s.slice(0, 2000)}… (${s.length} characters)` : s;
}

export function compareTokenizerJson(a: LoadedTokenizer, base: LoadedTokenizer): TokenizerDiff {
  const va = vocabOf(a.json);
  const vb = vocabOf(base.json);
  const added: { token: string; id: number }[] = [];
  const removed: { token: string; id: number }[] = [];
  const remapped: { token: string; from: number; to: number }[] = [];
  let nAdded = 0;
  let nRemoved = 0;
  let nRemapped = 0;
  for (const [tok, id] of va) {
    const was = vb.get(tok);
    if (was === undefined) {
      nAdded++;
      if (added.length < LISTED) added.push({ token: tok, id });
    } else if (was !== id) {
      nRemapped++;
      if (remapped.length < LISTED) remapped.push({ token: tok, from: was, to: id });
    }
  }
  for (const [tok, id] of vb)
    if (!va.has(tok)) {
      nRemoved++;
      if (removed.length < LISTED) removed.push({ token: tok, id });
    }
  const ma = mergesOf(a.json);
  const mb = mergesOf(base.json);
  const sa = new Set(ma);
  const sb = new Set(mb);
  const mAdded = ma.filter((m) => !sb.has(m));
  const mRemoved = mb.filter((m) => !sa.has(m));
  const aa = addedOf(a.json);
  const ab = addedOf(base.json);
  const byContent = new Map(ab.map((t) => [t.content, t]));
  const aaContent = new Set(aa.map((t) => t.content));
  const tAdded = aa.filter((t) => !byContent.has(t.content));
  const tRemoved = ab.filter((t) => !aaContent.has(t.content));
  const tChanged = aa.flatMap((t) => {
    const was = byContent.get(t.content);
    return was && (was.id !== t.id || was.special !== t.special)
      ? [{ content: t.content, from: was, to: t }]
      : [];
  });
  const components: TokenizerDiff['components'] = [];
  for (const c of ['normalizer', 'pre_tokenizer', 'post_processor', 'decoder']) {
    const x = part(a.json[c]);
    const y = part(base.json[c]);
    if (x !== y) components.push({ component: c, baseline: clip(y), suspect: clip(x) });
  }
  const lines: string[] = [];
  for (const t of tAdded)
    lines.push(
      `added token ${JSON.stringify(t.content)} (id ${t.id}${t.special ? ', special' : ''}) not in the baseline`,
    );
  for (const t of tRemoved)
    lines.push(`added token ${JSON.stringify(t.content)} (id ${t.id}) of the baseline is missing`);
  for (const t of tChanged)
    lines.push(
      `added token ${JSON.stringify(t.content)}: id ${t.from.id}${t.from.special ? ' special' : ''} → id ${t.to.id}${t.to.special ? ' special' : ''}`,
    );
  if (nAdded)
    lines.push(
      `vocabulary: ${nAdded} tokens added (${added
        .slice(0, 5)
        .map((t) => JSON.stringify(t.token))
        .join(', ')}${nAdded > 5 ? ', …' : ''})`,
    );
  if (nRemoved)
    lines.push(
      `vocabulary: ${nRemoved} tokens removed (${removed
        .slice(0, 5)
        .map((t) => JSON.stringify(t.token))
        .join(', ')}${nRemoved > 5 ? ', …' : ''})`,
    );
  if (nRemapped)
    lines.push(
      `vocabulary: ${nRemapped} tokens remapped (${remapped
        .slice(0, 5)
        .map((t) => `${JSON.stringify(t.token)} ${t.from} → ${t.to}`)
        .join(', ')}${nRemapped > 5 ? ', …' : ''})`,
    );
  if (mAdded.length || mRemoved.length)
    lines.push(`merges: ${mAdded.length} added, ${mRemoved.length} removed`);
  for (const c of components) lines.push(`${c.component} differs from the baseline's`);
  return {
    file: a.file,
    baselineFile: base.file,
    vocab: { added, removed, remapped, counts: { added: nAdded, removed: nRemoved, remapped: nRemapped } },
    merges: {
      added: mAdded.slice(0, LISTED),
      removed: mRemoved.slice(0, LISTED),
      counts: { added: mAdded.length, removed: mRemoved.length },
    },
    addedTokens: {
      added: tAdded.slice(0, LISTED),
      removed: tRemoved.slice(0, LISTED),
      changed: tChanged.slice(0, LISTED),
    },
    components,
    lines,
  };
}

/** The tokenizer metadata of two GGUF headers, one line per difference. */
export function compareGgufTokenizer(a: GgufHeader, base: GgufHeader): string[] {
  const x = a.tokenizer;
  const y = base.tokenizer;
  if (!x || !y)
    return x === y
      ? []
      : [`tokenizer metadata ${x ? 'added' : 'missing'} (baseline ${y ? 'has' : 'has none'})`];
  const out: string[] = [];
  const field = (name: string, p: unknown, q: unknown): void => {
    if (canonicalJson(p ?? null) !== canonicalJson(q ?? null))
      out.push(`${name}: ${JSON.stringify(q ?? null)} → ${JSON.stringify(p ?? null)}`);
  };
  field('tokenizer.ggml.model', x.model, y.model);
  field('tokenizer.ggml.pre', x.pre, y.pre);
  field('token count', x.tokenCount, y.tokenCount);
  field('merge count', x.mergeCount, y.mergeCount);
  field('token types', x.tokenTypeCounts, y.tokenTypeCounts);
  const roles = new Set([...x.specialTokens, ...y.specialTokens].map((t) => t.role));
  for (const r of roles) {
    const p = x.specialTokens.find((t) => t.role === r);
    const q = y.specialTokens.find((t) => t.role === r);
    field(`${r} token`, p ? `${p.id} ${p.text ?? '?'}` : null, q ? `${q.id} ${q.text ?? '?'}` : null);
  }
  return out;
}

export interface Tokenization {
  ids: number[];
  tokens: string[];
}

export function makeTokenizer(t: LoadedTokenizer): (text: string) => Tokenization {
  const tok = new Tokenizer(t.json, t.config ?? {});
  return (text) => {
    const e = tok.encode(text, { add_special_tokens: false });
    return { ids: e.ids, tokens: e.tokens };
  };
}

export interface SequenceDiff {
  /** First index at which the sequences differ, or null when they are the same. */
  firstDifference: number | null;
  baseline: Tokenization;
  suspect: Tokenization;
  /** Ids of the suspect's sequence that the baseline's vocabulary and added tokens do not have. */
  newIds: { id: number; token: string }[];
}

/** The same text under both tokenizers. */
export function compareSequences(
  suspect: Tokenization,
  baseline: Tokenization,
  baselineIds: ReadonlySet<number>,
): SequenceDiff {
  let first: number | null = null;
  const n = Math.max(suspect.ids.length, baseline.ids.length);
  for (let i = 0; i < n; i++)
    if (suspect.ids[i] !== baseline.ids[i] || suspect.tokens[i] !== baseline.tokens[i]) {
      first = i;
      break;
    }
  const newIds: { id: number; token: string }[] = [];
  suspect.ids.forEach((id, i) => {
    if (!baselineIds.has(id) && !newIds.some((x) => x.id === id))
      newIds.push({ id, token: suspect.tokens[i] ?? '' });
  });
  return { firstDifference: first, baseline, suspect, newIds };
}

/** Every id a tokenizer.json defines (vocabulary and added tokens). */
export function idsOf(t: LoadedTokenizer): Set<number> {
  return new Set([...vocabOf(t.json).values(), ...addedOf(t.json).map((x) => x.id)]);
}
