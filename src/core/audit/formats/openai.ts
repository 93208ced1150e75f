/**
 * OpenAI-style logs (https://platform.openai.com/docs/api-reference).
 *
 * `openai-chat` — Chat Completions exchanges, one per JSONL line or as elements of a JSON document:
 * - `{request: {model, messages, user, metadata}, response: {id, created, model, choices, usage},
 *    timestamp?, request_id?, user_id?, conversation_id?, downstream?}` — a logged request/response
 *   pair (the response may be wrapped in an HTTP envelope `{status_code, body}`);
 * - a bare `chat.completion` object (`{id, object: "chat.completion", created, model, choices}`);
 * - a JSON array of `chat.completion.chunk` objects (a captured stream), reassembled per stream id:
 *   content deltas concatenated, tool-call deltas merged by `index`;
 * - a VCR cassette (YAML `interactions: [{request: {body}, response: {body: {string}}}]`, as the
 *   OpenTelemetry contrib tests record real API traffic).
 * The time is the line's `timestamp` when present, else the response's `created` (epoch seconds); the
 * user is the line's `user_id`, else the request's `user` parameter or `metadata.user_id`.
 *
 * `openai-batch` — Batch API output lines `{id, custom_id, response: {status_code, request_id,
 * body: <chat.completion>}, error}` (https://platform.openai.com/docs/guides/batch). The record's
 * request id is the line's `id` (`batch_req_…`, unique across batches; `custom_id` is unique only
 * within one batch). A line whose request failed (`error` set or status ≥ 400) holds no output and is
 * skipped with its reason. A Batch API *input* line (`{custom_id, method, url, body}`) is refused:
 * it holds requests, not outputs.
 */
import { FormatProblem, type ExtractedRecord, type UnitRecords } from '../types';
import {
  decodeNestedJson,
  firstText,
  isObject,
  member,
  messagesOf,
  numberOrNull,
  outputParts,
  text,
} from './common';

type Json = Record<string, unknown>;

/** Fields a log line may carry beside the request and response. */
interface ExchangeMeta {
  timestamp?: unknown;
  requestId?: unknown;
  userId?: unknown;
  conversationId?: unknown;
  modelVersion?: unknown;
  downstream?: unknown;
}

function metaOfLine(line: Json): ExchangeMeta {
  return {
    timestamp: line.timestamp ?? line.time ?? line.created_at,
    requestId: line.request_id,
    userId: line.user_id ?? line.user,
    conversationId: line.conversation_id,
    modelVersion: line.model_version,
    downstream: line.downstream,
  };
}

/** The chat.completion inside an HTTP envelope `{status_code, body}`, or the value itself. */
function unwrapBody(v: unknown): unknown {
  const body = member(v, 'body');
  return isObject(v) && body !== undefined && v.choices === undefined ? decodeNestedJson(body) : v;
}

/** Where an exchange sits and whether its text is wanted (see extractGeneric). */
interface Place {
  item: string | null;
  raw: unknown;
  content: boolean;
}

/** One record from a Chat Completions request (optional) and its response. */
function exchangeRecord(
  request: unknown,
  response: unknown,
  meta: ExchangeMeta,
  place: Place,
): ExtractedRecord {
  const choices = member(response, 'choices');
  if (!Array.isArray(choices)) throw new FormatProblem('no "choices": not a chat completion');
  const out = outputParts(choices);
  const usage = member(response, 'usage');
  const metadata = member(request, 'metadata');
  return {
    requestId: firstText(meta.requestId, member(response, 'id')),
    timestamp: meta.timestamp ?? member(response, 'created'),
    userId: firstText(
      meta.userId,
      member(request, 'user'),
      member(metadata, 'user_id'),
      member(request, 'safety_identifier'),
    ),
    conversationId: firstText(meta.conversationId, member(metadata, 'conversation_id')),
    modelVersion: firstText(meta.modelVersion, member(response, 'model'), member(request, 'model')),
    downstream: firstText(meta.downstream),
    messages: place.content ? messagesOf(member(request, 'messages')) : [],
    response: place.content && out.text.length > 0 ? out.text.join('\n') : null,
    toolCalls: out.toolCalls,
    inputTokens: numberOrNull(member(usage, 'prompt_tokens')),
    outputTokens: numberOrNull(member(usage, 'completion_tokens')),
    kind: 'model',
    item: place.item,
    raw: place.raw,
  };
}

