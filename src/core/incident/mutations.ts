/**
 * Every change to the incident record: one incident.* custody event each (appendEvent), nothing
 * rewritten. Arguments are plain data (the app parses them with zod, the CLI from its options);
 * each is checked here again and a bad one is refused with a ProbityError naming the field and the
 * reason (exit 2). Choosing "Retrain" while the retraining gate has missing considerations is
 * refused with exit 1 and the list of what is missing.
 */
import type { CustodyEvent } from '../../shared/domain';
import {
  ACTION_KEYS,
  CONSIDERATION_KEYS,
  DECISION_OPTION_KEYS,
  FACTOR_KEYS,
  FRAMEWORK_KEYS,
  INCIDENT_STATUSES,
  ISOLATION_STRATEGIES,
  ISOLATION_STRATEGY_KEYS,
  MANUAL_CHECKLIST_ITEMS,
  MANUAL_CHECKLIST_STATUSES,
  ROLE_KEYS,
  SEVERITIES,
  TRIGGER_KEYS,
  type AddTimelineArgs,
  type AssignRoleArgs,
  type ChecklistNoteArgs,
  type DecideArgs,
  type LinkReplacementArgs,
  type RecordActionArgs,
  type RecordConsiderationArgs,
  type RecordFactorArgs,
  type SetHeaderArgs,
  type SetTriggerArgs,
} from '../../shared/incident';
import { isoUtc, parseTimestamp } from '../audit/timestamps';
import { getCustodian } from '../keys/custodians';
import { appendEvent, type EventSigner } from '../store/custody';
import { CASE_ID_PATTERN, Workstation, type CaseStore } from '../store/workstation';
import { ProbityError } from '../util/errors';
import { describeMissing, evidenceRef, retrainingGate } from './gate';
import { evalRunByLabel, evidenceCountUnder, finishedIngestEvents } from './queries';
import { homeOf } from './state';

/** Longest free text kept in one field (a note, a reason, a timeline entry). */
export const MAX_TEXT = 4000;

/** Who records the change, and optionally the custodian key that signs the event. */
export interface Actor {
  actor: string;
  signer?: EventSigner;
}

function usage(message: string): ProbityError {
  return new ProbityError('usage', message);
}

export function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (value === undefined || value === null)
    throw usage(`${field} is required: one of ${allowed.join(', ')}`);
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
    throw usage(`${field} ${JSON.stringify(value)}: not one of ${allowed.join(', ')}`);
  return value as T;
}

function text(field: string, value: unknown, required: boolean): string | null {
  if (value === undefined || value === null) {
    if (required) throw usage(`${field} is required`);
    return null;
  }
  if (typeof value !== 'string') throw usage(`${field}: expected text`);
  const t = value.trim();
  if (t === '') {
    if (required) throw usage(`${field} is empty`);
    return null;
  }
  if (t.length > MAX_TEXT) throw usage(`${field}: ${t.length} characters, at most ${MAX_TEXT}`);
  return t;
}

/** A time given as ISO 8601 (a time without zone is UTC) or epoch, normalised to ISO UTC. */
export function utcTime(field: string, value: unknown): string {
  const t = parseTimestamp(value);
  if ('error' in t) throw usage(`${field} ${JSON.stringify(value)}: ${t.error}`);
  return isoUtc(t.ms);
}

function append(
  store: CaseStore,
  who: Actor,
  action: CustodyEvent['action'],
  subject: string,
  details: Record<string, unknown>,
): CustodyEvent {
  return appendEvent(store.db, { actor: who.actor, action, subject, details }, who.signer);
}

export function setIncidentHeader(store: CaseStore, args: SetHeaderArgs, who: Actor): CustodyEvent {
  const details: Record<string, unknown> = {};
  if (args.status !== undefined) details.status = oneOf('status', args.status, INCIDENT_STATUSES);
  if (args.severity !== undefined) details.severity = oneOf('severity', args.severity, SEVERITIES);
  if (args.detected !== undefined) details.detected = utcTime('detected', args.detected);
  if (Object.keys(details).length === 0)
    throw usage('nothing to set: give a status, a severity or a detected time');
  return append(store, who, 'incident.header.set', store.id, details);
}

export function assignRole(store: CaseStore, args: AssignRoleArgs, who: Actor): CustodyEvent {
  const role = oneOf('role', args.role, ROLE_KEYS);
  const name = text('name', args.name, true)!;
  let custodian: { name: string; fingerprint: string } | null = null;
  if (args.custodian !== undefined) {
    const c = getCustodian(homeOf(store), text('custodian', args.custodian, true)!);
    if (c.status !== 'active') throw usage(`custodian ${c.name}: key is ${c.status}`);
    custodian = { name: c.name, fingerprint: c.fingerprint };
  }
  return append(store, who, 'incident.role.assigned', role, { role, name, custodian });
}

export function setTrigger(store: CaseStore, args: SetTriggerArgs, who: Actor): CustodyEvent {
  const criterion = oneOf('criterion', args.criterion, TRIGGER_KEYS);
  if (typeof args.applied !== 'boolean') throw usage('applied: expected true or false');
  const note = text('note', args.note, false);
  return append(store, who, 'incident.trigger.set', criterion, { criterion, applied: args.applied, note });
}

