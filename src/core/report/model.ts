/**
 * The post-mortem model: everything report.json, report.html and report.pdf show, read from the
 * case store. The report reads findings and never recomputes them (DESIGN.md: data flows one
 * way); each stage's latest run is read with latestFindings, whatever stages exist.
 */
import type { CustodyEvent, EvidenceItem, Finding, FindingStatus } from '../../shared/domain';
import type { IncidentView } from '../../shared/incident';
import { buildIncidentView } from '../incident/view';
import type { SignedCheckpoint } from '../keys/checkpoint';
import type { Keyring } from '../keys/custodians';
import { signatureSummary } from '../keys/event-signatures';
import { chainHead, listEvents } from '../store/custody';
import { latestFindings } from '../store/findings';
import { caseOverview, listEvidence } from '../store/queries';
import type { CaseStore } from '../store/workstation';
import type { ChecklistItem } from './checklist';
import { buildRemediation, type Remediation } from './remediation';
import { templateReport, type TemplateReport } from './template-section';
import type { CaseScanState } from '../../shared/scan';
import { caseScanState } from '../scan/case-scan';

export const REPORT_SCHEMA = 'probity.report/v1';

export interface StageReport {
  stage: string;
  runId: string;
  recordedAt: string;
  /** seq of the findings.recorded custody event that vouches for this run (0 if none). */
  recordedSeq: number;
  inputs: Record<string, unknown>;
  counts: Record<FindingStatus, number>;
  findings: Finding[];
}

export interface LastVerification {
  at: string;
  ok: boolean;
  throughSeq: number;
  /** seq of the verify.run custody event. */
  seq: number;
  problems: string[];
}

export interface SignerRef {
  fingerprint: string;
  /** Name as known on the exporting workstation, or from the case's custodian.key event. */
  name: string | null;
}

export interface ReportModel {
  schema: typeof REPORT_SCHEMA;
  generatedAt: string;
  generator: string;
  case: {
    id: string;
    title: string;
    examiner: string | null;
    createdAt: string;
    createdOnHost: string | null;
  };
  evidence: { count: number; totalBytes: number; items: EvidenceItem[] };
  manifestChecks: { matched: number; mismatched: number; missing: number; new: number };
  custody: {
    events: number;
    firstAt: string | null;
    lastAt: string | null;
    byAction: Record<string, number>;
    signedEvents: number;
    unsignedEvents: number;
    signers: SignerRef[];
    ingests: { id: number; bundle: string; status: string; startedAt: string; finishedAt: string | null }[];
  };
  chainHead: { lastSeq: number; lastHash: string };
  lastVerification: LastVerification | null;
  /** The latest signed checkpoint in the log, with the seq of its event. */
  checkpoint: (SignedCheckpoint & { seq: number }) | null;
  stages: StageReport[];
  checklist: ChecklistItem[];
  remediation: Remediation;
  /**
   * The incident record (src/core/incident): header, team, triggers, immediate actions, timeline,
   * decision matrix and decision, retraining gate, replacement verification, checklist notes and
   * the history of its incident.* custody events.
   */
  incident: IncidentView;
  /**
   * The scanner's last recorded verdict on each preserved object, each with the rules version and
   * digest it came from, the rules the scanner runs with now, and what the last re-scan changed.
   */
  scan: CaseScanState;
  /** The template and tokenizer differences the integrity stage recorded. */
  templates: TemplateReport;
  /** The custodian who signs this bundle's manifest, if any. */
  signer: (SignerRef & { role: string }) | null;
}

function countStatuses(findings: Finding[]): Record<FindingStatus, number> {
  const counts: Record<FindingStatus, number> = { pass: 0, fail: 0, 'not-analysed': 0, info: 0 };
  for (const f of findings) counts[f.status]++;
  return counts;
}

function stageNames(store: CaseStore): string[] {
  return (
    store.db.prepare('SELECT DISTINCT stage FROM findings ORDER BY stage').all() as { stage: string }[]
  ).map((r) => r.stage);
}

/** The latest run of every stage, each with the custody event that vouches for it. */
export function loadStages(store: CaseStore, events: CustodyEvent[]): StageReport[] {
  return stageNames(store).map((s) => stageReport(s, latestFindings(store, s), events));
}

