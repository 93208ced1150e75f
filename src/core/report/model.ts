/**
 * The post-mortem model: everything report.json, report.html and report.pdf show, read from the
 * case store. The report reads findings and never recomputes them (DESIGN.md: data flows one
 * way); each stage's latest run is read with latestFindings, whatever stages exist.
 */
import type { CustodyEvent, EvidenceItem } from '../../shared/domain';
import type { IncidentView } from '../../shared/incident';
import type { ChecklistItem } from '../incident/checklist';
import { buildRemediation, type Remediation } from '../incident/remediation';
import { lastVerificationOf, loadStages, type LastVerification, type StageReport } from '../incident/stages';
import { buildIncidentView } from '../incident/view';
import type { SignedCheckpoint } from '../keys/checkpoint';
import type { Keyring } from '../keys/custodians';
import { signatureSummary } from '../keys/event-signatures';
import { chainHead, listEvents } from '../store/custody';
import { caseOverview, listEvidence } from '../store/queries';
import type { CaseStore } from '../store/workstation';
import { caseCreatedOnHost } from './queries';
import { templateReport, type TemplateReport } from './template-section';
import type { CaseScanState } from '../../shared/scan';
import { caseScanState } from '../scan/case-scan';

export const REPORT_SCHEMA = 'probity.report/v1';

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
      createdOnHost: caseCreatedOnHost(store.db) ?? null,
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
