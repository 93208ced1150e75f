/**
 * Key management: the custodians of this workstation, each named with the fingerprint of its
 * current key (SHA-256 of the public key's SPKI), their key history, and the three things a
 * custodian does with a key — make it, replace it (the old key signs the change), revoke it for
 * good. Public keys learnt from imported cases are listed apart. Passphrases are sent once, for the
 * operation, and cleared from the form.
 */
import { useCallback, useEffect, useState } from 'react';
import type { CustodianList, CustodianView } from '../../../../shared/custodians';
import { useLoadable } from '../../loadable';
import { api } from '../../api/client';
import { Badge, EmptyState, ErrorPanel, Spinner } from '../../components/Bits';
import { Fingerprint } from './Fingerprint';
import { CustodianCard } from './CustodianCard';
import { AddCustodian } from './AddCustodian';
import { RotateDialog } from './RotateDialog';
import { RevokeDialog } from './RevokeDialog';
import { STATUS_TONE } from './common';

export type Action = { kind: 'rotate' | 'revoke'; custodian: CustodianView } | null;

export function CustodiansScreen() {
  const { state: custodians, load } = useLoadable<CustodianList>();
  const { data: list, error } = custodians;
  const [action, setAction] = useState<Action>(null);
  const [message, setMessage] = useState<string | null>(null);

  const refresh = useCallback(
    () => load(() => api.listCustodians(), { keep: true, keepOnError: true }),
    [load],
  );
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const done = (text: string) => {
    setAction(null);
    setMessage(text);
    void refresh();
  };

  return (
    <section className="screen screen-cases" aria-labelledby="custodians-heading">
      <div className="screen-header">
        <div>
          <h1 id="custodians-heading">Custodians</h1>
          <p className="muted">
            Ed25519 keys that sign custody events, checkpoints and post-mortem reports. The private key stays
            on this workstation, encrypted with its custodian’s passphrase; the fingerprint is what a reader
            checks.
          </p>
        </div>
      </div>
      {error ? (
        <ErrorPanel title="The custodians could not be read" message={error} onRetry={() => void refresh()} />
      ) : null}
      {message ? (
        <p className="muted" role="status" data-testid="custodian-message">
          {message}
        </p>
      ) : null}
      {list ? (
        <>
          {list.problems.map((p) => (
            <p key={`${p.file}:${p.reason}`} className="field-error">
              {p.file}: {p.reason}
            </p>
          ))}
          <div className="behavior-setup">
            <div className="behavior-panel">
              <h3>On this workstation</h3>
              {list.custodians.length === 0 ? (
                <EmptyState title="No custodian yet" testId="custodians-empty">
                  <p className="muted">Add one to sign custody events and reports.</p>
                </EmptyState>
              ) : (
                list.custodians.map((c) => (
                  <CustodianCard
                    key={c.name}
                    c={c}
                    onRotate={() => setAction({ kind: 'rotate', custodian: c })}
                    onRevoke={() => setAction({ kind: 'revoke', custodian: c })}
                  />
                ))
              )}
            </div>
            <AddCustodian onAdded={(c) => done(`Custodian ${c.name} added: key ${c.fingerprint}.`)} />
          </div>
          {list.external.length > 0 ? (
            <div className="integrity-section">
              <div className="integrity-section-header">
                <h3>Keys learnt from imported cases</h3>
                <span className="muted">public keys only: they check signatures, they cannot sign here</span>
              </div>
              <table className="table table-compact">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Role</th>
                    <th>Fingerprint</th>
                    <th>Status</th>
                  </tr>
                </thead>
                <tbody>
                  {list.external.map((c) => (
                    <tr key={c.fingerprint}>
                      <td>{c.name}</td>
                      <td>{c.role}</td>
                      <td>
                        <Fingerprint value={c.fingerprint} />
                      </td>
                      <td>
                        <Badge tone={STATUS_TONE[c.status] ?? 'neutral'}>{c.status}</Badge>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </>
      ) : error ? null : (
        <Spinner label="Reading the custodians" />
      )}
      {action?.kind === 'rotate' ? (
        <RotateDialog
          c={action.custodian}
          onClose={() => setAction(null)}
          onDone={(c, previous) =>
            done(`Custodian ${c.name}: key ${previous} retired, now ${c.fingerprint}.`)
          }
        />
      ) : action?.kind === 'revoke' ? (
        <RevokeDialog
          c={action.custodian}
          onClose={() => setAction(null)}
          onDone={(c) => done(`Custodian ${c.name} revoked.`)}
        />
      ) : null}
    </section>
  );
}
