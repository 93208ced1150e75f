/**
 * The ingest's SQL: the ingests table, the resume journal (staged_objects), and the rows a
 * finished ingest writes (objects, evidence, manifest_checks). Each statement is prepared once per
 * database (store/statements.ts); the rest of the ingest calls these typed functions.
 */
import type Database from 'better-sqlite3';
import type { EvidenceKind, ManifestCheck, ManifestStatus } from '../../shared/domain';
import { statement } from '../store/statements';

type Db = Database.Database;

export interface IngestRow {
  id: number;
  status: string;
}

/** The latest ingest of `bundle` that did not finish (running, failed or cancelled), if any. */
export function unfinishedIngest(db: Db, bundle: string): IngestRow | undefined {
  return statement(
    db,
    "SELECT id, status FROM ingests WHERE bundle = ? AND status != 'finished' ORDER BY id DESC LIMIT 1",
  ).get(bundle) as IngestRow | undefined;
}

/** The latest finished ingest of `bundle`, if any. */
export function finishedIngest(db: Db, bundle: string): { id: number; finished_at: string } | undefined {
  return statement(
    db,
    "SELECT id, finished_at FROM ingests WHERE bundle = ? AND status = 'finished' ORDER BY id DESC LIMIT 1",
  ).get(bundle) as { id: number; finished_at: string } | undefined;
}

/** Mark an unfinished ingest running again, by this custodian on this host. */
export function reopenIngest(db: Db, id: number, custodian: string, host: string): void {
  statement(
    db,
    "UPDATE ingests SET status = 'running', error = NULL, custodian = ?, host = ? WHERE id = ?",
  ).run(custodian, host, id);
}

/** A new running ingest; its id. */
export function insertIngest(
  db: Db,
  row: { bundle: string; bundleKind: string; startedAt: string; custodian: string; host: string },
): number {
  return Number(
    statement(
      db,
      "INSERT INTO ingests (bundle, bundle_kind, status, started_at, custodian, host) VALUES (?, ?, 'running', ?, ?, ?)",
    ).run(row.bundle, row.bundleKind, row.startedAt, row.custodian, row.host).lastInsertRowid,
  );
}

/** An ingest that ended without finishing. */
export function markIngestEnded(db: Db, id: number, status: 'failed' | 'cancelled', error: string): void {
  statement(db, 'UPDATE ingests SET status = ?, error = ? WHERE id = ?').run(status, error, id);
}

/** A finished ingest. */
export function markIngestFinished(db: Db, id: number, at: string): void {
  statement(db, "UPDATE ingests SET status = 'finished', finished_at = ?, error = NULL WHERE id = ?").run(
    at,
    id,
  );
}

/** The evidence an ingest recorded, as its path, occurrence and size. */
export function evidenceOfIngest(db: Db, id: number): { path: string; occurrence: number; size: number }[] {
  return statement(db, 'SELECT path, occurrence, size FROM evidence WHERE ingest_id = ?').all(id) as {
    path: string;
    occurrence: number;
    size: number;
  }[];
}

export interface StagedObject {
  sha256: string;
  size: number;
  mtimeMs: number | null;
}

/** The resume journal of an ingest: each entry already stored, by entry key. */
export function stagedObjects(db: Db, id: number): Map<string, StagedObject> {
  const staged = new Map<string, StagedObject>();
  const rows = statement(
    db,
    'SELECT entry_key, sha256, size, source_mtime_ms FROM staged_objects WHERE ingest_id = ?',
  ).iterate(id) as IterableIterator<{
    entry_key: string;
    sha256: string;
    size: number;
    source_mtime_ms: number | null;
  }>;
  for (const r of rows)
    staged.set(r.entry_key, { sha256: r.sha256, size: r.size, mtimeMs: r.source_mtime_ms });
  return staged;
}

/** Journal one stored entry so a resumed ingest finds it by hash. */
export function stageObject(db: Db, id: number, entryKey: string, object: StagedObject): void {
  statement(
    db,
    'INSERT OR REPLACE INTO staged_objects (ingest_id, entry_key, sha256, size, source_mtime_ms) VALUES (?, ?, ?, ?, ?)',
  ).run(id, entryKey, object.sha256, object.size, object.mtimeMs);
}

