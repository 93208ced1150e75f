import { useEffect, useState } from 'react';
import {
  AUDIT_ALLOCATIONS,
  AUDIT_STRATA,
  type AuditAllocation,
  type AuditState,
  type AuditStrata,
  type BlastRadiusView,
  type ReviewPlanView,
} from '../../../../shared/audit';
import { api } from '../../api/client';
import { EmptyState, FormMessage } from '../../components/Bits';
import { useAction } from '../../components/useAction';
import { useLoadable } from '../../loadable';
import { SampleSummary } from './SampleSummary';
import { num } from './format';

export function parseShare(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*$/.exec(text);
  return m ? Number(m[1]) / (m[2] === '%' ? 100 : 1) : NaN;
}

export function SamplePanel({
  caseId,
  state,
  radius,
  onChanged,
}: {
  caseId: string;
  state: AuditState;
  radius: BlastRadiusView;
  onChanged: () => void;
}) {
  const population = radius.inside.requests;
  const [prevalence, setPrevalence] = useState('1%');
  const [confidence, setConfidence] = useState('95%');
  const { state: planned, load: loadPlan } = useLoadable<ReviewPlanView>();
  const [size, setSize] = useState('');
  const [strata, setStrata] = useState<AuditStrata>('none');
  const [allocation, setAllocation] = useState<AuditAllocation>('proportional');
  const [seed, setSeed] = useState(() => `${caseId}-${new Date().toISOString().slice(0, 10)}`);
  const { busy, message, run } = useAction();

  const p = parseShare(prevalence);
  const c = parseShare(confidence);
  const valid = p > 0 && p < 1 && c > 0 && c < 1;
  const plan = valid ? planned.data : null;
  const planError = valid
    ? planned.error
    : 'Give the prevalence and the confidence as shares between 0 and 1, or percentages.';

  useEffect(() => {
    if (!valid) return;
    void loadPlan(
      () =>
        api.planAuditReview({
          prevalence: p,
          confidence: c,
          population: population > 0 ? population : null,
        }),
      { keep: true },
    );
  }, [valid, p, c, population, loadPlan]);

  const draw = (e: React.FormEvent) => {
    e.preventDefault();
    const n = Number(size || plan?.sampleSize);
    void run(async () => {
      const s = await api.drawAuditSample({ caseId, size: n, strata, allocation, seed });
      onChanged();
      return `Sample ${s.id} drawn: ${num(s.size)} of ${num(s.population)} records.`;
    });
  };

  return (
    <div className="integrity-section" aria-labelledby="audit-plan-heading">
      <div className="integrity-section-header">
        <h3 id="audit-plan-heading">Sample</h3>
        <span className="muted">
          Plan how many records to review, then draw them reproducibly; the seed goes into the custody log.
        </span>
      </div>
      <div className="behavior-setup">
        <div className="behavior-panel">
          <h4>Planner</h4>
          <div className="field-inline">
            <div className="field">
              <label htmlFor="audit-prevalence">Smallest harmful rate to detect</label>
              <input
                id="audit-prevalence"
                value={prevalence}
                onChange={(e) => setPrevalence(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="audit-confidence">Confidence</label>
              <input
                id="audit-confidence"
                value={confidence}
                onChange={(e) => setConfidence(e.target.value)}
              />
            </div>
          </div>
          {plan ? (
            <p data-testid="audit-plan">
              <strong className="num">{num(plan.sampleSize)}</strong> records. {plan.statement}{' '}
              <span className="muted">({plan.method})</span>
            </p>
          ) : (
            <p className="field-error">{planError}</p>
          )}
        </div>
        <form className="behavior-panel" onSubmit={draw}>
          <h4>Draw</h4>
          <div className="field-inline">
            <div className="field">
              <label htmlFor="audit-size">Size</label>
              <input
                id="audit-size"
                inputMode="numeric"
                value={size}
                onChange={(e) => setSize(e.target.value)}
                placeholder={plan ? String(plan.sampleSize) : ''}
              />
            </div>
            <div className="field">
              <label htmlFor="audit-strata">Strata</label>
              <select
                id="audit-strata"
                value={strata}
                onChange={(e) => setStrata(e.target.value as AuditStrata)}
              >
                {AUDIT_STRATA.map((s) => (
                  <option key={s} value={s}>
                    {s === 'none' ? 'none' : `by ${s}`}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="audit-allocation">Allocation</label>
              <select
                id="audit-allocation"
                value={allocation}
                onChange={(e) => setAllocation(e.target.value as AuditAllocation)}
                disabled={strata === 'none'}
              >
                {AUDIT_ALLOCATIONS.map((a) => (
                  <option key={a} value={a}>
                    {a}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div className="field">
            <label htmlFor="audit-seed">Seed</label>
            <input
              id="audit-seed"
              className="mono-input"
              value={seed}
              onChange={(e) => setSeed(e.target.value)}
            />
          </div>
          <div>
            <button type="submit" className="btn btn-primary" disabled={busy || (!size && !plan)}>
              {busy ? 'Drawing…' : `Draw ${num(Number(size || plan?.sampleSize || 0))} of ${num(population)}`}
            </button>
          </div>
          <FormMessage message={message} testId="audit-sample-message" />
        </form>
      </div>
      {state.sample ? (
        <SampleSummary sample={state.sample} />
      ) : (
        <EmptyState title="No sample drawn for this window yet" />
      )}
    </div>
  );
}
