/**
 * The incident record of a case (src/core/incident): the playbook's header, team, trigger criteria,
 * immediate actions, timeline, replacement decision, retraining gate, replacement verification and
 * the manual post-mortem checklist notes. Wire types for the app and report.json, plus the keys and
 * the playbook's wording (shared/seed/model-compromise-playbook.txt) that the CLI and app both show.
 *
 * Every value here is read from custody events (`incident.*` actions): a change is a new event, the
 * current state is the latest, and the history is the log itself.
 */

/** The playbook's phases, used as the incident's status words. */
export const INCIDENT_STATUSES = [
  'open',
  'isolated',
  'investigating',
  'remediating',
  'verifying',
  'closed',
] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** The playbook names no severity scale; these are the usual four. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const INCIDENT_TYPE = 'Model Compromise';

/** "Acknowledge and assign with expanded team": the roles of the playbook's header template. */
export const ROLES = {
  'incident-commander': { title: 'Incident Commander (IC)', hint: 'Leads the response' },
  'ai-investigator': { title: 'AI Investigator', hint: 'ML engineer with model internals expertise' },
  'infrastructure-lead': { title: 'Infrastructure Lead', hint: 'For deployment and isolation' },
  'supply-chain-investigator': { title: 'Supply Chain Investigator', hint: 'For provenance investigation' },
  'evidence-custodian': { title: 'Evidence Custodian', hint: 'Preserves the model as evidence' },
} as const;
export type RoleKey = keyof typeof ROLES;
export const ROLE_KEYS = Object.keys(ROLES) as RoleKey[];

/** "Activate this playbook when:" */
export const TRIGGERS = {
  'behavioral-change':
    'Behavioral analysis shows model changes not explained by application-layer configuration',
  'file-integrity': 'File integrity checks reveal unauthorized modifications to model artifacts',
  'supply-chain-alert':
    'Supply chain alert indicates compromise of a model provider, hosting platform, or distribution channel',
  'backdoor-detected': 'Backdoor behavior is detected through trigger scanning or activation analysis',
  'provenance-tampering': 'A third-party model provenance investigation reveals tampering',
} as const;
export type TriggerKey = keyof typeof TRIGGERS;
export const TRIGGER_KEYS = Object.keys(TRIGGERS) as TriggerKey[];

/** Immediate Actions (First 30 Minutes). */
export const ACTIONS = {
  acknowledge: 'Acknowledge and assign with expanded team',
  preserve: 'Preserve the compromised model',
  isolate: 'Isolate the compromised model',
} as const;
export type ActionKey = keyof typeof ACTIONS;
export const ACTION_KEYS = Object.keys(ACTIONS) as ActionKey[];

/** The isolation strategy table: when to use each, and its impact. */
export const ISOLATION_STRATEGIES = {
  'hot-swap': {
    title: 'Hot swap to fallback model',
    whenToUse: 'Fallback model available and tested',
    impact: 'Minimal downtime; fallback may have different capabilities',
  },
  'roll-back': {
    title: 'Roll back to previous version',
    whenToUse: 'Previous version known-good and available',
    impact: 'Requires version to be cached; may lose legitimate updates',
  },
  'graceful-shutdown': {
    title: 'Graceful shutdown',
    whenToUse: 'No fallback available; severity justifies downtime',
    impact: 'Service interruption; clear containment',
  },
  'feature-flag': {
    title: 'Feature flag disable',
    whenToUse: 'AI features can be disabled while non-AI features continue',
    impact: 'Partial service disruption',
  },
} as const;
export type IsolationStrategy = keyof typeof ISOLATION_STRATEGIES;
export const ISOLATION_STRATEGY_KEYS = Object.keys(ISOLATION_STRATEGIES) as IsolationStrategy[];

/** The isolation "Decision framework": the situation and the response the playbook gives for it. */
export const ISOLATION_FRAMEWORK = {
  'harmful-outputs': {
    condition: 'The model is producing actively harmful outputs',
    response: 'Immediate shutdown or swap',
  },
  'untriggered-backdoor': {
    condition: 'The model has a backdoor that has not yet been triggered',
    response: 'Swap with urgency but plan the transition',
  },
  'suspected-unconfirmed': {
    condition: 'The compromise is suspected but unconfirmed',
    response: 'Enable enhanced monitoring while investigating',
  },
} as const;
export type FrameworkKey = keyof typeof ISOLATION_FRAMEWORK;
export const FRAMEWORK_KEYS = Object.keys(ISOLATION_FRAMEWORK) as FrameworkKey[];

