/**
 * The retraining gate: the playbook's Retraining Considerations, each of which must carry a note
 * or attached evidence before "Retrain" can be chosen as the remediation (mutations.ts decide).
 */
import type { EvidenceRef, RetrainingGate } from '../../shared/incident';
import { RETRAINING } from './remediation';
import type { CaseStore } from '../store/workstation';
import { evidenceRef as evidenceRow } from './queries';
import { incidentState, type IncidentState } from './state';

export function evidenceRef(store: CaseStore, id: number): EvidenceRef | null {
  return evidenceRow(store.db, id);
}

/** The gate as it stands: each consideration with its note and evidence, and the ones missing. */
export function retrainingGate(
  store: CaseStore,
  state: IncidentState = incidentState(store),
): RetrainingGate {
  const items = RETRAINING.map((r) => {
    const g = state.gate.get(r.key);
    const evidence = (g?.evidenceIds ?? [])
      .map((id) => evidenceRef(store, id))
      .filter((x): x is EvidenceRef => x !== null);
    const note = g?.note?.trim() ? g.note : null;
    return {
      key: r.key,
      consideration: r.consideration,
      action: r.action,
      satisfied: note !== null || evidence.length > 0,
      note,
      evidence,
      recorded: g?.recorded ?? null,
    };
  });
  const missing = items.filter((i) => !i.satisfied).map((i) => i.key);
  return { items, missing, open: missing.length === 0 };
}

/** One line naming every missing consideration with the action the playbook asks for. */
export function describeMissing(gate: RetrainingGate): string {
  return gate.items
    .filter((i) => !i.satisfied)
    .map((i) => `${i.key} (${i.consideration}: ${i.action})`)
    .join('; ');
}
