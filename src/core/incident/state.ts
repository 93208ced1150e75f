/**
 * The incident record as the custody log holds it. Every change is one `incident.*` event (the
 * hash chain protects it like any other custody record); the current state is the fold of those
 * events in seq order, the latest value of each field winning, and the history is the events
 * themselves. Nothing here writes: see mutations.ts.
 */
import path from 'node:path';
import type { CustodyAction } from '../../shared/domain';
import type {
  ActionKey,
  ConsiderationKey,
  DecisionOption,
  FactorKey,
  FrameworkKey,
  IncidentHistoryEntry,
  IncidentStatus,
  IsolationStrategy,
  ManualChecklistStatus,
  RecordRef,
  ReplacementLink,
  RoleKey,
  Severity,
  TriggerKey,
} from '../../shared/incident';
import type { CaseStore } from '../store/workstation';
import { eventsOfActions } from './queries';

export const INCIDENT_ACTIONS = [
  'incident.header.set',
  'incident.role.assigned',
  'incident.trigger.set',
  'incident.action.recorded',
  'incident.timeline.added',
  'incident.factor.recorded',
  'incident.decision.recorded',
  'incident.gate.recorded',
  'incident.replacement.linked',
  'incident.checklist.recorded',
] as const satisfies readonly CustodyAction[];

export interface IncidentState {
  header: {
    status: IncidentStatus | null;
    severity: Severity | null;
    detected: string | null;
    recorded: RecordRef | null;
  };
  roles: Map<
    RoleKey,
    { name: string; custodian: { name: string; fingerprint: string } | null; recorded: RecordRef }
  >;
  triggers: Map<TriggerKey, { applied: boolean; note: string | null; recorded: RecordRef }>;
  actions: Map<
    ActionKey,
    {
      at: string;
      note: string | null;
      strategy: IsolationStrategy | null;
      framework: FrameworkKey | null;
      recorded: RecordRef;
    }
  >;
  manualTimeline: { at: string; text: string; recorded: RecordRef }[];
  factors: Map<FactorKey, { value: string | null; note: string | null; recorded: RecordRef }>;
  decision: { option: DecisionOption; reason: string; recorded: RecordRef } | null;
  gate: Map<ConsiderationKey, { note: string | null; evidenceIds: number[]; recorded: RecordRef }>;
  replacement: { link: ReplacementLink; recorded: RecordRef } | null;
  checklist: Map<number, { status: ManualChecklistStatus; note: string; recorded: RecordRef }>;
  history: IncidentHistoryEntry[];
}

/** The incident.* events of the case, in seq order. */
export function incidentEvents(store: CaseStore): IncidentHistoryEntry[] {
  return eventsOfActions(store.db, INCIDENT_ACTIONS).map((r) => ({
    ...r,
    details: JSON.parse(r.details) as Record<string, unknown>,
  }));
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** Fold the incident events into the current state. */
export function incidentState(store: CaseStore): IncidentState {
  const s: IncidentState = {
    header: { status: null, severity: null, detected: null, recorded: null },
    roles: new Map(),
    triggers: new Map(),
    actions: new Map(),
    manualTimeline: [],
    factors: new Map(),
    decision: null,
    gate: new Map(),
    replacement: null,
    checklist: new Map(),
    history: incidentEvents(store),
  };
  for (const e of s.history) {
    const d = e.details;
    const recorded: RecordRef = { seq: e.seq, at: e.at, actor: e.actor };
    switch (e.action) {
      case 'incident.header.set':
        if (typeof d.status === 'string') s.header.status = d.status as IncidentStatus;
        if (typeof d.severity === 'string') s.header.severity = d.severity as Severity;
        if (typeof d.detected === 'string') s.header.detected = d.detected;
        s.header.recorded = recorded;
        break;
      case 'incident.role.assigned':
        s.roles.set(d.role as RoleKey, {
          name: String(d.name),
          custodian: (d.custodian as { name: string; fingerprint: string } | null) ?? null,
          recorded,
        });
        break;
      case 'incident.trigger.set':
        s.triggers.set(d.criterion as TriggerKey, {
          applied: d.applied === true,
          note: str(d.note),
          recorded,
        });
        break;
      case 'incident.action.recorded':
        s.actions.set(d.action as ActionKey, {
          at: String(d.at),
          note: str(d.note),
          strategy: str(d.strategy) as IsolationStrategy | null,
          framework: str(d.framework) as FrameworkKey | null,
          recorded,
        });
        break;
      case 'incident.timeline.added':
        s.manualTimeline.push({ at: String(d.at), text: String(d.text), recorded });
        break;
      case 'incident.factor.recorded': {
        const prev = s.factors.get(d.factor as FactorKey);
        s.factors.set(d.factor as FactorKey, {
          value: str(d.value) ?? prev?.value ?? null,
          note: str(d.note) ?? prev?.note ?? null,
          recorded,
        });
        break;
      }
      case 'incident.decision.recorded':
        s.decision = { option: d.option as DecisionOption, reason: String(d.reason), recorded };
        break;
      case 'incident.gate.recorded': {
        const prev = s.gate.get(d.consideration as ConsiderationKey);
        const added = Array.isArray(d.evidenceIds) ? d.evidenceIds.map(Number) : [];
        s.gate.set(d.consideration as ConsiderationKey, {
          note: str(d.note) ?? prev?.note ?? null,
          evidenceIds: [...new Set([...(prev?.evidenceIds ?? []), ...added])],
          recorded,
        });
        break;
      }
      case 'incident.replacement.linked':
        s.replacement = {
          link:
            d.kind === 'case'
              ? { kind: 'case', caseId: String(d.caseId) }
              : { kind: 'evidence-label', label: String(d.label) },
          recorded,
        };
        break;
      case 'incident.checklist.recorded':
        s.checklist.set(Number(d.n), {
          status: d.status as ManualChecklistStatus,
          note: String(d.note),
          recorded,
        });
        break;
    }
  }
  return s;
}

/** The workstation home a case store lives in (`<home>/cases/<case-id>`). */
export function homeOf(store: CaseStore): string {
  return path.dirname(path.dirname(store.dir));
}
