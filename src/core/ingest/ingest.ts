import fs from 'node:fs';
import path from 'node:path';
import type {
  EvidenceKind,
  IngestSummary,
  ManifestCheck,
  ManifestStatus,
  Progress,
} from '../../shared/domain';
import { HashPool, settleAll } from '../hashing/pool';
import type { StoredObject } from '../hashing/protocol';
import { appendEvent, type EventSigner } from '../store/custody';
import { acquireCaseLock } from '../store/lock';
import { manifestCheckRows, manifestChecksDigest } from '../store/row-binding';
import type { CaseStore } from '../store/workstation';
import { ProbityError } from '../util/errors';
import { utcNow } from '../util/format';
import { planArchiveEntry, planBundle, type PlannedEntry } from './bundle';
import { checkManifest, parseChecksumFile } from './checksums';
import { classifyBundleFiles, type KindDecision } from './classify';
import { ProgressTracker } from './progress';

export const DEFAULT_CHUNK = 8 * 1024 * 1024;

export interface IngestOptions {
  store: CaseStore;
  bundle: string;
  actor: string;
  host: string;
  /** Hashing threads for this job (default: one per core). Each job owns its pool, so cancelling
   * or failing one job never touches another. */
  workers?: number;
  chunkSize?: number;
  signal?: AbortSignal;
  jobId?: string;
  onProgress?: (p: Progress) => void;
  /** Preserve the bundle again even when the case already holds a finished ingest of it. */
  again?: boolean;
  /**
   * Signs every custody event this ingest appends (started, each evidence stored, finished,
   * failed or cancelled) when a custodian is acting; the key must already be introduced to the
   * case (keys/case-signer.ts prepareCaseSigner).
   */
  signer?: EventSigner;
}

interface StoredEntry {
  entry: PlannedEntry;
  object: StoredObject | null;
}

interface IngestRow {
  id: number;
  status: string;
}

/** Largest size we read back from the store to parse a checksum list. */
const MAX_CHECKSUM_FILE = 64 * 1024 * 1024;

/**
 * Preserve a bundle into the case: every file read once (read → SHA-256 → write) on the hashing
 * pool, then one transaction records the objects, the evidence rows, the checksum-list checks and
 * a custody event per file. Until that transaction commits the evidence tables hold nothing of
 * this ingest: an interruption leaves the case as it was, plus a resume journal (staged_objects)
 * so running the same ingest again finds the stored objects by hash and does not copy them again.
 */
