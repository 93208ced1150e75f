import type { CaseOverview } from '../../../../shared/domain';
import { humanBytes, utc } from '../../format';

export function CaseFacts({ data }: { data: CaseOverview }) {
  const s = data.summary;
  return (
    <div className="card card-facts">
      <h3>Case</h3>
      <dl className="facts">
        <dt>Incident</dt>
        <dd className="mono">{s.id}</dd>
        <dt>Title</dt>
        <dd>{s.title}</dd>
        <dt>Examiner</dt>
        <dd>{s.examiner ?? <span className="muted">not recorded</span>}</dd>
        <dt>Created</dt>
        <dd>{utc(s.createdAt)}</dd>
        <dt>Evidence</dt>
        <dd>
          {s.evidenceCount.toLocaleString('en-US')} files ·{' '}
          <span title={`${s.totalBytes.toLocaleString('en-US')} bytes`}>{humanBytes(s.totalBytes)}</span>
        </dd>
      </dl>
    </div>
  );
}
