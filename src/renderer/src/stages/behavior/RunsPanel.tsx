import type { BehaviorRun } from '../../../../shared/behavior';
import { Badge, ErrorPanel, Hash } from '../../components/Bits';
import type { Loadable } from '../../loadable';

export function RunsPanel({ state }: { state: Loadable<BehaviorRun[]> }) {
  const runs = state.data ?? [];
  return (
    <section className="behavior-panel" aria-labelledby="behavior-runs-heading">
      <h3 id="behavior-runs-heading">Runs in this case</h3>
      {state.error ? <ErrorPanel title="Could not list the runs" message={state.error} /> : null}
      {runs.length === 0 ? (
        <p className="muted">{state.loading ? 'Loading…' : 'No eval run imported yet.'}</p>
      ) : (
        <div className="table-wrap">
          <table className="table behavior-runs" data-testid="behavior-runs">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Role</th>
                <th scope="col">Format</th>
                <th scope="col" className="num">
                  Items
                </th>
                <th scope="col">Evidence sha256</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id} data-testid="behavior-run" data-label={r.label}>
                  <td>
                    <span className="mono">#{r.id}</span> {r.label}
                    <div className="muted behavior-sub">{r.sourceName}</div>
                  </td>
                  <td>
                    <Badge tone={r.role === 'suspect' ? 'warn' : r.role === 'baseline' ? 'info' : 'neutral'}>
                      {r.role}
                    </Badge>
                  </td>
                  <td>{r.format}</td>
                  <td className="num">{r.items.toLocaleString('en-US')}</td>
                  <td>
                    <Hash value={r.sha256} head={10} tail={4} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
