/**
 * The audit's analytics engine: a DuckDB file inside the case folder (`derived/audit.duckdb`) that
 * indexes the preserved log objects. It is derived and rebuildable — never evidence: its inputs (the
 * objects' SHA-256), the loader's version and the row counts and content digest it produced are
 * recorded in the custody log (`audit.index.built`), and `rebuildAndCompare` builds it again into a
 * scratch file and checks the same counts and digests.
 *
 * DuckDB reads the objects straight from the case's object store with its own readers (read_json with
 * explicit columns for JSONL, read_parquet for Parquet). Memory is bounded by `memory_limit`; what does
 * not fit spills to `derived/spill` inside the case, never to a system folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { CaseStore } from '../../store/workstation';
import { ProbityError, describeFsError } from '../../util/errors';
import { appendAuditEvent } from '../custody';
import { findEvidence, type StoredLog } from '../evidence';
import type { BlastRadius, RegionStats } from '../blast-radius';
import { isoUtc, utcDay } from '../timestamps';
import { requireWindow, type AuditWindow } from '../window';
import {
  INDEX_IMPORTER,
  OBJECT_SUMMARY_SQL,
  SCHEMA_SQL,
  loadJsonlSql,
  loadParquetSql,
  regionBaseSql,
  regionDownstreamSql,
  regionPerDaySql,
  regionToolsSql,
  regionVersionsSql,
  sqlString,
  unitCountSql,
  type Region,
} from './queries';

/** Default DuckDB memory limit for the index (a workstation shares its RAM with the UI). */
export const DEFAULT_MEMORY_LIMIT = '512MB';

export type IndexFormat = 'jsonl' | 'parquet';

/** One input of the index: a preserved object and what was loaded from it. */
export interface IndexInput {
  sha256: string;
  path: string;
  format: IndexFormat;
  /** Non-blank lines (JSONL) or rows (Parquet) read. */
  units: number;
  records: number;
  /** Units without a usable timestamp: not records. */
  rejected: number;
  /** SHA-256 over the loaded rows in locator order (queries.ts OBJECT_SUMMARY_SQL). */
  digest: string;
}

export interface IndexBuild {
  file: string;
  /** Imported logs left out (not generic unmapped JSONL): their records are in SQLite only. */
  skipped: { path: string; format: string }[];
  importer: string;
  inputs: IndexInput[];
  records: number;
  toolCalls: number;
}

/** Paths of the index of a case. */
export function indexPaths(store: CaseStore): { dir: string; file: string; spill: string } {
  const dir = path.join(store.dir, 'derived');
  return { dir, file: path.join(dir, 'audit.duckdb'), spill: path.join(dir, 'spill') };
}

/** An open DuckDB database with its connection; close() releases both. */
export interface Engine {
  conn: DuckDBConnection;
  close(): void;
}

