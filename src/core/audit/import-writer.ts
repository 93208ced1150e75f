/**
 * Writing extracted records into the case: prepared statements, one transaction per batch, the
 * statistics an import reports, and the resume checkpoint stored with each batch.
 */
import type Database from 'better-sqlite3';
import type { ImportDigest } from './import-digest';
import { parseTimestamp } from './timestamps';
import type { ExtractedRecord, SkippedItem } from './types';

/** A problem tied to a place in the file: a malformed line, or a record the audit cannot place. */
export interface ImportProblem {
  line: number;
  item: string | null;
  reason: string;
}

/** Counts an import reports; persisted with each batch so a resumed import carries on counting. */
export interface ImportStats {
  lines: number;
  records: number;
  toolCalls: number;
  malformed: number;
  duplicates: number;
  skipped: number;
  missingUserIds: number;
  zonelessTimestamps: number;
  syntheticRequestIds: number;
  firstMs: number | null;
  lastMs: number | null;
  /** First problems (malformed lines, records without a usable time), in file order. */
  problems: ImportProblem[];
  /** First lines whose request id was already imported. */
  duplicateLines: number[];
  /** Skipped items by reason. */
  skippedReasons: Record<string, number>;
}

/** How many problems and duplicate lines are kept by number (all are counted). */
export const KEEP_PROBLEMS = 1000;

/** Counts of an import that has read nothing yet. */
export function emptyStats(): ImportStats {
  return {
    lines: 0,
    records: 0,
    toolCalls: 0,
    malformed: 0,
    duplicates: 0,
    skipped: 0,
    missingUserIds: 0,
    zonelessTimestamps: 0,
    syntheticRequestIds: 0,
    firstMs: null,
    lastMs: null,
    problems: [],
    duplicateLines: [],
    skippedReasons: {},
  };
}

/** The sorted distinct tool names of a record, comma-joined ('' for none). */
function toolsKey(rec: ExtractedRecord): string {
  const calls = rec.toolCalls;
  if (calls.length === 0) return '';
  if (calls.length === 1) return calls[0]!.name;
  return [...new Set(calls.map((c) => c.name))].sort().join(',');
}

/** Where a record came from in the stored object. */
export interface RecordPlace {
  line: number;
  offset: number;
  length: number;
}

/**
 * A record waiting for its batch: only what is written, so that the parsed line (messages and all)
 * can be collected young instead of surviving until the batch is flushed.
 */
interface PendingRow {
  place: RecordPlace;
  item: string | null;
  requestId: string;
  ms: number;
  userId: string | null;
  conversationId: string | null;
  modelVersion: string | null;
  downstream: string | null;
  kind: ExtractedRecord['kind'];
  tools: string;
  toolCalls: ExtractedRecord['toolCalls'];
  inputTokens: number | null;
  outputTokens: number | null;
}

const roundOrNull = (n: number | null): number | null => (n === null ? null : Math.round(n));

/**
 * Buffers records and writes them in batches. `checkpoint` is called inside each batch's
 * transaction, so the resume point always matches what was committed.
 */
export class RecordWriter {
  readonly stats: ImportStats;
  private pending: PendingRow[] = [];
  private readonly insRecord: Database.Statement;
  private readonly insCall: Database.Statement;
  firstRecordId: number | null = null;

  constructor(
    private readonly db: Database.Database,
    private readonly importId: number,
    private readonly sha256: string,
    stats: ImportStats,
    private readonly batchSize: number,
    private readonly digest: ImportDigest,
  ) {
    this.stats = stats;
    this.insRecord = db.prepare(
      `INSERT INTO audit_records (import_id, line, item, byte_offset, byte_length, request_id, ts_ms, user_id,
         conversation_id, model_version, downstream, kind, tools, tool_call_count, input_tokens, output_tokens)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(request_id) DO NOTHING`,
    );
    this.insCall = db.prepare(
      'INSERT INTO audit_tool_calls (record_id, idx, name, arguments, call_id) VALUES (?, ?, ?, ?, ?)',
    );
  }

