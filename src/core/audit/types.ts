/**
 * Types of the output-log audit (the playbook's "Assess blast radius", "Output audit" and "Tool
 * call audit"): what an importer extracts from a log record, and what the audit functions return.
 */

/** Log formats Probity reads; `auto` picks one from the file's first record. */
export type LogFormat = 'generic' | 'openai-chat' | 'openai-batch' | 'otel';
export const LOG_FORMATS: readonly LogFormat[] = ['generic', 'openai-chat', 'openai-batch', 'otel'];

/** Fields a `--map field=json.path` can set, named as in the generic format. */
export type MappableField =
  | 'timestamp'
  | 'request_id'
  | 'user_id'
  | 'conversation_id'
  | 'model_version'
  | 'downstream'
  | 'response'
  | 'tool_calls';
export const MAPPABLE_FIELDS: readonly MappableField[] = [
  'timestamp',
  'request_id',
  'user_id',
  'conversation_id',
  'model_version',
  'downstream',
  'response',
  'tool_calls',
];

/** One tool call the model made (or, for OpenTelemetry, a tool execution attributed to it). */
export interface ToolCall {
  name: string;
  /** JSON text of the arguments as logged (OpenAI logs them as a JSON string), or null. */
  arguments: string | null;
  /** The call id the log gives (OpenAI `call_…`, `gen_ai.tool.call.id`), or null. */
  callId: string | null;
}

/** A message of the conversation, reduced to its role and text, for review. */
export interface MessageView {
  role: string;
  content: string;
}

/**
 * What an importer extracts from one log item (a JSONL line, or one element of a JSON document).
 * `timestamp` is kept raw: the importer normalises it after any `--map` has been applied.
 */
export interface ExtractedRecord {
  requestId: string | null;
  timestamp: unknown;
  userId: string | null;
  conversationId: string | null;
  modelVersion: string | null;
  downstream: string | null;
  messages: MessageView[];
  response: string | null;
  toolCalls: ToolCall[];
  inputTokens: number | null;
  outputTokens: number | null;
  /** 'model' for a model request; 'tool' for a tool execution with no model span to attach it to. */
  kind: 'model' | 'tool';
  /** Where the item sits inside its line or document (`[3]`, `observations[5]`), null for a whole line. */
  item: string | null;
  /** The item as parsed, for `--map` paths. */
  raw: unknown;
  /** Where the item's line is, when it differs from the unit being extracted (OTLP JSONL spans). */
  origin?: { line: number; offset: number; length: number };
}

/** An item that is well-formed but deliberately holds no output record (a failed batch request). */
export interface SkippedItem {
  item: string | null;
  reason: string;
}

/** The records of one JSON unit (a JSONL line or a whole document), and the items it skipped. */
export interface UnitRecords {
  records: ExtractedRecord[];
  skipped: SkippedItem[];
}

/** Thrown by an extractor for a unit that is not a record of its format; the message is the reason. */
export class FormatProblem extends Error {
  override readonly name = 'FormatProblem';
}

/** A half-open time window [startMs, endMs) in UTC milliseconds. */
export interface TimeWindow {
  startMs: number;
  endMs: number;
}
