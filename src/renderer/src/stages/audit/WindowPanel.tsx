import { useState } from 'react';
import type { AuditState, AuditWindowView } from '../../../../shared/audit';
import { api } from '../../api/client';
import { FormMessage } from '../../components/Bits';
import { utc } from '../../format';
import { useAction } from '../../components/useAction';
import { useDraft, writeDraft } from '../../drafts';

/** A policy to start from, inserted only when asked for (never shown as if it were filled in). */
export const EXAMPLE_POLICY =
  'tools:\n  lookup_order: {}\n  refund_order: { require: [ticket_id], max: { amount: 200 } }\n';

export function policyText(w: AuditWindowView | null): string {
  if (!w?.policy) return '';
  return JSON.stringify(w.policy, null, 2);
}

export function WindowPanel({
  caseId,
  state,
  onChanged,
}: {
  caseId: string;
  state: AuditState;
  onChanged: () => void;
}) {
  const w = state.window;
  const [from, setFrom] = useState<'deployments' | 'manual'>(
    w?.source.kind === 'manual' || state.deployments.length === 0 ? 'manual' : 'deployments',
  );
  const [deployments, setDeployments] = useState(state.deployments[0]?.evidencePath ?? '');
  const [start, setStart] = useState(w?.start ?? '');
  const [end, setEnd] = useState(w?.end ?? '');
  const draftKey = `${caseId}/audit-policy`;
  const [policy, setPolicy] = useDraft(draftKey, policyText(w));
  const { busy, message, run } = useAction();
  // The host names the policy in its refusal: the field is then marked invalid.
  const policyError =
    message?.tone === 'bad' && message.text.startsWith('authorized tools') ? message.text : null;

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const set = await api.setAuditWindow({
        caseId,
        from,
        start: from === 'manual' ? start : null,
        end: from === 'manual' ? end : null,
        deployments: from === 'deployments' ? deployments || null : null,
        policy,
      });
      setStart(set.start);
      setEnd(set.end);
      // Recorded with the window: no longer a draft (the text stays in the field).
      writeDraft(draftKey, null);
      onChanged();
      return `Window ${set.id} set: ${utc(set.start)} → ${utc(set.end)}.`;
    });
  };

  return (
    <form className="behavior-panel" onSubmit={submit} aria-labelledby="audit-window-heading">
      <h3 id="audit-window-heading">Compromise window</h3>
      {w ? (
        <div data-testid="audit-window">
          <p>
            <strong>{utc(w.start)}</strong> → <strong>{utc(w.end)}</strong>{' '}
            <span className="muted">(end excluded; window {w.id})</span>
          </p>
          <p className="muted">{windowSource(w)}</p>
          <p className="muted">
            Authorized tools:{' '}
            {w.policy
              ? `${Object.keys(w.policy.tools).join(', ')} (policy sha256 ${w.policySha256?.slice(0, 12)}…)`
              : 'none given: tool calls are not audited'}
          </p>
        </div>
      ) : (
        <p className="muted">Not set yet.</p>
      )}
      <fieldset className="audit-radio" disabled={busy}>
        <legend className="muted">Set it</legend>
        <label>
          <input
            type="radio"
            name="audit-window-from"
            checked={from === 'deployments'}
            onChange={() => setFrom('deployments')}
            disabled={state.deployments.length === 0}
          />{' '}
          from the deployment records (compromised version deployed → isolated)
        </label>
        <label>
          <input
            type="radio"
            name="audit-window-from"
            checked={from === 'manual'}
            onChange={() => setFrom('manual')}
          />{' '}
          by hand
        </label>
      </fieldset>
      {from === 'deployments' ? (
        <div className="field">
          <label htmlFor="audit-deployments">Deployment records</label>
          <select id="audit-deployments" value={deployments} onChange={(e) => setDeployments(e.target.value)}>
            {state.deployments.map((d) => (
              <option key={d.sha256} value={d.evidencePath}>
                {d.evidencePath} ({d.events.length} events)
              </option>
            ))}
          </select>
        </div>
      ) : (
        <div className="field-inline">
          <div className="field">
            <label htmlFor="audit-start">Start (UTC unless a zone is given)</label>
            <input
              id="audit-start"
              className="mono-input"
              value={start}
              onChange={(e) => setStart(e.target.value)}
              placeholder="2026-10-06T14:12:00Z"
            />
          </div>
          <div className="field">
            <label htmlFor="audit-end">End (excluded)</label>
            <input
              id="audit-end"
              className="mono-input"
              value={end}
              onChange={(e) => setEnd(e.target.value)}
              placeholder="2026-10-20T09:30:00Z"
            />
          </div>
        </div>
      )}
      <div className="field">
        <label htmlFor="audit-policy">Authorized tools policy (YAML or JSON)</label>
        <textarea
          id="audit-policy"
          className="mono-input audit-policy"
          rows={7}
          value={policy}
          onChange={(e) => setPolicy(e.target.value)}
          spellCheck={false}
          aria-invalid={policyError !== null}
          aria-describedby="audit-policy-help"
        />
        <span className="field-help" id="audit-policy-help" data-testid="audit-policy-help">
          {policy.trim() === '' ? <strong>Empty: tool calls will not be audited. </strong> : null}
          Each tool allowed, with optional rules: require (arguments that must be present), max (numeric
          limits), allow (permitted values). A call to any other tool is unauthorized.{' '}
          {policy.trim() === '' ? (
            <button type="button" className="link-button" onClick={() => setPolicy(EXAMPLE_POLICY)}>
              Insert an example to edit
            </button>
          ) : null}
        </span>
      </div>
      <div>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Setting…' : w ? 'Set a new window' : 'Set the window'}
        </button>
      </div>
      <FormMessage message={message} testId="audit-window-message" />
    </form>
  );
}

export function windowSource(w: AuditWindowView): string {
  const s = w.source;
  if (s.kind === 'manual') return `Set by hand by ${w.actor} at ${utc(w.createdAt)}.`;
  return `From ${s.evidencePath} (line ${s.start.line} “${s.start.event}” ${s.version} → line ${s.end.line} “${s.end.event}”), set by ${w.actor}.`;
}