function stageReport(stage: string, findings: Finding[], events: CustodyEvent[]): StageReport {
  const runId = findings[0]?.runId ?? '';
  const ev = events.find((e) => e.action === 'findings.recorded' && e.details.runId === runId);
  const inputs = ev?.details.inputs;
  return {
    stage,
    runId,
    recordedAt: findings[0]?.createdAt ?? '',
    recordedSeq: ev?.seq ?? 0,
    inputs: typeof inputs === 'object' && inputs !== null ? (inputs as Record<string, unknown>) : {},
    counts: countStatuses(findings),
    findings,
  };
}

export function lastVerificationOf(events: CustodyEvent[]): LastVerification | null {
  const ev = [...events].reverse().find((e) => e.action === 'verify.run');
  if (!ev) return null;
  const d = ev.details;
  return {
    at: ev.at,
    ok: d.ok === true,
    throughSeq: typeof d.throughSeq === 'number' ? d.throughSeq : ev.seq - 1,
    seq: ev.seq,
    problems: Array.isArray(d.problems) ? d.problems.map(String) : [],
  };
}

function latestCheckpoint(events: CustodyEvent[]): ReportModel['checkpoint'] {
  const ev = [...events].reverse().find((e) => e.action === 'checkpoint.signed');
  if (!ev) return null;
  const d = ev.details as Partial<SignedCheckpoint>;
  if (!d.checkpoint || typeof d.signature !== 'string' || !d.signer) return null;
  return { checkpoint: d.checkpoint, signature: d.signature, signer: d.signer, seq: ev.seq };
}

/** Names for signer fingerprints: the workstation keyring first, else the case's custodian.key events. */
function signerRefs(fingerprints: string[], events: CustodyEvent[], keyring: Keyring | null): SignerRef[] {
  return fingerprints.map((fingerprint) => {
    const known = keyring?.get(fingerprint)?.name;
    const intro = events.find((e) => e.action === 'custodian.key' && e.details.fingerprint === fingerprint);
    const introduced = typeof intro?.details.name === 'string' ? intro.details.name : null;
    return { fingerprint, name: known ?? introduced };
  });
}

export function buildReportModel(
  store: CaseStore,
  opts: {
    generator: string;
    now?: string;
    keyring?: Keyring | null;
    signer?: { name: string; role: string; fingerprint: string } | null;
  },
): ReportModel {
  const overview = caseOverview(store);
  const info = store.db.prepare('SELECT created_on_host FROM case_info').get() as
    { created_on_host: string } | undefined;
  const events = listEvents(store.db);
  const items = listEvidence(store);
  const stages = loadStages(store, events);
  const sig = signatureSummary(store.db);
  const byAction: Record<string, number> = {};
  for (const e of events) byAction[e.action] = (byAction[e.action] ?? 0) + 1;
  const lastVerification = lastVerificationOf(events);
  const partial = {
    evidence: items,
    events,
    stages,
    lastVerification,
  };
  const incident = buildIncidentView(store, partial);
  return {
    schema: REPORT_SCHEMA,
    generatedAt: opts.now ?? new Date().toISOString(),
    generator: opts.generator,
    case: {
      id: overview.summary.id,
      title: overview.summary.title,
      examiner: overview.summary.examiner,
      createdAt: overview.summary.createdAt,
      createdOnHost: info?.created_on_host ?? null,
    },
    evidence: { count: overview.summary.evidenceCount, totalBytes: overview.summary.totalBytes, items },
    manifestChecks: overview.manifest,
    custody: {
      events: events.length,
      firstAt: events[0]?.at ?? null,
      lastAt: events[events.length - 1]?.at ?? null,
      byAction,
      signedEvents: sig.signed,
      unsignedEvents: sig.unsigned,
      signers: signerRefs(sig.signers, events, opts.keyring ?? null),
      ingests: overview.ingests,
    },
    chainHead: chainHead(store.db),
    lastVerification,
    checkpoint: latestCheckpoint(events),
    stages,
    checklist: incident.checklist,
    remediation: buildRemediation(stages, {
      factors: incident.matrix.factors,
      decision: incident.decision,
      gate: incident.gate,
    }),
    incident,
    scan: caseScanState(store),
    templates: templateReport(stages),
    signer: opts.signer ? { ...opts.signer } : null,
  };
}
