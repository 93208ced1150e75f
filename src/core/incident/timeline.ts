/**
 * The incident timeline, assembled each time from what the case records (nothing of it is stored
 * except the manual entries): custody events, the immediate actions at the times they were taken,
 * the deployment records behind the compromise window, the window itself, the failing and
 * compromise-point findings of each stage's latest run, and manual entries. Sorted by time; each
 * entry names its source (custody seq, finding id, window id, deployment record line, manual seq).
 */
import fs from 'node:fs';
import type { CustodyEvent } from '../../shared/domain';
import { ACTIONS, ISOLATION_STRATEGIES, type TimelineEntry } from '../../shared/incident';
import { currentWindow, parseDeploymentRecords } from '../audit/window';
import { listEvents } from '../store/custody';
import { findingStages, latestFindings } from '../store/findings';
import type { CaseStore } from '../store/workstation';
import { incidentState, type IncidentState } from './state';

/** Deployment records larger than this are left out of the timeline (the window still shows). */
const MAX_DEPLOYMENT_BYTES = 4 * 1024 * 1024;
/** Findings per stage shown on the timeline (the failing ones first in id order). */
const MAX_FINDINGS_PER_STAGE = 20;
/** Events that would drown the timeline: one per stored file, one per label. */
const QUIET: ReadonlySet<string> = new Set(['evidence.stored', 'incident.timeline.added', 'audit.labelled']);

function describeEvent(e: CustodyEvent): string {
  const d = e.details;
  switch (e.action) {
    case 'case.created':
      return `Case opened: ${String(d.title ?? e.subject)}`;
    case 'ingest.started':
      return `Preservation started: ${String(d.bundle ?? e.subject)}`;
    case 'ingest.finished':
      return `Evidence preserved: ${String(d.bundle ?? e.subject)}${typeof d.files === 'number' ? ` (${d.files} files)` : ''}`;
    case 'verify.run':
      return `Verification ${d.ok === true ? 'passed' : 'FAILED'}: objects re-hashed, chain recomputed`;
    case 'findings.recorded':
      return `${String(d.stage ?? '')} findings recorded (run ${e.subject})`;
    case 'scan.verdict.changed':
      return `Scan verdict changed: ${e.subject}: ${String(d.from)} → ${String(d.to)} under rules ${String((d.toRules as { version?: unknown } | undefined)?.version ?? '?')}`;
    case 'incident.action.recorded': {
      const a = String(d.action) as keyof typeof ACTIONS;
      const strategy =
        typeof d.strategy === 'string' && d.strategy in ISOLATION_STRATEGIES
          ? `: ${ISOLATION_STRATEGIES[d.strategy as keyof typeof ISOLATION_STRATEGIES].title}`
          : '';
      return `${ACTIONS[a] ?? a}${strategy}${typeof d.note === 'string' ? ` — ${d.note}` : ''}`;
    }
    case 'incident.header.set':
      return `Incident ${Object.entries(d)
        .map(([k, v]) => `${k} ${String(v)}`)
        .join(', ')}`;
    case 'incident.role.assigned':
      return `Role ${String(d.role)} assigned to ${String(d.name)}`;
    case 'incident.decision.recorded':
      return `Decision: ${String(d.option)} — ${String(d.reason)}`;
    case 'incident.trigger.set':
      return `Trigger criterion ${String(d.criterion)} ${d.applied === true ? 'applied' : 'withdrawn'}${typeof d.note === 'string' ? ` — ${d.note}` : ''}`;
    case 'incident.factor.recorded':
      return `Decision factor ${String(d.factor)} recorded`;
    case 'incident.gate.recorded':
      return `Retraining consideration ${String(d.consideration)} attested`;
    case 'incident.replacement.linked':
      return `Replacement model linked: ${String(d.kind === 'case' ? d.caseId : d.label)}`;
    case 'incident.checklist.recorded':
      return `Checklist item ${String(d.n)}: ${String(d.status)}`;
    case 'audit.window.set':
      return `Compromise window set: ${String(d.start)} to ${String(d.end)}`;
    default:
      return `${e.action} ${e.subject}`;
  }
}

function deploymentEntries(
  store: CaseStore,
  windowId: number,
  evidencePath: string,
  sha256: string,
): TimelineEntry[] {
  const file = store.objectPath(sha256);
  let text: string;
  try {
    if (fs.statSync(file).size > MAX_DEPLOYMENT_BYTES) return [];
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return parseDeploymentRecords(text)
    .filter((d) => d.kind !== 'other' && !Number.isNaN(Date.parse(d.timestamp)))
    .map((d) => ({
      at: new Date(Date.parse(d.timestamp)).toISOString(),
      text: `Deployment record: ${d.event}${d.version ? ` ${d.version}` : ''}`,
      actor: null,
      source: { kind: 'deployment', windowId, evidencePath, line: d.line },
    }));
}

export function incidentTimeline(
  store: CaseStore,
  state: IncidentState = incidentState(store),
): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const e of listEvents(store.db)) {
    if (QUIET.has(e.action)) continue;
    const at =
      e.action === 'incident.action.recorded' && typeof e.details.at === 'string' ? e.details.at : e.at;
    out.push({
      at,
      text: describeEvent(e),
      actor: e.actor,
      source: { kind: 'custody', seq: e.seq, action: e.action },
    });
  }
  const w = currentWindow(store);
  if (w) {
    out.push(
      { at: w.start, text: 'Compromise window starts', actor: w.actor, source: { kind: 'window', id: w.id } },
      { at: w.end, text: 'Compromise window ends', actor: w.actor, source: { kind: 'window', id: w.id } },
    );
    if (w.source.kind === 'deployments')
      out.push(...deploymentEntries(store, w.id, w.source.evidencePath, w.source.sha256));
  }
  for (const stage of findingStages(store)) {
    const notable = latestFindings(store, stage).filter(
      (f) => f.status === 'fail' || /compromise/.test(f.check),
    );
    for (const f of notable.slice(0, MAX_FINDINGS_PER_STAGE))
      out.push({
        at: f.createdAt,
        text: `${stage}: ${f.summary}`,
        actor: null,
        source: { kind: 'finding', id: f.id, runId: f.runId, stage },
      });
  }
  for (const m of state.manualTimeline)
    out.push({
      at: m.at,
      text: m.text,
      actor: m.recorded.actor,
      source: { kind: 'manual', seq: m.recorded.seq },
    });
  const rank = (t: TimelineEntry) => Date.parse(t.at);
  return out
    .map((t, i) => ({ t, i }))
    .sort((a, b) => rank(a.t) - rank(b.t) || a.i - b.i)
    .map((x) => x.t);
}
