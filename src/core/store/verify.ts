import fs from 'node:fs';
import path from 'node:path';
import type { Progress, VerifyProblem, VerifyReport } from '../../shared/domain';
import { HashPool, settleAll } from '../hashing/pool';
import { ProgressTracker } from '../ingest/progress';
import { ProbityError } from '../util/errors';
import { utcNow } from '../util/format';
import { Keyring, loadKeyring } from '../keys/custodians';
import { checkEventSignatures } from '../keys/event-signatures';
import { appendEvent, verifyChain, type EventSigner } from './custody';
import { importDigests } from '../audit/import-digest';
import { findingsDigest, findingsOfRun } from './findings';
import { acquireCaseLock } from './lock';
import {
  checkEvidenceRows,
  checkManifestCheckRows,
  checkObjectRows,
  checkTriggers,
  checkVerificationRows,
  verificationReportDigest,
} from './row-binding';
import type { CaseStore } from './workstation';

export interface VerifyOptions {
  store: CaseStore;
  actor: string;
  workers?: number;
  chunkSize?: number;
  signal?: AbortSignal;
  jobId?: string;
  onProgress?: (p: Progress) => void;
  /**
   * Custodian public keys to check event signatures against. Default: the keys of the workstation
   * whose cases/ folder holds the case (read only when the case has signed events).
   */
  keyring?: Keyring;
  /** Signs the verify.run event when a custodian is acting. */
  signer?: EventSigner;
}

/** One line a custodian can act on, naming the file or the seq. */
export function describeProblem(p: VerifyProblem): string {
  const names = (paths: string[]) => (paths.length ? paths.join(', ') : '(no evidence row)');
  switch (p.kind) {
    case 'object-modified':
      return `${names(p.paths)}: object modified: sha256 is now ${p.actual}, recorded ${p.sha256}`;
    case 'object-missing':
      return `${names(p.paths)}: object missing from the store (sha256 ${p.sha256})`;
    case 'object-unreadable':
      return `${names(p.paths)}: object unreadable: ${p.reason} (sha256 ${p.sha256})`;
    case 'object-size':
      return `${names(p.paths)}: object size changed: ${p.actual} bytes, recorded ${p.expected} (sha256 ${p.sha256})`;
    case 'chain-broken':
      return `custody log: chain broken at seq ${p.seq}: ${p.reason}`;
    case 'trigger-missing':
      return `case.db: trigger missing: ${p.trigger} (append-only protection removed)`;
    case 'audit-import-mismatch':
      return `${p.path}: audit import ${p.importId} disagrees with custody event seq ${p.seq}: ${p.reason}`;
    case 'findings-mismatch':
      return `findings of run ${p.runId}: disagree with custody event seq ${p.seq}: ${p.reason}`;
    case 'signature-invalid':
    case 'signature-removed':
      return `custody log: seq ${p.seq}: ${p.reason}`;
    case 'custodian-log':
      return `${p.file}: ${p.reason}`;
    case 'evidence-mismatch':
      return `${p.path}: ${p.reason} (evidence row ${p.evidenceId}${p.seq ? `, custody event seq ${p.seq}` : ''})`;
    case 'trigger-altered':
      return `case.db: trigger altered: ${p.trigger} is not the schema's (now: ${p.sql})`;
    case 'trigger-unexpected':
      return `case.db: unexpected trigger: ${p.trigger} (${p.sql})`;
    case 'row-mismatch':
      return `${p.table}: ${p.subject}: ${p.reason}${p.seq ? ` (custody event seq ${p.seq})` : ''}`;
    case 'witness-mismatch':
      return `custody log: ${p.reason}`;
    case 'witness-log':
    case 'object-stray':
      return `${p.file}: ${p.reason}`;
  }
}

/**
 * Verify a case: recompute the whole custody chain, check the append-only triggers are in place,
 * check every evidence row against the custody event that recorded it, and re-hash every object
 * in parallel. The run itself is appended to the custody log, whatever its result.
 */
