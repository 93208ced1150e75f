/**
 * What an import writes, gathered in batches before it reaches the database: the rows of the
 * records and tool calls, flat (a fixed number of cells per row, no object per record), with the
 * counts of what was read alongside (lines, malformed lines, skipped items) and the resume point
 * that commits with them. Nothing here touches the database, so a batch can be built on a worker
 * thread and handed to the writer on the main thread (parse-worker.ts) as plain arrays.
 */
import { extractUnit } from './formats';
import type { LogLine } from '../io/lines';
import { applyMapping, type FieldMapping } from './mapping';
import { parseTimestamp } from './timestamps';
import { FormatProblem, type ExtractedRecord, type LogFormat, type SkippedItem } from './types';

/** A problem tied to a place in the file: a malformed line, or a record the audit cannot place. */
export interface ImportProblem {
  line: number;
  item: string | null;
  reason: string;
}

export type Cell = string | number | null;

/**
 * Cells per record row, in this order: line, item, byte offset, byte length, request id, time (ms),
 * user id, conversation id, model version, downstream, kind, tools, tool-call count, input tokens,
 * output tokens.
 */
export const RECORD_CELLS = 15;
/** Cells per tool call: name, arguments, call id (the calls of each record follow in order). */
export const CALL_CELLS = 3;

/** Where a record came from in the stored object. */
export interface RecordPlace {
  line: number;
  offset: number;
  length: number;
}

/** One batch: rows to write, the counts of what was read for them, and where to resume after it. */
export interface ParsedBatch {
  records: Cell[];
  calls: (string | null)[];
  /** Non-blank lines read. */
  lines: number;
  malformed: number;
  /** The first problems of the batch, in file order (KEEP_PROBLEMS at most). */
  problems: ImportProblem[];
  skipped: number;
  skippedReasons: Record<string, number>;
  zonelessTimestamps: number;
  syntheticRequestIds: number;
  /** The resume point committed with the batch (null: none, e.g. a document import). */
  checkpoint: { offset: number; line: number } | null;
  /** Bytes of the file read when the batch was closed (progress). */
  bytesDone: number;
}

/** How many problems and duplicate lines are kept by number (all are counted). */
export const KEEP_PROBLEMS = 1000;

function emptyBatch(): ParsedBatch {
  return {
    records: [],
    calls: [],
    lines: 0,
    malformed: 0,
    problems: [],
    skipped: 0,
    skippedReasons: {},
    zonelessTimestamps: 0,
    syntheticRequestIds: 0,
    checkpoint: null,
    bytesDone: 0,
  };
}

/** The sorted distinct tool names of a record, comma-joined ('' for none). */
function toolsKey(rec: ExtractedRecord): string {
  const calls = rec.toolCalls;
  if (calls.length === 0) return '';
  if (calls.length === 1) return calls[0]!.name;
  return [...new Set(calls.map((c) => c.name))].sort().join(',');
}

const roundOrNull = (n: number | null): number | null => (n === null ? null : Math.round(n));

/** Gathers rows and counts into the current batch. */
export class BatchBuilder {
  private batch = emptyBatch();

  constructor(private readonly sha256: string) {}

  /** Records queued in the current batch. */
  get size(): number {
    return this.batch.records.length / RECORD_CELLS;
  }

  /** Non-blank lines counted in the current batch. */
  get lines(): number {
    return this.batch.lines;
  }

  countLine(): void {
    this.batch.lines++;
  }

  /** Count a line or item that could not be read as a record. */
  problem(line: number, item: string | null, reason: string): void {
    this.batch.malformed++;
    if (this.batch.problems.length < KEEP_PROBLEMS) this.batch.problems.push({ line, item, reason });
  }

  /** Count items that are well-formed but hold no output, by reason. */
  skip(items: readonly SkippedItem[]): void {
    for (const s of items) {
      this.batch.skipped++;
      this.batch.skippedReasons[s.reason] = (this.batch.skippedReasons[s.reason] ?? 0) + 1;
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
    const b = this.batch;
    if (ts.zoneless) b.zonelessTimestamps++;
    let requestId = rec.requestId;
    if (requestId === null) {
      requestId = `${this.sha256.slice(0, 12)}:${place.line}${rec.item === null ? '' : `:${rec.item}`}`;
      b.syntheticRequestIds++;
    }
    b.records.push(
      place.line,
      rec.item,
      place.offset,
      place.length,
      requestId,
      ts.ms,
      rec.userId,
      rec.conversationId,
      rec.modelVersion,
      rec.downstream,
      rec.kind,
      toolsKey(rec),
      rec.toolCalls.length,
      roundOrNull(rec.inputTokens),
      roundOrNull(rec.outputTokens),
    );
    for (const c of rec.toolCalls) b.calls.push(c.name, c.arguments, c.callId);
  }

  /** The current batch, closed with its resume point; a new one is started. */
  take(checkpoint: ParsedBatch['checkpoint'], bytesDone = 0): ParsedBatch {
    const out = this.batch;
    out.checkpoint = checkpoint;
    out.bytesDone = bytesDone;
    this.batch = emptyBatch();
    return out;
  }
}

/** The options a line-mode import reads with (passed as is to a parse worker). */
export interface LineParseOptions {
  format: LogFormat;
  sha256: string;
  batchSize: number;
  fileSize: number;
}

/** JSON.parse that reports failure instead of throwing. */
function parseJson(text: string): { ok: true; value: unknown } | null {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return null;
  }
}

/**
 * Turns the lines of a JSONL log into batches: each non-blank line is counted, parsed, extracted in
 * the log's format and mapped; a full batch is emitted with the resume point just past its last line.
 */
export class LineBatcher {
  private readonly builder: BatchBuilder;
  private lastLine: number;
  private bytesDone = 0;

  constructor(
    private readonly opts: LineParseOptions,
    private readonly mapping: FieldMapping,
    startLine: number,
    private readonly emit: (batch: ParsedBatch) => void,
  ) {
    this.builder = new BatchBuilder(opts.sha256);
    this.lastLine = startLine - 1;
  }

  /** Bytes read so far (reported with the next batch). */
  progress(bytes: number): void {
    this.bytesDone = bytes;
  }

  line(line: LogLine): void {
    const b = this.builder;
    this.lastLine = line.number;
    if (line.text !== null && line.text.trim() === '') return;
    b.countLine();
    if (line.text === null) {
      b.problem(line.number, null, line.problem ?? 'unreadable');
      return;
    }
    const parsed = parseJson(line.text);
    if (!parsed) {
      b.problem(line.number, null, 'not JSON');
      return;
    }
    let unit;
    try {
      unit = extractUnit(this.opts.format, parsed.value, false);
    } catch (err) {
      if (!(err instanceof FormatProblem)) throw err;
      b.problem(line.number, null, err.message);
      return;
    }
    b.skip(unit.skipped);
    const place = { line: line.number, offset: line.offset, length: line.length };
    for (const rec of unit.records) {
      applyMapping(rec, this.mapping);
      b.add(rec, place);
    }
    if (b.size >= this.opts.batchSize) {
      const offset = Math.min(this.opts.fileSize, line.offset + line.length + 1);
      this.emit(b.take({ offset, line: line.number }, this.bytesDone));
    }
  }

  /** The last batch, ending at `end` (the offset past the last byte read). */
  finish(end: number): void {
    this.emit(this.builder.take({ offset: end, line: this.lastLine }, end));
  }
}
