/**
 * OpenTelemetry GenAI spans exported as JSON.
 *
 * Containers read:
 * - OTLP/JSON (the protobuf JSON mapping of ExportTraceServiceRequest,
 *   https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): `{resourceSpans: [{resource,
 *   scopeSpans: [{scope, spans: [{traceId, spanId, parentSpanId, name, startTimeUnixNano,
 *   attributes: [{key, value: {stringValue | intValue | doubleValue | boolValue | arrayValue |
 *   kvlistValue}}], events}]}]}]}` — a whole file, or one request per line as the Collector's file
 *   exporter writes it;
 * - Langfuse trace exports `{trace, observations: [...]}`, whose observations carry the OTel
 *   attributes in `metadata.attributes` (a JSON string) and Langfuse's own `type`
 *   (GENERATION / TOOL / SPAN / AGENT), `input`, `output`, `model` and `usageDetails`.
 *
 * Attributes used (GenAI semantic conventions, https://opentelemetry.io/docs/specs/semconv/gen-ai/):
 * `gen_ai.operation.name` (chat, text_completion and generate_content are model calls; execute_tool
 * is a tool execution; others such as invoke_agent or embeddings are not output records),
 * `gen_ai.conversation.id`, `gen_ai.response.id`, `gen_ai.request.model`, `gen_ai.response.model`,
 * `gen_ai.usage.input_tokens` / `output_tokens` (older `prompt_tokens` / `completion_tokens`),
 * `gen_ai.input.messages`, `gen_ai.output.messages`, `gen_ai.system_instructions` (and the older
 * `gen_ai.content.prompt` / `gen_ai.content.completion` events), `gen_ai.tool.name`,
 * `gen_ai.tool.call.id`, `gen_ai.tool.call.arguments`, and `user.id` (older `enduser.id`) for the user.
 * Spans without `gen_ai.operation.name` are classified by Langfuse's `type` or OpenInference's
 * `openinference.span.kind` (LLM → model call, TOOL → tool execution).
 *
 * One record per model-call span; its request id is `gen_ai.response.id`, else `traceId/spanId`; its
 * time is the span's start. Tool calls: those the model requested in its output messages, plus
 * tool-execution spans of the same trace. An execution span is matched to a requested call by call id,
 * else by tool name and identical arguments, and then counted once; an unmatched execution is
 * attributed to the latest model call of its trace that started no later than it (else the trace's
 * first), and only when its trace has no model call in the file does it become a record of its own
 * (kind 'tool').
 */
import { canonicalJson } from '../../util/canonical-json';
import { FormatProblem, type ExtractedRecord, type ToolCall, type UnitRecords } from '../types';
import {
  contentText,
  decodeNestedJson,
  firstText,
  isObject,
  member,
  messagesOf,
  numberOrNull,
  outputParts,
  text,
} from './common';

/** A span reduced to what the audit reads, from either container. */
export interface Span {
  traceId: string | null;
  spanId: string | null;
  name: string;
  start: unknown;
  attrs: Record<string, unknown>;
  events: { name: string; attrs: Record<string, unknown> }[];
  /** Langfuse observation fields, when the span came from a Langfuse export. */
  langfuse: { type: string | null; input: unknown; output: unknown; model: unknown; usage: unknown } | null;
  /** Trace-level user and session (Langfuse), used when the span's attributes name none. */
  traceUser: string | null;
  traceSession: string | null;
  item: string;
  /** Where the span's unit sits in the file (set by the importer for JSONL exports). */
  origin?: { line: number; offset: number; length: number };
  /** The span as exported, with its attributes flattened into `attributes` (for `--map` paths). */
  raw: unknown;
}

const MODEL_OPS = new Set(['chat', 'text_completion', 'generate_content']);

// ---------------------------------------------------------------------------------------------
// Containers
// ---------------------------------------------------------------------------------------------

/** An OTLP AnyValue as plain JSON. */
function anyValue(v: unknown): unknown {
  if (!isObject(v)) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return numberOrNull(v.intValue);
  if ('doubleValue' in v) return numberOrNull(v.doubleValue);
  if ('boolValue' in v) return v.boolValue;
  if ('bytesValue' in v) return v.bytesValue;
  const arr = member(v.arrayValue, 'values');
  if (Array.isArray(arr)) return arr.map(anyValue);
  const kv = member(v.kvlistValue, 'values');
  if (Array.isArray(kv)) return keyValues(kv);
  return undefined;
}

function keyValues(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    const key = text(member(kv, 'key'));
    if (key !== null) out[key] = anyValue(member(kv, 'value'));
  }
  return out;
}

function otlpSpan(s: unknown, item: string): Span {
  if (!isObject(s)) throw new FormatProblem(`${item}: not a span object`);
  const events = Array.isArray(s.events)
    ? s.events.map((e) => ({
        name: text(member(e, 'name')) ?? '',
        attrs: keyValues(member(e, 'attributes')),
      }))
    : [];
  const attrs = keyValues(s.attributes);
  return {
    traceId: text(s.traceId),
    spanId: text(s.spanId),
    name: text(s.name) ?? '',
    start: s.startTimeUnixNano,
    attrs,
    events,
    langfuse: null,
    traceUser: null,
    traceSession: null,
    item,
    raw: { ...s, attributes: attrs },
  };
}

