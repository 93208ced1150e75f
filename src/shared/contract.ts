/**
 * The contract between the workstation UI and the core, identical over both hosts: Electron IPC
 * (preload → ipcMain.handle) and browser mode (`probity serve`: HTTP JSON + server-sent events).
 * Types, plus the METHODS table they are derived from (and the small helpers reading it): no import
 * beyond src/shared, so the preload, the renderer and the core can all load it. Channels are named
 * `domain:verb`.
 */
import type {
  CaseOverview,
  CaseListEntry,
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
  LatestBehaviorComparison,
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
  ReviewedItemView,
  ReviewPlanView,
  SampleView,
} from './audit';
import type { IncidentChangeArgs, IncidentView } from './incident';
import type { ReportExportView, ReportFormat } from './report';
import type { CustodianList, CustodianView, SignedCheckpointView } from './custodians';
import type {
  ArtifactInspection,
  IntegrityRun,
  ProvenanceResult,
  TrustRootCandidate,
  WeightDiffResult,
} from './integrity';
import type { CaseScanState, RescanResult } from './scan';

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

/** A method that takes no argument: the page calls it as `name()`, the wire carries `{}`. */
export type NoArgs = Record<string, never>;

/**
 * One row of METHODS: the name the page calls the method by. Its argument and result types ride
 * along in `types`, which exists for the compiler only and is never set at runtime.
 */
export interface MethodSpec<A = unknown, R = unknown> {
  readonly name: string;
  readonly types?: { readonly args: A; readonly result: R };
}

/** `method<Args, Result>()('name')`: curried so the types are written and the name is inferred. */
function method<A, R>() {
  return <N extends string>(name: N): MethodSpec<A, R> & { readonly name: N } => ({ name });
}

/**
 * THE CONTRACT, written once. One entry per method: its channel (`domain:verb`, what crosses IPC
 * and `POST /api/<channel>`), the name the page calls it by on `window.probity`, and its argument
 * and result types. `ProbityApi`, the preload bridge, the renderer's HTTP client and the service's
 * dispatch are all built from this table; the service's zod schemas are checked against its keys.
 * Adding a method: one entry here, one argument schema and one handler in src/core/api.
 */
