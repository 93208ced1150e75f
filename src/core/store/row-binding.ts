/**
 * Every row bound. The append-only triggers stop mistakes, not someone who can write case.db: such
 * a person drops a trigger, edits or deletes rows and recreates it. The custody chain cannot be
 * edited unseen, so each column of each evidence, checksum-check and verification row is either
 * inside the hashed details of the custody event that created it, or derived from rows that are
 * (an object row from the evidence rows naming it). Verify recomputes every row from those events
 * and names each difference:
 *
 *   model/w.safetensors: evidence row edited: kind is "weights", the custody event recorded "other"
 *
 * Events recorded before a column was bound lack it; the column is then checked where it can be
 * derived (an evidence row's checksum status from its ingest's checks) and otherwise reported as a
 * note saying what could not be checked, never silently passed.
 *
 * The triggers themselves are checked by their full SQL against the text the schema creates, so a
 * trigger recreated under its old name with a body that no longer refuses is caught.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { VerifyProblem } from '../../shared/domain';
import { canonicalJson } from '../util/canonical-json';
import type { EvidenceRow } from './queries';
import { expectedTriggerSql } from './schema';

export interface BindingResult {
  problems: VerifyProblem[];
  notes: string[];
}

export interface ManifestCheckRow {
  manifestPath: string;
  listedPath: string;
  expected: string;
  actual: string | null;
  status: string;
}

/** The checksum-check rows of one ingest, in the order they were written. */
export function manifestCheckRows(db: Database.Database, ingestId: number): ManifestCheckRow[] {
  return (
    db
      .prepare(
        'SELECT manifest_path, listed_path, expected, actual, status FROM manifest_checks WHERE ingest_id = ? ORDER BY id',
      )
      .all(ingestId) as {
      manifest_path: string;
      listed_path: string;
      expected: string;
      actual: string | null;
      status: string;
    }[]
  ).map((r) => ({
    manifestPath: r.manifest_path,
    listedPath: r.listed_path,
    expected: r.expected,
    actual: r.actual,
    status: r.status,
  }));
}

/** SHA-256 of the canonical JSON of an ingest's check rows: what ingest.finished records. */
export function manifestChecksDigest(rows: ManifestCheckRow[]): string {
  return sha256Hex(canonicalJson(rows));
}

