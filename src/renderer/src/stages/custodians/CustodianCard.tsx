import type { CustodianView } from '../../../../shared/custodians';
import { Badge } from '../../components/Bits';
import { utc } from '../../format';
import { Fingerprint } from './Fingerprint';
import { STATUS_TONE } from './common';

export function CustodianCard({
  c,
  onRotate,
  onRevoke,
}: {
  c: CustodianView;
  onRotate: () => void;
  onRevoke: () => void;
}) {
  return (
    <article className="custodian-card" data-testid="custodian" data-name={c.name}>
      <header className="custodian-head">
        <strong>{c.name}</strong>
        <span className="muted">{c.role}</span>
        <Badge tone={STATUS_TONE[c.status] ?? 'neutral'}>{c.status}</Badge>
        {c.status === 'active' ? (
          <span className="custodian-actions">
            <button type="button" className="btn btn-small" onClick={onRotate}>
              Rotate key…
            </button>
            <button type="button" className="btn btn-small btn-danger" onClick={onRevoke}>
              Revoke…
            </button>
          </span>
        ) : null}
      </header>
      <div>
        <span className="muted">Fingerprint </span>
        <Fingerprint value={c.fingerprint} />
      </div>
      <table className="table table-compact custodian-keys">
        <thead>
          <tr>
            <th>Key</th>
            <th>Made</th>
            <th>Status</th>
            <th>Ended</th>
          </tr>
        </thead>
        <tbody>
          {c.keys.map((k) => (
            <tr key={k.fingerprint}>
              <td className="mono" title={k.fingerprint}>
                {k.fingerprint.slice(0, 16)}…
              </td>
              <td>{utc(k.created)}</td>
              <td>
                <Badge tone={STATUS_TONE[k.status] ?? 'neutral'}>{k.status}</Badge>
              </td>
              <td>{k.endedAt ? `${utc(k.endedAt)}${k.reason ? ` — ${k.reason}` : ''}` : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}
