/**
 * The contract between the workstation UI and the core, identical over both hosts: Electron IPC
 * (preload → ipcMain.handle) and browser mode (`probity serve`: HTTP JSON + server-sent events).
 * Types only. Channels are named `domain:verb`.
 */
import type {
  CaseOverview,
  CaseSummary,
  CustodyEvent,
  EvidenceItem,
  EvidenceKind,
  IngestSummary,
  Progress,
  VerifyReport,
} from './domain';
import type {
  BehaviorComparison,
  BehaviorFormat,
  BehaviorImportSummary,
  BehaviorItemFilter,
  BehaviorItemsPage,
  BehaviorRole,
  BehaviorRun,
} from './behavior';
import type {
  AuditEstimateView,
  AuditExportResult,
  AuditImportReport,
  AuditLabel,
  AuditLabelResult,
  AuditAllocation,
  AuditLogFormat,
  AuditState,
  AuditStrata,
  AuditWindowView,
  ReviewItemView,
  ReviewPlanView,
  SampleView,
} from './audit';
import type { IncidentChangeArgs, IncidentView } from './incident';
import type { ReportExportView, ReportFormat } from './report';
import type { CustodianList, CustodianView, SignedCheckpointView } from './custodians';
import type { ArtifactInspection, IntegrityRun, ProvenanceResult, WeightDiffResult } from './integrity';

export interface AppInfo {
  version: string;
  mode: 'desktop' | 'browser';
  home: string;
  host: string;
  actor: string;
  /** In browser mode the ingest dialog takes a path on the workstation running `probity serve`. */
  pathInput: 'dialog' | 'text';
}

export interface DemoCases {
  incidentCaseId: string;
  referenceCaseId: string;
}

