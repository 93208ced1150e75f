/**
 * `audit import`: read an output log from the case's evidence into SQLite.
 *
 * The log is first resolved to stored evidence (evidence.ts), then read from the object store:
 * - line mode (JSONL, the common case): streamed in 1 MiB reads and parsed on a worker thread
 *   (parse-lines.ts) while this thread writes the previous batch; records are written with prepared
 *   statements in transactions of `batchSize` (20,000) records, each transaction also storing the
 *   resume point and the counts so far. An interrupted import (crash, Ctrl-C, a full disk) is resumed
 *   by running the same import again: it continues after the last committed line.
 * - document mode (a pretty-printed JSON document or a YAML cassette, up to 64 MiB): parsed whole and
 *   written in one transaction.
 * OpenTelemetry exports are always written in one transaction, because a tool-execution span may be
 * attributed to a model span on another line.
 *
 * A malformed line (not JSON, not UTF-8, not a record of the format, or without a usable time) is
 * counted and reported by its line number; the rest is imported. A request id already in the case is
 * skipped as a duplicate and reported by line. Missing user ids are counted, never guessed. The
 * finished import is vouched for by an `audit.imported` custody event carrying the evidence SHA-256
 * and digests of the records and tool calls written.
 */
import { acquireCaseLock } from '../store/lock';
import type { CaseStore } from '../store/workstation';
import { canonicalJson } from '../util/canonical-json';
import { ProbityError } from '../util/errors';
import { utcNow } from '../util/format';
import { appendAuditEvent } from './custody';
import { resolveLogEvidence, type StoredLog } from './evidence';
import { extractUnit } from './formats';
import { recordsOfSpans, spansOfUnit, type Span } from './formats/otel';
import { BatchBuilder, type ParsedBatch } from './import-batch';
import { ImportDigest } from './import-digest';
import { planImport, tryJson, type Plan } from './import-plan';
import { emptyStats, RecordWriter, type ImportProblem, type ImportStats } from './import-writer';
import { forEachLine } from '../io/lines';
import { applyMapping, mappingRecord, parseMapping, type FieldMapping } from './mapping';
import { readLineBatches } from './parse-lines';
import { isoUtc } from './timestamps';
import { FormatProblem, LOG_FORMATS, type LogFormat, type UnitRecords } from './types';

const DEFAULT_BATCH = 20_000;

export interface ImportProgress {
  bytesDone: number;
  bytesTotal: number;
  records: number;
}

export interface ImportLogOptions {
  store: CaseStore;
  /** A log file on disk (preserved first), or the path or SHA-256 of evidence already in the case. */
  file: string;
  format?: LogFormat | 'auto';
  /** `field=json.path` entries (see mapping.ts). */
  map?: readonly string[];
  actor: string;
  host: string;
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
  batchSize?: number;
  /** Parse JSON lines on a worker thread when one can be started (default true). */
  worker?: boolean;
}

/** What an import did, for the CLI and the UI. */
export interface ImportReport {
  caseId: string;
  importId: number;
  /** Evidence path of the log, and its SHA-256 (the custody digest of the file read). */
  file: string;
  sha256: string;
  bytes: number;
  format: LogFormat;
  mode: 'lines' | 'document';
  mapping: Record<string, string>;
  /** The file was preserved into the case by this import. */
  preserved: boolean;
  resumed: boolean;
  /** The file had been imported before: nothing was written, the earlier counts are shown. */
  alreadyImported: boolean;
  lines: number;
  records: number;
  toolCalls: number;
  malformed: number;
  problems: ImportProblem[];
  duplicates: number;
  duplicateLines: number[];
  skipped: number;
  skippedReasons: Record<string, number>;
  missingUserIds: number;
  zonelessTimestamps: number;
  syntheticRequestIds: number;
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  recordsSha256: string | null;
  toolCallsSha256: string | null;
  /** Whole import, evidence copy included. */
  seconds: number;
  /** Reading, parsing and writing records (after the evidence copy). */
  readSeconds: number;
  /** Records per second of reading, parsing and writing. */
  recordsPerSecond: number;
}

