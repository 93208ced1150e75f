/**
 * Wire types of the output-log audit (the playbook's "Assess blast radius", "Output audit" and
 * "Tool call audit") as the Audit stage sees them. Types only: the core's own results
 * (src/core/audit) are checked against these by the compiler where the service returns them, so
 * the two cannot drift apart.
 */

export const AUDIT_LABELS = ['harmful', 'benign', 'unsure', 'escalate'] as const;
export type AuditLabel = (typeof AUDIT_LABELS)[number];
export const AUDIT_STRATA = ['none', 'day', 'tool', 'user'] as const;
export type AuditStrata = (typeof AUDIT_STRATA)[number];
export const AUDIT_ALLOCATIONS = ['proportional', 'neyman'] as const;
export type AuditAllocation = (typeof AUDIT_ALLOCATIONS)[number];
export const AUDIT_LOG_FORMATS = ['generic', 'openai-chat', 'openai-batch', 'otel'] as const;
export type AuditLogFormat = (typeof AUDIT_LOG_FORMATS)[number];

export interface Interval {
  estimate: number;
  lower: number;
  upper: number;
  method: string;
  confidence: number;
}

/** An output log imported into the case. */
export interface AuditImportView {
  id: number;
  /** Evidence path of the log. */
  file: string;
  sha256: string;
  format: AuditLogFormat;
  status: string;
  records: number;
  malformed: number;
  startedAt: string;
  finishedAt: string | null;
}

/** A file of the case's evidence that looks like an output log (JSON lines or JSON). */
export interface AuditLogCandidate {
  evidenceId: number;
  path: string;
  size: number;
  sha256: string;
  /** Id of the finished import of this file, or null when not imported yet. */
  importId: number | null;
}

export interface AuditImportReport {
  caseId: string;
  importId: number;
  file: string;
  sha256: string;
  format: AuditLogFormat;
  preserved: boolean;
  alreadyImported: boolean;
  records: number;
  toolCalls: number;
  malformed: number;
  problems: { line: number; item: string | null; reason: string }[];
  duplicates: number;
  missingUserIds: number;
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  seconds: number;
  recordsPerSecond: number;
}

export interface DeploymentEvent {
  line: number;
  timestamp: string;
  event: string;
  version: string | null;
  kind: 'deploy' | 'isolate' | 'other';
}

export type WindowSource =
  | { kind: 'manual'; from: string; to: string; zonelessInputs: string[] }
  | {
      kind: 'deployments';
      evidencePath: string;
      sha256: string;
      version: string;
      start: DeploymentEvent;
      end: DeploymentEvent;
    };

export interface ToolRuleView {
  require?: string[];
  max?: Record<string, number>;
  allow?: Record<string, (string | number | boolean)[]>;
}

export interface AuditWindowView {
  id: number;
  startMs: number;
  endMs: number;
  start: string;
  end: string;
  source: WindowSource;
  policy: { tools: Record<string, ToolRuleView> } | null;
  policySha256: string | null;
  actor: string;
  createdAt: string;
}

/** The deployment history found in the evidence, for the timeline. */
export interface DeploymentHistory {
  evidencePath: string;
  sha256: string;
  events: DeploymentEvent[];
}

export interface RegionStats {
  requests: number;
  users: number;
  requestsWithoutUser: number;
  conversations: number;
  toolCalls: { total: number; byName: Record<string, number> };
  requestsWithToolCalls: number;
  downstream: Record<string, number>;
  modelVersions: Record<string, number>;
  perDay: { day: string; requests: number }[];
  first: string | null;
  last: string | null;
}

export interface BlastRadiusView {
  caseId: string;
  window: { id: number; start: string; end: string; source: WindowSource };
  inside: RegionStats;
  outside: RegionStats;
  sources: { file: string; sha256: string; records: number }[];
  notes: string[];
}

/** Distinct users with a request inside the window, per UTC day. */
export interface UsersPerDay {
  day: string;
  users: number;
  newUsers: number;
}

export interface ReviewPlanView {
  prevalence: number;
  confidence: number;
  population: number | null;
  sampleSize: number;
  method: string;
  statement: string;
}

export interface StratumDetail {
  key: string;
  population: number;
  allocated: number;
  sd?: number;
}

