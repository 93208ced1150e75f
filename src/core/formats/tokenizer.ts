/**
 * Tokenizer artifacts: Hugging Face `tokenizer.json` (the serialisation of a `tokenizers`
 * Tokenizer: `model` — BPE / WordPiece / WordLevel with a `vocab` object of token → id, Unigram
 * with a `vocab` array of [piece, score] — plus `added_tokens`, `normalizer`, `pre_tokenizer`,
 * `post_processor`, `decoder`), and transformers `tokenizer_config.json` (tokenizer class, special
 * tokens, `added_tokens_decoder`, `model_max_length`, and the Jinja `chat_template`, a string or a
 * list of `{name, template}`).
 *
 * A tampered tokenizer can remap ids (a token that decodes as one string but means another),
 * smuggle special tokens, or carry a chat template that escapes the Jinja sandbox; the checks
 * here report id collisions, added tokens that shadow vocabulary entries, and SSTI constructs in
 * templates (by pattern, never by rendering).
 */
import { readJsonFile, isJsonObject, jsonTypeName, type JsonObject, type JsonValue } from './json.ts';
import { malformed, fmt, ProblemList } from './reader.ts';
import { Fields } from './jsonfields.ts';
import { summarizeChatTemplate, type ChatTemplateSummary } from './indicators.ts';
import { readFileBounded } from './text.ts';

/** tokenizer.json files above this are refused (the largest real ones are tens of MiB). */
export const TOKENIZER_JSON_MAX_BYTES = 512 * 1024 * 1024;
const CONFIG_MAX_BYTES = 64 * 1024 * 1024;
const MAX_LISTED = 4096;

export interface AddedToken {
  id: number;
  content: string;
  special: boolean;
}

export interface TokenizerJson {
  format: 'tokenizer';
  version: string | null;
  /** model.type, or inferred from the vocab's shape when absent (older files). */
  modelType: string | null;
  vocabSize: number;
  /** Highest id in the vocabulary or the added tokens. */
  maxTokenId: number | null;
  mergeCount: number | null;
  unkToken: string | null;
  byteFallback: boolean | null;
  addedTokenCount: number;
  /** Added tokens (first 4,096). */
  addedTokens: AddedToken[];
  normalizer: string | null;
  /** pre_tokenizer type; for a Sequence, `Sequence(ByteLevel, Split…)`. */
  preTokenizer: string | null;
  postProcessor: string | null;
  decoder: string | null;
  truncation: boolean;
  padding: boolean;
  problems: string[];
}

function typeOf(v: JsonValue | undefined): string | null {
  if (!isJsonObject(v)) return null;
  const t = typeof v.type === 'string' ? v.type : null;
  const inner = Array.isArray(v.pretokenizers)
    ? v.pretokenizers
    : Array.isArray(v.normalizers)
      ? v.normalizers
      : Array.isArray(v.processors)
        ? v.processors
        : Array.isArray(v.decoders)
          ? v.decoders
          : null;
  if (t === 'Sequence' && inner) return `Sequence(${inner.map((x) => typeOf(x) ?? '?').join(', ')})`;
  return t;
}

