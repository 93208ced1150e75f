import { useState } from 'react';
import { CONSIDERATION_KEYS, type GateItem } from '../../../../shared/incident';
import { Badge, Hash, FormMessage } from '../../components/Bits';
import { Recorded } from './Recorded';
import { useChange, type Update } from './useChange';

export function GateItemPanel({
  item,
  evidence,
  evidenceError,
  update,
}: {
  item: GateItem;
  evidence: { id: number; path: string; sha256: string | null }[];
  evidenceError: string | null;
  update: Update;
}) {
  const [note, setNote] = useState(item.note ?? '');
  const [ids, setIds] = useState<number[]>(item.evidence.map((e) => e.id));
  const { busy, message, send } = useChange(update);
  const id = `pm-gate-${item.key}`;
  const n = CONSIDERATION_KEYS.indexOf(item.key) + 1;
  return (
    <form
      className={`behavior-panel pm-gate-item ${item.satisfied ? 'is-satisfied' : 'is-missing'}`}
      data-testid={id}
      onSubmit={(e) => {
        e.preventDefault();
        void send(
          {
            kind: 'consideration',
            consideration: item.key,
            ...(note.trim() ? { note: note.trim() } : {}),
            ...(ids.length > 0 ? { evidenceIds: ids } : {}),
          },
          'Recorded.',
        );
      }}
    >
      <div className="pm-item-head">
        <h4>
          {n}. {item.consideration}
        </h4>
        {item.satisfied ? (
          <Badge tone="ok" testId={`${id}-state`}>
            satisfied
          </Badge>
        ) : (
          <Badge tone="bad" testId={`${id}-state`}>
            missing
          </Badge>
        )}
      </div>
      <p className="field-help">{item.action}</p>
      <div className="field">
        <label htmlFor={`${id}-note`}>Note on {item.consideration}</label>
        <textarea id={`${id}-note`} rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-evidence`}>Evidence (Ctrl/Shift to pick several)</label>
        <select
          id={`${id}-evidence`}
          multiple
          size={3}
          className="pm-evidence-select"
          value={ids.map(String)}
          onChange={(e) => setIds([...e.target.selectedOptions].map((o) => Number(o.value)))}
        >
          {evidence.map((ev) => (
            <option key={ev.id} value={ev.id} title={ev.sha256 ?? undefined}>
              #{ev.id} {ev.path}
            </option>
          ))}
        </select>
        {evidenceError ? <span className="field-error">{evidenceError}</span> : null}
      </div>
      {item.evidence.length > 0 ? (
        <ul className="plain-list pm-evidence-list">
          {item.evidence.map((ev) => (
            <li key={ev.id}>
              <span className="mono">
                #{ev.id} {ev.path}
              </span>{' '}
              <Hash value={ev.sha256} head={8} tail={4} />
            </li>
          ))}
        </ul>
      ) : null}
      <div className="pm-inline-form">
        <button
          type="submit"
          className="btn btn-small"
          disabled={busy || (!note.trim() && ids.length === 0)}
          aria-label={`Record: ${item.consideration}`}
        >
          Record
        </button>
        <Recorded recorded={item.recorded} none="" />
      </div>
      <FormMessage message={message} />
    </form>
  );
}