export async function verifyCase(opts: VerifyOptions): Promise<VerifyReport> {
  const { store } = opts;
  const db = store.db;
  const started = Date.now();
  const release = acquireCaseLock(store.dir, 'verify');
  const pool = new HashPool(opts.workers);
  const onAbort = () => pool.cancel();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const problems: VerifyProblem[] = [];
    const tracker = new ProgressTracker(opts.jobId ?? `verify-${store.id}`, opts.onProgress);
    tracker.phase('verifying-chain');

    const chain = verifyChain(db);
    for (const b of chain.breaks) problems.push({ kind: 'chain-broken', seq: b.seq, reason: b.reason });

    problems.push(...checkTriggers(db));
    const notes: string[] = [];
    for (const check of [checkEvidenceRows, checkManifestCheckRows, checkVerificationRows, checkObjectRows]) {
      const r = check(db);
      problems.push(...r.problems);
      notes.push(...r.notes);
    }

    problems.push(
      ...crossCheckFindings(store),
      ...crossCheckAuditImports(store),
      ...checkSignatures(store, opts.keyring),
    );

    const objects = db.prepare('SELECT sha256, size FROM objects ORDER BY sha256').all() as {
      sha256: string;
      size: number;
    }[];
    const pathsBySha = new Map<string, string[]>();
    for (const r of db
      .prepare('SELECT path, sha256 FROM evidence WHERE sha256 IS NOT NULL ORDER BY path')
      .iterate() as IterableIterator<{
      path: string;
      sha256: string;
    }>) {
      const list = pathsBySha.get(r.sha256) ?? [];
      list.push(r.path);
      pathsBySha.set(r.sha256, list);
    }
    tracker.plan(
      objects.length,
      objects.reduce((s, o) => s + o.size, 0),
    );
    tracker.phase('hashing');
    let bytesChecked = 0;
    await settleAll(
      objects.map(async (o) => {
        const file = store.objectPath(o.sha256);
        const paths = pathsBySha.get(o.sha256) ?? [];
        const st = fs.statSync(file, { throwIfNoEntry: false });
        if (!st) {
          problems.push({ kind: 'object-missing', sha256: o.sha256, paths });
          tracker.endFile(file, o.size);
          return;
        }
        try {
          const reply = await pool.run(
            { type: 'hash', label: paths[0] ?? o.sha256, file, chunkSize: opts.chunkSize ?? 8 * 1024 * 1024 },
            { onProgress: (_l, bytes) => tracker.add(file, bytes, o.size) },
          );
          if (reply.type !== 'hashed') throw new Error(`unexpected reply ${reply.type}`);
          bytesChecked += reply.size;
          if (reply.sha256 !== o.sha256)
            problems.push({ kind: 'object-modified', sha256: o.sha256, paths, actual: reply.sha256 });
          else if (reply.size !== o.size)
            problems.push({
              kind: 'object-size',
              sha256: o.sha256,
              paths,
              expected: o.size,
              actual: reply.size,
            });
        } catch (err) {
          if (err instanceof ProbityError && err.code === 'cancelled') throw err;
          problems.push({
            kind: 'object-unreadable',
            sha256: o.sha256,
            paths,
            reason: (err as Error).message,
          });
        }
        tracker.endFile(file, o.size);
      }),
      pool,
    );

    problems.sort((a, b) => describeProblem(a).localeCompare(describeProblem(b)));
    const at = utcNow();
    const report: VerifyReport = {
      caseId: store.id,
      ok: problems.length === 0,
      objectsChecked: objects.length,
      bytesChecked,
      eventsChecked: chain.count,
      lastSeq: chain.lastSeq,
      lastHash: chain.lastHash,
      problems,
      messages: problems.map(describeProblem),
      notes,
      at,
      seconds: (Date.now() - started) / 1000,
    };
    db.transaction(() => {
      // The row first, so the event can bind it: its id and the digest of its report.
      const reportText = JSON.stringify(report);
      const verificationId = Number(
        db
          .prepare('INSERT INTO verifications (at, ok, through_seq, report) VALUES (?, ?, ?, ?)')
          .run(at, report.ok ? 1 : 0, report.lastSeq, reportText).lastInsertRowid,
      );
      appendEvent(
        db,
        {
          actor: opts.actor,
          action: 'verify.run',
          subject: store.id,
          at,
          details: {
            ok: report.ok,
            objectsChecked: report.objectsChecked,
            bytesChecked: report.bytesChecked,
            eventsChecked: report.eventsChecked,
            throughSeq: report.lastSeq,
            throughHash: report.lastHash,
            problems: report.messages,
            verificationId,
            reportSha256: verificationReportDigest(reportText),
          },
        },
        opts.signer,
      );
    })();
    tracker.phase('done');
    return report;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await pool.close();
    release();
  }
}