function otlpSpans(doc: Record<string, unknown>): Span[] {
  const spans: Span[] = [];
  const resources = doc.resourceSpans;
  if (!Array.isArray(resources)) throw new FormatProblem('"resourceSpans" is not an array');
  resources.forEach((rs, i) => {
    const scopes = member(rs, 'scopeSpans') ?? member(rs, 'instrumentationLibrarySpans');
    if (!Array.isArray(scopes)) return;
    scopes.forEach((sc, j) => {
      const list = member(sc, 'spans');
      if (!Array.isArray(list)) return;
      list.forEach((s, k) => spans.push(otlpSpan(s, `resourceSpans[${i}].scopeSpans[${j}].spans[${k}]`)));
    });
  });
  return spans;
}

function langfuseSpans(doc: Record<string, unknown>): Span[] {
  const trace = doc.trace;
  const observations = doc.observations;
  if (!Array.isArray(observations)) throw new FormatProblem('"observations" is not an array');
  const traceUser = text(member(trace, 'userId'));
  const traceSession = text(member(trace, 'sessionId'));
  return observations.map((o, k) => {
    const item = `observations[${k}]`;
    if (!isObject(o)) throw new FormatProblem(`${item}: not an observation object`);
    const found = member(decodeNestedJson(o.metadata), 'attributes');
    const attrs = isObject(found) ? found : {};
    return {
      traceId: text(o.traceId) ?? text(member(trace, 'id')),
      spanId: text(o.id),
      name: text(o.name) ?? '',
      start: o.startTime,
      attrs,
      events: [],
      langfuse: {
        type: text(o.type),
        input: o.input,
        output: o.output,
        model: o.model,
        usage: o.usageDetails,
      },
      traceUser,
      traceSession,
      item,
      raw: { ...o, attributes: attrs },
    };
  });
}

/**
 * The spans of one unit (an OTLP request or a Langfuse trace export).
 * @throws FormatProblem when the unit is neither.
 */
export function spansOfUnit(unit: unknown): Span[] {
  if (!isObject(unit)) throw new FormatProblem('not a JSON object');
  if (unit.resourceSpans !== undefined) return otlpSpans(unit);
  if (unit.observations !== undefined) return langfuseSpans(unit);
  throw new FormatProblem('neither OTLP "resourceSpans" nor a Langfuse trace export');
}

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

type SpanRole = 'model' | 'tool' | 'other';

function operationOf(span: Span): string | null {
  const op = text(span.attrs['gen_ai.operation.name']);
  if (op !== null) return op;
  const kind = text(span.attrs['openinference.span.kind']) ?? span.langfuse?.type ?? null;
  if (kind === 'LLM' || kind === 'GENERATION') return 'chat';
  if (kind === 'TOOL') return 'execute_tool';
  return null;
}

function roleOf(span: Span): SpanRole {
  const op = operationOf(span);
  if (op !== null && MODEL_OPS.has(op)) return 'model';
  return op === 'execute_tool' ? 'tool' : 'other';
}

function eventAttr(span: Span, event: string, attr: string): unknown {
  return span.events.find((e) => e.name === event)?.attrs[attr];
}

function inputMessages(span: Span) {
  const system = decodeNestedJson(span.attrs['gen_ai.system_instructions']);
  const input = decodeNestedJson(
    span.attrs['gen_ai.input.messages'] ??
      eventAttr(span, 'gen_ai.content.prompt', 'gen_ai.prompt') ??
      span.langfuse?.input,
  );
  const messages = Array.isArray(input)
    ? messagesOf(input)
    : typeof input === 'string'
      ? [{ role: 'user', content: input }]
      : [];
  const systemText = contentText(system);
  return systemText === '' ? messages : [{ role: 'system', content: systemText }, ...messages];
}

function firstNumber(...values: unknown[]): number | null {
  for (const v of values) {
    const n = numberOrNull(v);
    if (n !== null) return n;
  }
  return null;
}

/** The record of a model-call span (tool executions are attached afterwards). */
export function modelRecord(span: Span, content = true): ExtractedRecord {
  const a = span.attrs;
  const output = decodeNestedJson(
    a['gen_ai.output.messages'] ??
      eventAttr(span, 'gen_ai.content.completion', 'gen_ai.completion') ??
      span.langfuse?.output,
  );
  const out = outputParts(output);
  const usage = span.langfuse?.usage;
  return {
    requestId: firstText(a['gen_ai.response.id']) ?? `${span.traceId ?? '-'}/${span.spanId ?? span.item}`,
    timestamp: span.start,
    userId: firstText(a['user.id'], a['enduser.id'], span.traceUser),
    conversationId: firstText(a['gen_ai.conversation.id'], a['session.id'], span.traceSession),
    modelVersion: firstText(a['gen_ai.response.model'], a['gen_ai.request.model'], span.langfuse?.model),
    downstream: null,
    messages: content ? inputMessages(span) : [],
    response: content && out.text.length > 0 ? out.text.join('\n') : null,
    toolCalls: out.toolCalls,
    inputTokens: firstNumber(
      a['gen_ai.usage.input_tokens'],
      a['gen_ai.usage.prompt_tokens'],
      member(usage, 'input'),
    ),
    outputTokens: firstNumber(
      a['gen_ai.usage.output_tokens'],
      a['gen_ai.usage.completion_tokens'],
      member(usage, 'output'),
    ),
    kind: 'model',
    item: span.item,
    raw: span.raw,
    ...(span.origin ? { origin: span.origin } : {}),
  };
}

