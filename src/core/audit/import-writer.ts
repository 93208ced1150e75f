/**
 * Writing extracted records into the case: prepared statements, one transaction per batch, the
 * statistics an import reports, and the resume checkpoint stored with each batch.
 */
import type Database from 'better-sqlite3';
import {
  CALL_CELLS,
  KEEP_PROBLEMS,
  RECORD_CELLS,
  type Cell,
  type ImportProblem,
  type ParsedBatch,
} from './import-batch';
import type { ImportDigest } from './import-digest';

export { KEEP_PROBLEMS, type ImportProblem };

/** Tool calls per multi-row INSERT (fewer statement runs; SQLite allows 32,766 parameters). */
const CALLS_PER_INSERT = 64;

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

/**
 * Writes batches of rows (import-batch.ts) into the case, one transaction per batch, with the batch's
 * counts and its resume point (`checkpoint`, called inside the same transaction, so the resume point
 * always matches what was committed). Rows are written with prepared statements; the tool calls of
 * consecutive records go in multi-row INSERTs of up to CALLS_PER_INSERT rows.
 */
export class RecordWriter {
  readonly stats: ImportStats;
  private readonly insRecord: Database.Statement;
  private readonly insCalls: Database.Statement;
  private readonly insCall: Database.Statement;
  firstRecordId: number | null = null;

  constructor(
    private readonly db: Database.Database,
    private readonly importId: number,
    stats: ImportStats,
    private readonly digest: ImportDigest,
  ) {
    this.stats = stats;
    this.insRecord = db.prepare(
      `INSERT INTO audit_records (import_id, line, item, byte_offset, byte_length, request_id, ts_ms, user_id,
         conversation_id, model_version, downstream, kind, tools, tool_call_count, input_tokens, output_tokens)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(request_id) DO NOTHING`,
    );
    const callSql = (n: number): string =>
      `INSERT INTO audit_tool_calls (record_id, idx, name, arguments, call_id) VALUES ${Array(n).fill('(?, ?, ?, ?, ?)').join(', ')}`;
    this.insCalls = db.prepare(callSql(CALLS_PER_INSERT));
    this.insCall = db.prepare(callSql(1));
  }

  /** Write one batch and call `checkpoint`, in one transaction. */
  write(batch: ParsedBatch, checkpoint: () => void): void {
    this.db.transaction(() => {
      this.writeRows(batch);
      this.count(batch);
      checkpoint();
    })();
  }

  private writeRows(batch: ParsedBatch): void {
    const r = batch.records;
    const c = batch.calls;
    const s = this.stats;
    const params: Cell[] = [];
    let callAt = 0;
    for (let i = 0; i < r.length; i += RECORD_CELLS) {
      const line = r[i] as number;
      const item = r[i + 1]!;
      const requestId = r[i + 4]!;
      const ms = r[i + 5] as number;
      const userId = r[i + 6]!;
      const callCount = r[i + 12] as number;
      const info = this.insRecord.run(
        this.importId,
        line,
        item,
        r[i + 2],
        r[i + 3],
        requestId,
        ms,
        userId,
        r[i + 7],
        r[i + 8],
        r[i + 9],
        r[i + 10],
        r[i + 11],
        callCount,
        r[i + 13],
        r[i + 14],
      );
      if (info.changes === 0) {
        s.duplicates++;
        if (s.duplicateLines.length < KEEP_PROBLEMS) s.duplicateLines.push(line);
        callAt += callCount * CALL_CELLS;
        continue;
      }
      const id = Number(info.lastInsertRowid);
      this.firstRecordId ??= id;
      this.digest.addRecord([
        requestId,
        ms,
        userId,
        r[i + 7]!,
        r[i + 8]!,
        r[i + 9]!,
        r[i + 10]!,
        r[i + 11]!,
        callCount,
        line,
        item,
      ]);
      for (let k = 0; k < callCount; k++, callAt += CALL_CELLS) {
        const name = c[callAt]!;
        const args = c[callAt + 1]!;
        const callId = c[callAt + 2]!;
        params.push(id, k, name, args, callId);
        this.digest.addCall([id, k, name, args, callId]);
        if (params.length === CALLS_PER_INSERT * 5) {
          this.insCalls.run(params);
          params.length = 0;
        }
      }
      s.records++;
      s.toolCalls += callCount;
      if (userId === null) s.missingUserIds++;
      s.firstMs = s.firstMs === null ? ms : Math.min(s.firstMs, ms);
      s.lastMs = s.lastMs === null ? ms : Math.max(s.lastMs, ms);
    }
    for (let k = 0; k < params.length; k += 5) this.insCall.run(params.slice(k, k + 5));
  }

  /** Add the batch's counts of what was read to the counts of the import. */
  private count(batch: ParsedBatch): void {
    const s = this.stats;
    s.lines += batch.lines;
    s.malformed += batch.malformed;
    for (const p of batch.problems) if (s.problems.length < KEEP_PROBLEMS) s.problems.push(p);
    s.skipped += batch.skipped;
    for (const [reason, n] of Object.entries(batch.skippedReasons))
      s.skippedReasons[reason] = (s.skippedReasons[reason] ?? 0) + n;
    s.zonelessTimestamps += batch.zonelessTimestamps;
    s.syntheticRequestIds += batch.syntheticRequestIds;
  }
}
