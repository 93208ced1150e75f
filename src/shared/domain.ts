// Domain types shared by every host and the renderer. Types only: nothing here runs.

/** Evidence kinds, from the playbook's "Preserve the compromised model" list. */
export type EvidenceKind =
  | 'weights'
  | 'adapter'
  | 'tokenizer'
  | 'model-config'
  | 'serving-config'
  | 'deployment-manifest'
  | 'checksums'
  | 'provenance'
  | 'training-log'
  | 'output-log'
  | 'eval-results'
  | 'link'
  | 'other';

export const EVIDENCE_KINDS: readonly EvidenceKind[] = [
  'weights',
  'adapter',
  'tokenizer',
  'model-config',
  'serving-config',
  'deployment-manifest',
  'checksums',
  'provenance',
  'training-log',
  'output-log',
  'eval-results',
  'link',
  'other',
];

/** hashdeep audit words, applied to a checksum file found inside a bundle. */
export type ManifestStatus = 'matched' | 'mismatched' | 'missing' | 'new' | 'unlisted';

export interface CaseSummary {
  id: string; // AI-IR-YYYY-NNNN
  title: string;
  examiner: string | null;
  createdAt: string; // ISO 8601 UTC
  evidenceCount: number;
  totalBytes: number;
}

export interface EvidenceItem {
  id: number;
  ingestId: number;
  /** Path inside the bundle, POSIX separators. Unique per ingest together with `occurrence`. */
  path: string;
  /** 1 for the first entry of this path in its bundle; >1 for a duplicate name in an archive. */
  occurrence: number;
  kind: EvidenceKind;
  size: number;
  sha256: string | null; // null for links, which are recorded, never followed
  mtime: string | null;
  sourcePath: string;
  linkTarget: string | null;
  /** Set when a checksum file in the same bundle listed this path. */
  manifestStatus: ManifestStatus | null;
  manifestExpected: string | null;
  /** Original name bytes (hex) when they were not valid UTF-8. */
  rawNameHex: string | null;
  custodian: string;
  host: string;
  storedAt: string;
}

export interface ManifestCheck {
  manifestPath: string;
  listedPath: string;
  expected: string;
  actual: string | null;
  status: 'matched' | 'mismatched' | 'missing';
}

export interface IngestSummary {
  caseId: string;
  ingestId: number;
  bundle: string;
  files: number;
  links: number;
  bytes: number;
  /** Objects whose bytes were already in the store (resumed ingest or duplicate content). */
  reused: number;
  manifest: {
    matched: number;
    mismatched: number;
    missing: number;
    new: number;
    checks: ManifestCheck[];
  };
  warnings: string[];
  seconds: number;
}

export interface CustodyEvent {
  seq: number;
  at: string; // ISO 8601 UTC
  actor: string;
  action: CustodyAction;
  subject: string;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
  signature: string | null;
  signer: string | null;
}

export type CustodyAction =
  | 'case.created'
  | 'ingest.started'
  | 'ingest.finished'
  | 'ingest.failed'
  | 'ingest.cancelled'
  | 'evidence.stored'
  | 'verify.run'
  | 'findings.recorded'
  // A preserved object's scan verdict changed when it was judged again under newer rules.
  | 'scan.verdict.changed'
  // Custodian keys and signed artefacts (src/core/keys, src/core/report, src/core/transfer).
  | 'custodian.key'
  | 'custodian.status'
  | 'checkpoint.signed'
  | 'report.exported'
  | 'case.exported'
  | 'case.imported'
  // An eval-run import that failed after the case was opened (src/core/behavior).
  | 'behavior.import.failed'
  // The output-log audit (src/core/audit).
  | 'audit.imported'
  | 'audit.import.failed'
  | 'audit.window.set'
  | 'audit.sample.drawn'
  | 'audit.labelled'
  | 'audit.exported'
  | 'audit.index.built'
  | 'audit.result.imported'
  // The incident record (src/core/incident): each change is a new event; the latest wins.
  | 'incident.header.set'
  | 'incident.role.assigned'
  | 'incident.trigger.set'
  | 'incident.action.recorded'
  | 'incident.timeline.added'
  | 'incident.factor.recorded'
  | 'incident.decision.recorded'
  | 'incident.gate.recorded'
  | 'incident.replacement.linked'
  | 'incident.checklist.recorded';

