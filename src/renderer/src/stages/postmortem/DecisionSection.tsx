import { useState } from 'react';
import {
  DECISION_OPTIONS,
  DECISION_OPTION_KEYS,
  type DecisionOption,
  type DecisionState,
  type RetrainingGate,
} from '../../../../shared/incident';
import { Badge, FormMessage } from '../../components/Bits';
import { Recorded } from './Recorded';
import { useChange, type Update } from './useChange';

export function DecisionSection({
  decision,
  gate,
  update,
}: {
  decision: DecisionState | null;
  gate: RetrainingGate;
  update: Update;
}) {
  const [option, setOption] = useState<DecisionOption | ''>(decision?.option ?? '');
  const [reason, setReason] = useState(decision?.reason ?? '');
  const { busy, message, send } = useChange(update);
  return (
    <div className="integrity-section" aria-labelledby="pm-decision-heading">
      <div className="integrity-section-header">
        <h3 id="pm-decision-heading">Decision</h3>
        {decision ? (
          <span data-testid="pm-decision">
            <Badge tone="info">{decision.title}</Badge> <span className="muted">because</span>{' '}
            {decision.reason}
          </span>
        ) : (
          <span className="muted" data-testid="pm-decision">
            No decision recorded yet.
          </span>
        )}
      </div>
      <form
        className="behavior-panel"
        onSubmit={(e) => {
          e.preventDefault();
          if (!option) return;
          void send(
            { kind: 'decide', option, reason: reason.trim() },
            `Decision recorded: ${DECISION_OPTIONS[option]}.`,
          );
        }}
      >
        <fieldset className="pm-choices pm-choices-row">
          <legend>Remediation</legend>
          {DECISION_OPTION_KEYS.map((k) => (
            <label key={k} className="pm-choice">
              <input
                type="radio"
                name="pm-decision-option"
                value={k}
                checked={option === k}
                onChange={() => setOption(k)}
              />
              <span>
                {DECISION_OPTIONS[k]}
                {k === 'retrain' && !gate.open ? (
                  <span className="field-help">
                    {' '}
                    — the retraining gate is closed ({gate.missing.length} missing)
                  </span>
                ) : null}
              </span>
            </label>
          ))}
        </fieldset>
        <div className="pm-form-row">
          <div className="field field-grow">
            <label htmlFor="pm-decision-reason">Reason</label>
            <input id="pm-decision-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <div className="pm-form-submit">
            <button type="submit" className="btn btn-primary" disabled={busy || !option || !reason.trim()}>
              Record decision
            </button>
          </div>
        </div>
        {decision ? <Recorded recorded={decision.recorded} /> : null}
        {message?.tone === 'bad' && message.text.startsWith('retrain refused') ? (
          <RetrainRefusal gate={gate} hostMessage={message.text} />
        ) : (
          <FormMessage message={message} testId="pm-decision-message" />
        )}
      </form>
    </div>
  );
}

/**
 * The host's refusal of Retrain, worded for the reader: the considerations still missing by their
 * titles, each with what the playbook asks for; the host's own line (with the keys the CLI takes)
 * stays one click away.
 */
function RetrainRefusal({ gate, hostMessage }: { gate: RetrainingGate; hostMessage: string }) {
  const missing = gate.items.filter((i) => !i.satisfied);
  return (
    <div className="field-error" role="alert" data-testid="pm-decision-message">
      <p>
        <strong>Retrain was not recorded:</strong> the retraining gate is closed. {missing.length} of{' '}
        {gate.items.length} considerations have no note or evidence yet; record them in the Retraining gate
        above:
      </p>
      <ul className="plain-list" data-testid="pm-decision-missing">
        {missing.map((i) => (
          <li key={i.key}>
            <strong>{i.consideration}</strong> — {i.action}
          </li>
        ))}
      </ul>
      <details>
        <summary>The host’s message</summary>
        <p className="mono break">{hostMessage}</p>
      </details>
    </div>
  );
}