export const METHODS = {
  'app:info': method<NoArgs, AppInfo>()('appInfo'),
  'cases:list': method<NoArgs, CaseListEntry[]>()('listCases'),
  'cases:create': method<{ title: string; examiner?: string | null }, CaseSummary>()('createCase'),
  'cases:overview': method<{ caseId: string }, CaseOverview>()('caseOverview'),
  'evidence:list': method<{ caseId: string; kind?: EvidenceKind }, EvidenceItem[]>()('listEvidence'),
  'ingest:start': method<{ caseId: string; bundle: string }, { jobId: string }>()('startIngest'),
  'verify:start': method<{ caseId: string }, { jobId: string }>()('startVerify'),
  'jobs:cancel': method<{ jobId: string }, { cancelled: boolean }>()('cancelJob'),
  'custody:log': method<{ caseId: string }, CustodyEvent[]>()('custodyLog'),
  'demo:open': method<NoArgs, DemoCases>()('openDemo'),
  /** Desktop only: the native folder/file picker. Browser mode answers null (type the path). */
  'dialog:pickBundle': method<{ kind: 'folder' | 'file' }, string | null>()('pickBundle'),
  /** The playbook's four integrity checks against an optional known-good case; the run is recorded. */
  'integrity:run': method<
    {
      caseId: string;
      baselineCaseId?: string | null;
      /** The authorized adapter names, one per line or comma-separated, each optionally `name sha256`. */
      authorizedAdapters?: string | null;
      /** The path of an approved serving configuration on the host. */
      approvedConfig?: string | null;
      /**
       * The CA certificates a model_signing certificate chain must lead to: one of the case's own
       * evidence files (see `integrity:trustRoots`) or a PEM file on the host.
       */
      trustRoot?: { evidenceId: number } | { path: string } | null;
    },
    IntegrityRun
  >()('runIntegrity'),
  /** The case's evidence files that are PEM certificates, offered as trust roots for a run. */
  'integrity:trustRoots': method<{ caseId: string }, TrustRootCandidate[]>()('trustRootCandidates'),
  /** The last recorded integrity run of a case (its checks and failing items), or null. */
  'integrity:latest': method<{ caseId: string }, IntegrityRun | null>()('latestIntegrity'),
  /** Tensor-by-tensor diff of the baseline case's weights (a) against this case's (b). */
  'integrity:diffWeights': method<{ caseId: string; baselineCaseId: string }, WeightDiffResult>()(
    'diffWeights',
  ),
  /** The provenance chain walked step by step, with the compromise point; the run is recorded. */
  'integrity:provenance': method<{ caseId: string; baselineCaseId?: string | null }, ProvenanceResult>()(
    'provenance',
  ),
  /**
   * The scanner's last recorded verdicts on the case's preserved objects, the rules each came from,
   * the current rules, and whether a re-scan is due (some verdict predates the current rules).
   */
  'scan:state': method<{ caseId: string }, CaseScanState>()('scanState'),
  /**
   * Judge every preserved object again under the current rules; each changed verdict is recorded as
   * a finding and a scan.verdict.changed custody event, each unchanged one as re-confirmed.
   */
  'scan:rescan': method<{ caseId: string }, RescanResult>()('rescan'),
  /** One evidence file parsed by the format parsers. */
  'artifact:inspect': method<{ caseId: string; evidenceId: number }, ArtifactInspection>()('inspectArtifact'),
  /** The eval runs imported into the case. */
  'behavior:runs': method<{ caseId: string }, BehaviorRun[]>()('behaviorRuns'),
  /** Import an eval run file (stored as evidence first); the import is recorded. */
  'behavior:import': method<
    {
      caseId: string;
      /** A full path on the host, or with `fromEvidence` the recorded path of evidence in the case. */
      path: string;
      /** Read the eval run from the case's own evidence (no new copy is made). */
      fromEvidence?: boolean | null;
      role: BehaviorRole;
      label?: string | null;
      format?: BehaviorFormat | 'auto' | null;
    },
    BehaviorImportSummary
  >()('importBehaviorRun'),
  /** Paired comparison of two runs (runs named by label or #id), as `behavior compare --json`; recorded. */
  'behavior:compare': method<
    {
      caseId: string;
      baseline: string;
      suspect: string;
      margin: number;
      marginKind: 'points' | 'relative';
      confidence: number;
      /** Refusal phrases, one per line (`#` comments), re-deciding heuristic refusals; null: the default. */
      refusalPhrases?: string | null;
    },
    BehaviorComparison
  >()('compareBehavior'),
  /** The latest recorded comparison, computed again from its custody event (nothing is recorded). */
  'behavior:latest': method<{ caseId: string }, LatestBehaviorComparison>()('latestComparison'),
  /** The default refusal phrase list of the heuristic, to start an edited list from. */
  'behavior:refusalPhrases': method<NoArgs, { phrases: string[]; sha256: string }>()('refusalPhrases'),
  /** A page of the two runs' paired items with prompt and both responses. */
  'behavior:items': method<
    {
      caseId: string;
      baseline: string;
      suspect: string;
      filter: BehaviorItemFilter;
      offset: number;
      limit: number;
    },
    BehaviorItemsPage
  >()('behaviorItems'),
  /** Imports, window, deployment history, blast radius, current sample and review progress. */
  'audit:state': method<{ caseId: string }, AuditState>()('auditState'),
  /** Import an output log (a file on the host, preserved first, or evidence of the case); recorded. */
  'audit:import': method<
    { caseId: string; path: string; format?: AuditLogFormat | 'auto' | null },
    AuditImportReport
  >()('importAuditLog'),
  /** Set the compromise window from the deployment records or by hand, with an optional tool policy. */
  'audit:window': method<
    {
      caseId: string;
      from: 'deployments' | 'manual';
      start?: string | null;
      end?: string | null;
      deployments?: string | null;
      version?: string | null;
      policy?: string | null;
    },
    AuditWindowView
  >()('setAuditWindow'),
  /** The discovery sample size for a prevalence and confidence (finite population when given). */
  'audit:plan': method<
    { prevalence: number; confidence: number; population?: number | null },
    ReviewPlanView
  >()('planAuditReview'),
  /** Draw a reproducible review sample of the window (seed recorded in the custody log). */
  'audit:sample': method<
    { caseId: string; size: number; strata: AuditStrata; allocation: AuditAllocation; seed: string },
    SampleView
  >()('drawAuditSample'),
  /** The next sampled record this session's reviewer has not labelled, or null. */
  'audit:next': method<{ caseId: string; secondReview?: boolean | null }, ReviewItemView | null>()(
    'nextAuditItem',
  ),
  /** The sampled records this session's reviewer has labelled, in sample order, with their labels. */
  'audit:reviewed': method<{ caseId: string }, ReviewedItemView[]>()('reviewedAuditItems'),
  /** The sampled record at a position of the current sample (to go back to it and relabel it). */
  'audit:item': method<{ caseId: string; position: number }, ReviewItemView>()('auditItemAt'),
  /** Label a record (append-only) and get the next one in the same call. */
  'audit:label': method<
    {
      caseId: string;
      requestId: string;
      label: AuditLabel;
      note?: string | null;
      secondReview?: boolean | null;
    },
    AuditLabelResult
  >()('labelAuditItem'),
  /** Prevalence of harmful outputs and unauthorized tool calls; with record, written as findings. */
  'audit:estimate': method<
    { caseId: string; confidence?: number | null; record?: boolean | null },
    AuditEstimateView
  >()('auditEstimate'),
  /** Write the reviewed sample under the workstation's exports folder (recorded) and return it. */
  'audit:export': method<{ caseId: string; format: 'csv' | 'json' }, AuditExportResult>()(
    'exportAuditSample',
  ),
  /** The workstation's custodians and the public keys learnt from imported cases. */
  'custodians:list': method<NoArgs, CustodianList>()('listCustodians'),
  /** A new Ed25519 key pair for a custodian, encrypted at rest with the passphrase. */
  'custodians:add': method<{ name: string; role?: string | null; passphrase: string }, CustodianView>()(
    'addCustodian',
  ),
  /** Replace a custodian's key: the old key (its passphrase) signs the change. */
  'custodians:rotate': method<
    { name: string; passphrase: string; newPassphrase: string },
    { custodian: CustodianView; previousFingerprint: string }
  >()('rotateCustodian'),
  /** Revoke a custodian's key for good; signatures dated later are named by verify. */
  'custodians:revoke': method<{ name: string; reason: string }, CustodianView>()('revokeCustodian'),
  /** Sign the case's chain head as a custodian (a checkpoint a second custodian can pin). */
  'checkpoint:sign': method<
    { caseId: string; custodian: string; passphrase: string },
    SignedCheckpointView
  >()('signCheckpoint'),
  /** The incident record: header, roles, triggers, actions, timeline, matrix, gate, replacement, checklist. */
  'incident:view': method<{ caseId: string }, IncidentView>()('incidentView'),
  /** Record one change to the incident (a custody event) and return the record as it now stands. */
  'incident:update': method<{ caseId: string; change: IncidentChangeArgs }, IncidentView>()('updateIncident'),
  /** report.html as an export made now would write it (nothing written, nothing recorded). */
  'report:preview': method<{ caseId: string; signer?: string | null }, { html: string }>()('previewReport'),
  /** Write the post-mortem bundle under the workstation's reports folder, signed when a custodian is given. */
  'report:export': method<
    { caseId: string; formats: ReportFormat[]; custodian?: string | null; passphrase?: string | null },
    ReportExportView
  >()('exportReport'),
} as const satisfies Record<`${string}:${string}`, MethodSpec>;

