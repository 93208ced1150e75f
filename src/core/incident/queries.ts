/**
 * The incident record's SQL: the custody events it folds, and what it reads of the rest of the case
 * (ingests and their checksum checks, evidence, eval runs, findings runs). Each statement is prepared
 * once per database (store/statements.ts); the rest of the incident code calls these functions.
 */
import type Database from 'better-sqlite3';
import type { EvidenceRef } from '../../shared/incident';
import type { CustodyRow } from '../store/custody';
import { statement } from '../store/statements';

type Db = Database.Database;

/** A custody event as the incident record reads it: its hashed part, details as stored. */
export type IncidentEventRow = Pick<CustodyRow, 'seq' | 'at' | 'actor' | 'action' | 'subject' | 'details'>;

/** The custody events whose action is one of `actions`, in seq order. */
export function eventsOfActions(db: Db, actions: readonly string[]): IncidentEventRow[] {
  return statement(
    db,
    `SELECT seq, at, actor, action, subject, details FROM custody
       WHERE action IN (${actions.map(() => '?').join(', ')}) ORDER BY seq`,
  ).all(...actions) as IncidentEventRow[];
}

/** Each finished ingest with the seq of its `ingest.finished` event, in seq order. */
export function finishedIngestEvents(db: Db): { ingestId: number; seq: number }[] {
  const rows = statement(
    db,
    "SELECT seq, details FROM custody WHERE action = 'ingest.finished' ORDER BY seq",
  ).all() as { seq: number; details: string }[];
  return rows.map((r) => ({
    ingestId: Number((JSON.parse(r.details) as { ingestId: unknown }).ingestId),
    seq: r.seq,
  }));
}

/** Every findings run recorded in the case, newest first: its run id and its event's details. */
export function findingsRunsNewestFirst(db: Db): { subject: string; details: string }[] {
  return statement(
    db,
    "SELECT subject, details FROM custody WHERE action = 'findings.recorded' ORDER BY seq DESC",
  ).all() as { subject: string; details: string }[];
}

/** The ingests of the case, in id order. */
export function ingestRows(
  db: Db,
): { id: number; bundle: string; status: string; finished_at: string | null }[] {
  return statement(db, 'SELECT id, bundle, status, finished_at FROM ingests ORDER BY id').all() as {
    id: number;
    bundle: string;
    status: string;
    finished_at: string | null;
  }[];
}

/** How many files (links aside) an ingest recorded and their bytes. */
export function ingestFileTotals(db: Db, ingestId: number): { n: number; bytes: number } {
  return statement(
    db,
    "SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM evidence WHERE ingest_id = ? AND kind != 'link'",
  ).get(ingestId) as { n: number; bytes: number };
}

/** An ingest's checksum-list checks counted by outcome. */
export function manifestCheckCounts(
  db: Db,
  ingestId: number,
): { matched: number; mismatched: number; missing: number } {
  const rows = statement(
    db,
    'SELECT status, count(*) AS n FROM manifest_checks WHERE ingest_id = ? GROUP BY status',
  ).all(ingestId) as { status: 'matched' | 'mismatched' | 'missing'; n: number }[];
  const counts = { matched: 0, mismatched: 0, missing: 0 };
  for (const r of rows) counts[r.status] = r.n;
  return counts;
}

/** The case's title, or '' when the case has no case_info row. */
export function caseTitle(db: Db): string {
  const r = statement(db, 'SELECT title FROM case_info').get() as { title: string } | undefined;
  return r?.title ?? '';
}

/** One evidence row as the incident record cites it, or null when there is none with that id. */
export function evidenceRef(db: Db, id: number): EvidenceRef | null {
  const r = statement(db, 'SELECT id, path, sha256 FROM evidence WHERE id = ?').get(id) as
    EvidenceRef | undefined;
  return r ?? null;
}

/** The evidence rows at `label` or below the folder `label/`. */
export function evidenceCountUnder(db: Db, label: string): number {
  const prefix = label.endsWith('/') ? label : `${label}/`;
  return (
    statement(db, 'SELECT count(*) AS n FROM evidence WHERE path = ? OR substr(path, 1, ?) = ?').get(
      label,
      prefix.length,
      prefix,
    ) as { n: number }
  ).n;
}

/** The eval run with this label, if any. */
export function evalRunByLabel(db: Db, label: string): { id: number; role: string } | undefined {
  return statement(db, 'SELECT id, role FROM eval_runs WHERE label = ?').get(label) as
    { id: number; role: string } | undefined;
}

/** Every eval run's label and role, by id. */
export function evalRunLabels(db: Db): Map<number, { label: string; role: string }> {
  const rows = statement(db, 'SELECT id, label, role FROM eval_runs').all() as {
    id: number;
    label: string;
    role: string;
  }[];
  return new Map(rows.map((r) => [r.id, { label: r.label, role: r.role }]));
}
