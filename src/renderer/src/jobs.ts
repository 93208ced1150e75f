/** A job running on the host (ingest, verify) as the UI follows it from its events. */
import type { ApiError, JobKind } from '../../shared/contract';
import type { IngestSummary, Progress, VerifyReport } from '../../shared/domain';

export interface JobState {
  jobId: string;
  caseId: string;
  kind: JobKind;
  status: 'running' | 'finished' | 'failed' | 'cancelled';
  progress: Progress | null;
  summary: IngestSummary | null;
  report: VerifyReport | null;
  error: ApiError | null;
  /** What the ingest was started on, for the dialog's title. */
  bundle: string | null;
}

export function newJob(jobId: string, caseId: string, kind: JobKind, bundle: string | null): JobState {
  return {
    jobId,
    caseId,
    kind,
    status: 'running',
    progress: null,
    summary: null,
    report: null,
    error: null,
    bundle,
  };
}
