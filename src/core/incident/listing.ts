/**
 * A case as the case list shows it: beside its summary, the incident's status and severity as last
 * recorded, how its last verification ended, and how many files disagreed with their checksum
 * list, so a tampered case does not look like a clean one.
 */
import type { CaseListEntry, CaseSummary } from '../../shared/domain';
import { chainStatus } from '../store/queries';
import type { CaseStore, Workstation } from '../store/workstation';
import { incidentState } from './state';

export function caseListEntry(store: CaseStore, summary: CaseSummary): CaseListEntry {
  const header = incidentState(store).header;
  const v = chainStatus(store).lastVerification;
  const mismatched = (
    store.db.prepare("SELECT count(*) AS n FROM manifest_checks WHERE status = 'mismatched'").get() as {
      n: number;
    }
  ).n;
  return {
    ...summary,
    status: header.status,
    severity: header.severity,
    lastVerification: v ? { at: v.at, ok: v.ok, problems: v.problems } : null,
    mismatched,
  };
}

/** Every case of the workstation; one that cannot be read is still listed, with nothing known. */
export function listCaseEntries(ws: Workstation): CaseListEntry[] {
  return ws.listCases().map((summary) => {
    let store: CaseStore | null = null;
    try {
      store = ws.openCase(summary.id);
      return caseListEntry(store, summary);
    } catch {
      return { ...summary, status: null, severity: null, lastVerification: null, mismatched: 0 };
    } finally {
      store?.close();
    }
  });
}
