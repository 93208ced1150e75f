import { useState } from 'react';
import type { RoleAssignment } from '../../../../shared/incident';
import type { CustodianView } from '../../../../shared/custodians';
import { Hash, FormMessage } from '../../components/Bits';
import { Recorded } from './Recorded';
import { useChange, type Update } from './useChange';

export function RoleRow({
  role: r,
  custodians,
  update,
}: {
  role: RoleAssignment;
  custodians: CustodianView[];
  update: Update;
}) {
  const [name, setName] = useState(r.name ?? '');
  const [custodian, setCustodian] = useState(r.custodian?.name ?? '');
  const { busy, message, send } = useChange(update);
  const id = `pm-role-${r.role}`;
  const assign = (e: React.FormEvent) => {
    e.preventDefault();
    const who = name.trim() || custodian;
    void send(
      { kind: 'role', role: r.role, name: who, ...(custodian ? { custodian } : {}) },
      `${r.title}: ${who || '(no name)'} recorded.`,
    ).then((done) => done && setName(who));
  };
  return (
    <tr data-testid={id}>
      <th scope="row" className="pm-role-cell">
        {r.title}
        <span className="field-help">{r.hint}</span>
      </th>
      <td>
        {r.name ? (
          <strong data-testid={`${id}-name`}>{r.name}</strong>
        ) : (
          <span className="muted">unassigned</span>
        )}
        {r.custodian ? (
          <span className="pm-custodian">
            custodian {r.custodian.name} <Hash value={r.custodian.fingerprint} head={8} tail={4} />
          </span>
        ) : null}
        <Recorded recorded={r.recorded} none="" />
      </td>
      <td>
        <form className="pm-inline-form" onSubmit={assign}>
          <input
            aria-label={`Name for ${r.title}`}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="Name"
          />
          <select
            aria-label={`Custodian key for ${r.title}`}
            value={custodian}
            onChange={(e) => setCustodian(e.target.value)}
          >
            <option value="">no custodian key</option>
            {custodians.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name} ({c.fingerprint.slice(0, 8)}…)
              </option>
            ))}
          </select>
          <button
            type="submit"
            className="btn btn-small"
            disabled={busy || (!name.trim() && !custodian)}
            aria-label={`Assign ${r.title}`}
          >
            Assign
          </button>
        </form>
        <FormMessage message={message} />
      </td>
    </tr>
  );
}
