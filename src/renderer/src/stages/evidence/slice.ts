import type { EvidenceItem, EvidenceKind, ManifestStatus } from '../../../../shared/domain';
import { api } from '../../api/client';
import type { Loadable } from '../../loadable';
import type { SliceCreator } from '../../slice';

export type SortKey = 'path' | 'kind' | 'size' | 'sha256' | 'manifest';
export interface EvidenceView {
  kind: EvidenceKind | 'all';
  status: ManifestStatus | 'all';
  text: string;
  sort: SortKey;
  dir: 'asc' | 'desc';
}
export const DEFAULT_EVIDENCE_VIEW: EvidenceView = {
  kind: 'all',
  status: 'all',
  text: '',
  sort: 'path',
  dir: 'asc',
};

/** Each case's evidence list, and the Evidence screen's filters and sort kept per case. */
export interface EvidenceSlice {
  evidence: Record<string, Loadable<EvidenceItem[]>>;
  evidenceViews: Record<string, EvidenceView>;
  loadEvidence(caseId: string): Promise<void>;
  setEvidenceView(caseId: string, patch: Partial<EvidenceView>): void;
}

export const createEvidenceSlice: SliceCreator<EvidenceSlice> = (set, get, load) => ({
  evidence: {},
  evidenceViews: {},
  loadEvidence: (caseId) =>
    load(
      `evidence:${caseId}`,
      (s) => s.evidence[caseId],
      (v) => ({ evidence: { ...get().evidence, [caseId]: v } }),
      () => api.listEvidence({ caseId }),
    ),
  setEvidenceView(caseId, patch) {
    const views = get().evidenceViews;
    set({
      evidenceViews: { ...views, [caseId]: { ...(views[caseId] ?? DEFAULT_EVIDENCE_VIEW), ...patch } },
    });
  },
});
