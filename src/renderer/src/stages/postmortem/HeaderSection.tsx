import { useState } from 'react';
import {
  INCIDENT_STATUSES,
  SEVERITIES,
  type IncidentChangeArgs,
  type IncidentStatus,
  type IncidentView,
  type Severity,
} from '../../../../shared/incident';
import { Badge, FormMessage } from '../../components/Bits';
import { utc } from '../../format';
import { Recorded } from './Recorded';
import { useChange, type Update } from './useChange';

export function HeaderSection({ view, update }: { view: IncidentView; update: Update }) {
  const h = view.header;
  const [status, setStatus] = useState<IncidentStatus>(h.status);
  const [severity, setSeverity] = useState<Severity | ''>(h.severity ?? '');
  const [detected, setDetected] = useState(h.detected ?? '');
  const { busy, message, send } = useChange(update);

  const save = (e: React.FormEvent) => {
    e.preventDefault();
    const change: IncidentChangeArgs = { kind: 'header', status };
    if (severity) change.severity = severity;
    if (detected.trim()) change.detected = detected.trim();
    void send(change, 'Header recorded.').then((done) => {
      if (done && detected.trim()) setDetected(detected.trim());
    });
  };

  return (
    <div className="integrity-section" aria-labelledby="pm-header-heading" data-testid="pm-header">
      <div className="integrity-section-header">
        <h3 id="pm-header-heading">Incident</h3>
        <Recorded recorded={h.recorded} />
      </div>
      <form className="behavior-panel" onSubmit={save}>
        <dl className="facts pm-header-facts">
          <dt>Incident ID</dt>
          <dd className="mono" data-testid="pm-incident-id">
            {h.incidentId}
          </dd>
          <dt>Type</dt>
          <dd>{h.type}</dd>
          <dt>Title</dt>
          <dd>{h.title}</dd>
          <dt>Detected</dt>
          <dd data-testid="pm-detected">
            {h.detected ? utc(h.detected) : <span className="muted">not recorded</span>}
          </dd>
          <dt>Status</dt>
          <dd>
            <Badge tone={h.status === 'closed' ? 'ok' : 'info'} testId="pm-status">
              {h.status}
            </Badge>
          </dd>
          <dt>Severity</dt>
          <dd>
            {h.severity ? (
              <Badge
                tone={h.severity === 'critical' || h.severity === 'high' ? 'bad' : 'warn'}
                testId="pm-severity"
              >
                {h.severity}
              </Badge>
            ) : (
              <span className="muted">not set</span>
            )}
          </dd>
        </dl>
        <div className="pm-form-row">
          <div className="field">
            <label htmlFor="pm-detected-input">Detected (UTC unless a zone is given)</label>
            <input
              id="pm-detected-input"
              className="mono-input"
              value={detected}
              onChange={(e) => setDetected(e.target.value)}
              placeholder="2026-10-20T08:00:00Z"
              spellCheck={false}
            />
          </div>
          <div className="field">
            <label htmlFor="pm-status-input">Status</label>
            <select
              id="pm-status-input"
              value={status}
              onChange={(e) => setStatus(e.target.value as IncidentStatus)}
            >
              {INCIDENT_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="pm-severity-input">Severity</label>
            <select
              id="pm-severity-input"
              value={severity}
              onChange={(e) => setSeverity(e.target.value as Severity | '')}
            >
              <option value="" disabled={h.severity !== null}>
                — not set —
              </option>
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div className="pm-form-submit">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? 'Saving…' : 'Save header'}
            </button>
          </div>
        </div>
        <FormMessage message={message} testId="pm-header-message" />
      </form>
    </div>
  );
}
