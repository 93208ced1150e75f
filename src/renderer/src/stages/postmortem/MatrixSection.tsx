/**
 * The remediation half of the Post-mortem stage: the playbook's Model Replacement Decision Matrix
 * with each factor recorded, the decision (Retrain refused by the core while the retraining gate is
 * closed — its message is shown as it comes), the Retraining Considerations, the replacement's
 * Integrity and Behavioral Verification tables, and the 12-item post-mortem checklist.
 * Statuses are read from the incident view; none is computed here.
 */
import { DECISION_OPTIONS, type IncidentView } from '../../../../shared/incident';
import type { Update } from './useChange';
import { FactorRow } from './FactorRow';

// Decision matrix

export function MatrixSection({ matrix, update }: { matrix: IncidentView['matrix']; update: Update }) {
  return (
    <div className="integrity-section" aria-labelledby="pm-matrix-heading">
      <div className="integrity-section-header">
        <h3 id="pm-matrix-heading">Replacement decision matrix</h3>
        {matrix.compromisePoint ? (
          <span data-testid="pm-compromise-point">
            Compromise point: <strong>{matrix.compromisePoint.text}</strong>{' '}
            <span className="muted">(finding #{matrix.compromisePoint.findingId})</span>
          </span>
        ) : (
          <span className="muted">No compromise point recorded yet (Integrity stage, provenance).</span>
        )}
      </div>
      <div className="table-wrap">
        <table className="table table-compact pm-table pm-matrix" data-testid="pm-matrix">
          <thead>
            <tr>
              <th>Factor</th>
              <th>{DECISION_OPTIONS['previous-version']}</th>
              <th>{DECISION_OPTIONS['new-model']}</th>
              <th>{DECISION_OPTIONS.retrain}</th>
              <th>Recorded for this case</th>
            </tr>
          </thead>
          <tbody>
            {matrix.factors.map((f) => (
              <FactorRow key={f.key} factor={f} update={update} />
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