/** Model Replacement Decision Matrix: the three options. */
export const DECISION_OPTIONS = {
  'previous-version': 'Replace with Previous Version',
  'new-model': 'Replace with New Model',
  retrain: 'Retrain',
} as const;
export type DecisionOption = keyof typeof DECISION_OPTIONS;
export const DECISION_OPTION_KEYS = Object.keys(DECISION_OPTIONS) as DecisionOption[];

/** The matrix's factor rows, keyed; the texts of each cell live in src/core/incident/remediation.ts. */
export const FACTOR_KEYS = [
  'previous-version-available',
  'fine-tuning-data-compromise',
  'provider-compromise',
  'performance-requirements',
  'timeline',
] as const;
export type FactorKey = (typeof FACTOR_KEYS)[number];

/** The Retraining Considerations, keyed; each must carry a note or evidence before "Retrain". */
export const CONSIDERATION_KEYS = [
  'training-data-audit',
  'infrastructure-security',
  'process-isolation',
  'validation-protocol',
  'incremental-verification',
  'output-comparison',
] as const;
export type ConsiderationKey = (typeof CONSIDERATION_KEYS)[number];

/** Statuses a person can give checklist items 7–12, which lie outside Probity's records. */
export const MANUAL_CHECKLIST_STATUSES = ['done', 'in-progress', 'not-applicable', 'open'] as const;
export type ManualChecklistStatus = (typeof MANUAL_CHECKLIST_STATUSES)[number];
/** The checklist items that take manual notes. */
export const MANUAL_CHECKLIST_ITEMS = [7, 8, 9, 10, 11, 12] as const;

/** The custody event behind a value: who recorded it, when, at which seq. */
export interface RecordRef {
  seq: number;
  at: string;
  actor: string;
}

export interface IncidentHeader {
  /** The case id, AI-IR-YYYY-NNNN. */
  incidentId: string;
  type: typeof INCIDENT_TYPE;
  title: string;
  /** UTC, ISO 8601; null until recorded. */
  detected: string | null;
  status: IncidentStatus;
  severity: Severity | null;
  recorded: RecordRef | null;
}

export interface RoleAssignment {
  role: RoleKey;
  title: string;
  hint: string;
  name: string | null;
  /** When the person is a custodian of this workstation: their name and key fingerprint. */
  custodian: { name: string; fingerprint: string } | null;
  recorded: RecordRef | null;
}

export interface TriggerState {
  key: TriggerKey;
  text: string;
  applied: boolean;
  note: string | null;
  recorded: RecordRef | null;
}

/** An ingest preserved in the case, with its checksum-list results as the store recorded them. */
export interface PreservedIngest {
  ingestId: number;
  bundle: string;
  status: string;
  finishedAt: string | null;
  files: number;
  bytes: number;
  manifest: { matched: number; mismatched: number; missing: number };
  /** seq of the ingest.finished event. */
  seq: number | null;
}

export interface ImmediateActionState {
  action: ActionKey;
  title: string;
  done: boolean;
  /** When the action was taken (UTC), as recorded. */
  at: string | null;
  note: string | null;
  recorded: RecordRef | null;
  /** preserve: the ingests of the case (read from the store, never recomputed). */
  ingests?: PreservedIngest[];
  /** isolate: the strategy, its "When to Use" condition and impact, and the framework situation. */
  strategy?: { key: IsolationStrategy; title: string; whenToUse: string; impact: string } | null;
  framework?: { key: FrameworkKey; condition: string; response: string } | null;
}

export type TimelineSource =
  | { kind: 'custody'; seq: number; action: string }
  | { kind: 'finding'; id: number; runId: string; stage: string }
  | { kind: 'window'; id: number }
  | { kind: 'deployment'; windowId: number; evidencePath: string; line: number }
  | { kind: 'manual'; seq: number };

export interface TimelineEntry {
  at: string;
  text: string;
  actor: string | null;
  source: TimelineSource;
}

export interface MatrixFactor {
  key: FactorKey;
  factor: string;
  previousVersion: string;
  newModel: string;
  retrain: string;
  /** The value recorded for this case (e.g. "yes", "no", "2 days"), and a note. */
  value: string | null;
  note: string | null;
  recorded: RecordRef | null;
  /** A finding that makes this row relevant (the recorded compromise point), if any. */
  appliesBecause: { findingId: number; summary: string } | null;
}

export interface DecisionState {
  option: DecisionOption;
  title: string;
  reason: string;
  recorded: RecordRef;
}

export interface EvidenceRef {
  id: number;
  path: string;
  sha256: string | null;
}