function toolOfSpan(span: Span): ToolCall {
  const a = span.attrs;
  const name =
    firstText(a['gen_ai.tool.name'], a['tool.name']) ??
    (span.langfuse ? span.name : span.name.replace(/^execute_tool\s+/, '')) ??
    'unknown';
  const args = a['gen_ai.tool.call.arguments'] ?? a['input.value'] ?? span.langfuse?.input;
  return {
    name: name === '' ? 'unknown' : name,
    arguments:
      args === undefined || args === null ? null : typeof args === 'string' ? args : JSON.stringify(args),
    callId: firstText(a['gen_ai.tool.call.id']),
  };
}

/** Arguments compared by meaning: parsed JSON in canonical form, else the text itself. */
function argumentsKey(args: string | null): string {
  if (args === null) return '';
  try {
    return canonicalJson(decodeNestedJson(args));
  } catch {
    return args;
  }
}

interface TraceRecords {
  records: { rec: ExtractedRecord; startMs: number }[];
  matched: Set<ToolCall>;
}

function startMsOf(span: Span): number {
  const n = numberOrNull(span.start);
  if (n !== null) return n / 1e6;
  const t = typeof span.start === 'string' ? Date.parse(span.start) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

/** Find the requested call an execution span stands for, by id, else by name and arguments. */
function findRequested(trace: TraceRecords, call: ToolCall): ToolCall | null {
  const all = trace.records.flatMap((r) => r.rec.toolCalls).filter((c) => !trace.matched.has(c));
  if (call.callId !== null) {
    const byId = all.find((c) => c.callId === call.callId);
    if (byId) return byId;
  }
  const key = argumentsKey(call.arguments);
  return all.find((c) => c.name === call.name && argumentsKey(c.arguments) === key) ?? null;
}

function attachTool(trace: TraceRecords | undefined, span: Span, out: UnitRecords): void {
  const call = toolOfSpan(span);
  if (trace && trace.records.length > 0) {
    const requested = findRequested(trace, call);
    if (requested) {
      trace.matched.add(requested);
      return;
    }
    const at = startMsOf(span);
    const before = trace.records.filter((r) => r.startMs <= at);
    const target = (before[before.length - 1] ?? trace.records[0])!.rec;
    target.toolCalls.push(call);
    return;
  }
  out.records.push({
    requestId: `${span.traceId ?? '-'}/${span.spanId ?? span.item}`,
    timestamp: span.start,
    userId: firstText(span.attrs['user.id'], span.attrs['enduser.id'], span.traceUser),
    conversationId: firstText(span.attrs['gen_ai.conversation.id'], span.traceSession),
    modelVersion: null,
    downstream: null,
    messages: [],
    response: null,
    toolCalls: [call],
    inputTokens: null,
    outputTokens: null,
    kind: 'tool',
    item: span.item,
    raw: span.raw,
    ...(span.origin ? { origin: span.origin } : {}),
  });
}

/** The records of a set of spans (see the module comment for how tool executions are attributed). */
export function recordsOfSpans(spans: readonly Span[], content = true): UnitRecords {
  const out: UnitRecords = { records: [], skipped: [] };
  const traces = new Map<string, TraceRecords>();
  const tools: Span[] = [];
  for (const span of spans) {
    const role = roleOf(span);
    if (role === 'tool') tools.push(span);
    else if (role === 'other') {
      out.skipped.push({
        item: span.item,
        reason: `span is not a model call (${operationOf(span) ?? 'no gen_ai.operation.name'})`,
      });
    } else {
      const rec = modelRecord(span, content);
      out.records.push(rec);
      const key = span.traceId ?? '';
      const t = traces.get(key) ?? { records: [], matched: new Set<ToolCall>() };
      t.records.push({ rec, startMs: startMsOf(span) });
      traces.set(key, t);
    }
  }
  for (const t of traces.values()) t.records.sort((x, y) => x.startMs - y.startMs);
  for (const span of tools)
    attachTool(span.traceId === null ? undefined : traces.get(span.traceId), span, out);
  return out;
}

/** Records of one self-contained unit (a whole OTLP or Langfuse document). */
export function extractOtel(unit: unknown, content = true): UnitRecords {
  return recordsOfSpans(spansOfUnit(unit), content);
}
