import type { CaseListEntry } from '../../../../shared/domain';
import { api } from '../../api/client';
import { idle, type Loadable } from '../../loadable';
import type { SliceCreator } from '../../slice';

/** The cases of the workstation, for the case list and the baseline pickers. */
export interface CasesSlice {
  cases: Loadable<CaseListEntry[]>;
  loadCases(): Promise<void>;
}

export const createCasesSlice: SliceCreator<CasesSlice> = (_set, _get, load) => ({
  cases: idle(),
  loadCases: () =>
    load(
      'cases',
      (s) => s.cases,
      (cases) => ({ cases }),
      () => api.listCases(),
    ),
});
