import type { ImmediateActionState } from '../../../../shared/incident';
import { Badge } from '../../components/Bits';
import { humanBytes, utc } from '../../format';

export function PreservedIngests({ action }: { action: ImmediateActionState }) {
  const ingests = action.ingests ?? [];
  if (ingests.length === 0)
    return (
      <p className="muted">
        No finished ingest in this case: preserve the model from the Evidence stage first.
      </p>
    );
  return (
    // Focusable so the table can be scrolled sideways from the keyboard in a narrow window.
    <div className="pm-scroll" tabIndex={0} role="region" aria-label="Preserved ingests">
      <table className="table table-compact" data-testid="pm-preserved">
        <caption className="pm-caption">
          The ingests of this case, with the results of their checksum lists
        </caption>
        <thead>
          <tr>
            <th>Ingest</th>
            <th>Bundle</th>
            <th className="num">Files</th>
            <th className="num">Size</th>
            <th>Checksums</th>
            <th>Finished</th>
          </tr>
        </thead>
        <tbody>
          {ingests.map((i) => (
            <tr key={i.ingestId}>
              <td className="num">
                {i.ingestId}
                {i.seq !== null ? <span className="muted"> (seq {i.seq})</span> : null}
              </td>
              <td className="mono ellipsis" title={i.bundle}>
                {i.bundle}
              </td>
              <td className="num">{i.files}</td>
              <td className="num">{humanBytes(i.bytes)}</td>
              <td>
                <span className="pm-badges">
                  <Badge tone="ok">{i.manifest.matched} matched</Badge>
                  {i.manifest.mismatched > 0 ? (
                    <Badge tone="bad">{i.manifest.mismatched} mismatched</Badge>
                  ) : null}
                  {i.manifest.missing > 0 ? <Badge tone="warn">{i.manifest.missing} missing</Badge> : null}
                </span>
              </td>
              <td className="nowrap">{i.status === 'finished' ? utc(i.finishedAt) : i.status}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