export function recordImmediateAction(store: CaseStore, args: RecordActionArgs, who: Actor): CustodyEvent {
  const action = oneOf('action', args.action, ACTION_KEYS);
  const at = args.at === undefined ? new Date().toISOString() : utcTime('at', args.at);
  const note = text('note', args.note, false);
  const details: Record<string, unknown> = { action, at, note };
  if (action === 'isolate') {
    if (args.strategy === undefined)
      throw usage(`strategy is required to isolate: one of ${ISOLATION_STRATEGY_KEYS.join(', ')}`);
    const strategy = oneOf('strategy', args.strategy, ISOLATION_STRATEGY_KEYS);
    details.strategy = strategy;
    details.whenToUse = ISOLATION_STRATEGIES[strategy].whenToUse;
    if (args.framework !== undefined) details.framework = oneOf('framework', args.framework, FRAMEWORK_KEYS);
  } else if (args.strategy !== undefined || args.framework !== undefined) {
    throw usage(`strategy and framework belong to isolate, not ${action}`);
  }
  if (action === 'preserve') {
    const ingests = finishedIngestEvents(store.db);
    if (ingests.length === 0)
      throw usage(
        `preserve: ${store.id} has no finished ingest; preserve the model with probity ingest first`,
      );
    details.ingests = ingests;
  }
  return append(store, who, 'incident.action.recorded', action, details);
}

export function addTimelineEntry(store: CaseStore, args: AddTimelineArgs, who: Actor): CustodyEvent {
  const entry = text('text', args.text, true)!;
  if (args.at === undefined) throw usage('at is required: when it happened (UTC)');
  return append(store, who, 'incident.timeline.added', 'timeline', {
    at: utcTime('at', args.at),
    text: entry,
  });
}

export function recordFactor(store: CaseStore, args: RecordFactorArgs, who: Actor): CustodyEvent {
  const factor = oneOf('factor', args.factor, FACTOR_KEYS);
  const value = text('value', args.value, false);
  const note = text('note', args.note, false);
  if (value === null && note === null) throw usage(`factor ${factor}: give a value or a note`);
  return append(store, who, 'incident.factor.recorded', factor, { factor, value, note });
}

/** Choose the replacement option; "retrain" only once every retraining consideration is attested. */
export function decideReplacement(store: CaseStore, args: DecideArgs, who: Actor): CustodyEvent {
  const option = oneOf('option', args.option, DECISION_OPTION_KEYS);
  const reason = text('reason', args.reason, true)!;
  const details: Record<string, unknown> = { option, reason };
  if (option === 'retrain') {
    const gate = retrainingGate(store);
    if (gate.missing.length > 0)
      throw new ProbityError(
        'conflict',
        `retrain refused: ${gate.missing.length} of ${gate.items.length} retraining considerations have no note or evidence: ${describeMissing(gate)}`,
        { exitCode: 1 },
      );
    details.gate = gate.items.map((i) => ({
      key: i.key,
      note: i.note,
      evidenceIds: i.evidence.map((x) => x.id),
    }));
  }
  return append(store, who, 'incident.decision.recorded', option, details);
}

export function recordConsideration(
  store: CaseStore,
  args: RecordConsiderationArgs,
  who: Actor,
): CustodyEvent {
  const consideration = oneOf('consideration', args.consideration, CONSIDERATION_KEYS);
  const note = text('note', args.note, false);
  const ids = args.evidenceIds ?? [];
  if (!Array.isArray(ids)) throw usage('evidence: expected a list of evidence ids');
  const evidence = ids.map((id) => {
    if (!Number.isSafeInteger(id) || id <= 0)
      throw usage(`evidence ${JSON.stringify(id)}: not an evidence id`);
    const ref = evidenceRef(store, id);
    if (!ref)
      throw usage(`evidence ${id}: no such evidence in ${store.id} (see probity evidence ${store.id})`);
    return ref;
  });
  if (note === null && evidence.length === 0)
    throw usage(`consideration ${consideration}: give a note or evidence`);
  return append(store, who, 'incident.gate.recorded', consideration, {
    consideration,
    note,
    evidenceIds: evidence.map((e) => e.id),
    evidence: evidence.map((e) => ({ id: e.id, path: e.path, sha256: e.sha256 })),
  });
}

export function linkReplacement(store: CaseStore, args: LinkReplacementArgs, who: Actor): CustodyEvent {
  if ('caseId' in args) {
    const caseId = text('case', args.caseId, true)!;
    if (!CASE_ID_PATTERN.test(caseId))
      throw usage(`case ${caseId}: not a case id (expected AI-IR-YYYY-NNNN)`);
    if (caseId === store.id)
      throw usage(`case ${caseId}: the replacement cannot be the compromised case itself`);
    const other = new Workstation(homeOf(store)).openCase(caseId);
    other.close();
    return append(store, who, 'incident.replacement.linked', caseId, { kind: 'case', caseId });
  }
  const label = text('evidence-label', (args as { evidenceLabel?: unknown }).evidenceLabel, true)!;
  const run = evalRunByLabel(store.db, label);
  const prefix = label.endsWith('/') ? label : `${label}/`;
  const files = evidenceCountUnder(store.db, label);
  if (!run && files === 0)
    throw usage(
      `evidence-label ${label}: no eval run labelled so and no evidence under ${prefix} in ${store.id}`,
    );
  return append(store, who, 'incident.replacement.linked', label, {
    kind: 'evidence-label',
    label,
    evalRun: run ? { id: run.id, role: run.role } : null,
    files,
  });
}

export function recordChecklistNote(store: CaseStore, args: ChecklistNoteArgs, who: Actor): CustodyEvent {
  const n = Number(args.n);
  if (!(MANUAL_CHECKLIST_ITEMS as readonly number[]).includes(n))
    throw usage(
      `checklist item ${String(args.n)}: only items 7–12 take manual notes; items 1–6 are filled from findings`,
    );
  const status = oneOf('status', args.status, MANUAL_CHECKLIST_STATUSES);
  const note = text('note', args.note, true)!;
  return append(store, who, 'incident.checklist.recorded', `checklist-${n}`, { n, status, note });
}
