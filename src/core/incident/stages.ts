/**
 * The recorded runs of a case's analysis stages (the latest run of each, with the custody event
 * that vouches for it) and its last verification, read from the store and the custody log. The
 * incident view and the post-mortem report both stand on them.
 */
import type { CustodyEvent, Finding, FindingStatus } from '../../shared/domain';
import { findingStages, latestFindings } from '../store/findings';
import type { CaseStore } from '../store/workstation';

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

function countStatuses(findings: Finding[]): Record<FindingStatus, number> {
  const counts: Record<FindingStatus, number> = { pass: 0, fail: 0, 'not-analysed': 0, info: 0 };
  for (const f of findings) counts[f.status]++;
  return counts;
}

/** The latest run of every stage, each with the custody event that vouches for it. */
export function loadStages(store: CaseStore, events: CustodyEvent[]): StageReport[] {
  return findingStages(store).map((s) => stageReport(s, latestFindings(store, s), events));
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
