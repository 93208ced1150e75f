import { useState } from 'react';
import { errorMessage } from '../../api/client';
import { ErrorPanel, Spinner } from '../../components/Bits';
import { useStore, type JobState } from '../../store';
import { ProgressView } from './ProgressView';
import { IngestResult } from './IngestResult';

export function JobView({ job, caseId }: { job: JobState; caseId: string }) {
  const close = useStore((s) => s.closeIngest);
  const cancelJob = useStore((s) => s.cancelJob);
  const navigate = useStore((s) => s.navigate);
  const setIngestJob = useStore((s) => s.setIngestJob);
  const retryIngest = useStore((s) => s.retryIngest);
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<string | null>(null);
  if (job.status === 'running') {
    return (
      <div className="job">
        {job.bundle ? (
          <p className="job-source">
            From <span className="mono break">{job.bundle}</span>
          </p>
        ) : null}
        <ProgressView progress={job.progress} />
        {cancelError ? <ErrorPanel title="Cancel failed" message={cancelError} /> : null}
        <div className="dialog-actions">
          <button
            type="button"
            className="btn"
            onClick={close}
            title="The ingest keeps running; its progress shows above the case screens"
          >
            Run in background
          </button>
          <button
            type="button"
            className="btn btn-danger"
            disabled={cancelling}
            onClick={() => {
              setCancelling(true);
              setCancelError(null);
              cancelJob(job.jobId).catch((err: unknown) => {
                setCancelError(errorMessage(err));
                setCancelling(false);
              });
            }}
          >
            {cancelling ? <Spinner label="Cancelling" /> : null}
            {cancelling ? 'Cancelling…' : 'Cancel ingest'}
          </button>
        </div>
      </div>
    );
  }

  if (job.status === 'finished' && job.summary) {
    return (
      <div className="job">
        <IngestResult summary={job.summary} />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={() => setIngestJob(null)}>
            Ingest another…
          </button>
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => {
              close();
              navigate({ name: 'case', caseId, stage: 'evidence' });
            }}
          >
            Show evidence
          </button>
        </div>
      </div>
    );
  }

  // failed or cancelled
  const cancelled = job.status === 'cancelled';
  return (
    <div className="job">
      {cancelled ? (
        <div className="panel panel-warn" role="status" data-testid="ingest-cancelled">
          <strong>Ingest cancelled.</strong>
          <p className="panel-message">
            Nothing was recorded as evidence. Objects already stored are kept and found by hash: start the
            same ingest again to resume.
          </p>
        </div>
      ) : (
        <ErrorPanel
          title="The ingest failed: nothing was recorded as evidence"
          message={
            job.error
              ? `${job.error.message}${job.error.file && !job.error.message.includes(job.error.file) ? ` (${job.error.file})` : ''}`
              : 'Unknown error'
          }
          testId="ingest-error"
        />
      )}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={close}>
          Close
        </button>
        <button type="button" className="btn btn-primary" onClick={() => retryIngest(job.bundle)}>
          {cancelled ? 'Start again…' : 'Try again…'}
        </button>
      </div>
    </div>
  );
}