interface ImportRow {
  id: number;
  format: string;
  mapping: string;
  status: string;
  committed_offset: number;
  committed_line: number;
  first_record_id: number | null;
  stats: string;
  evidence_path: string;
}

// ---------------------------------------------------------------------------------------------
// The import row: start, resume, finish, fail
// ---------------------------------------------------------------------------------------------

function latestImport(store: CaseStore, sha256: string): ImportRow | undefined {
  return store.db
    .prepare('SELECT * FROM audit_imports WHERE sha256 = ? ORDER BY id DESC LIMIT 1')
    .get(sha256) as ImportRow | undefined;
}

interface Run {
  importId: number;
  stats: ImportStats;
  startOffset: number;
  startLine: number;
  firstRecordId: number | null;
  resumed: boolean;
}

function startRun(
  store: CaseStore,
  prior: ImportRow | undefined,
  log: StoredLog,
  plan: Plan,
  mapping: string,
  actor: string,
): Run {
  if (prior && (prior.format !== plan.format || prior.mapping !== mapping)) {
    throw new ProbityError(
      'conflict',
      `${log.path}: an unfinished import of this file used --format ${prior.format} and --map ${prior.mapping}; run it again with the same options to resume it`,
      { file: log.path },
    );
  }
  if (prior) {
    // Document and OpenTelemetry imports commit all or nothing: an unfinished one starts over.
    const resumable = plan.mode === 'lines' && plan.format !== 'otel';
    store.db.prepare("UPDATE audit_imports SET status = 'running', error = NULL WHERE id = ?").run(prior.id);
    return {
      importId: prior.id,
      stats: resumable ? (JSON.parse(prior.stats) as ImportStats) : emptyStats(),
      startOffset: resumable ? prior.committed_offset : 0,
      startLine: resumable ? prior.committed_line + 1 : 1,
      firstRecordId: prior.first_record_id,
      resumed: resumable && prior.committed_offset > 0,
    };
  }
  const info = store.db
    .prepare(
      `INSERT INTO audit_imports (evidence_id, sha256, evidence_path, format, mapping, status, started_at, actor, stats)
       VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?)`,
    )
    .run(
      log.evidenceId,
      log.sha256,
      log.path,
      plan.format,
      mapping,
      utcNow(),
      actor,
      JSON.stringify(emptyStats()),
    );
  return {
    importId: Number(info.lastInsertRowid),
    stats: emptyStats(),
    startOffset: 0,
    startLine: 1,
    firstRecordId: null,
    resumed: false,
  };
}

function countsOf(stats: ImportStats) {
  return {
    lines: stats.lines,
    records: stats.records,
    toolCalls: stats.toolCalls,
    malformed: stats.malformed,
    duplicates: stats.duplicates,
    skipped: stats.skipped,
    missingUserIds: stats.missingUserIds,
    zonelessTimestamps: stats.zonelessTimestamps,
    syntheticRequestIds: stats.syntheticRequestIds,
  };
}

function finishRun(
  store: CaseStore,
  run: Run,
  log: StoredLog,
  plan: Plan,
  mapping: string,
  actor: string,
  digest: ImportDigest,
) {
  const digests = digest.hex();
  store.db.transaction(() => {
    store.db
      .prepare(
        "UPDATE audit_imports SET status = 'finished', finished_at = ?, stats = ?, first_record_id = ? WHERE id = ?",
      )
      .run(utcNow(), JSON.stringify(run.stats), run.firstRecordId, run.importId);
    appendAuditEvent(store.db, {
      actor,
      action: 'audit.imported',
      subject: log.path,
      details: {
        importId: run.importId,
        evidenceId: log.evidenceId,
        sha256: log.sha256,
        format: plan.format,
        mode: plan.mode,
        mapping: JSON.parse(mapping) as unknown,
        ...countsOf(run.stats),
        recordsSha256: digests.records,
        toolCallsSha256: digests.toolCalls,
      },
    });
  })();
  return digests;
}

