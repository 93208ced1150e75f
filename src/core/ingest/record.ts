/**
 * What a finished ingest writes, in the one transaction its caller holds: the objects, an evidence
 * row and an `evidence.stored` custody event per entry, the checksum-list checks, the ingest marked
 * finished with its resume journal dropped, and the `ingest.finished` event that binds the checks.
 */
import type Database from 'better-sqlite3';
import type { EvidenceKind } from '../../shared/domain';
import type { StoredObject } from '../hashing/protocol';
import { appendEvent, type EventSigner } from '../store/custody';
import { manifestCheckRows, manifestChecksDigest } from '../store/row-binding';
import { ProbityError } from '../util/errors';
import type { PlannedEntry } from './bundle';
import type { ChecksumListsOutcome } from './checksums';
import type { KindDecision } from './classify';
import {
  clearStaged,
  insertEvidence,
  insertManifestCheck,
  insertObject,
  markIngestFinished,
} from './queries';

export interface RecordedEntry {
  entry: PlannedEntry;
  /** The stored object; null for a link. */
  object: StoredObject | null;
  kind: EvidenceKind;
  /** How the kind was decided (classify.ts); null for a link. */
  decision: KindDecision | null;
}

export interface IngestRecord {
  ingestId: number;
  bundle: string;
  bundleKind: string;
  /** In the order the evidence rows and events are to be written. */
  entries: readonly RecordedEntry[];
  checksums: ChecksumListsOutcome;
  warnings: number;
  actor: string;
  host: string;
  at: string;
  signer?: EventSigner;
}

/** Bytes stored, objects the store already held, and links, of the entries recorded. */
export interface RecordedTotals {
  bytes: number;
  reused: number;
  links: number;
}

/** Write a finished ingest (see the file's comment). `db` must be inside a transaction. */
export function recordIngest(db: Database.Database, r: IngestRecord): RecordedTotals {
  if (!db.inTransaction)
    throw new ProbityError('internal', `ingest ${r.ingestId}: recorded outside a transaction`);
  const totals: RecordedTotals = { bytes: 0, reused: 0, links: 0 };
  for (const { entry, object, kind, decision } of r.entries) {
    const ms = object && entry.occurrence === 1 ? r.checksums.byPath.get(entry.path) : undefined;
    if (object) {
      insertObject(db, object.sha256, object.size, r.at);
      totals.bytes += object.size;
      if (object.reused) totals.reused++;
    } else totals.links++;
    const evidenceId = insertEvidence(db, {
      ingestId: r.ingestId,
      path: entry.path,
      occurrence: entry.occurrence,
      kind,
      size: object?.size ?? 0,
      sha256: object?.sha256 ?? null,
      mtime: entry.mtime,
      sourcePath: entry.sourcePath,
      linkTarget: entry.linkTarget,
      rawNameHex: entry.rawNameHex,
      manifestStatus: ms?.status ?? null,
      manifestExpected: ms?.expected ?? null,
      custodian: r.actor,
      host: r.host,
      storedAt: r.at,
    });
    appendEvent(
      db,
      {
        actor: r.actor,
        action: 'evidence.stored',
        subject: entry.path,
        at: r.at,
        details: {
          ingestId: r.ingestId,
          evidenceId,
          occurrence: entry.occurrence,
          kind,
          ...(decision ? { kindBy: decision.by, kindReason: decision.reason } : {}),
          size: object?.size ?? 0,
          sha256: object?.sha256 ?? null,
          linkTarget: entry.linkTarget,
          sourcePath: entry.sourcePath,
          host: r.host,
          mtime: entry.mtime,
          rawNameHex: entry.rawNameHex,
          manifestStatus: ms?.status ?? null,
          manifestExpected: ms?.expected ?? null,
        },
      },
      r.signer,
    );
  }
  for (const c of r.checksums.checks) insertManifestCheck(db, r.ingestId, c);
  const checkRows = manifestCheckRows(db, r.ingestId);
  markIngestFinished(db, r.ingestId, r.at);
  clearStaged(db, r.ingestId);
  appendEvent(
    db,
    {
      actor: r.actor,
      action: 'ingest.finished',
      subject: r.bundle,
      at: r.at,
      details: {
        ingestId: r.ingestId,
        bundleKind: r.bundleKind,
        files: r.entries.length - totals.links,
        links: totals.links,
        bytes: totals.bytes,
        manifest: r.checksums.counts,
        // Every checksum-check row of this ingest, bound to this event (store/row-binding.ts).
        checks: checkRows.length,
        checksSha256: manifestChecksDigest(checkRows),
        warnings: r.warnings,
      },
    },
    r.signer,
  );
  return totals;
}
