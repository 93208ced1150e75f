import { ErrorPanel } from '../../components/Bits';
import { useStore } from '../../store';
import { VerifyProgress } from './VerifyProgress';
import { VerifyResult } from './VerifyResult';

export function VerifyPanel({ caseId }: { caseId: string }) {
  const job = useStore((s) => {
    const id = s.verifyJobOf[caseId];
    return id ? s.jobs[id] : undefined;
  });
  const cancelJob = useStore((s) => s.cancelJob);
  if (!job) return null;
  if (job.status === 'running')
    return <VerifyProgress job={job} onCancel={() => void cancelJob(job.jobId).catch(() => undefined)} />;
  if (job.status === 'finished' && job.report) return <VerifyResult report={job.report} />;
  if (job.status === 'cancelled')
    return (
      <div className="panel panel-warn" role="status" data-testid="verify-result" data-ok="cancelled">
        <strong>Verification cancelled.</strong> Nothing was concluded; run it again.
      </div>
    );
  return (
    <ErrorPanel
      title="Verification could not run"
      message={
        job.error
          ? `${job.error.message}${job.error.file && !job.error.message.includes(job.error.file) ? ` (${job.error.file})` : ''}`
          : 'Unknown error'
      }
      testId="verify-result"
    />
  );
}
