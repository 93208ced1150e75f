/**
 * The incident record of a case: its view (everything the Post-mortem screen shows) and the
 * mutations that change it, each one custody event. See src/shared/incident.ts for the wire types.
 */
import type { IncidentView, RetrainingGate } from '../../shared/incident';
import { listEvents } from '../store/custody';
import { listEvidence } from '../store/queries';
import type { CaseStore } from '../store/workstation';
import { lastVerificationOf, loadStages } from './stages';
import { retrainingGate } from './gate';
import { buildIncidentView } from './view';

export {
  addTimelineEntry,
  assignRole,
  decideReplacement,
  linkReplacement,
  recordChecklistNote,
  recordConsideration,
  recordFactor,
  recordImmediateAction,
  setIncidentHeader,
  setTrigger,
  utcTime,
  type Actor,
} from './mutations';
export { describeMissing } from './gate';
export { replacementVerification, BEHAVIORAL_TABLE, INTEGRITY_TABLE } from './replacement';
export { incidentTimeline } from './timeline';
export { incidentState, incidentEvents } from './state';
export { preservedIngests } from './view';

/** The whole incident view of a case, read from its store. */
export function incidentView(store: CaseStore): IncidentView {
  const events = listEvents(store.db);
  return buildIncidentView(store, {
    evidence: listEvidence(store),
    events,
    stages: loadStages(store, events),
    lastVerification: lastVerificationOf(events),
  });
}

/** The retraining gate alone: each consideration (satisfied, note, evidence) and the missing keys. */
export function incidentGate(store: CaseStore): RetrainingGate {
  return retrainingGate(store);
}
