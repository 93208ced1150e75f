/**
 * Reading loosely typed log JSON safely: every helper takes `unknown` and returns a typed value or
 * null, never throws, and never trusts a shape it has not checked.
 *
 * Message and tool-call shapes understood (each from its published documentation):
 * - OpenAI Chat Completions: message `{role, content, tool_calls: [{id, type: "function",
 *   function: {name, arguments}}]}` with `arguments` a JSON string, legacy `function_call`, and
 *   `content` a string or an array of `{type: "text", text}` parts
 *   (https://platform.openai.com/docs/api-reference/chat/object).
 * - OpenAI Responses: output items `{type: "message", content: [{type: "output_text", text}]}` and
 *   `{type: "function_call", call_id, name, arguments}` (https://platform.openai.com/docs/api-reference/responses/object).
 * - OpenTelemetry GenAI messages: `{role, parts: [{type: "text", content} | {type: "tool_call", id,
 *   name, arguments}]}` (semantic-conventions gen-ai-output-messages.json).
 * - Probity's generic format: `{name, arguments}` with `arguments` an object.
 */
import type { MessageView, ToolCall } from '../types';

/** A plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A member of an object, or undefined when `v` is not an object. */
export function member(v: unknown, key: string): unknown {
  return isObject(v) && Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined;
}

/** A non-empty string (numbers are written out), else null. */
export function text(v: unknown): string | null {
  if (typeof v === 'string') return v === '' ? null : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/** A finite number (or a string of one, as OTLP writes 64-bit ints), else null. */
export function numberOrNull(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return null;
}

/** The first of `values` that is a non-empty string or a number, as text. */
export function firstText(...values: unknown[]): string | null {
  for (const v of values) {
    const t = text(v);
    if (t !== null) return t;
  }
  return null;
}

/**
 * Parse JSON that may have been encoded as a string more than once (Langfuse exports do this),
 * up to three levels; returns the input unchanged when it is not a JSON string.
 */
export function decodeNestedJson(v: unknown): unknown {
  let cur = v;
  for (let i = 0; i < 3 && typeof cur === 'string'; i++) {
    const t = cur.trim();
    if (!(t.startsWith('{') || t.startsWith('[') || t.startsWith('"'))) break;
    try {
      cur = JSON.parse(t) as unknown;
    } catch {
      break;
    }
  }
  return cur;
}

/** The text of a message content: a string, or the text parts of a content array, joined. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const p of content) {
    if (typeof p === 'string') parts.push(p);
    else {
      const t = text(member(p, 'text')) ?? text(member(p, 'content'));
      if (t !== null) parts.push(t);
    }
  }
  return parts.join('\n');
}

/** Arguments as JSON text: a string is kept as logged; anything else is serialised. */
function argumentsText(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v);
  } catch {
    return null;
  }
}

/** One tool call from any of the shapes in the module comment, or null when it names no tool. */
export function toolCallOf(v: unknown): ToolCall | null {
  if (!isObject(v)) return null;
  const fn = member(v, 'function');
  const name = text(member(fn, 'name')) ?? text(v.name);
  if (name === null) return null;
  const args = isObject(fn) && 'arguments' in fn ? fn.arguments : (v.arguments ?? v.input);
  // Responses API items carry both an item `id` (fc_…) and the `call_id` that tool results refer to.
  return { name, arguments: argumentsText(args), callId: firstText(v.call_id, v.tool_call_id, v.id) };
}

/** The tool calls of a list, skipping entries that name no tool. */
export function toolCallsOf(list: unknown): ToolCall[] {
  if (!Array.isArray(list)) return [];
  const out: ToolCall[] = [];
  for (const item of list) {
    const call = toolCallOf(item);
    if (call) out.push(call);
  }
  return out;
}

/** A conversation as role + text, from a chat `messages` array or GenAI `{role, parts}` messages. */
export function messagesOf(list: unknown): MessageView[] {
  if (!Array.isArray(list)) return [];
  const out: MessageView[] = [];
  for (const m of list) {
    if (!isObject(m)) continue;
    const role = text(m.role) ?? text(m.type) ?? 'unknown';
    const body = m.parts !== undefined ? m.parts : m.content;
    out.push({ role, content: contentText(body) });
  }
  return out;
}

/** Text and tool calls of one assistant output in any of the shapes in the module comment. */
export interface OutputParts {
  text: string[];
  toolCalls: ToolCall[];
}

/** Nesting deeper than this is not an output shape any format documents: it is not followed. */
const MAX_DEPTH = 16;

function collectOutput(v: unknown, into: OutputParts, depth = 0): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(v)) {
    for (const item of v) collectOutput(item, into, depth + 1);
    return;
  }
  if (!isObject(v)) {
    if (typeof v === 'string' && v !== '') into.text.push(v);
    return;
  }
  const type = text(v.type);
  if (type === 'tool_call' || type === 'function_call') {
    const call = toolCallOf(v);
    if (call) into.toolCalls.push(call);
    return;
  }
  if (type === 'text' || type === 'output_text') {
    const t = text(v.text) ?? text(v.content);
    if (t !== null) into.text.push(t);
    return;
  }
  if (v.message !== undefined) return collectOutput(v.message, into, depth + 1); // a chat choice
  if (Array.isArray(v.output)) return collectOutput(v.output, into, depth + 1); // a Responses object
  if (Array.isArray(v.parts)) return collectOutput(v.parts, into, depth + 1); // a GenAI message
  const content = v.content;
  if (typeof content === 'string') into.text.push(content);
  else if (Array.isArray(content)) collectOutput(content, into, depth + 1);
  into.toolCalls.push(...toolCallsOf(v.tool_calls));
  const legacy = toolCallOf(v.function_call);
  if (legacy) into.toolCalls.push(legacy);
}

/** Text and tool calls found in an output value (a message, a choice, parts, a list of them). */
export function outputParts(v: unknown): OutputParts {
  const parts: OutputParts = { text: [], toolCalls: [] };
  collectOutput(v, parts);
  return parts;
}