/** A logged pair, a bare completion, or a cassette interaction, as one record. */
function exchangeOf(v: Json, item: string | null, content: boolean): ExtractedRecord {
  if (v.object === 'chat.completion.chunk') {
    throw new FormatProblem('a single streamed chunk: import the whole captured stream as one JSON array');
  }
  if (v.custom_id !== undefined && v.method !== undefined && v.body !== undefined) {
    throw new FormatProblem(
      'a Batch API input line (a request without its output): import the batch output file',
    );
  }
  const response = v.response ?? v.resp;
  if (response !== undefined) {
    const request = decodeNestedJson(v.request ?? v.req);
    return exchangeRecord(request, unwrapBody(decodeNestedJson(response)), metaOfLine(v), {
      item,
      raw: v,
      content,
    });
  }
  return exchangeRecord(undefined, v, metaOfLine({}), { item, raw: v, content });
}

// ---------------------------------------------------------------------------------------------
// Streams of chat.completion.chunk
// ---------------------------------------------------------------------------------------------

interface ChoiceAcc {
  content: string;
  calls: Map<number, { id: string | null; name: string | null; args: string }>;
}

function addDelta(acc: ChoiceAcc, delta: unknown): void {
  const c = member(delta, 'content');
  if (typeof c === 'string') acc.content += c;
  const calls = member(delta, 'tool_calls');
  if (!Array.isArray(calls)) return;
  for (const call of calls) {
    const index = numberOrNull(member(call, 'index')) ?? 0;
    const cur = acc.calls.get(index) ?? { id: null, name: null, args: '' };
    const fn = member(call, 'function');
    cur.id = cur.id ?? text(member(call, 'id'));
    cur.name = cur.name ?? text(member(fn, 'name'));
    const a = member(fn, 'arguments');
    if (typeof a === 'string') cur.args += a;
    acc.calls.set(index, cur);
  }
}

/** Reassemble consecutive chunks of one stream into a chat.completion object. */
function assembleStream(chunks: readonly Json[]): Json {
  const choices = new Map<number, ChoiceAcc>();
  for (const chunk of chunks) {
    const list = chunk.choices;
    if (!Array.isArray(list)) continue;
    for (const ch of list) {
      const index = numberOrNull(member(ch, 'index')) ?? 0;
      const acc = choices.get(index) ?? { content: '', calls: new Map() };
      addDelta(acc, member(ch, 'delta'));
      choices.set(index, acc);
    }
  }
  const first = chunks[0] ?? {};
  const last = chunks[chunks.length - 1] ?? {};
  return {
    id: first.id,
    object: 'chat.completion',
    created: first.created,
    model: first.model,
    usage: last.usage ?? first.usage,
    choices: [...choices.entries()].map(([index, acc]) => ({
      index,
      message: {
        role: 'assistant',
        content: acc.content === '' ? null : acc.content,
        tool_calls: [...acc.calls.values()].map((c) => ({
          id: c.id,
          type: 'function',
          function: { name: c.name, arguments: c.args },
        })),
      },
    })),
  };
}

/** Split an array of chunks into streams: a new stream starts when the id or `created` changes. */
function streamsOf(items: readonly unknown[]): { start: number; chunks: Json[] }[] {
  const streams: { start: number; chunks: Json[] }[] = [];
  let key: string | null = null;
  items.forEach((c, i) => {
    if (!isObject(c)) return;
    const k = `${String(c.id)}\u0000${String(c.created)}`;
    const cur = streams[streams.length - 1];
    if (cur && k === key) cur.chunks.push(c);
    else streams.push({ start: i, chunks: [c] });
    key = k;
  });
  return streams;
}

