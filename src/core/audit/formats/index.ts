/**
 * Which log format a file is in, and the extractor for each format.
 *
 * Detection (`--format auto`) looks at the first record only, by the members each format documents:
 * `resourceSpans` or a Langfuse `{trace, observations}` export → otel; `custom_id` → openai-batch (a
 * Batch API input file, `{custom_id, method, url, body}`, is refused by name); `interactions` (a VCR
 * cassette), `object: "chat.completion"`/`"chat.completion.chunk"` or a `response` holding `choices`
 * → openai-chat; `timestamp` → generic. Anything else is refused: pass `--format` (and `--map`).
 */
import { ProbityError } from '../../util/errors';
import { FormatProblem, type LogFormat, type UnitRecords } from '../types';
import { decodeNestedJson, isObject, member } from './common';
import { extractGeneric } from './generic';
import { extractOpenAIBatch, extractOpenAIChat } from './openai';
import { extractOtel } from './otel';

/**
 * Records of one JSON unit (a line, or a whole document) in the given format. `content` false leaves
 * out the conversation and response text, which the import does not store.
 */
export function extractUnit(format: LogFormat, unit: unknown, content = true): UnitRecords {
  switch (format) {
    case 'generic':
      return Array.isArray(unit)
        ? extractArray(unit, (u) => extractGeneric(u, content))
        : extractGeneric(unit, content);
    case 'openai-chat':
      return extractOpenAIChat(unit, content);
    case 'openai-batch':
      return Array.isArray(unit)
        ? extractArray(unit, (u) => extractOpenAIBatch(u, content))
        : extractOpenAIBatch(unit, content);
    case 'otel':
      return extractOtel(unit, content);
  }
}

/** A JSON array of line-shaped records: each element extracted and located as `[i]`. */
function extractArray(items: readonly unknown[], extract: (u: unknown) => UnitRecords): UnitRecords {
  const out: UnitRecords = { records: [], skipped: [] };
  items.forEach((item, i) => {
    let r: UnitRecords;
    try {
      r = extract(item);
    } catch (err) {
      if (err instanceof FormatProblem) throw new FormatProblem(`[${i}]: ${err.message}`);
      throw err;
    }
    for (const rec of r.records) out.records.push({ ...rec, item: `[${i}]` });
    for (const s of r.skipped) out.skipped.push({ item: `[${i}]`, reason: s.reason });
  });
  return out;
}

function looksLikeChat(v: Record<string, unknown>): boolean {
  if (v.object === 'chat.completion' || v.object === 'chat.completion.chunk') return true;
  if (Array.isArray(v.interactions)) return true;
  const response = decodeNestedJson(v.response ?? v.resp);
  return (
    Array.isArray(member(response, 'choices')) || Array.isArray(member(member(response, 'body'), 'choices'))
  );
}

/**
 * The format of a file from its first record (a parsed line or the whole parsed document).
 * @throws ProbityError naming `label` when the record fits no format, or is a Batch API input line.
 */
export function detectFormat(first: unknown, label: string): LogFormat {
  const v = Array.isArray(first) ? first.find(isObject) : first;
  if (isObject(v)) {
    if (v.resourceSpans !== undefined || (v.observations !== undefined && v.trace !== undefined))
      return 'otel';
    if (v.custom_id !== undefined) {
      if (v.response === undefined && v.body !== undefined) {
        throw new ProbityError(
          'malformed',
          `${label}: an OpenAI Batch API input file (requests without outputs); import the batch's output file`,
          { file: label },
        );
      }
      return 'openai-batch';
    }
    if (looksLikeChat(v)) return 'openai-chat';
    if (v.timestamp !== undefined) return 'generic';
  }
  throw new ProbityError(
    'malformed',
    `${label}: cannot tell the log format from its first record; pass --format generic|openai-chat|openai-batch|otel (and --map field=path for other layouts)`,
    { file: label },
  );
}
