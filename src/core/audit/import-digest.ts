/**
 * Digests of what an import wrote, recorded in its `audit.imported` custody event so that a row
 * edited later can be detected against the chain.
 *
 * Each row is one line: its columns as text (NULL as empty), joined by tabs, ended by a newline; rows
 * in id order. Records: request_id, ts_ms, user_id, conversation_id, model_version, downstream, kind,
 * tools, tool_call_count, line, item. Tool calls: record_id, idx, name, arguments, call_id, in
 * (record_id, idx) order. The import hashes the rows as it writes them; `importDigests` recomputes
 * the same digests from the database (to check them, and to carry on after a resumed import).
 */
import { createHash, type Hash } from 'node:crypto';
import type { CaseStore } from '../store/workstation';

const RECORD_DIGEST_COLUMNS = [
  'request_id',
  'ts_ms',
  'user_id',
  'conversation_id',
  'model_version',
  'downstream',
  'kind',
  'tools',
  'tool_call_count',
  'line',
  'item',
];
const CALL_DIGEST_COLUMNS = ['c.record_id', 'c.idx', 'c.name', 'c.arguments', 'c.call_id'];

type Cell = string | number | null;

/** SQL text of one digest line: the columns, NULL as empty, tab-separated, newline-terminated. */
function sqlLine(columns: readonly string[]): string {
  return `${columns.map((c) => `ifnull(${c}, '')`).join(' || char(9) || ')} || char(10)`;
}

/** The same line in JavaScript (integers print as SQLite prints them). */
function jsLine(cells: readonly Cell[]): string {
  let out = '';
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    out += `${i > 0 ? '\t' : ''}${c === null || c === undefined ? '' : String(c)}`;
  }
  return `${out}\n`;
}

/** Bytes of lines gathered before they are hashed. */
const BLOCK = 1024 * 1024;

/** One running SHA-256 fed in blocks of lines (each line encoded straight into the block). */
class LineHash {
  private readonly hash: Hash = createHash('sha256');
  private readonly block = Buffer.allocUnsafe(BLOCK);
  private used = 0;

  add(line: string): void {
    // A UTF-8 line takes at most 3 bytes per UTF-16 unit: write it whole, or hash what is there first.
    if (this.used + line.length * 3 > BLOCK) {
      this.flush();
      if (line.length * 3 > BLOCK) {
        this.hash.update(line);
        return;
      }
    }
    this.used += this.block.write(line, this.used);
  }

  private flush(): void {
    if (this.used > 0) this.hash.update(this.block.subarray(0, this.used));
    this.used = 0;
  }

  /** The digest of everything added so far (the hash itself carries on). */
  hex(): string {
    this.flush();
    return this.hash.copy().digest('hex');
  }
}

/** The running digests of an import's records and tool calls. */
export class ImportDigest {
  private readonly records = new LineHash();
  private readonly calls = new LineHash();

  /** A record row, with its columns in the order of the module comment. */
  addRecord(cells: readonly Cell[]): void {
    this.records.add(jsLine(cells));
  }

  /** A tool-call row: record_id, idx, name, arguments, call_id. */
  addCall(cells: readonly Cell[]): void {
    this.calls.add(jsLine(cells));
  }

  /** Feed the rows an import already wrote (from `firstRecordId` on), in order. */
  addStored(store: CaseStore, importId: number, firstRecordId: number | null): void {
    const from = firstRecordId ?? 0;
    const records = store.db
      .prepare(
        `SELECT ${sqlLine(RECORD_DIGEST_COLUMNS)} FROM audit_records WHERE id >= ? AND import_id = ? ORDER BY id`,
      )
      .pluck()
      .iterate(from, importId) as IterableIterator<string>;
    for (const line of records) this.records.add(line);
    const calls = store.db
      .prepare(
        `SELECT ${sqlLine(CALL_DIGEST_COLUMNS)} FROM audit_tool_calls c JOIN audit_records r ON r.id = c.record_id
         WHERE c.record_id >= ? AND r.import_id = ? ORDER BY c.record_id, c.idx`,
      )
      .pluck()
      .iterate(from, importId) as IterableIterator<string>;
    for (const line of calls) this.calls.add(line);
  }

  /** Both digests, hex. */
  hex(): { records: string; toolCalls: string } {
    return { records: this.records.hex(), toolCalls: this.calls.hex() };
  }
}

/** The digests of an import, recomputed from the database. */
export function importDigests(
  store: CaseStore,
  importId: number,
  firstRecordId: number | null,
): { records: string; toolCalls: string } {
  const d = new ImportDigest();
  d.addStored(store, importId, firstRecordId);
  return d.hex();
}