export async function ingestBundle(opts: IngestOptions): Promise<IngestSummary> {
  const { store } = opts;
  const started = Date.now();
  const plan = await planBundle(opts.bundle);
  const release = acquireCaseLock(store.dir, 'ingest');
  removeStaleTempFiles(store.tmpDir);
  const pool = new HashPool(opts.workers);
  const db = store.db;
  let ingestId = 0;
  try {
    if (!opts.again) refuseFinishedAgain(db, plan.bundle, plan.kind, plan.entries);
    const previous = db
      .prepare(
        "SELECT id, status FROM ingests WHERE bundle = ? AND status != 'finished' ORDER BY id DESC LIMIT 1",
      )
      .get(plan.bundle) as IngestRow | undefined;
    const resumed = previous !== undefined;
    db.transaction(() => {
      if (previous) {
        ingestId = previous.id;
        db.prepare(
          "UPDATE ingests SET status = 'running', error = NULL, custodian = ?, host = ? WHERE id = ?",
        ).run(opts.actor, opts.host, ingestId);
      } else {
        ingestId = Number(
          db
            .prepare(
              "INSERT INTO ingests (bundle, bundle_kind, status, started_at, custodian, host) VALUES (?, ?, 'running', ?, ?, ?)",
            )
            .run(plan.bundle, plan.kind, utcNow(), opts.actor, opts.host).lastInsertRowid,
        );
      }
      appendEvent(
        db,
        {
          actor: opts.actor,
          action: 'ingest.started',
          subject: plan.bundle,
          details: {
            ingestId,
            bundleKind: plan.kind,
            host: opts.host,
            resumed,
            plannedFiles: plan.entries.length,
          },
        },
        opts.signer,
      );
    })();

    const staged = new Map<string, { sha256: string; size: number; mtimeMs: number | null }>();
    for (const r of db
      .prepare('SELECT entry_key, sha256, size, source_mtime_ms FROM staged_objects WHERE ingest_id = ?')
      .iterate(ingestId) as IterableIterator<{
      entry_key: string;
      sha256: string;
      size: number;
      source_mtime_ms: number | null;
    }>) {
      staged.set(r.entry_key, { sha256: r.sha256, size: r.size, mtimeMs: r.source_mtime_ms });
    }
    const stage = db.prepare(
      'INSERT OR REPLACE INTO staged_objects (ingest_id, entry_key, sha256, size, source_mtime_ms) VALUES (?, ?, ?, ?, ?)',
    );

    const tracker = new ProgressTracker(opts.jobId ?? `ingest-${ingestId}`, opts.onProgress);
    const onAbort = () => pool.cancel();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) pool.cancel();

    const results: StoredEntry[] = [];
    const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK;
    try {
      if (plan.kind === 'tar.gz') {
        await storeTarGz(plan.bundle);
      } else {
        tracker.plan(
          plan.entries.filter((e) => e.type === 'file').length,
          plan.entries.reduce((s, e) => s + (e.type === 'file' ? e.size : 0), 0),
        );
        await settleAll(
          plan.entries.map((entry) => storeOne(entry)),
          pool,
        );
      }
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }

    async function storeOne(entry: PlannedEntry): Promise<void> {
      if (entry.type === 'link' || !entry.source) {
        results.push({ entry, object: null });
        return;
      }
      const prior = staged.get(entry.key);
      const hint =
        prior && prior.size === entry.size && prior.mtimeMs === entry.mtimeMs
          ? { sha256: prior.sha256, size: prior.size }
          : null;
      const reply = await pool.run(
        {
          type: 'store',
          label: entry.path,
          source: entry.source,
          tmpDir: store.tmpDir,
          objectsDir: store.objectsDir,
          hint,
          chunkSize,
        },
        { onProgress: (label, bytes, total) => tracker.add(label, bytes, total) },
      );
      if (reply.type !== 'stored')
        throw new ProbityError('internal', `${entry.path}: unexpected worker reply ${reply.type}`);
      tracker.endFile(entry.path, entry.size);
      stage.run(ingestId, entry.key, reply.object.sha256, reply.object.size, entry.mtimeMs);
      results.push({ entry, object: reply.object });
    }

    async function storeTarGz(bundle: string): Promise<void> {
      const hints: Record<number, { sha256: string; size: number }> = {};
      for (const [key, v] of staged) {
        const idx = Number(key.slice(0, key.indexOf(':')));
        if (Number.isInteger(idx)) hints[idx] = { sha256: v.sha256, size: v.size };
      }
      tracker.plan(0, 0);
      const seen = new Map<string, number>();
      await pool.run(
        {
          type: 'store-tgz',
          archive: bundle,
          tmpDir: store.tmpDir,
          objectsDir: store.objectsDir,
          hints,
          chunkSize,
        },
        {
          onProgress: (label, bytes, total) => {
            tracker.add(label, bytes, total);
          },
          onTgzEntry: (e, object) => {
            const planned = planArchiveEntry(bundle, e, seen, plan.warnings, null);
            if (!planned) return;
            plan.entries.push(planned);
            if (object) {
              tracker.endFile(planned.path, planned.size);
              stage.run(ingestId, planned.key, object.sha256, object.size, planned.mtimeMs);
            }
            results.push({ entry: planned, object });
          },
        },
      );
    }

    tracker.phase('committing');
    const decisions = await classifyStored(store, results);
    const summary = commit(
      store,
      plan.bundle,
      plan.kind,
      ingestId,
      results,
      decisions,
      plan.warnings,
      opts,
      started,
    );
    tracker.phase('done');
    return summary;
  } catch (err) {
    // A corrupt or unsafe archive will fail the same way on every re-run: nothing is kept for a
    // resume, and the objects written for it alone are removed (still under the case lock).
    if (
      ingestId > 0 &&
      err instanceof ProbityError &&
      (err.code === 'malformed' || err.code === 'unsafe-path')
    )
      discardStaged(store, ingestId);
    if (ingestId > 0) recordFailure(store, ingestId, plan.bundle, opts.actor, err, opts.signer);
    throw err;
  } finally {
    await pool.close();
    release();
  }
}

