import type { ProvenanceResult } from '../../../../shared/integrity';
import { EmptyState } from '../../components/Bits';
import { StatusBadge } from './StatusBadge';
import { CompromiseMark } from './CompromiseMark';
import { ProvenanceStep } from './ProvenanceStep';
import { HashChanges } from './HashChanges';
import { STAGE_LABEL } from './stage-labels';

export function ProvenanceView({ r }: { r: ProvenanceResult }) {
  if (!r.chain)
    return (
      <EmptyState title="No provenance record in the evidence">
        <ul className="plain-list muted">
          {r.reasons.map((x, i) => (
            <li key={i}>{x}</li>
          ))}
        </ul>
      </EmptyState>
    );
  const at = r.compromise?.at ?? null;
  return (
    <>
      <p className="muted integrity-note">
        Record <span className="mono">{r.chain.file}</span> ({r.chain.format}
        {r.chain.model ? `, model ${r.chain.model}` : ''}) · {r.reasons.slice(1).join(' · ')}
      </p>
      <ol
        className="prov-chain"
        aria-label="Provenance chain"
        style={{ gridTemplateColumns: `repeat(${r.steps.length + 1}, minmax(190px, 1fr))` }}
      >
        {r.steps.map((s) => (
          <ProvenanceStep key={s.index} step={s} compromised={at === s.stage && s.diverges} />
        ))}
        <li
          className={`prov-step${at === 'runtime' ? ' is-compromised' : ''}`}
          data-testid="prov-step-runtime"
        >
          <div className="prov-step-head">
            <span className="prov-stage">Runtime</span>
            {r.runtime ? (
              <StatusBadge
                status={at === 'runtime' ? 'fail' : r.runtime.compared > 0 ? 'pass' : 'not-analysed'}
              />
            ) : (
              <StatusBadge status="not-analysed" />
            )}
          </div>
          <p className="prov-desc">The evidence as collected, against the last step’s outputs.</p>
          {r.runtime ? (
            <>
              <p className="prov-counts">
                {r.runtime.compared} file{r.runtime.compared === 1 ? '' : 's'} compared ·{' '}
                {r.runtime.changed.length ? (
                  <span className="text-bad">{r.runtime.changed.length} changed</span>
                ) : (
                  'none changed'
                )}
              </p>
              <HashChanges title="Changed since the last step" list={r.runtime.changed} />
            </>
          ) : null}
          {at === 'runtime' ? <CompromiseMark /> : null}
        </li>
      </ol>
      {r.compromise ? (
        <div className="panel panel-bad compromise" data-testid="compromise-point">
          <strong>Compromise point: {r.compromise.point.name}</strong>
          <dl className="facts compromise-facts">
            <dt>Indicators</dt>
            <dd>{r.compromise.point.indicators}</dd>
            <dt>Investigation focus</dt>
            <dd>{r.compromise.point.investigationFocus}</dd>
            <dt>Where</dt>
            <dd>{STAGE_LABEL[r.compromise.at] ?? r.compromise.at}</dd>
          </dl>
          <h4>Why</h4>
          <ul className="plain-list reasons mono-list">
            {r.compromise.reasons.map((x, i) => (
              <li key={i}>{x}</li>
            ))}
          </ul>
          {r.compromise.vectors.length ? (
            <table
              className="table table-compact table-in-panel"
              aria-label="Compromise vectors to investigate"
            >
              <thead>
                <tr>
                  <th scope="col">Vector to investigate</th>
                  <th scope="col">Investigation steps</th>
                </tr>
              </thead>
              <tbody>
                {r.compromise.vectors.map((v) => (
                  <tr key={v.vector}>
                    <th scope="row">{v.vector}</th>
                    <td>{v.investigationSteps}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
      ) : null}
      {r.otherRecords.some((o) => o.differences.length) || r.chain.problems.length || r.unreadable.length ? (
        <div className="panel panel-warn">
          <strong>Record problems</strong>
          <ul className="problem-list">
            {[
              ...r.chain.problems,
              ...r.unreadable,
              ...r.otherRecords.flatMap((o) => o.differences.map((d) => `${o.file}: ${d}`)),
            ].map((x, i) => (
              <li key={i}>{x}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </>
  );
}
