import { api } from '../../api/client';
import { newJob } from '../../jobs';
import type { SliceCreator, WithJobs } from '../../slice';

/** The ingest dialog (which case, which job it follows) and starting an ingest. */
export interface IngestSlice {
  /** Which case, the job followed (null: the form), and the path the form starts with. */
  ingestDialog: { caseId: string; jobId: string | null; bundle?: string } | null;
  startIngest(caseId: string, bundle: string): Promise<string>;
  openIngest(caseId: string, jobId?: string | null): void;
  setIngestJob(jobId: string | null): void;
  /** Back to the form after a failed or cancelled ingest, with that ingest's path filled in. */
  retryIngest(bundle: string | null): void;
  closeIngest(): void;
}

export const createIngestSlice: SliceCreator<IngestSlice, WithJobs> = (set, get) => ({
  ingestDialog: null,
  async startIngest(caseId, bundle) {
    const { jobId } = await api.startIngest({ caseId, bundle });
    // Events may have arrived before this answer: keep what they recorded.
    const existing = get().jobs[jobId];
    set({
      jobs: {
        ...get().jobs,
        [jobId]: existing ? { ...existing, bundle } : newJob(jobId, caseId, 'ingest', bundle),
      },
    });
    return jobId;
  },
  openIngest(caseId, jobId = null) {
    set({ ingestDialog: { caseId, jobId } });
  },
  setIngestJob(jobId) {
    const d = get().ingestDialog;
    if (d) set({ ingestDialog: { caseId: d.caseId, jobId } });
  },
  retryIngest(bundle) {
    const d = get().ingestDialog;
    if (d) set({ ingestDialog: { caseId: d.caseId, jobId: null, bundle: bundle ?? '' } });
  },
  closeIngest() {
    set({ ingestDialog: null });
  },
});