  /** Count a line or item that could not be read as a record. */
  problem(line: number, item: string | null, reason: string): void {
    this.stats.malformed++;
    if (this.stats.problems.length < KEEP_PROBLEMS) this.stats.problems.push({ line, item, reason });
  }

  /** Count items that are well-formed but hold no output, by reason. */
  skip(items: readonly SkippedItem[]): void {
    for (const s of items) {
      this.stats.skipped++;
      this.stats.skippedReasons[s.reason] = (this.stats.skippedReasons[s.reason] ?? 0) + 1;
    }
  }

  /**
   * Queue one record: its time is normalised here (a record without a usable time is a problem, not
   * a guess); a missing request id is replaced by `<sha256 prefix>:<line>[:<item>]` and counted.
   */
  add(rec: ExtractedRecord, place: RecordPlace): void {
    const ts = parseTimestamp(rec.timestamp);
    if ('error' in ts) {
      this.problem(place.line, rec.item, `timestamp: ${ts.error}`);
      return;
    }
    if (ts.zoneless) this.stats.zonelessTimestamps++;
    let requestId = rec.requestId;
    if (requestId === null) {
      requestId = `${this.sha256.slice(0, 12)}:${place.line}${rec.item === null ? '' : `:${rec.item}`}`;
      this.stats.syntheticRequestIds++;
    }
    this.pending.push({
      place,
      item: rec.item,
      requestId,
      ms: ts.ms,
      userId: rec.userId,
      conversationId: rec.conversationId,
      modelVersion: rec.modelVersion,
      downstream: rec.downstream,
      kind: rec.kind,
      tools: toolsKey(rec),
      toolCalls: rec.toolCalls,
      inputTokens: roundOrNull(rec.inputTokens),
      outputTokens: roundOrNull(rec.outputTokens),
    });
  }

  get full(): boolean {
    return this.pending.length >= this.batchSize;
  }

  /** Write the queued records and call `checkpoint`, in one transaction. */
  flush(checkpoint: () => void): void {
    const batch = this.pending;
    this.pending = [];
    this.db.transaction(() => {
      for (const p of batch) this.write(p);
      checkpoint();
    })();
  }

  private write(p: PendingRow): void {
    const { place } = p;
    const info = this.insRecord.run(
      this.importId,
      place.line,
      p.item,
      place.offset,
      place.length,
      p.requestId,
      p.ms,
      p.userId,
      p.conversationId,
      p.modelVersion,
      p.downstream,
      p.kind,
      p.tools,
      p.toolCalls.length,
      p.inputTokens,
      p.outputTokens,
    );
    if (info.changes === 0) {
      this.stats.duplicates++;
      if (this.stats.duplicateLines.length < KEEP_PROBLEMS) this.stats.duplicateLines.push(place.line);
      return;
    }
    const id = Number(info.lastInsertRowid);
    this.firstRecordId ??= id;
    this.digest.addRecord([
      p.requestId,
      p.ms,
      p.userId,
      p.conversationId,
      p.modelVersion,
      p.downstream,
      p.kind,
      p.tools,
      p.toolCalls.length,
      place.line,
      p.item,
    ]);
    p.toolCalls.forEach((c, i) => {
      this.insCall.run(id, i, c.name, c.arguments, c.callId);
      this.digest.addCall([id, i, c.name, c.arguments, c.callId]);
    });
    this.countRecord(p);
  }

  private countRecord(p: PendingRow): void {
    const s = this.stats;
    s.records++;
    s.toolCalls += p.toolCalls.length;
    if (p.userId === null) s.missingUserIds++;
    s.firstMs = s.firstMs === null ? p.ms : Math.min(s.firstMs, p.ms);
    s.lastMs = s.lastMs === null ? p.ms : Math.max(s.lastMs, p.ms);
  }
}