export type Channel = keyof typeof METHODS;
type TypesOf<C extends Channel> = NonNullable<(typeof METHODS)[C]['types']>;
export type ArgsOf<C extends Channel> = TypesOf<C>['args'];
export type ResultOf<C extends Channel> = TypesOf<C>['result'];
/** The name on `window.probity` that carries each channel. */
export type MethodName<C extends Channel = Channel> = (typeof METHODS)[C]['name'];
/** The channel a method name carries. */
export type ChannelOf<M extends MethodName> = {
  [C in Channel]: (typeof METHODS)[C]['name'] extends M ? C : never;
}[Channel];

/** Every channel, in table order. */
export const CHANNELS = Object.keys(METHODS) as Channel[];

export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(METHODS, name);
}

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
export type ProbityApi = {
  [C in Channel as MethodName<C>]: ArgsOf<C> extends NoArgs
    ? () => Promise<Envelope<ResultOf<C>>>
    : (args: ArgsOf<C>) => Promise<Envelope<ResultOf<C>>>;
} & {
  onJobEvent(listener: (e: JobEvent) => void): () => void;
};

/** ProbityApi's methods without the event subscription: what the table alone produces. */
export type ProbityMethods = Omit<ProbityApi, 'onJobEvent'>;

/**
 * One named function per row of METHODS, each sending its own channel and its argument (`{}` when
 * it takes none) through `send`. The preload (IPC) and the browser-mode client (HTTP) both build
 * their `ProbityApi` with it, so a method added to the table reaches both without another edit;
 * the page still sees only named methods, never `send`.
 */
export function bindMethods(
  send: (channel: Channel, args: unknown) => Promise<Envelope<unknown>>,
): ProbityMethods {
  const methods: Record<string, (args?: unknown) => Promise<Envelope<unknown>>> = {};
  for (const channel of CHANNELS)
    methods[METHODS[channel].name] = (args?: unknown) => send(channel, args ?? {});
  // The table's row types are what each entry's `send` carries: the one place the compiler is told so.
  return methods as unknown as ProbityMethods;
}