/** An import refused before it started: a custody event naming the log, the format asked for and why. */
function recordRefusal(store: CaseStore, log: StoredLog, format: string, actor: string, err: unknown): void {
  const reason = err instanceof Error ? err.message : String(err);
  try {
    appendAuditEvent(store.db, {
      actor,
      action: 'audit.import.failed',
      subject: log.path,
      details: {
        importId: null,
        evidenceId: log.evidenceId,
        sha256: log.sha256,
        format,
        reason,
        recordsCommitted: 0,
      },
    });
  } catch {
    // The database itself may be the problem: the original error is what matters.
  }
}

function failRun(store: CaseStore, run: Run, log: StoredLog, actor: string, err: unknown): void {
  const cancelled = err instanceof ProbityError && err.code === 'cancelled';
  const reason = err instanceof Error ? err.message : String(err);
  try {
    store.db.transaction(() => {
      const committed = store.db
        .prepare('SELECT count(*) FROM audit_records WHERE import_id = ?')
        .pluck()
        .get(run.importId) as number;
      store.db
        .prepare('UPDATE audit_imports SET status = ?, error = ? WHERE id = ?')
        .run(cancelled ? 'cancelled' : 'failed', reason, run.importId);
      appendAuditEvent(store.db, {
        actor,
        action: 'audit.import.failed',
        subject: log.path,
        details: {
          importId: run.importId,
          sha256: log.sha256,
          reason,
          cancelled,
          recordsCommitted: committed,
        },
      });
    })();
  } catch {
    // The database itself may be the problem (disk full): the original error is what matters.
  }
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

function extractOrProblem(
  builder: BatchBuilder,
  format: LogFormat,
  unit: unknown,
  line: number,
): UnitRecords | null {
  try {
    return extractUnit(format, unit, false);
  } catch (err) {
    if (err instanceof FormatProblem) {
      builder.problem(line, null, err.message);
      return null;
    }
    throw err;
  }
}

/** What the readers below share: where to write a batch, and the options of the import. */
interface Sink {
  log: StoredLog;
  plan: Plan;
  run: Run;
  builder: BatchBuilder;
  mapping: FieldMapping;
  opts: ImportLogOptions;
  /** Write a batch with its resume point, in one transaction. */
  write: (batch: ParsedBatch) => void;
}

async function readLineRecords(sink: Sink): Promise<void> {
  const { log, plan, run, opts } = sink;
  await readLineBatches(
    {
      file: log.objectPath,
      label: log.path,
      startOffset: run.startOffset,
      startLine: run.startLine,
      parse: {
        format: plan.format,
        sha256: log.sha256,
        batchSize: opts.batchSize ?? DEFAULT_BATCH,
        fileSize: log.size,
      },
      map: Object.entries(mappingRecord(sink.mapping)).map(([field, path]) => `${field}=${path}`),
      signal: opts.signal,
      worker: opts.worker,
    },
    (batch) => {
      sink.write(batch);
      opts.onProgress?.({ bytesDone: batch.bytesDone, bytesTotal: log.size, records: run.stats.records });
    },
  );
}

/** OpenTelemetry spans of every line (or of the document), with where each came from. */
async function readSpans(sink: Sink): Promise<Span[]> {
  const { log, plan, builder, opts } = sink;
  const spans: Span[] = [];
  const collect = (unit: unknown, origin: { line: number; offset: number; length: number }): void => {
    try {
      for (const s of spansOfUnit(unit)) spans.push({ ...s, origin });
    } catch (err) {
      if (!(err instanceof FormatProblem)) throw err;
      builder.problem(origin.line, null, err.message);
    }
  };
  if (plan.mode === 'document') {
    builder.countLine();
    collect(plan.document, { line: 1, offset: 0, length: log.size });
    return spans;
  }
  await forEachLine(
    log.objectPath,
    log.path,
    (line) => {
      if (line.text !== null && line.text.trim() === '') return;
      builder.countLine();
      if (line.text === null) {
        builder.problem(line.number, null, line.problem ?? 'unreadable');
        return;
      }
      const parsed = tryJson(line.text);
      if (!parsed.ok) builder.problem(line.number, null, 'not JSON');
      else collect(parsed.value, { line: line.number, offset: line.offset, length: line.length });
    },
    { signal: opts.signal },
  );
  return spans;
}

function queueUnit(builder: BatchBuilder, unit: UnitRecords, mapping: FieldMapping, log: StoredLog): void {
  builder.skip(unit.skipped);
  for (const rec of unit.records) {
    applyMapping(rec, mapping);
    builder.add(rec, rec.origin ?? { line: 1, offset: 0, length: log.size });
  }
}

async function readAll(sink: Sink): Promise<void> {
  const { log, plan, builder, mapping } = sink;
  if (plan.format === 'otel') {
    queueUnit(builder, recordsOfSpans(await readSpans(sink), false), mapping, log);
    sink.write(builder.take({ offset: log.size, line: builder.lines }));
  } else if (plan.mode === 'document') {
    builder.countLine();
    const unit = extractOrProblem(builder, plan.format, plan.document, 1);
    if (unit) queueUnit(builder, unit, mapping, log);
    sink.write(builder.take({ offset: log.size, line: 1 }));
  } else {
    await readLineRecords(sink);
  }
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

function requireFormat(format: string): LogFormat | 'auto' {
  if (format === 'auto' || (LOG_FORMATS as readonly string[]).includes(format))
    return format as LogFormat | 'auto';
  throw new ProbityError('usage', `--format ${format}: not a log format (auto, ${LOG_FORMATS.join(', ')})`);
}

function report(
  store: CaseStore,
  base: { importId: number; log: StoredLog; plan: Plan; mapping: string; resumed: boolean; already: boolean },
  stats: ImportStats,
  digests: { records: string; toolCalls: string } | null,
  times: { seconds: number; readSeconds: number },
): ImportReport {
  return {
    caseId: store.id,
    importId: base.importId,
    file: base.log.path,
    sha256: base.log.sha256,
    bytes: base.log.size,
    format: base.plan.format,
    mode: base.plan.mode,
    mapping: JSON.parse(base.mapping) as Record<string, string>,
    preserved: base.log.preserved,
    resumed: base.resumed,
    alreadyImported: base.already,
    ...countsOf(stats),
    problems: stats.problems,
    duplicateLines: stats.duplicateLines,
    skippedReasons: stats.skippedReasons,
    firstTimestamp: stats.firstMs === null ? null : isoUtc(stats.firstMs),
    lastTimestamp: stats.lastMs === null ? null : isoUtc(stats.lastMs),
    recordsSha256: digests?.records ?? null,
    toolCallsSha256: digests?.toolCalls ?? null,
    seconds: times.seconds,
    readSeconds: times.readSeconds,
    recordsPerSecond: times.readSeconds > 0 ? stats.records / times.readSeconds : 0,
  };
}

function alreadyImported(store: CaseStore, prior: ImportRow, log: StoredLog, started: number): ImportReport {
  const event = store.db
    .prepare("SELECT details FROM custody WHERE action = 'audit.imported' AND subject = ? ORDER BY seq DESC")
    .all(prior.evidence_path) as { details: string }[];
  const details = event
    .map(
      (e) =>
        JSON.parse(e.details) as {
          importId?: number;
          mode?: Plan['mode'];
          recordsSha256?: string;
          toolCallsSha256?: string;
        },
    )
    .find((d) => d.importId === prior.id);
  const plan: Plan = { format: prior.format as LogFormat, mode: details?.mode ?? 'lines', document: null };
  const digests =
    details?.recordsSha256 && details.toolCallsSha256
      ? { records: details.recordsSha256, toolCalls: details.toolCallsSha256 }
      : null;
  return report(
    store,
    { importId: prior.id, log, plan, mapping: prior.mapping, resumed: false, already: true },
    JSON.parse(prior.stats) as ImportStats,
    digests,
    { seconds: (performance.now() - started) / 1000, readSeconds: 0 },
  );
}

/**
 * Settings for the batch writes, undone by the returned function (idempotent) before the import is
 * finished: a 64 MiB page cache, and these two. Batches of 20,000 records write more than the default 1,000-page WAL, so the WAL is
 * checkpointed every 64 MiB instead of after every batch. And batches are committed with
 * synchronous = NORMAL: in WAL mode that never corrupts the database, and a batch lost to a power
 * failure is read again on resume, because the resume point commits in the same transaction as its
 * records. The finishing transaction (status and custody event) runs with the case's FULL setting.
 */
function fastWrites(store: CaseStore): () => void {
  const db = store.db;
  const autoCheckpoint = db.pragma('wal_autocheckpoint', { simple: true }) as number;
  const synchronous = db.pragma('synchronous', { simple: true }) as number;
  const cacheSize = db.pragma('cache_size', { simple: true }) as number;
  db.pragma('wal_autocheckpoint = 16384');
  db.pragma('synchronous = NORMAL');
  // Random request ids land on random pages of the unique index: keep 64 MiB of pages in memory.
  db.pragma('cache_size = -65536');
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    db.pragma(`synchronous = ${synchronous}`);
    db.pragma(`wal_autocheckpoint = ${autoCheckpoint}`);
    db.pragma(`cache_size = ${cacheSize}`);
  };
}

/** Import one output log into the case (see the module comment). */
export async function importLog(opts: ImportLogOptions): Promise<ImportReport> {
  const started = performance.now();
  const { store } = opts;
  const requested = requireFormat(opts.format ?? 'auto');
  const fieldMapping = parseMapping(opts.map ?? []);
  const mapping = canonicalJson(mappingRecord(fieldMapping));
  const log = await resolveLogEvidence(store, opts.file, opts);
  const release = acquireCaseLock(store.dir, 'importing an output log');
  try {
    const prior = latestImport(store, log.sha256);
    if (prior?.status === 'finished') return alreadyImported(store, prior, log, started);
    const readStarted = performance.now();
    let plan: ReturnType<typeof planImport>;
    try {
      plan = planImport(log, requested);
    } catch (err) {
      // Refused before any run started (an unknown format): the attempt is still on the record.
      recordRefusal(store, log, requested, opts.actor, err);
      throw err;
    }
    const run = startRun(store, prior, log, plan, mapping, opts.actor);
    // A resumed import first hashes the rows it wrote before, then carries on as it writes.
    const digest = new ImportDigest();
    if (run.resumed) digest.addStored(store, run.importId, run.firstRecordId);
    const writer = new RecordWriter(store.db, run.importId, run.stats, digest);
    const write = (batch: ParsedBatch): void => {
      const at = batch.checkpoint ?? { offset: log.size, line: run.startLine - 1 };
      writer.write(batch, () => {
        run.firstRecordId ??= writer.firstRecordId;
        store.db
          .prepare(
            'UPDATE audit_imports SET committed_offset = ?, committed_line = ?, stats = ?, first_record_id = ? WHERE id = ?',
          )
          .run(at.offset, at.line, JSON.stringify(writer.stats), run.firstRecordId, run.importId);
      });
    };
    const restore = fastWrites(store);
    try {
      const builder = new BatchBuilder(log.sha256);
      await readAll({ log, plan, run, builder, mapping: fieldMapping, opts, write });
      restore();
      const digests = finishRun(store, run, log, plan, mapping, opts.actor, digest);
      const base = { importId: run.importId, log, plan, mapping, resumed: run.resumed, already: false };
      const now = performance.now();
      const times = { seconds: (now - started) / 1000, readSeconds: (now - readStarted) / 1000 };
      return report(store, base, writer.stats, digests, times);
    } catch (err) {
      failRun(store, run, log, opts.actor, err);
      throw err;
    } finally {
      restore();
    }
  } finally {
    release();
  }
}