export async function parseTokenizerJson(file: string): Promise<TokenizerJson> {
  const json = await readJsonFile(file, TOKENIZER_JSON_MAX_BYTES);
  if (!isJsonObject(json.value))
    throw malformed(file, `tokenizer.json is ${jsonTypeName(json.value)}, not a JSON object`);
  const root = json.value;
  const problems = new ProblemList();
  for (const p of json.problems) problems.add(p);
  const model = root.model;
  if (!isJsonObject(model))
    throw malformed(file, `tokenizer.json "model" is ${jsonTypeName(model)}, not an object`);
  const mf = new Fields(model, problems, 'model.');
  let modelType = mf.str('type');
  const vocab = model.vocab;
  const idToToken = new Map<number, string>();
  let vocabSize = 0;
  let maxId: number | null = null;
  const dupIds: number[] = [];
  if (Array.isArray(vocab)) {
    modelType ??= 'Unigram';
    vocabSize = vocab.length;
    for (let i = 0; i < vocab.length; i++) {
      const e = vocab[i];
      if (!Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'number') {
        problems.add(`model.vocab[${i}] is not a [piece, score] pair`);
        continue;
      }
      idToToken.set(i, e[0]);
    }
    maxId = vocab.length > 0 ? vocab.length - 1 : null;
  } else if (isJsonObject(vocab)) {
    modelType ??= Array.isArray(model.merges)
      ? 'BPE'
      : 'continuing_subword_prefix' in model
        ? 'WordPiece'
        : 'WordLevel';
    for (const [tok, id] of Object.entries(vocab)) {
      vocabSize++;
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
        problems.add(`model.vocab[${JSON.stringify(tok)}] is ${JSON.stringify(id)}, not a token id`);
        continue;
      }
      if (idToToken.has(id)) dupIds.push(id);
      else idToToken.set(id, tok);
      if (maxId === null || id > maxId) maxId = id;
    }
    for (const id of dupIds.slice(0, 20))
      problems.add(
        `vocabulary id ${id} is assigned to more than one token (one of them is ${JSON.stringify(idToToken.get(id))})`,
      );
    if (dupIds.length > 20)
      problems.add(`${fmt(dupIds.length)} vocabulary ids are assigned to more than one token`);
    if (maxId !== null && idToToken.size === vocabSize && maxId !== vocabSize - 1) {
      problems.add(
        `vocabulary ids are not contiguous: ${fmt(vocabSize)} tokens but the highest id is ${fmt(maxId)}`,
      );
    }
  } else if (vocab !== undefined) {
    problems.add(`model.vocab is ${jsonTypeName(vocab)}`);
  }
  const merges = model.merges;
  const mergeCount = Array.isArray(merges) ? merges.length : null;

  const added: AddedToken[] = [];
  let addedTokenCount = 0;
  const addedContent = new Map<string, number>();
  if (Array.isArray(root.added_tokens)) {
    for (const [i, t] of root.added_tokens.entries()) {
      if (!isJsonObject(t) || typeof t.id !== 'number' || typeof t.content !== 'string') {
        problems.add(`added_tokens[${i}] lacks an integer id and a string content`);
        continue;
      }
      addedTokenCount++;
      const tok: AddedToken = { id: t.id, content: t.content, special: t.special === true };
      if (added.length < MAX_LISTED) added.push(tok);
      const inVocab = idToToken.get(tok.id);
      if (inVocab !== undefined && inVocab !== tok.content) {
        problems.add(
          `added token ${tok.id} ${JSON.stringify(tok.content)} shadows vocabulary token ${JSON.stringify(inVocab)} with the same id`,
        );
      }
      const prev = addedContent.get(tok.content);
      if (prev !== undefined && prev !== tok.id)
        problems.add(`added token ${JSON.stringify(tok.content)} appears with ids ${prev} and ${tok.id}`);
      addedContent.set(tok.content, tok.id);
      if (maxId === null || tok.id > maxId) maxId = tok.id;
    }
  } else if (root.added_tokens !== undefined && root.added_tokens !== null) {
    problems.add(`added_tokens is ${jsonTypeName(root.added_tokens)}, expected a list`);
  }

  const unk = model.unk_token;
  return {
    format: 'tokenizer',
    version: typeof root.version === 'string' ? root.version : null,
    modelType,
    vocabSize,
    maxTokenId: maxId,
    mergeCount,
    unkToken: typeof unk === 'string' ? unk : typeof unk === 'number' ? String(unk) : null,
    byteFallback: typeof model.byte_fallback === 'boolean' ? model.byte_fallback : null,
    addedTokenCount,
    addedTokens: added,
    normalizer: typeOf(root.normalizer),
    preTokenizer: typeOf(root.pre_tokenizer),
    postProcessor: typeOf(root.post_processor),
    decoder: typeOf(root.decoder),
    truncation: root.truncation !== undefined && root.truncation !== null,
    padding: root.padding !== undefined && root.padding !== null,
    problems: problems.toArray(),
  };
}

export interface TokenizerConfig {
  format: 'tokenizer-config';
  tokenizerClass: string | null;
  /** added_tokens_decoder as a list sorted by id (first 4,096). */
  addedTokensDecoder: AddedToken[];
  addedTokensDecoderCount: number;
  bosToken: string | null;
  eosToken: string | null;
  unkToken: string | null;
  padToken: string | null;
  sepToken: string | null;
  clsToken: string | null;
  maskToken: string | null;
  additionalSpecialTokens: string[];
  /** model_max_length as a number (transformers writes int(1e30) for "no limit"). */
  modelMaxLength: number | null;
  /** The integer's exact text when it exceeds 2^53 (e.g. "1000000000000000019884624838656"). */
  modelMaxLengthText: string | null;
  chatTemplates: ChatTemplateSummary[];
  /** True when any chat template contains SSTI constructs. */
  chatTemplateSuspicious: boolean;
  /** auto_map (custom tokenizer classes loaded from the repository's Python files), or null. */
  remoteCode: Record<string, string> | null;
  problems: string[];
}

/** A special-token value: a string, or an AddedToken object `{content, …}`. */
function tokenText(f: Fields, key: string): string | null {
  const v = f.any(key);
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (isJsonObject(v) && typeof v.content === 'string') return v.content;
  f.problems.add(`${key} is ${jsonTypeName(v)}, expected a token string`);
  return null;
}