/** SHA-256 of a verification row's report text: what verify.run records. */
export function verificationReportDigest(reportText: string): string {
  return sha256Hex(reportText);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

interface EventRow {
  seq: number;
  at: string;
  actor: string;
  subject: string;
  details: Record<string, unknown>;
}

function eventsOf(db: Database.Database, action: string): EventRow[] {
  const out: EventRow[] = [];
  for (const r of db
    .prepare('SELECT seq, at, actor, subject, details FROM custody WHERE action = ? ORDER BY seq')
    .iterate(action) as IterableIterator<{
    seq: number;
    at: string;
    actor: string;
    subject: string;
    details: string;
  }>) {
    try {
      const details = JSON.parse(r.details) as unknown;
      if (typeof details === 'object' && details !== null)
        out.push({ ...r, details: details as Record<string, unknown> });
    } catch {
      // Details that do not parse are reported as a chain break.
    }
  }
  return out;
}

function show(v: unknown): string {
  return v === null || v === undefined ? 'NULL' : JSON.stringify(v);
}

/**
 * Columns of an evidence row and where the evidence.stored event records them. `actor`, `at` and
 * `subject` are the event's own fields; the rest are details keys. `since` marks the columns that
 * older events do not carry.
 */
const EVIDENCE_COLUMNS: {
  column: keyof EvidenceRow;
  from: 'subject' | 'actor' | 'at' | string;
  since?: true;
}[] = [
  { column: 'path', from: 'subject' },
  { column: 'ingest_id', from: 'ingestId' },
  { column: 'occurrence', from: 'occurrence' },
  { column: 'kind', from: 'kind' },
  { column: 'size', from: 'size' },
  { column: 'sha256', from: 'sha256' },
  { column: 'link_target', from: 'linkTarget' },
  { column: 'source_path', from: 'sourcePath' },
  { column: 'host', from: 'host' },
  { column: 'custodian', from: 'actor' },
  { column: 'stored_at', from: 'at' },
  { column: 'mtime', from: 'mtime', since: true },
  { column: 'raw_name_hex', from: 'rawNameHex', since: true },
  { column: 'manifest_status', from: 'manifestStatus', since: true },
  { column: 'manifest_expected', from: 'manifestExpected', since: true },
];

function recordedValue(e: EventRow, from: string): { present: boolean; value: unknown } {
  if (from === 'subject') return { present: true, value: e.subject };
  if (from === 'actor') return { present: true, value: e.actor };
  if (from === 'at') return { present: true, value: e.at };
  return Object.hasOwn(e.details, from)
    ? { present: true, value: e.details[from] ?? null }
    : { present: false, value: undefined };
}

/** Evidence rows against their evidence.stored events, column by column. */
export function checkEvidenceRows(db: Database.Database): BindingResult {
  const problems: VerifyProblem[] = [];
  const notes: string[] = [];
  const rows = new Map<number, EvidenceRow>();
  for (const r of db.prepare('SELECT * FROM evidence').iterate() as IterableIterator<EvidenceRow>)
    rows.set(r.id, r);
  const checks = new Map<number, ManifestCheckRow[]>();
  const checksOf = (ingestId: number) => {
    let list = checks.get(ingestId);
    if (!list) checks.set(ingestId, (list = manifestCheckRows(db, ingestId)));
    return list;
  };
  const recorded = new Map<number, number>();
  let unbound = 0;
  const unboundColumns = new Set<string>();
  for (const e of eventsOf(db, 'evidence.stored')) {
    const id = e.details.evidenceId;
    if (typeof id !== 'number') continue;
    const earlier = recorded.get(id);
    if (earlier !== undefined) {
      problems.push({
        kind: 'evidence-mismatch',
        evidenceId: id,
        path: e.subject,
        seq: e.seq,
        reason: `a second custody event claims evidence row ${id} (first: seq ${earlier})`,
      });
      continue;
    }
    recorded.set(id, e.seq);
    const row = rows.get(id);
    if (!row) {
      problems.push({
        kind: 'evidence-mismatch',
        evidenceId: id,
        path: e.subject,
        seq: e.seq,
        reason: 'evidence row deleted: the custody event recorded it',
      });
      continue;
    }
    const diffs: string[] = [];
    let missingHere = false;
    for (const c of EVIDENCE_COLUMNS) {
      const rec = recordedValue(e, c.from);
      const actual = row[c.column] ?? null;
      if (!rec.present) {
        missingHere = true;
        unboundColumns.add(c.column);
        continue;
      }
      if (actual !== rec.value)
        diffs.push(`${c.column} is ${show(actual)}, the custody event recorded ${show(rec.value)}`);
    }
    if (missingHere) {
      unbound++;
      // An older event: the checksum status is still derived from the ingest's check rows.
      if (
        !Object.hasOwn(e.details, 'manifestStatus') &&
        row.manifest_status !== null &&
        row.manifest_status !== 'new'
      ) {
        const found = checksOf(row.ingest_id).some(
          (k) =>
            k.listedPath === row.path &&
            k.status === row.manifest_status &&
            k.expected === row.manifest_expected,
        );
        if (!found)
          diffs.push(
            `manifest_status is ${show(row.manifest_status)}, but no checksum check of ingest ${row.ingest_id} says so`,
          );
      }
    }
    if (diffs.length)
      problems.push({
        kind: 'evidence-mismatch',
        evidenceId: id,
        path: e.subject,
        seq: e.seq,
        reason: `evidence row edited: ${diffs.join('; ')}`,
      });
  }
  for (const [id, row] of rows) {
    if (!recorded.has(id))
      problems.push({
        kind: 'evidence-mismatch',
        evidenceId: id,
        path: row.path,
        seq: 0,
        reason: 'evidence row added: no custody event recorded it',
      });
  }
  if (unbound > 0)
    notes.push(
      `evidence: ${unbound} row(s) were recorded by custody events older than the binding of ${[...unboundColumns].sort().join(', ')}; those columns could not be checked (checksum status checked against the ingest's checks where listed)`,
    );
  return { problems, notes };
}

/** Checksum-check rows against the ingest.finished event of their ingest. */
export function checkManifestCheckRows(db: Database.Database): BindingResult {
  const problems: VerifyProblem[] = [];
  const notes: string[] = [];
  const finished = new Map<number, EventRow>();
  for (const e of eventsOf(db, 'ingest.finished')) {
    const id = e.details.ingestId;
    if (typeof id === 'number') finished.set(id, e);
  }
  const ingestIds = new Set<number>(
    (db.prepare('SELECT DISTINCT ingest_id FROM manifest_checks').all() as { ingest_id: number }[]).map(
      (r) => r.ingest_id,
    ),
  );
  for (const id of finished.keys()) ingestIds.add(id);
  let countOnly = 0;
  for (const id of [...ingestIds].sort((a, b) => a - b)) {
    const rows = manifestCheckRows(db, id);
    const e = finished.get(id);
    const subject = `ingest ${id}`;
    if (!e) {
      problems.push({
        kind: 'row-mismatch',
        table: 'manifest_checks',
        subject,
        seq: 0,
        reason: `${rows.length} checksum-check row(s) added: no ingest.finished event recorded them`,
      });
      continue;
    }
    const named = `${subject} (${e.subject})`;
    if (typeof e.details.checksSha256 === 'string') {
      const diffs: string[] = [];
      if (e.details.checks !== rows.length)
        diffs.push(`${rows.length} row(s), the custody event recorded ${show(e.details.checks)}`);
      if (manifestChecksDigest(rows) !== e.details.checksSha256)
        diffs.push('their content differs from the digest the custody event recorded');
      if (diffs.length)
        problems.push({
          kind: 'row-mismatch',
          table: 'manifest_checks',
          subject: named,
          seq: e.seq,
          reason: `checksum-check rows edited, added or deleted: ${diffs.join('; ')}`,
        });
      continue;
    }
    // Older events recorded only the counts.
    countOnly++;
    const m = (e.details.manifest ?? {}) as Record<string, unknown>;
    const diffs: string[] = [];
    for (const status of ['matched', 'mismatched', 'missing']) {
      const n = rows.filter((r) => r.status === status).length;
      const want = typeof m[status] === 'number' ? m[status] : 0;
      if (n !== want) diffs.push(`${n} ${status}, the custody event recorded ${show(want)}`);
    }
    if (diffs.length)
      problems.push({
        kind: 'row-mismatch',
        table: 'manifest_checks',
        subject: named,
        seq: e.seq,
        reason: `checksum-check rows edited, added or deleted: ${diffs.join('; ')}`,
      });
  }
  if (countOnly > 0)
    notes.push(
      `manifest_checks: ${countOnly} ingest(s) were recorded before the checks were bound row by row; only their counts by status could be checked`,
    );
  return { problems, notes };
}

interface VerificationRow {
  id: number;
  at: string;
  ok: number;
  through_seq: number;
  report: string;
}

/** Verification rows against the verify.run events that wrote them, and the reverse. */
export function checkVerificationRows(db: Database.Database): BindingResult {
  const problems: VerifyProblem[] = [];
  const notes: string[] = [];
  const rows = db
    .prepare('SELECT id, at, ok, through_seq, report FROM verifications ORDER BY id')
    .all() as VerificationRow[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const used = new Set<number>();
  let older = 0;
  for (const e of eventsOf(db, 'verify.run')) {
    const d = e.details;
    let row: VerificationRow | undefined;
    if (typeof d.verificationId === 'number') row = byId.get(d.verificationId);
    else {
      older++;
      row = rows.find((r) => !used.has(r.id) && r.at === e.at);
    }
    const subject = `verification of ${e.at}`;
    if (!row || used.has(row.id)) {
      problems.push({
        kind: 'row-mismatch',
        table: 'verifications',
        subject,
        seq: e.seq,
        reason: 'verification row deleted: the custody event recorded it',
      });
      continue;
    }
    used.add(row.id);
    const diffs: string[] = [];
    if (row.at !== e.at) diffs.push(`at is ${show(row.at)}, the custody event recorded ${show(e.at)}`);
    if ((row.ok === 1) !== d.ok)
      diffs.push(`ok is ${row.ok === 1}, the custody event recorded ${show(d.ok)}`);
    if (row.through_seq !== d.throughSeq)
      diffs.push(`through_seq is ${row.through_seq}, the custody event recorded ${show(d.throughSeq)}`);
    if (typeof d.reportSha256 === 'string') {
      if (verificationReportDigest(row.report) !== d.reportSha256)
        diffs.push('its report differs from the digest the custody event recorded');
    } else {
      // Older events: the report's fields the event carries.
      let report: Record<string, unknown> = {};
      try {
        report = JSON.parse(row.report) as Record<string, unknown>;
      } catch {
        diffs.push('its report is not JSON');
      }
      const pairs: [string, unknown, unknown][] = [
        ['ok', report.ok, d.ok],
        ['objectsChecked', report.objectsChecked, d.objectsChecked],
        ['bytesChecked', report.bytesChecked, d.bytesChecked],
        ['eventsChecked', report.eventsChecked, d.eventsChecked],
        ['lastSeq', report.lastSeq, d.throughSeq],
        ['lastHash', report.lastHash, d.throughHash],
        ['messages', canonicalJson(report.messages ?? null), canonicalJson(d.problems ?? null)],
      ];
      for (const [name, have, want] of pairs)
        if (have !== want)
          diffs.push(`report ${name} is ${show(have)}, the custody event recorded ${show(want)}`);
    }
    if (diffs.length)
      problems.push({
        kind: 'row-mismatch',
        table: 'verifications',
        subject,
        seq: e.seq,
        reason: `verification row edited: ${diffs.join('; ')}`,
      });
  }
  for (const r of rows)
    if (!used.has(r.id))
      problems.push({
        kind: 'row-mismatch',
        table: 'verifications',
        subject: `verification of ${r.at}`,
        seq: 0,
        reason: 'verification row added: no custody event recorded it',
      });
  if (older > 0)
    notes.push(
      `verifications: ${older} run(s) were recorded before their reports were bound by digest; their ok, counts, head and messages were checked, not the rest of the report`,
    );
  return { problems, notes };
}

/**
 * Object rows are derived from the evidence rows naming them: same size, stored when the first of
 * them was, and never without one.
 */
export function checkObjectRows(db: Database.Database): BindingResult {
  const problems: VerifyProblem[] = [];
  const named = new Map<string, { size: number; first: string; path: string }>();
  for (const r of db
    .prepare(
      'SELECT sha256, size, stored_at, path FROM evidence WHERE sha256 IS NOT NULL ORDER BY stored_at, id',
    )
    .iterate() as IterableIterator<{ sha256: string; size: number; stored_at: string; path: string }>) {
    if (!named.has(r.sha256)) named.set(r.sha256, { size: r.size, first: r.stored_at, path: r.path });
  }
  const seen = new Set<string>();
  for (const o of db
    .prepare('SELECT sha256, size, stored_at FROM objects ORDER BY sha256')
    .iterate() as IterableIterator<{
    sha256: string;
    size: number;
    stored_at: string;
  }>) {
    seen.add(o.sha256);
    const ev = named.get(o.sha256);
    if (!ev) {
      problems.push({
        kind: 'row-mismatch',
        table: 'objects',
        subject: `object ${o.sha256}`,
        seq: 0,
        reason: 'object row added: no evidence row names it',
      });
      continue;
    }
    const diffs: string[] = [];
    if (o.size !== ev.size) diffs.push(`size is ${o.size}, its evidence rows say ${ev.size}`);
    if (o.stored_at !== ev.first)
      diffs.push(`stored_at is ${o.stored_at}, its first evidence row was stored at ${ev.first}`);
    if (diffs.length)
      problems.push({
        kind: 'row-mismatch',
        table: 'objects',
        subject: `${ev.path} (object ${o.sha256})`,
        seq: 0,
        reason: `object row edited: ${diffs.join('; ')}`,
      });
  }
  for (const [sha, ev] of named)
    if (!seen.has(sha))
      problems.push({
        kind: 'row-mismatch',
        table: 'objects',
        subject: `${ev.path} (object ${sha})`,
        seq: 0,
        reason: 'object row deleted: evidence rows name it',
      });
  return { problems, notes: [] };
}

/** Whitespace-insensitive form of a statement, for comparing trigger SQL. */
export function normaliseSql(sql: string): string {
  return sql
    .replace(/\s+/g, ' ')
    .replace(/\s*;\s*$/, '')
    .trim();
}

/** Every append-only trigger present with exactly the SQL the schema creates, and no other trigger. */
export function checkTriggers(db: Database.Database): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  const expected = expectedTriggerSql();
  const present = new Map(
    (
      db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as {
        name: string;
        sql: string | null;
      }[]
    ).map((r) => [r.name, r.sql ?? '']),
  );
  for (const [name, sql] of expected) {
    const actual = present.get(name);
    if (actual === undefined) problems.push({ kind: 'trigger-missing', trigger: name });
    else if (normaliseSql(actual) !== normaliseSql(sql))
      problems.push({ kind: 'trigger-altered', trigger: name, sql: normaliseSql(actual) });
  }
  for (const [name, sql] of present)
    if (!expected.has(name))
      problems.push({ kind: 'trigger-unexpected', trigger: name, sql: normaliseSql(sql) });
  return problems;
}