/** Every method: its channel, its argument object and its result. */
export interface ApiMethods {
  'app:info': { args: Record<string, never>; result: AppInfo };
  'cases:list': { args: Record<string, never>; result: CaseSummary[] };
  'cases:create': { args: { title: string; examiner?: string | null }; result: CaseSummary };
  'cases:overview': { args: { caseId: string }; result: CaseOverview };
  'evidence:list': { args: { caseId: string; kind?: EvidenceKind }; result: EvidenceItem[] };
  'ingest:start': { args: { caseId: string; bundle: string }; result: { jobId: string } };
  'verify:start': { args: { caseId: string }; result: { jobId: string } };
  'jobs:cancel': { args: { jobId: string }; result: { cancelled: boolean } };
  'custody:log': { args: { caseId: string }; result: CustodyEvent[] };
  'demo:open': { args: Record<string, never>; result: DemoCases };
  /** Desktop only: the native folder/file picker. Browser mode answers null (type the path). */
  'dialog:pickBundle': { args: { kind: 'folder' | 'file' }; result: string | null };
  /** The playbook's four integrity checks against an optional known-good case; the run is recorded. */
  'integrity:run': {
    args: {
      caseId: string;
      baselineCaseId?: string | null;
      /** The authorized adapter names, one per line or comma-separated, each optionally `name sha256`. */
      authorizedAdapters?: string | null;
      /** The path of an approved serving configuration on the host. */
      approvedConfig?: string | null;
    };
    result: IntegrityRun;
  };
  /** The last recorded integrity run of a case (its checks and failing items), or null. */
  'integrity:latest': { args: { caseId: string }; result: IntegrityRun | null };
  /** Tensor-by-tensor diff of the baseline case's weights (a) against this case's (b). */
  'integrity:diffWeights': { args: { caseId: string; baselineCaseId: string }; result: WeightDiffResult };
  /** The provenance chain walked step by step, with the compromise point; the run is recorded. */
  'integrity:provenance': {
    args: { caseId: string; baselineCaseId?: string | null };
    result: ProvenanceResult;
  };
  /** One evidence file parsed by the format parsers. */
  'artifact:inspect': { args: { caseId: string; evidenceId: number }; result: ArtifactInspection };
  /** The eval runs imported into the case. */
  'behavior:runs': { args: { caseId: string }; result: BehaviorRun[] };
  /** Import an eval run file (stored as evidence first); the import is recorded. */
  'behavior:import': {
    args: {
      caseId: string;
      path: string;
      role: BehaviorRole;
      label?: string | null;
      format?: BehaviorFormat | 'auto' | null;
    };
    result: BehaviorImportSummary;
  };
  /** Paired comparison of two runs (runs named by label or #id), as `behavior compare --json`; recorded. */
  'behavior:compare': {
    args: {
      caseId: string;
      baseline: string;
      suspect: string;
      margin: number;
      marginKind: 'points' | 'relative';
      confidence: number;
      /** Refusal phrases, one per line (`#` comments), re-deciding heuristic refusals; null: the default. */
      refusalPhrases?: string | null;
    };
    result: BehaviorComparison;
  };
  /** The default refusal phrase list of the heuristic, to start an edited list from. */
  'behavior:refusalPhrases': { args: Record<string, never>; result: { phrases: string[]; sha256: string } };
  /** A page of the two runs' paired items with prompt and both responses. */
  'behavior:items': {
    args: {
      caseId: string;
      baseline: string;
      suspect: string;
      filter: BehaviorItemFilter;
      offset: number;
      limit: number;
    };
    result: BehaviorItemsPage;
  };
  /** Imports, window, deployment history, blast radius, current sample and review progress. */
  'audit:state': { args: { caseId: string }; result: AuditState };
  /** Import an output log (a file on the host, preserved first, or evidence of the case); recorded. */
  'audit:import': {
    args: { caseId: string; path: string; format?: AuditLogFormat | 'auto' | null };
    result: AuditImportReport;
  };
  /** Set the compromise window from the deployment records or by hand, with an optional tool policy. */
  'audit:window': {
    args: {
      caseId: string;
      from: 'deployments' | 'manual';
      start?: string | null;
      end?: string | null;
      deployments?: string | null;
      version?: string | null;
      policy?: string | null;
    };
    result: AuditWindowView;
  };
  /** The discovery sample size for a prevalence and confidence (finite population when given). */
  'audit:plan': {
    args: { prevalence: number; confidence: number; population?: number | null };
    result: ReviewPlanView;
  };
  /** Draw a reproducible review sample of the window (seed recorded in the custody log). */
  'audit:sample': {
    args: { caseId: string; size: number; strata: AuditStrata; allocation: AuditAllocation; seed: string };
    result: SampleView;
  };
  /** The next sampled record this session's reviewer has not labelled, or null. */
  'audit:next': { args: { caseId: string; secondReview?: boolean | null }; result: ReviewItemView | null };
  /** Label a record (append-only) and get the next one in the same call. */
  'audit:label': {
    args: {
      caseId: string;
      requestId: string;
      label: AuditLabel;
      note?: string | null;
      secondReview?: boolean | null;
    };
    result: AuditLabelResult;
  };
  /** Prevalence of harmful outputs and unauthorized tool calls; with record, written as findings. */
  'audit:estimate': {
    args: { caseId: string; confidence?: number | null; record?: boolean | null };
    result: AuditEstimateView;
  };
  /** Write the reviewed sample under the workstation's exports folder (recorded) and return it. */
  'audit:export': { args: { caseId: string; format: 'csv' | 'json' }; result: AuditExportResult };
  /** The workstation's custodians and the public keys learnt from imported cases. */
  'custodians:list': { args: Record<string, never>; result: CustodianList };
  /** A new Ed25519 key pair for a custodian, encrypted at rest with the passphrase. */
  'custodians:add': {
    args: { name: string; role?: string | null; passphrase: string };
    result: CustodianView;
  };
  /** Replace a custodian's key: the old key (its passphrase) signs the change. */
  'custodians:rotate': {
    args: { name: string; passphrase: string; newPassphrase: string };
    result: { custodian: CustodianView; previousFingerprint: string };
  };
  /** Revoke a custodian's key for good; signatures dated later are named by verify. */
  'custodians:revoke': { args: { name: string; reason: string }; result: CustodianView };
  /** Sign the case's chain head as a custodian (a checkpoint a second custodian can pin). */
  'checkpoint:sign': {
    args: { caseId: string; custodian: string; passphrase: string };
    result: SignedCheckpointView;
  };
  /** The incident record: header, roles, triggers, actions, timeline, matrix, gate, replacement, checklist. */
  'incident:view': { args: { caseId: string }; result: IncidentView };
  /** Record one change to the incident (a custody event) and return the record as it now stands. */
  'incident:update': { args: { caseId: string; change: IncidentChangeArgs }; result: IncidentView };
  /** report.html as an export made now would write it (nothing written, nothing recorded). */
  'report:preview': { args: { caseId: string; signer?: string | null }; result: { html: string } };
  /** Write the post-mortem bundle under the workstation's reports folder, signed when a custodian is given. */
  'report:export': {
    args: { caseId: string; formats: ReportFormat[]; custodian?: string | null; passphrase?: string | null };
    result: ReportExportView;
  };
}

