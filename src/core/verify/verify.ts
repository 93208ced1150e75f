import fs from 'node:fs';
import path from 'node:path';
import type { Progress, VerifyProblem, VerifyReport } from '../../shared/domain';
import { HashPool, settleAll } from '../hashing/pool';
import { ProgressTracker } from '../ingest/progress';
import { ProbityError } from '../util/errors';
import { utcNow } from '../util/format';
import { Keyring, loadKeyring } from '../keys/custodians';
import { checkEventSignatures } from '../keys/event-signatures';
import { checkCheckpointEvent, checkCheckpointSignature, type SignedCheckpoint } from '../keys/checkpoint';
import { verifyText } from '../keys/ed25519';
import { readWitness, verifyWitnessChain, type WitnessedHead } from '../store/witness';
import { compareWithWitnesses, earlierVerificationHeads } from './witness-check';
import { appendEvent, verifyChain, type EventSigner } from '../store/custody';
import { importDigests } from '../audit/import-digest';
import { findingsDigest, findingsOfRun } from '../store/findings';
import { acquireCaseLock } from '../store/lock';
import {
  checkEvidenceRows,
  checkManifestCheckRows,
  checkObjectRows,
  checkTriggers,
  checkVerificationRows,
  verificationReportDigest,
} from '../store/row-binding';
import type { CaseStore } from '../store/workstation';

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
  /**
   * Heads recorded outside this workstation's witness log that the case must still hold: entries
   * carried by a case archive, for instance. The workstation's own witness log (store.witnessHome)
   * is always read.
   */
  witnesses?: WitnessedHead[];
  /** Signed checkpoints pinned by a custodian (`verify --checkpoint FILE`). */
  checkpoints?: { file: string; signed: SignedCheckpoint }[];
  /** Report bundles whose printed chain head the case must still hold (`verify --report DIR`). */
  reports?: string[];
  /**
   * Also rebuild the derived audit index (derived/audit.duckdb) from the preserved logs into a
   * scratch file and compare it with the build recorded in custody (`verify --rebuild-derived`).
   */
  rebuildDerived?: boolean;
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
    case 'derived-mismatch':
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
    const strays = scanObjectStore(store);
    problems.push(...strays.problems);
    notes.push(...strays.notes);
    const witnessed = checkWitnesses(store, opts);
    problems.push(...witnessed.problems);
    notes.push(...witnessed.notes);
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

    if (opts.rebuildDerived) {
      const { rebuildAndCompare } = await import('../audit/engine/duckdb-index');
      const derived = await rebuildAndCompare(store);
      for (const reason of derived.problems)
        problems.push({ kind: 'derived-mismatch', file: 'derived/audit.duckdb', reason });
      notes.push(
        derived.checked
          ? `derived/audit.duckdb: rebuilt from ${derived.rebuilt.length} preserved log${derived.rebuilt.length === 1 ? '' : 's'} and compared with the recorded build`
          : 'derived/audit.duckdb: no audit index was ever built; nothing to rebuild',
      );
    }

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
 * Every file under objects/: each must sit at sha256/<2 hex>/<62 hex> and be named by an object
 * row (and so by evidence). A valid digest path that no row names is an orphan: kept, as a note,
 * when an unfinished ingest's resume journal lists it (the re-run will record it); otherwise a
 * stray, which fails the run — a planted file, or one left behind by a rollback of case.db.
 */
function scanObjectStore(store: CaseStore): { problems: VerifyProblem[]; notes: string[] } {
  const problems: VerifyProblem[] = [];
  const notes: string[] = [];
  const root = path.join(store.dir, 'objects');
  const rel = (p: string) => path.relative(store.dir, p).split(path.sep).join('/');
  const known = new Set(
    (store.db.prepare('SELECT sha256 FROM objects').pluck().all() as string[]).map((x) => x.toLowerCase()),
  );
  const journal = new Set(
    store.db
      .prepare(
        "SELECT s.sha256 FROM staged_objects s JOIN ingests i ON i.id = s.ingest_id WHERE i.status != 'finished'",
      )
      .pluck()
      .all() as string[],
  );
  const stray = (file: string, reason: string) =>
    problems.push({ kind: 'object-stray', file: rel(file), reason });
  const list = (dir: string): fs.Dirent[] => {
    try {
      return fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        stray(dir, `cannot list the folder: ${(err as Error).message}`);
      return [];
    }
  };
  let journalled = 0;
  for (const top of list(root)) {
    const p = path.join(root, top.name);
    if (top.name === 'tmp' && top.isDirectory()) continue; // an ingest's temp files, removed by the next one
    if (top.name !== 'sha256' || !top.isDirectory()) {
      stray(p, 'not part of the object store (only sha256/ and tmp/ belong here)');
      continue;
    }
    for (const d of list(p)) {
      const dp = path.join(p, d.name);
      if (!d.isDirectory() || !/^[0-9a-f]{2}$/.test(d.name)) {
        stray(dp, 'not a valid digest path (expected sha256/<2 hex>/<62 hex>)');
        continue;
      }
      for (const f of list(dp)) {
        const fp = path.join(dp, f.name);
        if (!f.isFile() || !/^[0-9a-f]{62}$/.test(f.name)) {
          stray(
            fp,
            `not a valid digest path (expected sha256/<2 hex>/<62 hex>)${f.isFile() ? '' : ': not a regular file'}`,
          );
          continue;
        }
        const digest = `${d.name}${f.name}`;
        if (known.has(digest)) continue;
        if (journal.has(digest)) journalled++;
        else stray(fp, 'stray object: no evidence row names it (planted, or left by a rolled-back case.db)');
      }
    }
  }
  if (journalled > 0)
    notes.push(
      `objects: ${journalled} object(s) are not evidence yet: an unfinished ingest's resume journal holds them (run that ingest again to complete it)`,
    );
  return { problems, notes };
}

