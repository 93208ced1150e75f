import type {
  CaseOverview,
  ChainStatus,
  EvidenceItem,
  EvidenceKind,
  ManifestStatus,
  VerificationIssue,
  VerifyProblem,
} from '../../shared/domain';
import { chainHead } from './custody';
import { caseSummary, type CaseStore } from './workstation';

/** A row of the evidence table as SQLite returns it. */
export interface EvidenceRow {
  id: number;
  ingest_id: number;
  path: string;
  occurrence: number;
  kind: string;
  size: number;
  sha256: string | null;
  mtime: string | null;
  source_path: string;
  link_target: string | null;
  manifest_status: string | null;
  manifest_expected: string | null;
  raw_name_hex: string | null;
  custodian: string;
  host: string;
  stored_at: string;
}

function toItem(r: EvidenceRow): EvidenceItem {
  return {
    id: r.id,
    ingestId: r.ingest_id,
    path: r.path,
    occurrence: r.occurrence,
    kind: r.kind as EvidenceKind,
    size: r.size,
    sha256: r.sha256,
    mtime: r.mtime,
    sourcePath: r.source_path,
    linkTarget: r.link_target,
    manifestStatus: r.manifest_status as ManifestStatus | null,
    manifestExpected: r.manifest_expected,
    rawNameHex: r.raw_name_hex,
    custodian: r.custodian,
    host: r.host,
    storedAt: r.stored_at,
  };
}

export function listEvidence(store: CaseStore, filter: { kind?: EvidenceKind } = {}): EvidenceItem[] {
  const rows = filter.kind
    ? store.db.prepare('SELECT * FROM evidence WHERE kind = ? ORDER BY path, occurrence, id').all(filter.kind)
    : store.db.prepare('SELECT * FROM evidence ORDER BY path, occurrence, id').all();
  return (rows as EvidenceRow[]).map(toItem);
}

export function evidenceBySha(store: CaseStore, sha256: string): EvidenceItem[] {
  return (
    store.db.prepare('SELECT * FROM evidence WHERE sha256 = ? ORDER BY id').all(sha256) as EvidenceRow[]
  ).map(toItem);
}

export function chainStatus(store: CaseStore): ChainStatus {
  const head = chainHead(store.db);
  const v = store.db
    .prepare('SELECT at, ok, through_seq, report FROM verifications ORDER BY id DESC LIMIT 1')
    .get() as { at: string; ok: number; through_seq: number; report: string } | undefined;
  let issues: VerificationIssue[] = [];
  if (v) {
    try {
      const report = JSON.parse(v.report) as { problems?: unknown; messages?: unknown };
      issues = verificationIssues(report.problems, report.messages);
    } catch {
      issues = [];
    }
  }
  return {
    lastSeq: head.lastSeq,
    lastHash: head.lastHash,
    lastVerification: v
      ? { at: v.at, ok: v.ok === 1, throughSeq: v.through_seq, problems: issues.length, issues }
      : null,
  };
}

/**
 * A stored verification report's problems, each with its line (the report's messages are written in
 * the same order as its problems) and the evidence paths and object it names.
 */
export function verificationIssues(problems: unknown, messages: unknown): VerificationIssue[] {
  if (!Array.isArray(problems)) return [];
  const lines = Array.isArray(messages) ? messages : [];
  return (problems as VerifyProblem[]).map((p, i) => {
    const line = lines[i];
    const message = typeof line === 'string' ? line : p.kind;
    if ('paths' in p && Array.isArray(p.paths)) {
      return { kind: p.kind, message, paths: p.paths, sha256: 'sha256' in p ? p.sha256 : null };
    }
    if ('path' in p && typeof p.path === 'string') {
      return { kind: p.kind, message, paths: [p.path], sha256: null };
    }
    return { kind: p.kind, message, paths: [], sha256: null };
  });
}

export function caseOverview(store: CaseStore): CaseOverview {
  const countsByKind: Partial<Record<EvidenceKind, number>> = {};
  for (const r of store.db.prepare('SELECT kind, count(*) AS n FROM evidence GROUP BY kind').all() as {
    kind: EvidenceKind;
    n: number;
  }[]) {
    countsByKind[r.kind] = r.n;
  }
  const manifest = { matched: 0, mismatched: 0, missing: 0, new: 0 };
  for (const r of store.db
    .prepare('SELECT status, count(*) AS n FROM manifest_checks GROUP BY status')
    .all() as {
    status: 'matched' | 'mismatched' | 'missing';
    n: number;
  }[]) {
    manifest[r.status] = r.n;
  }
  manifest.new = (
    store.db.prepare("SELECT count(*) AS n FROM evidence WHERE manifest_status = 'new'").get() as {
      n: number;
    }
  ).n;
  const ingests = (
    store.db.prepare('SELECT id, bundle, status, started_at, finished_at FROM ingests ORDER BY id').all() as {
      id: number;
      bundle: string;
      status: string;
      started_at: string;
      finished_at: string | null;
    }[]
  ).map((r) => ({
    id: r.id,
    bundle: r.bundle,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  }));
  return { summary: caseSummary(store), countsByKind, manifest, chain: chainStatus(store), ingests };
}