export async function parseTokenizerConfig(file: string): Promise<TokenizerConfig> {
  const json = await readJsonFile(file, CONFIG_MAX_BYTES);
  if (!isJsonObject(json.value))
    throw malformed(file, `tokenizer config is ${jsonTypeName(json.value)}, not a JSON object`);
  const problems = new ProblemList();
  for (const p of json.problems) problems.add(p);
  const f = new Fields(json.value, problems);

  const decoder: AddedToken[] = [];
  let decoderCount = 0;
  const atd = f.obj('added_tokens_decoder');
  if (atd) {
    for (const [k, v] of Object.entries(atd)) {
      const id = Number(k);
      if (!/^\d+$/.test(k) || !Number.isSafeInteger(id)) {
        problems.add(`added_tokens_decoder key ${JSON.stringify(k)} is not a token id`);
        continue;
      }
      if (!isJsonObject(v) || typeof v.content !== 'string') {
        problems.add(`added_tokens_decoder[${k}] has no string content`);
        continue;
      }
      decoderCount++;
      if (decoder.length < MAX_LISTED) decoder.push({ id, content: v.content, special: v.special === true });
    }
    decoder.sort((a, b) => a.id - b.id);
  }

  const extra = f.any('additional_special_tokens');
  const additional: string[] = [];
  if (Array.isArray(extra)) {
    for (const t of extra) {
      if (typeof t === 'string') additional.push(t);
      else if (isJsonObject(t) && typeof t.content === 'string') additional.push(t.content);
    }
  }

  let modelMaxLength: number | null = null;
  let modelMaxLengthText: string | null = null;
  const mml = f.any('model_max_length');
  if (typeof mml === 'number') {
    modelMaxLength = mml;
    modelMaxLengthText = json.lossyNumbers.find((n) => n.path === '/model_max_length')?.text ?? null;
  } else if (mml !== undefined && mml !== null) {
    problems.add(`model_max_length is ${jsonTypeName(mml)}`);
  }

  const chatTemplates: ChatTemplateSummary[] = [];
  const ct = f.any('chat_template');
  if (typeof ct === 'string') chatTemplates.push(summarizeChatTemplate('default', ct));
  else if (Array.isArray(ct)) {
    for (const [i, e] of ct.entries()) {
      if (isJsonObject(e) && typeof e.template === 'string') {
        chatTemplates.push(summarizeChatTemplate(typeof e.name === 'string' ? e.name : `#${i}`, e.template));
      } else problems.add(`chat_template[${i}] is not a {name, template} object`);
    }
  } else if (ct !== undefined && ct !== null) {
    problems.add(`chat_template is ${jsonTypeName(ct)}, expected a string or a list of {name, template}`);
  }
  for (const t of chatTemplates) {
    if (t.suspicious.length > 0)
      problems.add(
        `chat template ${JSON.stringify(t.name)} contains Jinja sandbox-escape constructs: ${t.suspicious.join(', ')}`,
      );
  }

  const autoMap = f.obj('auto_map');
  let remoteCode: Record<string, string> | null = null;
  if (autoMap) {
    remoteCode = {};
    for (const [k, v] of Object.entries(autoMap))
      remoteCode[k] = typeof v === 'string' ? v : JSON.stringify(v);
    problems.add("auto_map present: the tokenizer class is loaded from the repository's own Python code");
  }

  return {
    format: 'tokenizer-config',
    tokenizerClass: f.str('tokenizer_class'),
    addedTokensDecoder: decoder,
    addedTokensDecoderCount: decoderCount,
    bosToken: tokenText(f, 'bos_token'),
    eosToken: tokenText(f, 'eos_token'),
    unkToken: tokenText(f, 'unk_token'),
    padToken: tokenText(f, 'pad_token'),
    sepToken: tokenText(f, 'sep_token'),
    clsToken: tokenText(f, 'cls_token'),
    maskToken: tokenText(f, 'mask_token'),
    additionalSpecialTokens: additional,
    modelMaxLength,
    modelMaxLengthText,
    chatTemplates,
    chatTemplateSuspicious: chatTemplates.some((t) => t.suspicious.length > 0),
    remoteCode,
    problems: problems.toArray(),
  };
}

export interface ChatTemplateFile {
  format: 'chat-template';
  template: ChatTemplateSummary;
  problems: string[];
}

/** A stand-alone chat_template.jinja (newer transformers layout). */
export async function parseChatTemplateFile(file: string): Promise<ChatTemplateFile> {
  const { text, bom } = await readFileBounded(file, CONFIG_MAX_BYTES);
  const template = summarizeChatTemplate('default', text);
  const problems: string[] = [];
  if (bom) problems.push('starts with a UTF-8 byte-order mark');
  if (template.suspicious.length > 0)
    problems.push(
      `chat template contains Jinja sandbox-escape constructs: ${template.suspicious.join(', ')}`,
    );
  return { format: 'chat-template', template, problems };
}

export type { JsonObject };