/**
 * The kind of each stored file, decided by its content (classify.ts): read back, bounded, from
 * the object just stored, so a resumed ingest decides exactly as an uninterrupted one. Keyed by
 * the planned entry; links have no content and are kind `link`.
 */
async function classifyStored(
  store: CaseStore,
  results: readonly StoredEntry[],
): Promise<Map<PlannedEntry, KindDecision | null>> {
  const out = new Map<PlannedEntry, KindDecision | null>();
  // Duplicate names in an archive are numbered entries with one path: classify per entry.
  const groups = new Map<number, StoredEntry[]>();
  for (const r of results) {
    if (!r.object) {
      out.set(r.entry, null);
      continue;
    }
    groups.set(r.entry.occurrence, [...(groups.get(r.entry.occurrence) ?? []), r]);
  }
  for (const group of groups.values()) {
    const kinds = await classifyBundleFiles(
      group.map((r) => ({ bundlePath: r.entry.path, file: store.objectPath(r.object!.sha256) })),
    );
    for (const r of group) out.set(r.entry, kinds.get(r.entry.path) ?? null);
  }
  return out;
}

/**
 * A bundle the case already holds, from a finished ingest of the same path with the same entries
 * (paths, occurrences, sizes; a .tar.gz is only listed while it is read, so its path decides), is
 * not preserved a second time: the command says so instead of adding duplicate evidence rows.
 */
function refuseFinishedAgain(
  db: CaseStore['db'],
  bundle: string,
  kind: string,
  entries: PlannedEntry[],
): void {
  const done = db
    .prepare(
      "SELECT id, finished_at FROM ingests WHERE bundle = ? AND status = 'finished' ORDER BY id DESC LIMIT 1",
    )
    .get(bundle) as { id: number; finished_at: string } | undefined;
  if (!done) return;
  const rows = db.prepare('SELECT path, occurrence, size FROM evidence WHERE ingest_id = ?').all(done.id) as {
    path: string;
    occurrence: number;
    size: number;
  }[];
  const key = (p: string, o: number, size: number) => `${p}\0${o}\0${size}`;
  const held = new Set(rows.map((r) => key(r.path, r.occurrence, r.size)));
  const same =
    kind === 'tar.gz' ||
    (entries.length === rows.length &&
      entries.every((e) => held.has(key(e.path, e.occurrence, e.type === 'file' ? e.size : 0))));
  if (!same) return;
  throw new ProbityError(
    'conflict',
    `${bundle}: already in the case (ingest ${done.id}, finished ${done.finished_at}, ${rows.length} files); nothing was added — give --again to preserve it once more`,
    { file: bundle },
  );
}

/**
 * Drop an ingest's resume journal and unlink the objects only it had written: not recorded as
 * evidence, and not held by another unfinished ingest's journal.
 */
function discardStaged(store: CaseStore, ingestId: number): void {
  try {
    const db = store.db;
    const staged = db
      .prepare('SELECT DISTINCT sha256 FROM staged_objects WHERE ingest_id = ?')
      .pluck()
      .all(ingestId) as string[];
    const kept = db.prepare(
      'SELECT 1 FROM objects WHERE sha256 = @sha UNION ALL SELECT 1 FROM staged_objects WHERE sha256 = @sha AND ingest_id != @ingest LIMIT 1',
    );
    db.prepare('DELETE FROM staged_objects WHERE ingest_id = ?').run(ingestId);
    for (const sha of staged)
      if (!kept.get({ sha, ingest: ingestId })) fs.rmSync(store.objectPath(sha), { force: true });
  } catch {
    // The refusal is what the user needs; what is left is listed by verify.
  }
}

