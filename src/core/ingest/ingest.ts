import fs from 'node:fs';
import path from 'node:path';
import type { IngestSummary, Progress } from '../../shared/domain';
import { HashPool, settleAll } from '../hashing/pool';
import type { StoredObject } from '../hashing/protocol';
import { appendEvent, type EventSigner } from '../store/custody';
import { acquireCaseLock } from '../store/lock';
import type { CaseStore } from '../store/workstation';
import { ProbityError } from '../util/errors';
import { utcNow } from '../util/format';
import { planArchiveEntry, planBundle, type PlannedEntry } from './bundle';
import { checkChecksumLists, parseChecksumFile, type ParsedChecksums } from './checksums';
import { classifyBundleFiles, type KindDecision } from './classify';
import { ProgressTracker } from './progress';
import {
  clearStaged,
  evidenceOfIngest,
  finishedIngest,
  insertIngest,
  markIngestEnded,
  objectHeldElsewhere,
  reopenIngest,
  stageObject,
  stagedCount,
  stagedHashes,
  stagedObjects,
  unfinishedIngest,
} from './queries';
import { recordIngest, type RecordedEntry } from './record';

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
    const previous = unfinishedIngest(db, plan.bundle);
    const resumed = previous !== undefined;
    db.transaction(() => {
      if (previous) {
        ingestId = previous.id;
        reopenIngest(db, ingestId, opts.actor, opts.host);
      } else {
        ingestId = insertIngest(db, {
          bundle: plan.bundle,
          bundleKind: plan.kind,
          startedAt: utcNow(),
          custodian: opts.actor,
          host: opts.host,
        });
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

    const staged = stagedObjects(db, ingestId);
    const stage = (key: string, object: StoredObject, mtimeMs: number | null) =>
      stageObject(db, ingestId, key, { sha256: object.sha256, size: object.size, mtimeMs });

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
      stage(entry.key, reply.object, entry.mtimeMs);
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
              stage(planned.key, object, planned.mtimeMs);
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
  const done = finishedIngest(db, bundle);
  if (!done) return;
  const rows = evidenceOfIngest(db, done.id);
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
    const staged = stagedHashes(db, ingestId);
    clearStaged(db, ingestId);
    for (const sha of staged)
      if (!objectHeldElsewhere(db, sha, ingestId)) fs.rmSync(store.objectPath(sha), { force: true });
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
  const staged = stagedCount(store.db, ingestId);
  try {
    store.db.transaction(() => {
      markIngestEnded(store.db, ingestId, cancelled ? 'cancelled' : 'failed', reason);
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

/**
 * Record what was stored: the checksum lists found in the bundle checked against the stored files
 * (checkChecksumLists, pure), then every row and custody event in one transaction (recordIngest).
 */
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
  // Deterministic order: by path, then occurrence, whatever order the workers finished in.
  const entries: RecordedEntry[] = [...results]
    .sort((a, b) =>
      a.entry.path < b.entry.path
        ? -1
        : a.entry.path > b.entry.path
          ? 1
          : a.entry.occurrence - b.entry.occurrence,
    )
    .map((r) => {
      const decision = decisions.get(r.entry) ?? null;
      return { entry: r.entry, object: r.object, kind: decision?.kind ?? 'link', decision };
    });
  const checksumLists = new Set(entries.filter((e) => e.kind === 'checksums').map((e) => e.entry.path));
  const lists = readChecksumLists(store, entries, warnings);
  const files = entries
    .filter((e) => e.object)
    .map((e) => ({ path: e.entry.path, sha256: e.object!.sha256 }));
  const checksums = checkChecksumLists(lists, files, (p) => checksumLists.has(p));

  const totals = store.db.transaction(() =>
    recordIngest(store.db, {
      ingestId,
      bundle,
      bundleKind,
      entries,
      checksums,
      warnings: warnings.length,
      actor: opts.actor,
      host: opts.host,
      at: utcNow(),
      signer: opts.signer,
    }),
  )();

  return {
    caseId: store.id,
    ingestId,
    bundle,
    files: entries.length - totals.links,
    links: totals.links,
    bytes: totals.bytes,
    reused: totals.reused,
    manifest: { ...checksums.counts, checks: checksums.checks },
    warnings,
    seconds: (Date.now() - started) / 1000,
  };
}

/** The checksum lists among the stored entries, read back from the store and parsed; what cannot be checked is a warning. */
function readChecksumLists(
  store: CaseStore,
  entries: readonly RecordedEntry[],
  warnings: string[],
): { path: string; parsed: ParsedChecksums }[] {
  const lists: { path: string; parsed: ParsedChecksums }[] = [];
  for (const { entry, object, kind } of entries) {
    if (!object || kind !== 'checksums') continue;
    if (object.size > MAX_CHECKSUM_FILE) {
      warnings.push(`${entry.path}: checksum list larger than ${MAX_CHECKSUM_FILE} bytes; not checked`);
      continue;
    }
    const parsed = parseChecksumFile(fs.readFileSync(store.objectPath(object.sha256), 'utf8'));
    for (const s of parsed.skipped) warnings.push(`${entry.path}: line ${s.line}: ${s.reason}`);
    lists.push({ path: entry.path, parsed });
  }
  return lists;
}
