import type { CustodyEvent } from '../../../../shared/domain';
import { api } from '../../api/client';
import { newJob } from '../../jobs';
import type { Loadable } from '../../loadable';
import type { SliceCreator, WithJobs } from '../../slice';

/** Each case's custody log, and the verify job last started on it from this window. */
export interface CustodySlice {
  custody: Record<string, Loadable<CustodyEvent[]>>;
  verifyJobOf: Record<string, string>;
  loadCustody(caseId: string): Promise<void>;
  startVerify(caseId: string): Promise<string>;
}

export const createCustodySlice: SliceCreator<CustodySlice, WithJobs> = (set, get, load) => ({
  custody: {},
  verifyJobOf: {},
  loadCustody: (caseId) =>
    load(
      `custody:${caseId}`,
      (s) => s.custody[caseId],
      (v) => ({ custody: { ...get().custody, [caseId]: v } }),
      () => api.custodyLog({ caseId }),
    ),
  async startVerify(caseId) {
    const { jobId } = await api.startVerify({ caseId });
    const existing = get().jobs[jobId];
    set({
      jobs: { ...get().jobs, [jobId]: existing ?? newJob(jobId, caseId, 'verify', null) },
      verifyJobOf: { ...get().verifyJobOf, [caseId]: jobId },
    });
    return jobId;
  },
});
