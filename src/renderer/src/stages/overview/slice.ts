import type { CaseOverview } from '../../../../shared/domain';
import { api } from '../../api/client';
import type { Loadable } from '../../loadable';
import type { SliceCreator } from '../../slice';

/** Each open case's overview: the workspace header and the Overview stage read it. */
export interface OverviewSlice {
  overviews: Record<string, Loadable<CaseOverview>>;
  loadOverview(caseId: string): Promise<void>;
}

export const createOverviewSlice: SliceCreator<OverviewSlice> = (_set, get, load) => ({
  overviews: {},
  loadOverview: (caseId) =>
    load(
      `overview:${caseId}`,
      (s) => s.overviews[caseId],
      (v) => ({ overviews: { ...get().overviews, [caseId]: v } }),
      () => api.caseOverview({ caseId }),
    ),
});