export type VerifyProblem =
  | { kind: 'object-modified'; sha256: string; paths: string[]; actual: string }
  | { kind: 'object-missing'; sha256: string; paths: string[] }
  | { kind: 'object-unreadable'; sha256: string; paths: string[]; reason: string }
  | { kind: 'object-size'; sha256: string; paths: string[]; expected: number; actual: number }
  | { kind: 'chain-broken'; seq: number; reason: string }
  | { kind: 'trigger-missing'; trigger: string }
  | { kind: 'evidence-mismatch'; evidenceId: number; path: string; seq: number; reason: string }
  | { kind: 'findings-mismatch'; runId: string; seq: number; reason: string }
  | { kind: 'audit-import-mismatch'; importId: number; path: string; seq: number; reason: string }
  /** An event's Ed25519 signature that fails, or whose signer is unknown, retired or revoked. */
  | { kind: 'signature-invalid'; seq: number; signer: string | null; reason: string }
  /**
   * An event whose hashed content says it was signed by `signer` (details.signedBy, a key
   * introduction, a signed checkpoint) but which now carries no signature: it was stripped.
   */
  | { kind: 'signature-removed'; seq: number; signer: string; reason: string }
  /** The workstation's custodian log (custodians/log.jsonl) or key files disagree with themselves. */
  | { kind: 'custodian-log'; file: string; reason: string }
  /** An append-only trigger whose SQL is not the one the schema creates (it no longer refuses). */
  | { kind: 'trigger-altered'; trigger: string; sql: string }
  /** A trigger on the case's tables that the schema never creates. */
  | { kind: 'trigger-unexpected'; trigger: string; sql: string }
  /**
   * A checksum-check, verification or object row that disagrees with the custody event that
   * created it (or with the rows it is derived from), or that no event created.
   */
  | { kind: 'row-mismatch'; table: string; subject: string; seq: number; reason: string }
  /**
   * The custody log ends before a head recorded elsewhere (the workstation's witness log, an
   * earlier verification, a signed checkpoint, a report bundle): truncated or rolled back.
   */
  | { kind: 'witness-mismatch'; witness: string; seq: number; hash: string; at: string; reason: string }
  /** The workstation witness log itself is damaged. */
  | { kind: 'witness-log'; file: string; reason: string }
  /** A file in the object store that no evidence row names, or whose name is not a digest path. */
  | { kind: 'object-stray'; file: string; reason: string }
  /** A derived index (the audit's DuckDB file) that a rebuild from the evidence does not reproduce. */
  | { kind: 'derived-mismatch'; file: string; reason: string };

export interface VerifyReport {
  caseId: string;
  ok: boolean;
  objectsChecked: number;
  bytesChecked: number;
  eventsChecked: number;
  lastSeq: number;
  lastHash: string;
  problems: VerifyProblem[];
  /** One readable line per problem, naming the file or seq. */
  messages: string[];
  /**
   * What this run could not vouch for, one line each: how far back a witness reaches ("no witness
   * beyond seq N: …"), row columns that older custody events did not record, orphans left for a
   * resumable ingest. They do not fail the run.
   */
  notes: string[];
  at: string;
  seconds: number;
}

/** One problem of a verification as the screens list it: its line, and the evidence it concerns. */
export interface VerificationIssue {
  kind: VerifyProblem['kind'];
  message: string;
  /** The evidence paths the problem names (an object's every path); empty for the log or the database. */
  paths: string[];
  /** The stored object concerned, when the problem is about one. */
  sha256: string | null;
}

export interface ChainStatus {
  lastSeq: number;
  lastHash: string;
  lastVerification: {
    at: string;
    ok: boolean;
    throughSeq: number;
    problems: number;
    /** Each problem of that run, with the file it names. */
    issues: VerificationIssue[];
  } | null;
}

/** A case as the case list shows it: its summary, incident status and severity, and how it last verified. */
export interface CaseListEntry extends CaseSummary {
  /** The incident's status as last recorded; null when none was recorded (the case is open). */
  status: string | null;
  severity: string | null;
  lastVerification: { at: string; ok: boolean; problems: number } | null;
  /** Files whose checksum-list line disagreed with what was read at ingest. */
  mismatched: number;
}

export interface CaseOverview {
  summary: CaseSummary;
  countsByKind: Partial<Record<EvidenceKind, number>>;
  manifest: { matched: number; mismatched: number; missing: number; new: number };
  chain: ChainStatus;
  ingests: { id: number; bundle: string; status: string; startedAt: string; finishedAt: string | null }[];
}

export interface Progress {
  jobId: string;
  phase: 'scanning' | 'hashing' | 'committing' | 'verifying-chain' | 'done';
  bytesDone: number;
  bytesTotal: number;
  filesDone: number;
  filesTotal: number;
  /** Per-file progress for files currently being read. */
  current: { path: string; bytesDone: number; bytesTotal: number }[];
  rateBytesPerSec: number;
  etaSeconds: number | null;
}

/** pass / fail / not analysed (never "passed" when Probity could not look) / info. */
export type FindingStatus = 'pass' | 'fail' | 'not-analysed' | 'info';

/** One result of an analysis stage, stored append-only and vouched for by a custody event. */
export interface Finding {
  id: number;
  runId: string;
  stage: string;
  check: string;
  status: FindingStatus;
  subject: string | null;
  summary: string;
  details: Record<string, unknown>;
  createdAt: string;
}