export type Channel = keyof ApiMethods;
export type ArgsOf<C extends Channel> = ApiMethods[C]['args'];
export type ResultOf<C extends Channel> = ApiMethods[C]['result'];

export interface ApiError {
  code: string;
  message: string;
  file: string | null;
}

/** What crosses the wire for every call: errors are data, rebuilt into an Error on the UI side. */
export type Envelope<T> = { ok: true; result: T } | { ok: false; error: ApiError };

/** Events pushed from the host to the UI. */
export type JobEvent =
  | { type: 'progress'; jobId: string; caseId: string; kind: JobKind; progress: Progress }
  | { type: 'finished'; jobId: string; caseId: string; kind: 'ingest'; summary: IngestSummary }
  | { type: 'finished'; jobId: string; caseId: string; kind: 'verify'; report: VerifyReport }
  | { type: 'failed'; jobId: string; caseId: string; kind: JobKind; error: ApiError };

export type JobKind = 'ingest' | 'verify';

export const JOB_EVENT_CHANNEL = 'jobs:event';

/**
 * The object the preload script exposes as `window.probity`: one function per method, nothing
 * else (no raw ipcRenderer, no generic invoke). The preload's object `satisfies ProbityApi`.
 */
export interface ProbityApi {
  appInfo(): Promise<Envelope<AppInfo>>;
  listCases(): Promise<Envelope<CaseSummary[]>>;
  createCase(args: ArgsOf<'cases:create'>): Promise<Envelope<CaseSummary>>;
  caseOverview(args: ArgsOf<'cases:overview'>): Promise<Envelope<CaseOverview>>;
  listEvidence(args: ArgsOf<'evidence:list'>): Promise<Envelope<EvidenceItem[]>>;
  startIngest(args: ArgsOf<'ingest:start'>): Promise<Envelope<{ jobId: string }>>;
  startVerify(args: ArgsOf<'verify:start'>): Promise<Envelope<{ jobId: string }>>;
  cancelJob(args: ArgsOf<'jobs:cancel'>): Promise<Envelope<{ cancelled: boolean }>>;
  custodyLog(args: ArgsOf<'custody:log'>): Promise<Envelope<CustodyEvent[]>>;
  openDemo(): Promise<Envelope<DemoCases>>;
  pickBundle(args: ArgsOf<'dialog:pickBundle'>): Promise<Envelope<string | null>>;
  runIntegrity(args: ArgsOf<'integrity:run'>): Promise<Envelope<IntegrityRun>>;
  latestIntegrity(args: ArgsOf<'integrity:latest'>): Promise<Envelope<IntegrityRun | null>>;
  diffWeights(args: ArgsOf<'integrity:diffWeights'>): Promise<Envelope<WeightDiffResult>>;
  provenance(args: ArgsOf<'integrity:provenance'>): Promise<Envelope<ProvenanceResult>>;
  inspectArtifact(args: ArgsOf<'artifact:inspect'>): Promise<Envelope<ArtifactInspection>>;
  behaviorRuns(args: ArgsOf<'behavior:runs'>): Promise<Envelope<BehaviorRun[]>>;
  importBehaviorRun(args: ArgsOf<'behavior:import'>): Promise<Envelope<BehaviorImportSummary>>;
  compareBehavior(args: ArgsOf<'behavior:compare'>): Promise<Envelope<BehaviorComparison>>;
  refusalPhrases(): Promise<Envelope<{ phrases: string[]; sha256: string }>>;
  behaviorItems(args: ArgsOf<'behavior:items'>): Promise<Envelope<BehaviorItemsPage>>;
  auditState(args: ArgsOf<'audit:state'>): Promise<Envelope<AuditState>>;
  importAuditLog(args: ArgsOf<'audit:import'>): Promise<Envelope<AuditImportReport>>;
  setAuditWindow(args: ArgsOf<'audit:window'>): Promise<Envelope<AuditWindowView>>;
  planAuditReview(args: ArgsOf<'audit:plan'>): Promise<Envelope<ReviewPlanView>>;
  drawAuditSample(args: ArgsOf<'audit:sample'>): Promise<Envelope<SampleView>>;
  nextAuditItem(args: ArgsOf<'audit:next'>): Promise<Envelope<ReviewItemView | null>>;
  labelAuditItem(args: ArgsOf<'audit:label'>): Promise<Envelope<AuditLabelResult>>;
  auditEstimate(args: ArgsOf<'audit:estimate'>): Promise<Envelope<AuditEstimateView>>;
  exportAuditSample(args: ArgsOf<'audit:export'>): Promise<Envelope<AuditExportResult>>;
  listCustodians(): Promise<Envelope<CustodianList>>;
  addCustodian(args: ArgsOf<'custodians:add'>): Promise<Envelope<CustodianView>>;
  rotateCustodian(args: ArgsOf<'custodians:rotate'>): Promise<Envelope<ResultOf<'custodians:rotate'>>>;
  revokeCustodian(args: ArgsOf<'custodians:revoke'>): Promise<Envelope<CustodianView>>;
  signCheckpoint(args: ArgsOf<'checkpoint:sign'>): Promise<Envelope<SignedCheckpointView>>;
  incidentView(args: ArgsOf<'incident:view'>): Promise<Envelope<IncidentView>>;
  updateIncident(args: ArgsOf<'incident:update'>): Promise<Envelope<IncidentView>>;
  previewReport(args: ArgsOf<'report:preview'>): Promise<Envelope<{ html: string }>>;
  exportReport(args: ArgsOf<'report:export'>): Promise<Envelope<ReportExportView>>;
  onJobEvent(listener: (e: JobEvent) => void): () => void;
}