/** How many entries the ingest's journal holds. */
export function stagedCount(db: Db, id: number): number {
  return (
    statement(db, 'SELECT count(*) AS n FROM staged_objects WHERE ingest_id = ?').get(id) as { n: number }
  ).n;
}

/** The distinct objects the ingest's journal names. */
export function stagedHashes(db: Db, id: number): string[] {
  return (
    statement(db, 'SELECT DISTINCT sha256 FROM staged_objects WHERE ingest_id = ?').all(id) as {
      sha256: string;
    }[]
  ).map((r) => r.sha256);
}

/** Whether an object is recorded in the case or journalled by another ingest than `id`. */
export function objectHeldElsewhere(db: Db, sha256: string, id: number): boolean {
  return (
    statement(
      db,
      'SELECT 1 FROM objects WHERE sha256 = @sha UNION ALL SELECT 1 FROM staged_objects WHERE sha256 = @sha AND ingest_id != @ingest LIMIT 1',
    ).get({ sha: sha256, ingest: id }) !== undefined
  );
}

/** Drop the ingest's resume journal. */
export function clearStaged(db: Db, id: number): void {
  statement(db, 'DELETE FROM staged_objects WHERE ingest_id = ?').run(id);
}

/** An object of the store, once (a second insert of the same hash is ignored). */
export function insertObject(db: Db, sha256: string, size: number, at: string): void {
  statement(db, 'INSERT OR IGNORE INTO objects (sha256, size, stored_at) VALUES (?, ?, ?)').run(
    sha256,
    size,
    at,
  );
}

export interface EvidenceInsert {
  ingestId: number;
  path: string;
  occurrence: number;
  kind: EvidenceKind;
  size: number;
  sha256: string | null;
  mtime: string | null;
  sourcePath: string | null;
  linkTarget: string | null;
  rawNameHex: string | null;
  manifestStatus: ManifestStatus | null;
  manifestExpected: string | null;
  custodian: string;
  host: string;
  storedAt: string;
}

/** One evidence row; its id. */
export function insertEvidence(db: Db, e: EvidenceInsert): number {
  return Number(
    statement(
      db,
      `INSERT INTO evidence (ingest_id, path, occurrence, kind, size, sha256, mtime, source_path, link_target, raw_name_hex,
         manifest_status, manifest_expected, custodian, host, stored_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      e.ingestId,
      e.path,
      e.occurrence,
      e.kind,
      e.size,
      e.sha256,
      e.mtime,
      e.sourcePath,
      e.linkTarget,
      e.rawNameHex,
      e.manifestStatus,
      e.manifestExpected,
      e.custodian,
      e.host,
      e.storedAt,
    ).lastInsertRowid,
  );
}

/** One line of a checksum list checked against the stored files. */
export function insertManifestCheck(db: Db, ingestId: number, c: ManifestCheck): void {
  statement(
    db,
    'INSERT INTO manifest_checks (ingest_id, manifest_path, listed_path, expected, actual, status) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(ingestId, c.manifestPath, c.listedPath, c.expected, c.actual, c.status);
}

/** A one-file ingest recorded already finished (a file preserved by another stage); its id. */
export function insertFinishedIngest(
  db: Db,
  row: { bundle: string; bundleKind: string; at: string; custodian: string; host: string },
): number {
  return Number(
    statement(
      db,
      "INSERT INTO ingests (bundle, bundle_kind, status, started_at, finished_at, custodian, host) VALUES (?, ?, 'finished', ?, ?, ?, ?)",
    ).run(row.bundle, row.bundleKind, row.at, row.at, row.custodian, row.host).lastInsertRowid,
  );
}

/** The first evidence row holding these bytes, whatever path or kind it was preserved under. */
export interface EvidenceHolding {
  id: number;
  ingest_id: number;
  path: string;
  sha256: string;
  size: number;
}

export function evidenceWithDigest(db: Db, sha256: string): EvidenceHolding | undefined {
  return statement(
    db,
    'SELECT id, ingest_id, path, sha256, size FROM evidence WHERE sha256 = ? ORDER BY id LIMIT 1',
  ).get(sha256) as EvidenceHolding | undefined;
}
