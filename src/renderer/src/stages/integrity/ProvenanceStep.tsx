import { useState } from 'react';
import type { IntegrityStatus, ProvenanceStepResult } from '../../../../shared/integrity';
import { Hash } from '../../components/Bits';
import { StatusBadge } from './StatusBadge';
import { CompromiseMark } from './CompromiseMark';
import { Observed } from './Observed';
import { HashChanges } from './HashChanges';
import { STAGE_LABEL } from './stage-labels';

export function ProvenanceStep({ step, compromised }: { step: ProvenanceStepResult; compromised: boolean }) {
  const [open, setOpen] = useState(false);
  const evMatched = step.outputs.filter((o) => o.evidence === 'matched').length;
  const evOther = step.outputs.length - evMatched;
  const baseCompared = step.outputs.filter((o) => o.baseline !== null);
  const baseMatched = baseCompared.filter((o) => o.baseline === 'matched').length;
  const status: IntegrityStatus = step.diverges ? 'fail' : step.compared ? 'pass' : 'not-analysed';
  return (
    <li
      className={`prov-step${compromised ? ' is-compromised' : step.diverges ? ' is-diverging' : ''}`}
      data-testid={`prov-step-${step.stage}`}
    >
      <div className="prov-step-head">
        <span className="prov-stage">
          {step.index}. {STAGE_LABEL[step.stage] ?? step.stage}
        </span>
        <StatusBadge status={status} />
      </div>
      <p className="prov-desc" title={step.description}>
        {step.description || step.title}
      </p>
      {step.performedBy || step.performedAt ? (
        <p className="prov-meta muted">
          {step.performedBy ?? ''}
          {step.performedAt ? ` · ${step.performedAt}` : ''}
        </p>
      ) : null}
      <p className="prov-counts">
        {step.outputs.length} output{step.outputs.length === 1 ? '' : 's'} · evidence {evMatched} match
        {evOther ? <span className="text-warn">, {evOther} differ or missing</span> : null}
        {baseCompared.length ? (
          <>
            {' '}
            · baseline {baseMatched}/{baseCompared.length}
          </>
        ) : null}
      </p>
      <HashChanges title="Changed at this step (expected → observed)" list={step.changed} />
      <HashChanges title="Differ from the source" list={step.sourceChanged} />
      <HashChanges title="Inputs differ from the previous outputs" list={step.inputsChanged} />
      {step.added.length ? (
        <div className="prov-changes">
          <h5>First appear here</h5>
          <ul className="plain-list mono-list">
            {step.added.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {compromised ? <CompromiseMark /> : null}
      {step.outputs.length ? (
        <button type="button" className="link-button" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'Hide' : 'Show'} outputs
        </button>
      ) : null}
      {open ? (
        <table
          className="table table-compact prov-outputs"
          aria-label={`Outputs of ${STAGE_LABEL[step.stage] ?? step.stage}`}
        >
          <thead>
            <tr>
              <th scope="col">Path</th>
              <th scope="col">Recorded</th>
              <th scope="col">Evidence</th>
              <th scope="col">Baseline</th>
            </tr>
          </thead>
          <tbody>
            {step.outputs.map((o, i) => (
              <tr key={`${o.path ?? ''}-${i}`}>
                <td className="mono-path">{o.path ?? '—'}</td>
                <td>
                  <Hash value={o.sha256} head={8} tail={0} copy={false} />
                </td>
                <td>
                  <Observed value={o.evidence} hash={o.evidenceSha256} />
                </td>
                <td>
                  {o.baseline ? (
                    <Observed value={o.baseline} hash={o.baselineSha256} />
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </li>
  );
}