/** Temp files left by a killed run; safe to remove while this process holds the case lock. */
function removeStaleTempFiles(tmpDir: string): void {
  fs.mkdirSync(tmpDir, { recursive: true });
  for (const name of fs.readdirSync(tmpDir)) {
    if (name.endsWith('.part')) fs.rmSync(path.join(tmpDir, name), { force: true });
  }
}

function recordFailure(
  store: CaseStore,
  ingestId: number,
  bundle: string,
  actor: string,
  err: unknown,
  signer: EventSigner | undefined,
): void {
  const cancelled = err instanceof ProbityError && err.code === 'cancelled';
  const reason = err instanceof Error ? err.message : String(err);
  const staged = (
    store.db.prepare('SELECT count(*) AS n FROM staged_objects WHERE ingest_id = ?').get(ingestId) as {
      n: number;
    }
  ).n;
  try {
    store.db.transaction(() => {
      store.db
        .prepare('UPDATE ingests SET status = ?, error = ? WHERE id = ?')
        .run(cancelled ? 'cancelled' : 'failed', reason, ingestId);
      appendEvent(
        store.db,
        {
          actor,
          action: cancelled ? 'ingest.cancelled' : 'ingest.failed',
          subject: bundle,
          details: { ingestId, reason, objectsStagedForResume: staged },
        },
        signer,
      );
    })();
  } catch {
    // The database itself may be the problem (disk full): the original error is what the user needs.
  }
}

