/**
 * An imported eval file is evidence before it is data: it is read once through the object writer
 * that ingest uses (read → SHA-256 → temp file → fsync → read-only → link into
 * objects/sha256/…), then recorded exactly as ingest records a single-file bundle: an `ingests` row,
 * the `objects` and `evidence` rows, and the custody events ingest.started, evidence.stored and
 * ingest.finished, in one transaction. The file is kept whole as one object even when it is an
 * archive (an Inspect .eval is a zip; ingest would unpack a zip bundle into its members), and it is
 * then parsed from the stored object, never from the original.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ObjectWriter } from '../hashing/object-writer';
import { evidenceWithDigest, insertEvidence, insertFinishedIngest, insertObject } from '../ingest/queries';
import type { StoredObject } from '../hashing/protocol';
import { appendEvent } from '../store/custody';
import { manifestChecksDigest } from '../store/row-binding';
import type { CaseStore } from '../store/workstation';
import { ProbityError, describeFsError } from '../util/errors';
import { utcNow } from '../util/format';

const READ_CHUNK = 8 * 1024 * 1024;

export interface PreservedFile {
  evidenceId: number;
  ingestId: number;
  sha256: string;
  size: number;
  /** The file's name as recorded (its base name). */
  name: string;
  /** Absolute path it was read from. */
  sourcePath: string;
  /** Where the stored, read-only copy is. */
  objectPath: string;
  /** True when identical bytes were already in the store. */
  reused: boolean;
}

function statSource(file: string): fs.Stats {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    throw new ProbityError('not-found', `${file}: cannot read the eval file: ${describeFsError(err)}`, {
      file,
    });
  }
  if (!st.isFile()) throw new ProbityError('usage', `${file}: not a regular file`, { file });
  return st;
}

async function copyIntoStore(store: CaseStore, file: string, name: string): Promise<StoredObject> {
  fs.mkdirSync(store.tmpDir, { recursive: true });
  const writer = new ObjectWriter(store.tmpDir, store.objectsDir, name, true);
  try {
    const stream = fs.createReadStream(file, { highWaterMark: READ_CHUNK });
    for await (const chunk of stream as AsyncIterable<Buffer>) writer.update(chunk);
    return writer.finish();
  } catch (err) {
    writer.abort();
    if (err instanceof ProbityError) throw err;
    throw new ProbityError('unreadable', `${file}: cannot read: ${describeFsError(err)}`, {
      file,
      cause: err,
    });
  }
}

function checkUnchanged(file: string, before: fs.Stats, object: StoredObject): void {
  const after = statSource(file);
  if (after.size !== before.size || after.mtimeMs !== before.mtimeMs || object.size !== before.size) {
    throw new ProbityError(
      'changed-while-reading',
      `${file}: the file changed while it was being read (size ${before.size} → ${after.size}); import it again once it is still`,
      { file },
    );
  }
}

/** Store `file` in the case as evidence and record it in the custody log. */
export async function preserveEvalFile(opts: {
  store: CaseStore;
  file: string;
  actor: string;
  host: string;
}): Promise<PreservedFile> {
  const { store } = opts;
  const sourcePath = path.resolve(opts.file);
  const name = path.basename(sourcePath);
  const before = statSource(sourcePath);
  const object = await copyIntoStore(store, sourcePath, name);
  checkUnchanged(sourcePath, before, object);
  // Bytes the case already holds (ingested in a bundle, or preserved by an earlier import) are
  // never recorded as evidence a second time: the first evidence row holding them is the run's.
  const earlier = evidenceWithDigest(store.db, object.sha256);
  if (earlier)
    return {
      evidenceId: earlier.id,
      ingestId: earlier.ingest_id,
      sha256: object.sha256,
      size: object.size,
      // Named as the case holds it, whichever path it was read from this time.
      name: path.posix.basename(earlier.path),
      sourcePath,
      objectPath: store.objectPath(object.sha256),
      reused: true,
    };
  const ids = recordEvidence(store, {
    sourcePath,
    name,
    object,
    mtime: before.mtime,
    actor: opts.actor,
    host: opts.host,
  });
  return {
    ...ids,
    sha256: object.sha256,
    size: object.size,
    name,
    sourcePath,
    objectPath: store.objectPath(object.sha256),
    reused: object.reused,
  };
}

/** The rows and events ingest writes for a one-file bundle, in one transaction. */
function recordEvidence(
  store: CaseStore,
  e: { sourcePath: string; name: string; object: StoredObject; mtime: Date; actor: string; host: string },
): { evidenceId: number; ingestId: number } {
  const db = store.db;
  const at = utcNow();
  let evidenceId = 0;
  let ingestId = 0;
  db.transaction(() => {
    ingestId = insertFinishedIngest(db, {
      bundle: e.sourcePath,
      bundleKind: 'file',
      at,
      custodian: e.actor,
      host: e.host,
    });
    appendEvent(db, {
      actor: e.actor,
      action: 'ingest.started',
      subject: e.sourcePath,
      at,
      details: {
        ingestId,
        bundleKind: 'file',
        host: e.host,
        resumed: false,
        plannedFiles: 1,
        purpose: 'importing an eval run',
      },
    });
    insertObject(db, e.object.sha256, e.object.size, at);
    evidenceId = insertEvidence(db, {
      ingestId,
      path: e.name,
      occurrence: 1,
      kind: 'eval-results',
      size: e.object.size,
      sha256: e.object.sha256,
      mtime: e.mtime.toISOString(),
      sourcePath: e.sourcePath,
      linkTarget: null,
      rawNameHex: null,
      manifestStatus: null,
      manifestExpected: null,
      custodian: e.actor,
      host: e.host,
      storedAt: at,
    });
    appendEvent(db, {
      actor: e.actor,
      action: 'evidence.stored',
      subject: e.name,
      at,
      details: {
        ingestId,
        evidenceId,
        occurrence: 1,
        kind: 'eval-results',
        size: e.object.size,
        sha256: e.object.sha256,
        linkTarget: null,
        sourcePath: e.sourcePath,
        host: e.host,
        mtime: e.mtime.toISOString(),
        rawNameHex: null,
        manifestStatus: null,
        manifestExpected: null,
      },
    });
    appendEvent(db, {
      actor: e.actor,
      action: 'ingest.finished',
      subject: e.sourcePath,
      at,
      details: {
        ingestId,
        bundleKind: 'file',
        files: 1,
        links: 0,
        bytes: e.object.size,
        manifest: { matched: 0, mismatched: 0, missing: 0, new: 0 },
        checks: 0,
        checksSha256: manifestChecksDigest([]),
        warnings: 0,
      },
    });
  })();
  return { evidenceId, ingestId };
}