/**
 * Event signatures against the custodian keys, and every event's hashed commitment to its signer
 * (a signature stripped after recording: keys/event-signatures.ts). The workstation keys are read
 * only when some event is signed, so unsigned cases never depend on the custodians folder.
 */
function checkSignatures(store: CaseStore, given: Keyring | undefined): VerifyProblem[] {
  const anySigned = store.db
    .prepare('SELECT 1 FROM custody WHERE signature IS NOT NULL OR signer IS NOT NULL LIMIT 1')
    .get();
  if (given || !anySigned) return checkEventSignatures(store.db, given ?? new Keyring([]));
  const { keyring, problems } = loadKeyring(path.resolve(store.dir, '..', '..'));
  return [
    ...problems.map((p): VerifyProblem => ({ kind: 'custodian-log', file: p.file, reason: p.reason })),
    ...checkEventSignatures(store.db, keyring),
  ];
}

/** Every finished log import's rows must still hash to the digests its custody event recorded. */
function crossCheckAuditImports(store: CaseStore): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  const firstRecord = store.db.prepare('SELECT first_record_id FROM audit_imports WHERE id = ?').pluck();
  for (const e of store.db
    .prepare("SELECT seq, subject, details FROM custody WHERE action = 'audit.imported' ORDER BY seq")
    .iterate() as IterableIterator<{ seq: number; subject: string; details: string }>) {
    let d: { importId?: number; recordsSha256?: string; toolCallsSha256?: string };
    try {
      d = JSON.parse(e.details) as typeof d;
    } catch {
      continue; // reported as a chain break
    }
    if (typeof d.importId !== 'number') continue;
    const first = firstRecord.get(d.importId) as number | null | undefined;
    const actual = importDigests(store, d.importId, first ?? null);
    const which = [
      actual.records !== d.recordsSha256 ? 'records' : null,
      actual.toolCalls !== d.toolCallsSha256 ? 'tool calls' : null,
    ].filter(Boolean);
    if (which.length > 0) {
      problems.push({
        kind: 'audit-import-mismatch',
        importId: d.importId,
        path: e.subject,
        seq: e.seq,
        reason: `the imported ${which.join(' and ')} were changed after the import`,
      });
    }
  }
  return problems;
}

/** Every analysis run's findings must still hash to the digest its custody event recorded. */
function crossCheckFindings(store: CaseStore): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  const recorded = new Set<string>();
  for (const e of store.db
    .prepare("SELECT seq, details FROM custody WHERE action = 'findings.recorded' ORDER BY seq")
    .iterate() as IterableIterator<{ seq: number; details: string }>) {
    let d: { runId?: string; findingsSha256?: string };
    try {
      d = JSON.parse(e.details) as typeof d;
    } catch {
      continue; // reported as a chain break
    }
    if (!d.runId) continue;
    recorded.add(d.runId);
    const actual = findingsDigest(findingsOfRun(store, d.runId));
    if (actual !== d.findingsSha256) {
      problems.push({
        kind: 'findings-mismatch',
        runId: d.runId,
        seq: e.seq,
        reason: 'the findings were changed after they were recorded',
      });
    }
  }
  for (const r of store.db.prepare('SELECT DISTINCT run_id FROM findings').all() as { run_id: string }[]) {
    if (!recorded.has(r.run_id))
      problems.push({
        kind: 'findings-mismatch',
        runId: r.run_id,
        seq: 0,
        reason: 'no custody event recorded this run',
      });
  }
  return problems;
}
