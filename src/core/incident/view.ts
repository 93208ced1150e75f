/**
 * The incident view: one typed object holding everything the Post-mortem screen and the report
 * show about the incident (src/shared/incident.ts IncidentView), read from the store.
 */
import {
  ACTION_KEYS,
  ACTIONS,
  DECISION_OPTIONS,
  FACTOR_KEYS,
  INCIDENT_TYPE,
  ISOLATION_FRAMEWORK,
  ISOLATION_STRATEGIES,
  ROLE_KEYS,
  ROLES,
  TRIGGER_KEYS,
  TRIGGERS,
  type ImmediateActionState,
  type IncidentView,
  type ManualChecklistNote,
  type MatrixFactor,
  type PreservedIngest,
} from '../../shared/incident';
import { buildChecklist, type ChecklistInput } from './checklist';
import { matrixFromFindings } from './remediation';
import type { CaseStore } from '../store/workstation';
import { retrainingGate } from './gate';
import { replacementVerification } from './replacement';
import {
  caseTitle,
  finishedIngestEvents,
  ingestFileTotals,
  ingestRows,
  manifestCheckCounts,
} from './queries';
import { incidentState, type IncidentState } from './state';
import { incidentTimeline } from './timeline';

/** The ingests of the case with their checksum-list results, as the store recorded them. */
export function preservedIngests(store: CaseStore): PreservedIngest[] {
  const finished = new Map(finishedIngestEvents(store.db).map((e) => [e.ingestId, e.seq]));
  return ingestRows(store.db).map((i) => {
    const files = ingestFileTotals(store.db, i.id);
    const manifest = manifestCheckCounts(store.db, i.id);
    return {
      ingestId: i.id,
      bundle: i.bundle,
      status: i.status,
      finishedAt: i.finished_at,
      files: files.n,
      bytes: files.bytes,
      manifest,
      seq: finished.get(i.id) ?? null,
    };
  });
}

function actionsOf(store: CaseStore, state: IncidentState): ImmediateActionState[] {
  return ACTION_KEYS.map((action) => {
    const a = state.actions.get(action);
    const base: ImmediateActionState = {
      action,
      title: ACTIONS[action],
      done: a !== undefined,
      at: a?.at ?? null,
      note: a?.note ?? null,
      recorded: a?.recorded ?? null,
    };
    if (action === 'preserve') base.ingests = preservedIngests(store);
    if (action === 'isolate') {
      base.strategy = a?.strategy ? { key: a.strategy, ...ISOLATION_STRATEGIES[a.strategy] } : null;
      base.framework = a?.framework ? { key: a.framework, ...ISOLATION_FRAMEWORK[a.framework] } : null;
    }
    return base;
  });
}

export function manualNotes(state: IncidentState): ManualChecklistNote[] {
  return [...state.checklist.entries()].map(([n, m]) => ({ n, ...m }));
}

/**
 * Assemble the view from the store and the inputs the report model already read (the latest run
 * of each stage, the events, the evidence, the last verification), so both read the same things.
 */
export function buildIncidentView(
  store: CaseStore,
  input: Omit<ChecklistInput, 'replacement' | 'manual'>,
  state: IncidentState = incidentState(store),
): IncidentView {
  const { compromisePoint, rows } = matrixFromFindings(input.stages);
  const factors: MatrixFactor[] = FACTOR_KEYS.map((key) => {
    const row = rows.find((r) => r.key === key)!;
    const f = state.factors.get(key);
    return { ...row, value: f?.value ?? null, note: f?.note ?? null, recorded: f?.recorded ?? null };
  });
  const replacement = replacementVerification(store, state);
  const manual = manualNotes(state);
  return {
    header: {
      incidentId: store.id,
      type: INCIDENT_TYPE,
      title: caseTitle(store.db),
      detected: state.header.detected,
      status: state.header.status ?? 'open',
      severity: state.header.severity,
      recorded: state.header.recorded,
    },
    roles: ROLE_KEYS.map((role) => {
      const r = state.roles.get(role);
      return {
        role,
        ...ROLES[role],
        name: r?.name ?? null,
        custodian: r?.custodian ?? null,
        recorded: r?.recorded ?? null,
      };
    }),
    triggers: TRIGGER_KEYS.map((key) => {
      const t = state.triggers.get(key);
      return {
        key,
        text: TRIGGERS[key],
        applied: t?.applied ?? false,
        note: t?.note ?? null,
        recorded: t?.recorded ?? null,
      };
    }),
    actions: actionsOf(store, state),
    timeline: incidentTimeline(store, state),
    matrix: { compromisePoint, factors },
    decision: state.decision ? { ...state.decision, title: DECISION_OPTIONS[state.decision.option] } : null,
    gate: retrainingGate(store, state),
    replacement,
    checklist: buildChecklist({ ...input, replacement, manual }),
    history: state.history,
  };
}