/** Open (or create) a DuckDB file with a memory limit and a spill folder; times are UTC. */
export async function openEngine(
  file: string,
  opts: { spill: string; memoryLimit?: string; threads?: number },
): Promise<Engine> {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.mkdirSync(opts.spill, { recursive: true });
  } catch (err) {
    throw new ProbityError('unreadable', `${path.dirname(file)}: cannot create: ${describeFsError(err)}`, {
      file,
    });
  }
  const settings: Record<string, string> = {
    memory_limit: opts.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
    temp_directory: opts.spill,
    // Only the case's own files are read: no extension is fetched or loaded from outside.
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  };
  if (opts.threads !== undefined) settings.threads = String(opts.threads);
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(file, settings);
  } catch (err) {
    throw new ProbityError('unreadable', `${file}: cannot open the audit index: ${(err as Error).message}`, {
      file,
    });
  }
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  return {
    conn,
    close: () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** Rows of a query as arrays, BIGINT/HUGEINT values turned into numbers. */
export async function rows(
  conn: DuckDBConnection,
  sql: string,
  values?: (string | number)[],
): Promise<unknown[][]> {
  const reader = await conn.runAndReadAll(sql, values);
  return reader.getRowsJS().map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
}

/** The format of a stored object, from its first bytes: Parquet files start with PAR1. */
function formatOf(log: StoredLog): IndexFormat {
  const fd = fs.openSync(log.objectPath, 'r');
  try {
    const head = Buffer.alloc(4);
    fs.readSync(fd, head, 0, 4, 0);
    return head.toString('latin1') === 'PAR1' ? 'parquet' : 'jsonl';
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Imported logs the index does not read: DuckDB's loader maps the generic format's own field names
 * only (queries.ts), so OpenAI chat/Batch, OpenTelemetry and --map imports stay in the SQLite records.
 */
export function unindexedImports(store: CaseStore): { path: string; format: string }[] {
  return store.db
    .prepare(
      `SELECT DISTINCT evidence_path AS path,
         CASE WHEN mapping = '{}' THEN format ELSE format || ' --map' END AS format FROM audit_imports
       WHERE status = 'finished' AND NOT (format = 'generic' AND mapping = '{}') ORDER BY path`,
    )
    .all() as { path: string; format: string }[];
}

/**
 * The objects the index is built from, in order: every generic, unmapped log an audit import
 * finished (unindexedImports names the others), then the
 * objects an earlier build indexed besides them (Parquet exports added with `audit index --add`), then
 * `extra`. Each object once.
 */
export function indexedLogs(store: CaseStore, extra: readonly StoredLog[] = []): StoredLog[] {
  const shas = store.db
    .prepare(
      `SELECT sha256 FROM audit_imports WHERE status = 'finished' AND format = 'generic' AND mapping = '{}'
       GROUP BY sha256 ORDER BY min(id)`,
    )
    .pluck()
    .all() as string[];
  const earlier = recordedBuild(store)?.inputs.map((i) => i.sha256) ?? [];
  const out: StoredLog[] = [];
  const seen = new Set<string>();
  for (const sha of [...shas, ...earlier]) {
    if (seen.has(sha)) continue;
    seen.add(sha);
    const log = findEvidence(store, sha);
    if (!log)
      throw new ProbityError('not-found', `${store.id}: evidence ${sha} of the audit index is missing`);
    out.push(log);
  }
  for (const log of extra) {
    if (seen.has(log.sha256)) continue;
    seen.add(log.sha256);
    out.push(log);
  }
  return out;
}

/** Load the given objects into an open engine (tables are created when missing). */
export async function loadObjects(
  conn: DuckDBConnection,
  logs: readonly Pick<StoredLog, 'sha256' | 'path' | 'objectPath'>[],
  format?: IndexFormat,
): Promise<IndexInput[]> {
  await conn.run(SCHEMA_SQL);
  for (const log of logs) {
    const f = format ?? formatOf(log as StoredLog);
    const already = await rows(conn, 'SELECT count(*) FROM index_inputs WHERE object_sha256 = $1', [
      log.sha256,
    ]);
    if ((already[0]![0] as number) > 0) continue;
    try {
      await conn.run('BEGIN TRANSACTION');
      await conn.run(
        f === 'parquet'
          ? loadParquetSql(log.objectPath, log.sha256)
          : loadJsonlSql(log.objectPath, log.sha256),
      );
      const units = (await rows(conn, unitCountSql(log.objectPath, f)))[0]![0] as number;
      const records = (await rows(conn, 'SELECT count(*) FROM staged'))[0]![0] as number;
      if (records === 0)
        throw new Error(
          `none of its ${units} ${f === 'parquet' ? 'rows' : 'lines'} is a record with a usable timestamp`,
        );
      await conn.run(
        `INSERT INTO index_inputs VALUES (${sqlString(log.sha256)}, ${sqlString(log.path)}, ${sqlString(f)},
           ${units}, ${records}, ${units - records}, ${sqlString(INDEX_IMPORTER)})`,
      );
      await conn.run('DROP TABLE staged');
      await conn.run('COMMIT');
    } catch (err) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw new ProbityError(
        'malformed',
        `${log.path}: cannot be loaded as ${f === 'parquet' ? 'Parquet' : 'JSON lines'}: ${(err as Error).message.split('\n')[0]}`,
        { file: log.path },
      );
    }
  }
  return summary(conn);
}

/** What the index holds, per input: counts and content digests. */
export async function summary(conn: DuckDBConnection): Promise<IndexInput[]> {
  const digests = new Map(
    (await rows(conn, OBJECT_SUMMARY_SQL)).map((r) => [
      r[0] as string,
      { records: r[1] as number, digest: r[2] as string },
    ]),
  );
  return (
    await rows(
      conn,
      'SELECT object_sha256, path, format, units, records, rejected FROM index_inputs ORDER BY object_sha256',
    )
  ).map((r) => ({
    sha256: r[0] as string,
    path: r[1] as string,
    format: r[2] as IndexFormat,
    units: r[3] as number,
    records: digests.get(r[0] as string)?.records ?? 0,
    rejected: r[5] as number,
    digest: digests.get(r[0] as string)?.digest ?? '',
  }));
}

async function totals(conn: DuckDBConnection): Promise<{ records: number; toolCalls: number }> {
  const [r] = await rows(
    conn,
    'SELECT (SELECT count(*) FROM audit_records), (SELECT count(*) FROM audit_tool_calls)',
  );
  return { records: r![0] as number, toolCalls: r![1] as number };
}

/**
 * Build the case's index from scratch (an existing one is replaced: it is derived) and record the
 * build in the custody log.
 */
export async function buildIndex(
  store: CaseStore,
  opts: { actor: string; memoryLimit?: string; threads?: number; add?: readonly StoredLog[] },
): Promise<IndexBuild> {
  const logs = indexedLogs(store, opts.add);
  const skipped = unindexedImports(store);
  if (logs.length === 0)
    throw new ProbityError(
      'usage',
      skipped.length > 0
        ? `${store.id}: no log the index can read: ${skipped.map((k) => `${k.path} (${k.format})`).join(', ')} only by the SQLite importer; the index reads unmapped generic JSONL and Parquet`
        : `${store.id}: no imported log to index; run probity audit import first, or give --add FILE`,
    );
  const p = indexPaths(store);
  const scratch = `${p.file}.building`;
  fs.rmSync(scratch, { force: true });
  fs.rmSync(`${scratch}.wal`, { force: true });
  const engine = await openEngine(scratch, {
    spill: p.spill,
    memoryLimit: opts.memoryLimit,
    threads: opts.threads,
  });
  let inputs: IndexInput[];
  let t: { records: number; toolCalls: number };
  try {
    inputs = await loadObjects(engine.conn, logs);
    t = await totals(engine.conn);
    await engine.conn.run('CHECKPOINT');
  } finally {
    engine.close();
  }
  fs.renameSync(scratch, p.file);
  fs.rmSync(`${p.file}.wal`, { force: true });
  appendAuditEvent(store.db, {
    actor: opts.actor,
    action: 'audit.index.built',
    subject: 'derived/audit.duckdb',
    details: {
      importer: INDEX_IMPORTER,
      engine: 'duckdb',
      inputs: inputs.map((i) => ({
        sha256: i.sha256,
        path: i.path,
        format: i.format,
        units: i.units,
        records: i.records,
        rejected: i.rejected,
        digest: i.digest,
      })),
      records: t.records,
      toolCalls: t.toolCalls,
      skipped,
    },
  });
  return {
    file: p.file,
    skipped,
    importer: INDEX_IMPORTER,
    inputs,
    records: t.records,
    toolCalls: t.toolCalls,
  };
}

/** The latest recorded build, or null. */
export function recordedBuild(
  store: CaseStore,
): { importer: string; inputs: IndexInput[]; records: number; toolCalls: number } | null {
  const r = store.db
    .prepare("SELECT details FROM custody WHERE action = 'audit.index.built' ORDER BY seq DESC LIMIT 1")
    .pluck()
    .get() as string | undefined;
  return r
    ? (JSON.parse(r) as { importer: string; inputs: IndexInput[]; records: number; toolCalls: number })
    : null;
}

export interface IndexCheck {
  ok: boolean;
  /** False when no build was ever recorded (nothing to compare). */
  checked: boolean;
  /** What differs between the recorded build and a fresh rebuild (and the file on disk). */
  problems: string[];
  rebuilt: IndexInput[];
}

/**
 * Rebuild the index from the preserved objects into a scratch file and compare it with the recorded
 * build (counts and digests per input), and with the index file on disk when there is one.
 */
export async function rebuildAndCompare(
  store: CaseStore,
  opts: { memoryLimit?: string } = {},
): Promise<IndexCheck> {
  const recorded = recordedBuild(store);
  if (!recorded) return { ok: true, checked: false, problems: [], rebuilt: [] };
  const p = indexPaths(store);
  const scratch = path.join(p.dir, `verify-${process.pid}.duckdb`);
  const problems: string[] = [];
  let rebuilt: IndexInput[] = [];
  const logs = recorded.inputs.map((i) => findEvidence(store, i.sha256));
  const missing = recorded.inputs.filter((_, k) => logs[k] === null);
  for (const m of missing) problems.push(`${m.path}: object ${m.sha256} of the index is missing`);
  if (recorded.importer !== INDEX_IMPORTER)
    problems.push(`the index was built by ${recorded.importer}; this Probity loads with ${INDEX_IMPORTER}`);
  const engine = await openEngine(scratch, { spill: p.spill, memoryLimit: opts.memoryLimit });
  try {
    rebuilt = await loadObjects(
      engine.conn,
      logs.filter((l): l is StoredLog => l !== null),
    );
  } finally {
    engine.close();
    fs.rmSync(scratch, { force: true });
    fs.rmSync(`${scratch}.wal`, { force: true });
  }
  const byShaRebuilt = new Map(rebuilt.map((i) => [i.sha256, i]));
  for (const want of recorded.inputs) {
    const got = byShaRebuilt.get(want.sha256);
    if (!got) continue;
    if (got.records !== want.records || got.rejected !== want.rejected)
      problems.push(
        `${want.path}: recorded ${want.records} records (${want.rejected} rejected), rebuilt ${got.records} (${got.rejected} rejected)`,
      );
    else if (got.digest !== want.digest)
      problems.push(`${want.path}: rebuilt rows differ from the recorded digest`);
  }
  if (fs.existsSync(p.file)) {
    const current = await openEngine(p.file, { spill: p.spill, memoryLimit: opts.memoryLimit });
    try {
      const onDisk = new Map((await summary(current.conn)).map((i) => [i.sha256, i]));
      for (const want of recorded.inputs) {
        const got = onDisk.get(want.sha256);
        if (!got || got.digest !== want.digest || got.records !== want.records)
          problems.push(
            `the file does not hold the recorded rows of ${want.path}; run probity audit index again`,
          );
      }
    } finally {
      current.close();
    }
  }
  return { ok: problems.length === 0, checked: true, problems, rebuilt };
}

// ---------------------------------------------------------------------------------------------
// Blast radius on the index
// ---------------------------------------------------------------------------------------------

async function countsBy(
  conn: DuckDBConnection,
  sql: string,
  args: number[],
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of await rows(conn, sql, args)) out[r[0] as string] = r[1] as number;
  return out;
}

async function regionStats(
  conn: DuckDBConnection,
  region: Region,
  w: Pick<AuditWindow, 'startMs' | 'endMs'>,
): Promise<RegionStats> {
  const args = [w.startMs, w.endMs];
  const [b] = (await rows(conn, regionBaseSql(region), args)) as (number | null)[][];
  const [
    requests,
    users,
    withUser,
    conversations,
    withConversation,
    withTools,
    toolOnly,
    inTok,
    outTok,
    first,
    last,
  ] = b!;
  const byName = await countsBy(conn, regionToolsSql(region), args);
  const perDay = (await rows(conn, regionPerDaySql(region), args)).map((r) => ({
    day: utcDay((r[0] as number) * 86_400_000),
    requests: r[1] as number,
  }));
  return {
    requests: requests!,
    users: users!,
    requestsWithoutUser: requests! - withUser!,
    conversations: conversations!,
    requestsWithoutConversation: requests! - withConversation!,
    toolExecutionsWithoutModelCall: toolOnly!,
    toolCalls: { total: Object.values(byName).reduce((a, c) => a + c, 0), byName },
    requestsWithToolCalls: withTools ?? 0,
    downstream: await countsBy(conn, regionDownstreamSql(region), args),
    modelVersions: await countsBy(conn, regionVersionsSql(region), args),
    perDay,
    inputTokens: inTok ?? null,
    outputTokens: outTok ?? null,
    first: first === null || first === undefined ? null : isoUtc(first),
    last: last === null || last === undefined ? null : isoUtc(last),
  };
}

/** The blast radius of a window computed by the engine: inside and outside, as blast-radius.ts. */
export async function engineBlastRadius(
  conn: DuckDBConnection,
  w: Pick<AuditWindow, 'startMs' | 'endMs'>,
): Promise<{ inside: RegionStats; outside: RegionStats }> {
  return { inside: await regionStats(conn, 'inside', w), outside: await regionStats(conn, 'outside', w) };
}

/** Open the case's built index; an error saying how to build it when there is none. */
export async function openCaseIndex(store: CaseStore, opts: { memoryLimit?: string } = {}): Promise<Engine> {
  const p = indexPaths(store);
  if (!fs.existsSync(p.file))
    throw new ProbityError('usage', `${store.id}: no audit index yet; run probity audit index ${store.id}`);
  return openEngine(p.file, { spill: p.spill, memoryLimit: opts.memoryLimit });
}

/**
 * The blast radius of the case's window from its built index, in the shape blast-radius.ts gives
 * from the SQLite records; its sources are the index's inputs (a Parquet export included).
 */
export async function indexBlastRadius(
  store: CaseStore,
  opts: { memoryLimit?: string } = {},
): Promise<BlastRadius> {
  const w = requireWindow(store);
  const engine = await openCaseIndex(store, opts);
  try {
    const { inside, outside } = await engineBlastRadius(engine.conn, w);
    const inputs = await summary(engine.conn);
    const notes = [
      ...inputs
        .filter((i) => i.rejected > 0)
        .map(
          (i) => `${i.path}: ${i.rejected} of ${i.units} units have no usable timestamp and are not records`,
        ),
      ...unindexedImports(store).map(
        (i) =>
          `${i.path}: imported as ${i.format}, not in the DuckDB index: its records are not counted here`,
      ),
    ];
    return {
      caseId: store.id,
      window: { id: w.id, start: w.start, end: w.end, source: w.source },
      inside,
      outside,
      sources: inputs.map((i) => ({ file: i.path, sha256: i.sha256, records: i.records })),
      notes,
    };
  } finally {
    engine.close();
  }
}
