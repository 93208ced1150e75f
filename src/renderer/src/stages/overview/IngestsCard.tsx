import type { CaseOverview } from '../../../../shared/domain';
import { Badge, EmptyState, type Tone } from '../../components/Bits';
import { utc } from '../../format';

export function ingestTone(status: string): Tone {
  const s = status.toLowerCase();
  if (s === 'finished' || s === 'complete' || s === 'completed' || s === 'ok') return 'ok';
  if (s.includes('fail') || s === 'error') return 'bad';
  if (s.includes('cancel') || s.includes('interrupt')) return 'warn';
  return 'info';
}

export function IngestsCard({ data, onIngest }: { data: CaseOverview; onIngest: () => void }) {
  const ingests = [...data.ingests].sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, 8);
  return (
    <div className="card card-ingests">
      <h3>Last ingests</h3>
      {ingests.length === 0 ? (
        <EmptyState title="No evidence yet">
          <p className="muted">
            Ingest a bundle: a folder, .tar, .tar.gz or .zip holding the model files and their checksum list.
          </p>
          <button type="button" className="btn btn-primary" onClick={onIngest}>
            Ingest evidence…
          </button>
        </EmptyState>
      ) : (
        <table className="table table-compact" aria-label="Last ingests">
          <colgroup>
            <col className="col-id" />
            <col />
            <col className="col-status" />
            <col className="col-time" />
            <col className="col-time" />
          </colgroup>
          <thead>
            <tr>
              <th scope="col" className="num">
                #
              </th>
              <th scope="col">Bundle</th>
              <th scope="col">Status</th>
              <th scope="col">Started</th>
              <th scope="col">Finished</th>
            </tr>
          </thead>
          <tbody>
            {ingests.map((i) => (
              <tr key={i.id}>
                <td className="num">{i.id}</td>
                <td className="mono ellipsis" title={i.bundle}>
                  {i.bundle}
                </td>
                <td>
                  <Badge tone={ingestTone(i.status)}>{i.status}</Badge>
                </td>
                <td className="nowrap">{utc(i.startedAt)}</td>
                <td className="nowrap">{utc(i.finishedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