// ---------------------------------------------------------------------------------------------
// VCR cassettes
// ---------------------------------------------------------------------------------------------

function cassetteBody(v: unknown): unknown {
  return decodeNestedJson(isObject(v) && 'string' in v ? v.string : v);
}

function headerValue(headers: unknown, name: string): unknown {
  if (!isObject(headers)) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : headers[key];
  return Array.isArray(v) ? v[0] : v;
}

function cassetteRecords(interactions: readonly unknown[], content: boolean): UnitRecords {
  const out: UnitRecords = { records: [], skipped: [] };
  interactions.forEach((it, i) => {
    const item = `interactions[${i}]`;
    const request = member(it, 'request');
    const response = member(it, 'response');
    const body = cassetteBody(member(response, 'body'));
    if (!isObject(body) || !Array.isArray(body.choices)) {
      out.skipped.push({ item, reason: 'the recorded response is not a chat completion' });
      return;
    }
    const meta: ExchangeMeta = { requestId: headerValue(member(response, 'headers'), 'x-request-id') };
    const rec = exchangeRecord(cassetteBody(member(request, 'body')), body, {}, { item, raw: it, content });
    rec.requestId = rec.requestId ?? firstText(meta.requestId);
    out.records.push(rec);
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

function arrayRecords(items: readonly unknown[], content: boolean): UnitRecords {
  const first = items.find(isObject);
  if (first?.object === 'chat.completion.chunk') {
    return {
      records: streamsOf(items).map((s) =>
        exchangeRecord(
          undefined,
          assembleStream(s.chunks),
          {},
          { item: `[${s.start}]`, raw: s.chunks, content },
        ),
      ),
      skipped: [],
    };
  }
  const out: UnitRecords = { records: [], skipped: [] };
  items.forEach((v, i) => {
    if (!isObject(v)) throw new FormatProblem(`[${i}]: not a JSON object`);
    out.records.push(exchangeOf(v, `[${i}]`, content));
  });
  return out;
}

/** Records of one openai-chat unit: a JSONL line, a JSON document, or a parsed cassette. */
export function extractOpenAIChat(unit: unknown, content = true): UnitRecords {
  if (Array.isArray(unit)) return arrayRecords(unit, content);
  if (!isObject(unit)) throw new FormatProblem('not a JSON object');
  if (Array.isArray(unit.interactions)) return cassetteRecords(unit.interactions, content);
  return { records: [exchangeOf(unit, null, content)], skipped: [] };
}

/** The record of one Batch API output line (or why it holds none). */
export function extractOpenAIBatch(unit: unknown, content = true): UnitRecords {
  if (!isObject(unit)) throw new FormatProblem('not a JSON object');
  if (unit.custom_id === undefined) throw new FormatProblem('no "custom_id": not a Batch API output line');
  if (unit.response === undefined && unit.method !== undefined && unit.body !== undefined) {
    throw new FormatProblem(
      'a Batch API input line (a request without its output): import the batch output file',
    );
  }
  const response = unit.response;
  const status = numberOrNull(member(response, 'status_code'));
  const error = unit.error ?? member(member(response, 'body'), 'error');
  if (!isObject(response) || (status !== null && status >= 400) || (error !== undefined && error !== null)) {
    const why =
      firstText(member(error, 'message'), member(error, 'code')) ??
      (status !== null ? `status ${status}` : 'no response');
    return {
      records: [],
      skipped: [{ item: null, reason: `batch request ${String(unit.custom_id)} failed: ${why}` }],
    };
  }
  const body = decodeNestedJson(response.body);
  const meta: ExchangeMeta = { requestId: firstText(unit.id, unit.custom_id) };
  return {
    records: [exchangeRecord(undefined, body, meta, { item: null, raw: unit, content })],
    skipped: [],
  };
}
