import { Dialog } from '../../components/Dialog';
import { useStore } from '../../store';
import { IngestForm } from './IngestForm';
import { JobView } from './JobView';

export function IngestDialog({ caseId }: { caseId: string }) {
  const dialog = useStore((s) => s.ingestDialog);
  const job = useStore((s) => (dialog?.jobId ? s.jobs[dialog.jobId] : undefined));
  const close = useStore((s) => s.closeIngest);
  const title =
    job?.status === 'running'
      ? 'Ingesting evidence'
      : job?.status === 'finished'
        ? 'Ingest finished'
        : 'Ingest evidence';
  return (
    <Dialog title={title} onClose={close} wide testId="ingest-dialog">
      {/* Keyed by job: nothing a view of one ingest holds carries over to the next one. */}
      {job ? (
        <JobView key={job.jobId} job={job} caseId={caseId} />
      ) : (
        <IngestForm key="form" caseId={caseId} initialPath={dialog?.bundle ?? ''} />
      )}
    </Dialog>
  );
}
