import { useState } from 'react';
import {
  MANUAL_CHECKLIST_STATUSES,
  type IncidentChecklistItem,
  type ManualChecklistStatus,
} from '../../../../shared/incident';
import { Badge, type Tone, FormMessage } from '../../components/Bits';
import { useChange, type Update } from './useChange';

export const MANUAL_TONE: Record<ManualChecklistStatus, Tone> = {
  done: 'ok',
  'in-progress': 'warn',
  'not-applicable': 'neutral',
  open: 'bad',
};

export function ManualNote({ item, update }: { item: IncidentChecklistItem; update: Update }) {
  const [status, setStatus] = useState<ManualChecklistStatus>(item.manual?.status ?? 'open');
  const [note, setNote] = useState(item.manual?.note ?? '');
  const { busy, message, send } = useChange(update);
  return (
    <form
      className="pm-stack-form pm-manual"
      onSubmit={(e) => {
        e.preventDefault();
        void send({ kind: 'checklist', n: item.n, status, note: note.trim() }, `Item ${item.n} recorded.`);
      }}
    >
      {item.manual ? (
        <span className="pm-manual-current">
          <Badge tone={MANUAL_TONE[item.manual.status]}>{item.manual.status.replace('-', ' ')}</Badge>{' '}
          {item.manual.note}
        </span>
      ) : null}
      <div className="pm-inline-form">
        <select
          aria-label={`Status of item ${item.n}`}
          value={status}
          onChange={(e) => setStatus(e.target.value as ManualChecklistStatus)}
        >
          {MANUAL_CHECKLIST_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s.replace('-', ' ')}
            </option>
          ))}
        </select>
        <input
          className="field-grow"
          aria-label={`Note on item ${item.n}`}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          placeholder="What was done, by whom"
        />
        <button
          type="submit"
          className="btn btn-small"
          disabled={busy || !note.trim()}
          aria-label={`Record item ${item.n}`}
        >
          Record
        </button>
      </div>
      <FormMessage message={message} />
    </form>
  );
}
