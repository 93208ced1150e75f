/**
 * A log is evidence before it is data. `audit import` takes either a file on disk, which is first
 * preserved into the case exactly as `probity ingest` preserves a single-file bundle (read once,
 * SHA-256, stored read-only, custody events), or the path (or SHA-256) of evidence already in the
 * case, such as `logs/requests-2026-10-01.jsonl` of an ingested incident bundle. Either way the log is
 * then parsed from the stored object, never from the original.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { detectBundleKind } from '../ingest/bundle';
import { ingestBundle } from '../ingest/ingest';
import { evidenceWithDigest } from '../ingest/queries';
import type { CaseStore } from '../store/workstation';
import { ProbityError, describeFsError } from '../util/errors';

/** A stored evidence file the audit reads. */
export interface StoredLog {
  evidenceId: number;
  sha256: string;
  /** Path as recorded in the evidence table. */
  path: string;
  size: number;
  objectPath: string;
  /** True when this call preserved the file into the case (it was not evidence before). */
  preserved: boolean;
}

interface EvidenceRow {
  id: number;
  path: string;
  sha256: string;
  size: number;
}

function stored(store: CaseStore, row: EvidenceRow, preserved: boolean): StoredLog {
  const objectPath = store.objectPath(row.sha256);
  if (!fs.existsSync(objectPath)) {
    throw new ProbityError(
      'unreadable',
      `${row.path}: its stored object ${row.sha256} is missing from the case; run probity verify`,
      {
        file: row.path,
      },
    );
  }
  return { evidenceId: row.id, sha256: row.sha256, path: row.path, size: row.size, objectPath, preserved };
}

/** Evidence already in the case, by recorded path or by SHA-256 (latest row wins). */
export function findEvidence(store: CaseStore, ref: string): StoredLog | null {
  const bySha = /^[0-9a-f]{64}$/.test(ref);
  const row = store.db
    .prepare(
      `SELECT id, path, sha256, size FROM evidence
       WHERE ${bySha ? 'sha256' : 'path'} = ? AND sha256 IS NOT NULL ORDER BY id DESC LIMIT 1`,
    )
    .get(ref) as EvidenceRow | undefined;
  return row ? stored(store, row, false) : null;
}

async function sha256Of(file: string): Promise<string> {
  const h = createHash('sha256');
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 8 * 1024 * 1024 }))
      h.update(chunk as Buffer);
  } catch (err) {
    throw new ProbityError('unreadable', `${file}: cannot read: ${describeFsError(err)}`, { file });
  }
  return h.digest('hex');
}

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ProbityError('unreadable', `${file}: cannot read: ${describeFsError(err)}`, { file });
  }
}

/**
 * Resolve `ref` to stored evidence: a regular file on disk is preserved first; otherwise `ref` must
 * name evidence already in the case.
 * @throws ProbityError naming `ref` when it is neither, or is a folder or an archive.
 */
export async function resolveLogEvidence(
  store: CaseStore,
  ref: string,
  opts: { actor: string; host: string; signal?: AbortSignal },
): Promise<StoredLog> {
  const st = statOrNull(ref);
  if (st === null) {
    const found = findEvidence(store, ref);
    if (found) return found;
    throw new ProbityError('not-found', `${ref}: no such file, and no evidence at that path in ${store.id}`, {
      file: ref,
    });
  }
  if (!st.isFile() || detectBundleKind(ref) !== 'file') {
    throw new ProbityError(
      'usage',
      `${ref}: not a single log file; preserve the folder or archive with probity ingest, then pass the path of the log inside it`,
      { file: ref },
    );
  }
  // Bytes the case already holds (ingested in a bundle, or preserved by an earlier import) are
  // never stored a second time: the first evidence row holding them is the log.
  const sourcePath = path.resolve(ref);
  const digest = await sha256Of(sourcePath);
  const earlier = evidenceWithDigest(store.db, digest);
  if (earlier) return stored(store, earlier, false);
  const summary = await ingestBundle({
    store,
    bundle: ref,
    actor: opts.actor,
    host: opts.host,
    signal: opts.signal,
    // The log is read as it is now, so it is preserved as it is now, even if a file of the same
    // path and size was preserved before: its content may have grown or changed.
    again: true,
  });
  const row = store.db
    .prepare(
      'SELECT id, path, sha256, size FROM evidence WHERE ingest_id = ? AND sha256 IS NOT NULL ORDER BY id LIMIT 1',
    )
    .get(summary.ingestId) as EvidenceRow | undefined;
  if (!row)
    throw new ProbityError('internal', `${ref}: preserved, but its evidence row was not found`, {
      file: ref,
    });
  return stored(store, row, true);
}