function commit(
  store: CaseStore,
  bundle: string,
  bundleKind: string,
  ingestId: number,
  results: StoredEntry[],
  decisions: Map<PlannedEntry, KindDecision | null>,
  warnings: string[],
  opts: IngestOptions,
  started: number,
): IngestSummary {
  const db = store.db;
  // Deterministic order: by path, then occurrence, whatever order the workers finished in.
  results.sort((a, b) =>
    a.entry.path < b.entry.path
      ? -1
      : a.entry.path > b.entry.path
        ? 1
        : a.entry.occurrence - b.entry.occurrence,
  );
  const kinds = new Map<PlannedEntry, EvidenceKind>();
  for (const r of results) kinds.set(r.entry, decisions.get(r.entry)?.kind ?? 'link');
  const checksumLists = new Set(
    results.filter((r) => kinds.get(r.entry) === 'checksums').map((r) => r.entry.path),
  );

  // Checksum lists found in the bundle are checked against what was just stored.
  const files = results
    .filter((r) => r.object)
    .map((r) => ({ path: r.entry.path, sha256: r.object!.sha256 }));
  const checks: ManifestCheck[] = [];
  const newFiles = new Set<string>();
  for (const r of results) {
    if (!r.object || kinds.get(r.entry) !== 'checksums') continue;
    if (r.object.size > MAX_CHECKSUM_FILE) {
      warnings.push(`${r.entry.path}: checksum list larger than ${MAX_CHECKSUM_FILE} bytes; not checked`);
      continue;
    }
    const text = fs.readFileSync(store.objectPath(r.object.sha256), 'utf8');
    const parsed = parseChecksumFile(text);
    for (const s of parsed.skipped) warnings.push(`${r.entry.path}: line ${s.line}: ${s.reason}`);
    const res = checkManifest(r.entry.path, parsed, files, (p) => checksumLists.has(p));
    checks.push(...res.checks);
    for (const u of res.unlisted) newFiles.add(u);
  }
  const statusOf = new Map<string, { status: ManifestStatus; expected: string | null }>();
  for (const c of checks) {
    const prev = statusOf.get(c.listedPath);
    // A file listed by several manifests takes its worst outcome.
    if (!prev || c.status === 'mismatched')
      statusOf.set(c.listedPath, { status: c.status, expected: c.expected });
  }
  for (const p of newFiles) if (!statusOf.has(p)) statusOf.set(p, { status: 'new', expected: null });

  const counts = {
    matched: 0,
    mismatched: 0,
    missing: 0,
    new: [...statusOf.values()].filter((v) => v.status === 'new').length,
  };
  for (const c of checks) counts[c.status]++;

  let bytes = 0;
  let reused = 0;
  let links = 0;
  const at = utcNow();
  db.transaction(() => {
    const insObject = db.prepare('INSERT OR IGNORE INTO objects (sha256, size, stored_at) VALUES (?, ?, ?)');
    const insEvidence = db.prepare(
      `INSERT INTO evidence (ingest_id, path, occurrence, kind, size, sha256, mtime, source_path, link_target, raw_name_hex,
         manifest_status, manifest_expected, custodian, host, stored_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insCheck = db.prepare(
      'INSERT INTO manifest_checks (ingest_id, manifest_path, listed_path, expected, actual, status) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const r of results) {
      const { entry, object } = r;
      const kind = kinds.get(entry)!;
      const decision = decisions.get(entry) ?? null;
      const ms = object && entry.occurrence === 1 ? statusOf.get(entry.path) : undefined;
      if (object) {
        insObject.run(object.sha256, object.size, at);
        bytes += object.size;
        if (object.reused) reused++;
      } else links++;
      const evidenceId = Number(
        insEvidence.run(
          ingestId,
          entry.path,
          entry.occurrence,
          kind,
          object?.size ?? 0,
          object?.sha256 ?? null,
          entry.mtime,
          entry.sourcePath,
          entry.linkTarget,
          entry.rawNameHex,
          ms?.status ?? null,
          ms?.expected ?? null,
          opts.actor,
          opts.host,
          at,
        ).lastInsertRowid,
      );
      appendEvent(
        db,
        {
          actor: opts.actor,
          action: 'evidence.stored',
          subject: entry.path,
          at,
          details: {
            ingestId,
            evidenceId,
            occurrence: entry.occurrence,
            kind,
            ...(decision ? { kindBy: decision.by, kindReason: decision.reason } : {}),
            size: object?.size ?? 0,
            sha256: object?.sha256 ?? null,
            linkTarget: entry.linkTarget,
            sourcePath: entry.sourcePath,
            host: opts.host,
            mtime: entry.mtime,
            rawNameHex: entry.rawNameHex,
            manifestStatus: ms?.status ?? null,
            manifestExpected: ms?.expected ?? null,
          },
        },
        opts.signer,
      );
    }
    for (const c of checks)
      insCheck.run(ingestId, c.manifestPath, c.listedPath, c.expected, c.actual, c.status);
    const checkRows = manifestCheckRows(db, ingestId);
    db.prepare("UPDATE ingests SET status = 'finished', finished_at = ?, error = NULL WHERE id = ?").run(
      at,
      ingestId,
    );
    db.prepare('DELETE FROM staged_objects WHERE ingest_id = ?').run(ingestId);
    appendEvent(
      db,
      {
        actor: opts.actor,
        action: 'ingest.finished',
        subject: bundle,
        at,
        details: {
          ingestId,
          bundleKind,
          files: results.length - links,
          links,
          bytes,
          manifest: counts,
          // Every checksum-check row of this ingest, bound to this event (store/row-binding.ts).
          checks: checkRows.length,
          checksSha256: manifestChecksDigest(checkRows),
          warnings: warnings.length,
        },
      },
      opts.signer,
    );
  })();

  return {
    caseId: store.id,
    ingestId,
    bundle,
    files: results.length - links,
    links,
    bytes,
    reused,
    manifest: { ...counts, checks },
    warnings,
    seconds: (Date.now() - started) / 1000,
  };
}
