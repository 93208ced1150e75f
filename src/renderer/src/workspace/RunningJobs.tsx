import { ProgressBar } from '../components/Bits';
import { percent } from '../format';
import { useStore } from '../store';

/** Ingests keep running when their dialog is closed: show them here, with a way back to the dialog. */
export function RunningJobs({ caseId }: { caseId: string }) {
  const jobs = useStore((s) => s.jobs);
  const dialog = useStore((s) => s.ingestDialog);
  const openIngest = useStore((s) => s.openIngest);
  const running = Object.values(jobs).filter(
    (j) => j.caseId === caseId && j.kind === 'ingest' && j.status === 'running' && dialog?.jobId !== j.jobId,
  );
  if (running.length === 0) return null;
  return (
    <div className="job-strip" role="status">
      {running.map((j) => (
        <div key={j.jobId} className="job-strip-item">
          <span>
            Ingest running
            {j.bundle ? (
              <>
                {' '}
                from <span className="mono">{j.bundle}</span>
              </>
            ) : null}
          </span>
          <ProgressBar
            done={j.progress?.bytesDone ?? 0}
            total={j.progress?.bytesTotal ?? 0}
            label="Ingest progress"
            indeterminate={!j.progress}
          />
          <span className="num">
            {j.progress ? `${percent(j.progress.bytesDone, j.progress.bytesTotal).toFixed(0)}%` : ''}
          </span>
          <button type="button" className="btn btn-small" onClick={() => openIngest(caseId, j.jobId)}>
            Show
          </button>
        </div>
      ))}
    </div>
  );
}
