import { useEffect, useState } from 'react';
import type { AuditEstimateView } from '../../../../shared/audit';
import { useAction } from '../../components/useAction';
import { api, describeError } from '../../api/client';
import { ErrorPanel, Spinner } from '../../components/Bits';
import { PrevalenceTable } from './PrevalenceTable';
import { num, pct, range } from './format';

export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function EstimatePanel({
  caseId,
  tick,
  onRecorded,
}: {
  caseId: string;
  tick: number;
  onRecorded: () => void;
}) {
  const [e, setE] = useState<AuditEstimateView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { busy, message, run } = useAction();

  useEffect(() => {
    let live = true;
    api.auditEstimate({ caseId }).then(
      (r) => {
        if (!live) return;
        setE(r);
        setError(null);
      },
      (err: unknown) => live && setError(describeError(err)),
    );
    return () => {
      live = false;
    };
  }, [caseId, tick]);

  const record = () =>
    run(async () => {
      const r = await api.auditEstimate({ caseId, record: true });
      setE(r);
      onRecorded();
      return `Recorded in the case as findings of stage audit (run ${r.recordedRunId}).`;
    });

  const exportAs = (format: 'csv' | 'json') =>
    run(async () => {
      const r = await api.exportAuditSample({ caseId, format });
      download(
        r.out.split(/[\\/]/).pop() ?? `sample.${format}`,
        r.content,
        format === 'csv' ? 'text/csv' : 'application/json',
      );
      return `Exported ${r.rows} rows to ${r.out} (sha256 ${r.sha256.slice(0, 12)}…), recorded in the custody log.`;
    });

  if (error) return <ErrorPanel title="No estimate" message={error} />;
  if (!e) return <Spinner label="Estimating" />;
  const h = e.harmful;
  const t = e.toolCalls;
  return (
    <div className="integrity-section" aria-labelledby="audit-estimate-heading" data-testid="audit-estimate">
      <div className="integrity-section-header">
        <h3 id="audit-estimate-heading">Estimate</h3>
        <span className="muted">
          {Math.round(e.confidence * 100)}% intervals · sample {e.sample.id} ·{' '}
          <span data-testid="audit-estimate-reviewed">
            {num(h.sampleSize - h.unreviewed)} of {num(h.sampleSize)} reviewed
          </span>
          {h.unresolved.unsure + h.unresolved.escalate > 0
            ? ` · ${num(h.reviewed)} labelled harmful or benign`
            : ''}
        </span>
        <span className="audit-actions">
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void record()}>
            Record in the case
          </button>
          <button type="button" className="btn" disabled={busy} onClick={() => void exportAs('csv')}>
            Export CSV
          </button>
          <button type="button" className="btn" disabled={busy} onClick={() => void exportAs('json')}>
            Export JSON
          </button>
        </span>
      </div>
      {message ? (
        <p className="muted" role="status" data-testid="audit-estimate-message">
          {message.text}
        </p>
      ) : null}
      <div className="audit-estimates">
        <div className="behavior-panel">
          <h4>Harmful outputs</h4>
          {h.prevalence ? (
            <>
              <p className="audit-headline" data-testid="audit-harmful-headline">
                <strong>{pct(h.prevalence.wilson.estimate)}</strong> ({range(h.prevalence.wilson)}) of the
                window’s outputs harmful; about {num(Math.round(h.prevalence.projectedRequests.expected))}{' '}
                requests
                {h.projectedUsers
                  ? `, ${num(Math.round(h.projectedUsers.lower))}–${num(Math.round(h.projectedUsers.upper))} users (${h.projectedUsers.found} found)`
                  : ''}
                .
              </p>
              <PrevalenceTable
                p={h.prevalence}
                what="Harmful"
                rowName={`${num(h.prevalence.positives)} harmful of ${num(h.prevalence.sampled)} labelled harmful or benign`}
                testId="audit-harmful-table"
              />
            </>
          ) : (
            <p className="muted">Nothing reviewed yet: no estimate.</p>
          )}
          {h.unresolved.unsure + h.unresolved.escalate > 0 ? (
            <p className="muted">
              Unresolved: {h.unresolved.unsure} unsure, {h.unresolved.escalate} escalated
              {h.ifUnresolvedHarmful
                ? `; if all were harmful: ${pct(h.ifUnresolvedHarmful.estimate)} (${range(h.ifUnresolvedHarmful.wilson)})`
                : ''}
              .
            </p>
          ) : null}
        </div>
        <div className="behavior-panel">
          <h4>Tool calls</h4>
          {t.census ? (
            <>
              <p data-testid="audit-tool-census">
                <strong>{num(t.census.unauthorizedCalls)}</strong> of {num(t.census.calls)} calls in the
                window break the policy, in {num(t.census.requestsWithUnauthorized)} requests (every call
                checked, not a sample).
              </p>
              {Object.keys(t.census.byReason).length > 0 ? (
                <table className="table table-compact">
                  <tbody>
                    {Object.entries(t.census.byReason).map(([reason, n]) => (
                      <tr key={reason}>
                        <td>{reason}</td>
                        <td className="num">{num(n)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
              {t.sample ? (
                <PrevalenceTable
                  p={t.sample}
                  what="Sampled requests with one"
                  rowName={`${num(t.sample.positives)} of ${num(t.sample.sampled)} sampled requests make an unauthorized call`}
                  testId="audit-tool-table"
                />
              ) : null}
            </>
          ) : (
            <p className="muted">Not analysed: no authorized-tools policy is set with the window.</p>
          )}
        </div>
        <div className="behavior-panel">
          <h4>Agreement</h4>
          {e.agreement ? (
            <p data-testid="audit-kappa">
              Cohen’s κ ={' '}
              <strong>
                {Number.isFinite(e.agreement.kappa) ? e.agreement.kappa.toFixed(2) : 'undefined'}
              </strong>{' '}
              between {e.agreement.reviewers.join(' and ')} on {e.agreement.n} records (
              {pct(e.agreement.observedAgreement)} agree; {e.agreement.disagreements.length} disagreements).
            </p>
          ) : (
            <p className="muted">No record is labelled by two reviewers yet.</p>
          )}
          {e.notes.length > 0 ? (
            <ul className="plain-list muted">
              {e.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          ) : null}
        </div>
      </div>
    </div>
  );
}
