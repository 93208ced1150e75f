import { Fragment } from 'react';
import type { WeightDiffResult } from '../../../../shared/integrity';
import { ErrorPanel, Spinner } from '../../components/Bits';
import type { Loadable } from '../../loadable';
import { WeightHeatmap } from './WeightHeatmap';
import { ChangedTensors } from './ChangedTensors';

export function WeightSection({
  state,
  hasBaseline,
  ran,
}: {
  state: Loadable<WeightDiffResult>;
  hasBaseline: boolean;
  ran: boolean;
}) {
  const d = state.data;
  if (!ran && !d) return null;
  return (
    <section className="integrity-section" aria-labelledby="weights-heading" data-testid="integrity-weights">
      <header className="integrity-section-header">
        <h3 id="weights-heading">Weight diff</h3>
        {d ? (
          <span className="muted">
            <span className="mono">{d.a.label}</span> (baseline) → <span className="mono">{d.b.label}</span> ·{' '}
            {d.identical
              ? 'identical'
              : `${d.counts.changed} changed of ${Object.values(d.counts).reduce((x, y) => x + y, 0)} tensors`}
          </span>
        ) : null}
      </header>
      {state.error ? <ErrorPanel title="The weights could not be compared" message={state.error} /> : null}
      {state.loading ? (
        <p className="muted loading-line">
          <Spinner /> Comparing tensors…
        </p>
      ) : !hasBaseline && !d ? (
        <p className="muted">Pick a baseline case to compare the weights tensor by tensor.</p>
      ) : d ? (
        <>
          {d.skipped.length || d.unpairedA.length || d.unpairedB.length ? (
            <div className="panel panel-warn">
              <strong>Not compared</strong>
              <ul className="problem-list">
                {d.skipped.map((x, i) => (
                  <li key={`s${i}`}>{x}</li>
                ))}
                {d.unpairedA.map((x, i) => (
                  <li key={`a${i}`}>only in the baseline: {x}</li>
                ))}
                {d.unpairedB.map((x, i) => (
                  <li key={`b${i}`}>only in this case: {x}</li>
                ))}
              </ul>
            </div>
          ) : null}
          {d.pairs.map((p, i) => (
            <Fragment key={i}>
              {d.pairs.length > 1 ? (
                <h4 className="mono">
                  {p.a.key} ↔ {p.b.key}
                </h4>
              ) : null}
              <WeightHeatmap pair={p} />
              <ChangedTensors pair={p} />
            </Fragment>
          ))}
        </>
      ) : null}
    </section>
  );
}
