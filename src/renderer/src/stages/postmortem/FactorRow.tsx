import { useState } from 'react';
import type { MatrixFactor } from '../../../../shared/incident';
import { Badge, FormMessage } from '../../components/Bits';
import { Recorded } from './Recorded';
import { useChange, type Update } from './useChange';

export function FactorRow({ factor: f, update }: { factor: MatrixFactor; update: Update }) {
  const [value, setValue] = useState(f.value ?? '');
  const [note, setNote] = useState(f.note ?? '');
  const { busy, message, send } = useChange(update);
  return (
    <tr
      className={f.appliesBecause ? 'pm-row-applies' : undefined}
      data-testid={`pm-factor-${f.key}`}
      data-applies={f.appliesBecause ? 'true' : undefined}
    >
      <th scope="row">
        {f.factor}
        {f.appliesBecause ? (
          <span className="pm-applies">
            <Badge tone="warn" title={f.appliesBecause.summary}>
              relevant
            </Badge>{' '}
            <span className="field-help">
              finding #{f.appliesBecause.findingId}: {f.appliesBecause.summary}
            </span>
          </span>
        ) : null}
      </th>
      <td>{f.previousVersion}</td>
      <td>{f.newModel}</td>
      <td>{f.retrain}</td>
      <td>
        <form
          className="pm-stack-form"
          onSubmit={(e) => {
            e.preventDefault();
            void send(
              {
                kind: 'factor',
                factor: f.key,
                ...(value.trim() ? { value: value.trim() } : {}),
                ...(note.trim() ? { note: note.trim() } : {}),
              },
              'Recorded.',
            );
          }}
        >
          <div className="pm-inline-form">
            <input
              className="pm-value-input"
              aria-label={`Value for: ${f.factor}`}
              value={value}
              onChange={(e) => setValue(e.target.value)}
              placeholder="value"
            />
            <input
              className="field-grow"
              aria-label={`Note for: ${f.factor}`}
              value={note}
              onChange={(e) => setNote(e.target.value)}
              placeholder="note"
            />
            <button
              type="submit"
              className="btn btn-small"
              disabled={busy || (!value.trim() && !note.trim())}
              aria-label={`Record: ${f.factor}`}
            >
              Record
            </button>
          </div>
          <Recorded recorded={f.recorded} none="" />
          <FormMessage message={message} />
        </form>
      </td>
    </tr>
  );
}