/** The method name of ProbityApi that carries each channel. */
export type MethodOf = {
  'app:info': 'appInfo';
  'cases:list': 'listCases';
  'cases:create': 'createCase';
  'cases:overview': 'caseOverview';
  'evidence:list': 'listEvidence';
  'ingest:start': 'startIngest';
  'verify:start': 'startVerify';
  'jobs:cancel': 'cancelJob';
  'custody:log': 'custodyLog';
  'demo:open': 'openDemo';
  'dialog:pickBundle': 'pickBundle';
  'integrity:run': 'runIntegrity';
  'integrity:latest': 'latestIntegrity';
  'integrity:diffWeights': 'diffWeights';
  'integrity:provenance': 'provenance';
  'artifact:inspect': 'inspectArtifact';
  'behavior:runs': 'behaviorRuns';
  'behavior:import': 'importBehaviorRun';
  'behavior:compare': 'compareBehavior';
  'behavior:refusalPhrases': 'refusalPhrases';
  'behavior:items': 'behaviorItems';
  'audit:state': 'auditState';
  'audit:import': 'importAuditLog';
  'audit:window': 'setAuditWindow';
  'audit:plan': 'planAuditReview';
  'audit:sample': 'drawAuditSample';
  'audit:next': 'nextAuditItem';
  'audit:label': 'labelAuditItem';
  'audit:estimate': 'auditEstimate';
  'audit:export': 'exportAuditSample';
  'custodians:list': 'listCustodians';
  'custodians:add': 'addCustodian';
  'custodians:rotate': 'rotateCustodian';
  'custodians:revoke': 'revokeCustodian';
  'checkpoint:sign': 'signCheckpoint';
  'incident:view': 'incidentView';
  'incident:update': 'updateIncident';
  'report:preview': 'previewReport';
  'report:export': 'exportReport';
};