/** The keyring verify judges signatures with: the one given, else the workstation's. */
function keyringFor(
  store: CaseStore,
  given: Keyring | undefined,
): { keyring: Keyring; problems: VerifyProblem[] } {
  if (given) return { keyring: given, problems: [] };
  const { keyring, problems } = loadKeyring(path.resolve(store.dir, '..', '..'));
  return {
    keyring,
    problems: problems.map((p): VerifyProblem => ({ kind: 'custodian-log', file: p.file, reason: p.reason })),
  };
}

/**
 * The case against every head witnessed outside it — the workstation witness log, heads a case
 * archive carried, pinned checkpoints, report bundles — and against earlier verifications.
 */
function checkWitnesses(
  store: CaseStore,
  opts: VerifyOptions,
): { problems: VerifyProblem[]; notes: string[] } {
  const problems: VerifyProblem[] = [];
  const outside: WitnessedHead[] = [...(opts.witnesses ?? [])];
  let keys: Keyring | null = null;
  const keyring = () => {
    if (!keys) {
      const k = keyringFor(store, opts.keyring);
      keys = k.keyring;
      problems.push(...k.problems);
    }
    return keys;
  };
  if (store.witnessHome !== null) {
    const log = readWitness(store.witnessHome);
    for (const p of log.problems) problems.push({ kind: 'witness-log', file: log.file, reason: p });
    for (const p of verifyWitnessChain(log.entries))
      problems.push({ kind: 'witness-log', file: log.file, reason: p });
    for (const e of log.entries) {
      if (e.caseId !== store.id) continue;
      if (e.signature !== null || e.signer !== null) {
        const key = e.signer ? keyring().get(e.signer) : undefined;
        if (!key || e.signature === null || !verifyText(key.publicKey, e.hash, e.signature))
          problems.push({
            kind: 'witness-log',
            file: log.file,
            reason: `entry ${e.seq}: signature ${key ? 'does not verify' : 'by an unknown key'} (${e.signer ?? 'no signer'})`,
          });
      }
      outside.push({
        seq: e.headSeq,
        hash: e.headHash,
        at: e.at,
        witness: `the workstation witness log (entry ${e.seq}, ${e.source})`,
      });
    }
  }
  for (const c of opts.checkpoints ?? []) {
    for (const reason of [
      ...checkCheckpointSignature(c.signed, keyring()),
      ...checkCheckpointEvent(store, c.signed),
    ])
      problems.push({ kind: 'witness-log', file: c.file, reason });
    outside.push({
      seq: c.signed.checkpoint.lastSeq,
      hash: c.signed.checkpoint.lastHash,
      at: c.signed.checkpoint.at,
      witness: `the checkpoint ${c.file} signed by ${c.signed.signer.name}`,
    });
  }
  for (const dir of opts.reports ?? []) {
    const r = reportHead(dir, store.id);
    if ('problem' in r) problems.push({ kind: 'witness-log', file: r.file, reason: r.problem });
    else outside.push(r.head);
  }
  const cmp = compareWithWitnesses(store.db, outside, earlierVerificationHeads(store.db));
  return { problems: [...problems, ...cmp.problems], notes: cmp.notes };
}

/** The chain head a report bundle printed (report.json's chainHead), for the same case. */
function reportHead(
  dir: string,
  caseId: string,
): { head: WitnessedHead } | { file: string; problem: string } {
  const file = path.join(dir, 'report.json');
  let model: {
    case?: { id?: unknown };
    chainHead?: { lastSeq?: unknown; lastHash?: unknown };
    generatedAt?: unknown;
  };
  try {
    model = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof model;
  } catch (err) {
    return { file, problem: `cannot read the report's chain head: ${(err as Error).message}` };
  }
  const h = model.chainHead;
  if (typeof h?.lastSeq !== 'number' || typeof h.lastHash !== 'string')
    return { file, problem: 'no chain head in report.json' };
  if (model.case?.id !== caseId)
    return { file, problem: `the report is for case ${String(model.case?.id)}, not ${caseId}` };
  return {
    head: {
      seq: h.lastSeq,
      hash: h.lastHash,
      at: typeof model.generatedAt === 'string' ? model.generatedAt : 'report time',
      witness: `the report bundle ${dir}`,
    },
  };
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
