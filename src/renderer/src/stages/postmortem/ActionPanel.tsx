import { useState } from 'react';
import {
  ISOLATION_FRAMEWORK,
  ISOLATION_STRATEGIES,
  ISOLATION_STRATEGY_KEYS,
  FRAMEWORK_KEYS,
  type FrameworkKey,
  type ImmediateActionState,
  type IncidentChangeArgs,
  type IsolationStrategy,
} from '../../../../shared/incident';
import { Badge, FormMessage } from '../../components/Bits';
import { utc } from '../../format';
import { nowUtc, useChange, type Update } from './useChange';
import { Recorded } from './Recorded';
import { PreservedIngests } from './PreservedIngests';

export function ActionPanel({ action: a, update }: { action: ImmediateActionState; update: Update }) {
  const [at, setAt] = useState(a.at ?? '');
  const [note, setNote] = useState(a.note ?? '');
  const [strategy, setStrategy] = useState<IsolationStrategy | ''>(a.strategy?.key ?? '');
  const [framework, setFramework] = useState<FrameworkKey | ''>(a.framework?.key ?? '');
  const { busy, message, send } = useChange(update);
  const id = `pm-action-${a.action}`;
  const isolate = a.action === 'isolate';

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const when = at.trim() || nowUtc();
    const change: IncidentChangeArgs = { kind: 'action', action: a.action, at: when };
    if (note.trim()) change.note = note.trim();
    if (isolate && strategy) change.strategy = strategy;
    if (isolate && framework) change.framework = framework;
    void send(change, `${a.title}: recorded at ${utc(when)}.`).then((done) => done && setAt(when));
  };

  return (
    <form className="behavior-panel" onSubmit={submit} aria-labelledby={`${id}-heading`} data-testid={id}>
      <div className="pm-item-head">
        <h3 id={`${id}-heading`}>{a.title}</h3>
        {a.done ? (
          <Badge tone="ok" testId={`${id}-done`}>
            done {utc(a.at)}
          </Badge>
        ) : (
          <Badge tone="warn">not recorded</Badge>
        )}
      </div>
      {a.done ? (
        <p className="pm-current">
          {a.strategy ? (
            <>
              Strategy: <strong>{a.strategy.title}</strong>{' '}
              <span className="muted">
                (when to use: {a.strategy.whenToUse}; impact: {a.strategy.impact})
              </span>
              <br />
            </>
          ) : null}
          {a.framework ? (
            <>
              Situation: {a.framework.condition} → <strong>{a.framework.response}</strong>
              <br />
            </>
          ) : null}
          {a.note ? <>Note: {a.note}</> : null}
        </p>
      ) : null}
      <Recorded recorded={a.recorded} />
      {a.ingests ? <PreservedIngests action={a} /> : null}
      {isolate ? (
        <>
          <fieldset className="pm-choices">
            <legend>Isolation strategy</legend>
            {ISOLATION_STRATEGY_KEYS.map((k) => {
              const s = ISOLATION_STRATEGIES[k];
              return (
                <label key={k} className="pm-choice">
                  <input
                    type="radio"
                    name="pm-isolation-strategy"
                    value={k}
                    checked={strategy === k}
                    onChange={() => setStrategy(k)}
                  />
                  <span>
                    <strong>{s.title}</strong>
                    <span className="field-help">
                      When to use: {s.whenToUse}. Impact: {s.impact}.
                    </span>
                  </span>
                </label>
              );
            })}
          </fieldset>
          <fieldset className="pm-choices">
            <legend>Decision framework: the situation</legend>
            {FRAMEWORK_KEYS.map((k) => {
              const f = ISOLATION_FRAMEWORK[k];
              return (
                <label key={k} className="pm-choice">
                  <input
                    type="radio"
                    name="pm-isolation-framework"
                    value={k}
                    checked={framework === k}
                    onChange={() => setFramework(k)}
                  />
                  <span>
                    {f.condition} → <strong>{f.response}</strong>
                  </span>
                </label>
              );
            })}
          </fieldset>
        </>
      ) : null}
      <div className="pm-form-row">
        <div className="field">
          <label htmlFor={`${id}-at`}>When (UTC; blank for now)</label>
          <input
            id={`${id}-at`}
            className="mono-input"
            value={at}
            onChange={(e) => setAt(e.target.value)}
            placeholder="2026-10-20T09:30:00Z"
            spellCheck={false}
          />
        </div>
        <div className="field field-grow">
          <label htmlFor={`${id}-note`}>{isolate ? 'Reason / note' : 'Note'}</label>
          <input id={`${id}-note`} value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
        <div className="pm-form-submit">
          <button type="submit" className="btn btn-primary" disabled={busy || (isolate && !strategy)}>
            {a.done ? 'Record again' : 'Record'}
          </button>
        </div>
      </div>
      <FormMessage message={message} testId={`${id}-message`} />
    </form>
  );
}
