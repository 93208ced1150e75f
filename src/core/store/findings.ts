import { createHash, randomUUID } from 'node:crypto';
import type { CustodyEvent, Finding, FindingStatus } from '../../shared/domain';
import { canonicalJson } from '../util/canonical-json';
import { utcNow } from '../util/format';
import { appendEvent } from './custody';
import type { CaseStore } from './workstation';

export interface NewFinding {
  check: string;
  status: FindingStatus;
  subject?: string | null;
  summary: string;
  details?: Record<string, unknown>;
}

/**
 * Record one analysis run's findings and the custody event that vouches for them, in one
 * transaction. The event carries the run id, the counts by status and the SHA-256 of the
 * canonical JSON of all findings, so an edit to any finding row is caught against the chain.
 */
export function recordFindings(
  store: CaseStore,
  opts: { stage: string; actor: string; inputs?: Record<string, unknown>; findings: NewFinding[] },
): { runId: string; event: CustodyEvent; findings: Finding[] } {
  const runId = `${opts.stage}-${randomUUID()}`;
  const at = utcNow();
  const rows: Finding[] = [];
  let event: CustodyEvent | null = null;
  store.db.transaction(() => {
    const ins = store.db.prepare(
      `INSERT INTO findings (run_id, stage, check_name, status, subject, summary, details, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const f of opts.findings) {
      const details = f.details ?? {};
      const id = Number(
        ins.run(
          runId,
          opts.stage,
          f.check,
          f.status,
          f.subject ?? null,
          f.summary,
          canonicalJson(details),
          at,
        ).lastInsertRowid,
      );
      rows.push({
        id,
        runId,
        stage: opts.stage,
        check: f.check,
        status: f.status,
        subject: f.subject ?? null,
        summary: f.summary,
        details,
        createdAt: at,
      });
    }
    const counts: Record<string, number> = {};
    for (const f of rows) counts[f.status] = (counts[f.status] ?? 0) + 1;
    event = appendEvent(store.db, {
      actor: opts.actor,
      action: 'findings.recorded',
      subject: runId,
      at,
      details: {
        stage: opts.stage,
        runId,
        counts,
        inputs: opts.inputs ?? {},
        findingsSha256: findingsDigest(rows),
      },
    });
  })();
  return { runId, event: event!, findings: rows };
}

/** SHA-256 of the canonical JSON of a run's findings (id order), as recorded in its custody event. */
export function findingsDigest(rows: Finding[]): string {
  const body = rows
    .slice()
    .sort((a, b) => a.id - b.id)
    .map((f) => ({
      check: f.check,
      status: f.status,
      subject: f.subject,
      summary: f.summary,
      details: f.details,
    }));
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

interface FindingRow {
  id: number;
  run_id: string;
  stage: string;
  check_name: string;
  status: FindingStatus;
  subject: string | null;
  summary: string;
  details: string;
  created_at: string;
}

function toFinding(r: FindingRow): Finding {
  return {
    id: r.id,
    runId: r.run_id,
    stage: r.stage,
    check: r.check_name,
    status: r.status,
    subject: r.subject,
    summary: r.summary,
    details: JSON.parse(r.details) as Record<string, unknown>,
    createdAt: r.created_at,
  };
}

/** The stages that recorded findings in the case, by name. */
export function findingStages(store: CaseStore): string[] {
  return (
    store.db.prepare('SELECT DISTINCT stage FROM findings ORDER BY stage').all() as { stage: string }[]
  ).map((r) => r.stage);
}

/** The findings of the latest run of a stage, or [] when it never ran. */
export function latestFindings(store: CaseStore, stage: string): Finding[] {
  const last = store.db
    .prepare('SELECT run_id FROM findings WHERE stage = ? ORDER BY id DESC LIMIT 1')
    .get(stage) as { run_id: string } | undefined;
  if (!last) return [];
  return (
    store.db.prepare('SELECT * FROM findings WHERE run_id = ? ORDER BY id').all(last.run_id) as FindingRow[]
  ).map(toFinding);
}

export function findingsOfRun(store: CaseStore, runId: string): Finding[] {
  return (
    store.db.prepare('SELECT * FROM findings WHERE run_id = ? ORDER BY id').all(runId) as FindingRow[]
  ).map(toFinding);
}
