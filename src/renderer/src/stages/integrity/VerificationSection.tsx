import type { IntegrityRun } from '../../../../shared/integrity';
import { EmptyState, ErrorPanel, Spinner } from '../../components/Bits';
import { utc } from '../../format';
import type { Loadable } from '../../loadable';
import { StatusBadge } from './StatusBadge';
import { RunOptionsLine } from './RunOptionsLine';
import { CheckRow } from './CheckRow';

export function VerificationSection({ state }: { state: Loadable<IntegrityRun> }) {
  const run = state.data;
  return (
    <section
      className="integrity-section"
      aria-labelledby="verification-heading"
      data-testid="integrity-verification"
    >
      <header className="integrity-section-header">
        <h3 id="verification-heading">Integrity verification</h3>
        {run ? (
          <span className="muted">
            <StatusBadge status={run.status} testId="integrity-overall" />{' '}
            {run.baseline ? (
              <>
                against <span className="mono">{run.baseline}</span>
              </>
            ) : (
              'no baseline'
            )}{' '}
            · {run.source === 'run' ? 'run' : 'recorded'} {utc(run.recordedAt)}
            {run.custodySeq !== null ? ` · custody event #${run.custodySeq}` : ''}
          </span>
        ) : null}
      </header>
      {run?.options ? <RunOptionsLine options={run.options} /> : null}
      {state.error ? <ErrorPanel title="The integrity checks could not run" message={state.error} /> : null}
      {state.loading && !run ? (
        <p className="muted loading-line">
          <Spinner /> Working…
        </p>
      ) : !run ? (
        state.error ? null : (
          <EmptyState title="No integrity run recorded for this case" testId="integrity-empty">
            <p className="muted">Pick the known-good case as the baseline and run the checks.</p>
          </EmptyState>
        )
      ) : (
        <>
          {run.source === 'recorded' ? (
            <p className="muted integrity-note">
              Rebuilt from the recorded findings: each check and its failing items. Run again to see every
              comparison.
            </p>
          ) : null}
          <div className="table-wrap">
            <table className="table verification-table" data-testid="verification-table">
              <thead>
                <tr>
                  <th scope="col" className="col-expander">
                    <span className="offscreen">Expand</span>
                  </th>
                  <th scope="col">Check</th>
                  <th scope="col">Status</th>
                  <th scope="col">Summary</th>
                  <th scope="col" className="num">
                    Fail
                  </th>
                  <th scope="col" className="num">
                    OK
                  </th>
                  <th scope="col" className="num">
                    Notes
                  </th>
                </tr>
              </thead>
              <tbody>
                {run.checks.map((c) => (
                  <CheckRow key={c.check} check={c} recorded={run.source === 'recorded'} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
