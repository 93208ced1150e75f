import { useState } from 'react';
import type { TriggerState } from '../../../../shared/incident';
import { Badge, FormMessage } from '../../components/Bits';
import { Recorded } from './Recorded';
import { useChange, type Update } from './useChange';

export function TriggerRow({ trigger: t, update }: { trigger: TriggerState; update: Update }) {
  const [applied, setApplied] = useState(t.applied);
  const [note, setNote] = useState(t.note ?? '');
  const { busy, message, send } = useChange(update);
  const id = `pm-trigger-${t.key}`;
  const dirty = applied !== t.applied || note.trim() !== (t.note ?? '');
  return (
    <form
      className="pm-item"
      data-testid={id}
      onSubmit={(e) => {
        e.preventDefault();
        void send(
          { kind: 'trigger', criterion: t.key, applied, ...(note.trim() ? { note: note.trim() } : {}) },
          applied ? 'Recorded: this criterion applies.' : 'Recorded: this criterion does not apply.',
        );
      }}
    >
      <div className="pm-item-head">
        <label className="pm-check">
          <input type="checkbox" checked={applied} onChange={(e) => setApplied(e.target.checked)} />
          <span>{t.text}</span>
        </label>
        {t.recorded ? (
          <Badge tone={t.applied ? 'bad' : 'neutral'}>{t.applied ? 'applies' : 'does not apply'}</Badge>
        ) : (
          <Badge tone="neutral">not recorded</Badge>
        )}
      </div>
      <div className="pm-inline-form">
        <input
          className="field-grow"
          aria-label={`Note on: ${t.text}`}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          placeholder="Note (what showed it)"
        />
        <button type="submit" className="btn btn-small" disabled={busy || (!dirty && t.recorded !== null)}>
          Record
        </button>
        <Recorded recorded={t.recorded} none="" />
      </div>
      <FormMessage message={message} />
    </form>
  );
}