export interface SampleView {
  id: number;
  windowId: number;
  seed: string;
  size: number;
  strata: AuditStrata;
  allocation: AuditAllocation;
  population: number;
  strataDetail: StratumDetail[];
  idsSha256: string;
  actor: string;
  createdAt: string;
}

export interface LabelEntryView {
  id: number;
  requestId: string;
  reviewer: string;
  label: AuditLabel;
  note: string | null;
  createdAt: string;
}

export interface RecordView {
  recordId: number;
  requestId: string;
  timestamp: string;
  userId: string | null;
  conversationId: string | null;
  modelVersion: string | null;
  downstream: string | null;
  messages: { role: string; content: string }[];
  response: string | null;
  toolCalls: { name: string; arguments: string | null; callId: string | null }[];
  source: { file: string; sha256: string; format: AuditLogFormat; line: number; item: string | null };
  labels: LabelEntryView[];
}

export interface ReviewItemView {
  sampleId: number;
  position: number;
  size: number;
  remaining: number;
  stratum: string;
  record: RecordView;
  /** Why each tool call breaks the window's authorized-tools policy (empty when none does or no policy). */
  violations: { index: number; tool: string; reason: string }[];
}

export interface ReviewProgressView {
  sampleId: number;
  size: number;
  labelled: number;
  byLabel: Record<AuditLabel, number>;
  byReviewer: Record<string, number>;
  doubleReviewed: number;
}

export interface ProjectedRangeView {
  expected: number;
  lower: number;
  upper: number;
  method: string;
}

export interface PrevalenceView {
  positives: number;
  sampled: number;
  estimate: number;
  wilson: Interval;
  clopperPearson: Interval;
  zeroFound: { exact: Interval; ruleOfThree: Interval } | null;
  stratified: (Interval & { standardError: number; notes: string[] }) | null;
  stratifiedUnavailable: string | null;
  projectedRequests: ProjectedRangeView;
}

export interface AuditEstimateView {
  caseId: string;
  confidence: number;
  sample: SampleView;
  harmful: {
    status: 'estimated' | 'not-analysed';
    sampleSize: number;
    reviewed: number;
    unreviewed: number;
    unresolved: { unsure: number; escalate: number };
    prevalence: PrevalenceView | null;
    ifUnresolvedHarmful: { estimate: number; wilson: Interval } | null;
    harmfulRequestIds: string[];
    projectedUsers: (ProjectedRangeView & { found: number }) | null;
  };
  toolCalls: {
    status: 'analysed' | 'not-analysed';
    policySha256: string | null;
    census: {
      calls: number;
      unauthorizedCalls: number;
      requestsWithUnauthorized: number;
      byTool: Record<string, { calls: number; unauthorized: number }>;
      byReason: Record<string, number>;
      requestIds: string[];
    } | null;
    sample: PrevalenceView | null;
  };
  agreement: {
    reviewers: [string, string];
    n: number;
    kappa: number;
    observedAgreement: number;
    disagreements: string[];
  } | null;
  notes: string[];
  /** The run id of the findings written when the estimate was recorded in the case, else null. */
  recordedRunId: string | null;
}

/** Everything the Audit stage shows when it opens, in one call. */
export interface AuditState {
  caseId: string;
  /** Who labels in this session (the host's actor). */
  reviewer: string;
  logs: AuditLogCandidate[];
  imports: AuditImportView[];
  deployments: DeploymentHistory[];
  window: AuditWindowView | null;
  blastRadius: BlastRadiusView | null;
  usersPerDay: UsersPerDay[];
  sample: SampleView | null;
  progress: ReviewProgressView | null;
  /** Why no blast radius can be shown yet (no import, no window, an import unfinished). */
  waitingFor: string | null;
}

/** A record of the sample this reviewer labelled, with their current label. */
export interface ReviewedItemView {
  position: number;
  requestId: string;
  stratum: string;
  label: AuditLabel;
  note: string | null;
  labelledAt: string;
  /** Labels this reviewer gave it; above 1 when it was relabelled. */
  labels: number;
}

export interface AuditLabelResult {
  progress: ReviewProgressView;
  /** The next record for this reviewer, fetched in the same call so the queue moves at once. */
  next: ReviewItemView | null;
}

export interface AuditExportResult {
  out: string;
  format: 'csv' | 'json';
  rows: number;
  sha256: string;
  sampleId: number;
  /** The file's text, for a download in the browser. */
  content: string;
}