export interface GateItem {
  key: ConsiderationKey;
  consideration: string;
  action: string;
  satisfied: boolean;
  note: string | null;
  evidence: EvidenceRef[];
  recorded: RecordRef | null;
}

export interface RetrainingGate {
  items: GateItem[];
  /** Keys of the considerations without a note or evidence: "Retrain" is refused while any remain. */
  missing: ConsiderationKey[];
  open: boolean;
}

export type ReplacementLink = { kind: 'case'; caseId: string } | { kind: 'evidence-label'; label: string };

export type VerificationStatus = 'pass' | 'fail' | 'not-analysed';

/** One row of the playbook's Integrity or Behavioral Verification table, read from findings. */
export interface VerificationRow {
  check: string;
  title: string;
  procedure: string;
  passCriteria: string;
  status: VerificationStatus;
  summary: string;
  /** Where the result was read: the case, the findings run and the finding ids. */
  caseId: string | null;
  runId: string | null;
  findingIds: number[];
}

export interface ReplacementVerification {
  link: ReplacementLink | null;
  recorded: RecordRef | null;
  /** Why results could not be read (the linked case is not on this workstation, …), else null. */
  problem: string | null;
  integrity: VerificationRow[];
  behavioral: VerificationRow[];
  /** pass when every row passes; fail when any fails; else not-analysed. */
  status: VerificationStatus;
}

export interface ManualChecklistNote {
  n: number;
  status: ManualChecklistStatus;
  note: string;
  recorded: RecordRef;
}

/** One checklist item as the app shows it (the same shape report.json carries). */
export interface IncidentChecklistItem {
  n: number;
  item: string;
  status: 'recorded' | 'partial' | 'open' | 'not-recorded';
  basis: string;
  links: { label: string; href: string }[];
  manual: ManualChecklistNote | null;
}

/** One incident.* custody event, as the history shows it. */
export interface IncidentHistoryEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  details: Record<string, unknown>;
}

export interface IncidentView {
  header: IncidentHeader;
  roles: RoleAssignment[];
  triggers: TriggerState[];
  actions: ImmediateActionState[];
  timeline: TimelineEntry[];
  matrix: { compromisePoint: { text: string; findingId: number } | null; factors: MatrixFactor[] };
  decision: DecisionState | null;
  gate: RetrainingGate;
  replacement: ReplacementVerification;
  checklist: IncidentChecklistItem[];
  history: IncidentHistoryEntry[];
}

/** Argument shapes of the mutations (plain data, zod-friendly). */
export interface SetHeaderArgs {
  status?: IncidentStatus;
  severity?: Severity;
  /** Any ISO 8601 time or epoch; stored normalised to UTC. */
  detected?: string;
}
export interface AssignRoleArgs {
  role: RoleKey;
  name: string;
  /** A custodian of this workstation: their key fingerprint is recorded with the role. */
  custodian?: string;
}
export interface SetTriggerArgs {
  criterion: TriggerKey;
  applied: boolean;
  note?: string;
}
export interface RecordActionArgs {
  action: ActionKey;
  at?: string;
  note?: string;
  strategy?: IsolationStrategy;
  framework?: FrameworkKey;
}
export interface AddTimelineArgs {
  text: string;
  at: string;
}
export interface RecordFactorArgs {
  factor: FactorKey;
  value?: string;
  note?: string;
}
export interface DecideArgs {
  option: DecisionOption;
  reason: string;
}
export interface RecordConsiderationArgs {
  consideration: ConsiderationKey;
  note?: string;
  evidenceIds?: number[];
}
export type LinkReplacementArgs = { caseId: string } | { evidenceLabel: string };
export interface ChecklistNoteArgs {
  n: number;
  status: ManualChecklistStatus;
  note: string;
}

/** One change to the incident record as the app sends it: `kind` names the part it records. */
export type IncidentChangeArgs =
  | ({ kind: 'header' } & SetHeaderArgs)
  | ({ kind: 'role' } & AssignRoleArgs)
  | ({ kind: 'trigger' } & SetTriggerArgs)
  | ({ kind: 'action' } & RecordActionArgs)
  | ({ kind: 'timeline' } & AddTimelineArgs)
  | ({ kind: 'factor' } & RecordFactorArgs)
  | ({ kind: 'decide' } & DecideArgs)
  | ({ kind: 'consideration' } & RecordConsiderationArgs)
  | { kind: 'replacement'; caseId?: string; evidenceLabel?: string }
  | ({ kind: 'checklist' } & ChecklistNoteArgs);
