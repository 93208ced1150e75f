/**
 * A record as a reviewer sees it: the conversation and the response read back from the stored
 * evidence object (the database keeps only where the record is, never a copy of its text), the
 * tool calls recorded at import, and the labels given so far.
 */
import fs from 'node:fs';
import YAML from 'yaml';
import type { CaseStore } from '../store/workstation';
import { ProbityError } from '../util/errors';
import { extractUnit } from './formats';
import { modelRecord, spansOfUnit } from './formats/otel';
import { labelHistory, type LabelEntry } from './labels';
import { readRange } from '../io/lines';
import { applyMapping, parseMapping } from './mapping';
import { isoUtc } from './timestamps';
import type { ExtractedRecord, LogFormat, MessageView, ToolCall } from './types';

export interface RecordDetail {
  recordId: number;
  requestId: string;
  timestamp: string;
  userId: string | null;
  conversationId: string | null;
  modelVersion: string | null;
  downstream: string | null;
  messages: MessageView[];
  response: string | null;
  toolCalls: ToolCall[];
  source: { file: string; sha256: string; format: LogFormat; line: number; item: string | null };
  /** Every label given to the record, oldest first. */
  labels: LabelEntry[];
}

interface RecordRow {
  id: number;
  request_id: string;
  ts_ms: number;
  user_id: string | null;
  conversation_id: string | null;
  model_version: string | null;
  downstream: string | null;
  line: number;
  item: string | null;
  byte_offset: number;
  byte_length: number;
  sha256: string;
  evidence_path: string;
  format: LogFormat;
  mapping: string;
}

function parseUnit(bytes: Buffer, whole: boolean): unknown {
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    if (!whole) throw err;
    return YAML.parse(text, { maxAliasCount: 100 }) as unknown;
  }
}

/** Re-extract the record's content from its unit, exactly as the import read it. */
function contentOf(store: CaseStore, r: RecordRow): ExtractedRecord | undefined {
  const file = store.objectPath(r.sha256);
  const whole = r.byte_offset === 0 && r.byte_length === fs.statSync(file).size;
  const unit = parseUnit(readRange(file, r.byte_offset, r.byte_length), whole);
  if (r.format === 'otel') {
    const span = spansOfUnit(unit).find((s) => s.item === r.item);
    return span ? modelRecord(span) : undefined;
  }
  const rec = extractUnit(r.format, unit).records.find((x) => x.item === r.item);
  if (rec)
    applyMapping(
      rec,
      parseMapping(
        Object.entries(JSON.parse(r.mapping) as Record<string, string>).map(([f, p]) => `${f}=${p}`),
      ),
    );
  return rec;
}

/** The detail of one record by request id (see the module comment). */
export function recordDetail(store: CaseStore, requestId: string): RecordDetail {
  const r = store.db
    .prepare(
      `SELECT r.id, r.request_id, r.ts_ms, r.user_id, r.conversation_id, r.model_version, r.downstream, r.line, r.item,
         r.byte_offset, r.byte_length, i.sha256, i.evidence_path, i.format, i.mapping
       FROM audit_records r JOIN audit_imports i ON i.id = r.import_id WHERE r.request_id = ?`,
    )
    .get(requestId) as RecordRow | undefined;
  if (!r)
    throw new ProbityError(
      'not-found',
      `${requestId}: no such request id in the imported logs of ${store.id}`,
    );
  let content: ExtractedRecord | undefined;
  try {
    content = contentOf(store, r);
  } catch (err) {
    throw new ProbityError(
      'unreadable',
      `${r.evidence_path}: line ${r.line} can no longer be read (${(err as Error).message}); run probity verify`,
      {
        file: r.evidence_path,
      },
    );
  }
  const calls = store.db
    .prepare('SELECT name, arguments, call_id FROM audit_tool_calls WHERE record_id = ? ORDER BY idx')
    .all(r.id) as { name: string; arguments: string | null; call_id: string | null }[];
  return {
    recordId: r.id,
    requestId: r.request_id,
    timestamp: isoUtc(r.ts_ms),
    userId: r.user_id,
    conversationId: r.conversation_id,
    modelVersion: r.model_version,
    downstream: r.downstream,
    messages: content?.messages ?? [],
    response: content?.response ?? null,
    toolCalls: calls.map((c) => ({ name: c.name, arguments: c.arguments, callId: c.call_id })),
    source: { file: r.evidence_path, sha256: r.sha256, format: r.format, line: r.line, item: r.item },
    labels: labelHistory(store, requestId),
  };
}

/** The last user message of a conversation, for one-line listings. */
export function lastUserMessage(messages: readonly MessageView[]): string | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m && m.role === 'user') return m.content;
  }
  return null;
}
