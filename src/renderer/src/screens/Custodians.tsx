/**
 * Key management: the custodians of this workstation, each named with the fingerprint of its
 * current key (SHA-256 of the public key's SPKI), their key history, and the three things a
 * custodian does with a key — make it, replace it (the old key signs the change), revoke it for
 * good. Public keys learnt from imported cases are listed apart. Passphrases are sent once, for the
 * operation, and cleared from the form.
 */
import { useCallback, useEffect, useState } from 'react';
import type { CustodianList, CustodianView } from '../../../shared/custodians';
import { useLoadable } from '../loadable';
import { api, describeError } from '../api/client';
import { Badge, CopyButton, EmptyState, ErrorPanel, Spinner, type Tone } from '../components/Bits';
import { Dialog } from '../components/Dialog';
import { utc } from '../format';

const STATUS_TONE: Record<string, Tone> = { active: 'ok', retired: 'neutral', revoked: 'bad' };

function Fingerprint({ value }: { value: string }) {
  return (
    <span className="hash">
      <span className="mono custodian-fp" data-hash={value}>
        {value.replace(/(.{16})/g, '$1 ').trim()}
      </span>
      <CopyButton value={value} label="Copy fingerprint" />
    </span>
  );
}

type Action = { kind: 'rotate' | 'revoke'; custodian: CustodianView } | null;

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
          <h2 id="custodians-heading">Custodians</h2>
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

function CustodianCard({
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

/** A new passphrase typed twice; the mismatch is said before anything is sent. */
function passphraseProblem(p: string, again: string): string | null {
  if (p.length < 8) return 'Use a passphrase of at least 8 characters.';
  if (p !== again) return 'The two passphrases differ.';
  return null;
}

function AddCustodian({ onAdded }: { onAdded: (c: CustodianView) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState('evidence custodian');
  const [pass, setPass] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const problem = name.trim() ? passphraseProblem(pass, again) : 'Give the custodian a name.';
    if (problem) return setError(problem);
    setBusy(true);
    setError(null);
    try {
      const c = await api.addCustodian({ name: name.trim(), role: role.trim() || null, passphrase: pass });
      setName('');
      onAdded(c);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setPass('');
      setAgain('');
      setBusy(false);
    }
  };

  return (
    <form className="behavior-panel" onSubmit={(e) => void submit(e)} aria-labelledby="custodian-add-heading">
      <h3 id="custodian-add-heading">Add a custodian</h3>
      <div className="field">
        <label htmlFor="custodian-name">Name</label>
        <input
          id="custodian-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="dana"
          autoComplete="off"
        />
        <span className="field-help">
          Letters, digits, dot, dash and underscore; it names the key in every report.
        </span>
      </div>
      <div className="field">
        <label htmlFor="custodian-role">Role</label>
        <input id="custodian-role" value={role} onChange={(e) => setRole(e.target.value)} />
      </div>
      <div className="field-inline">
        <Secret id="custodian-pass" label="Passphrase" value={pass} onChange={setPass} fresh />
        <Secret id="custodian-pass-again" label="Passphrase again" value={again} onChange={setAgain} fresh />
      </div>
      <p className="field-help">
        The passphrase encrypts the private key on this workstation (scrypt, PKCS#8). Nobody can recover it: a
        lost passphrase means a new key.
      </p>
      <div>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Making the key…' : 'Make the key'}
        </button>
      </div>
      {error ? (
        <p className="field-error" role="alert" data-testid="custodian-add-error">
          {error}
        </p>
      ) : null}
    </form>
  );
}

/** Cancel and the dialog's action, the action disabled while it runs. */
function DialogButtons(props: {
  onCancel: () => void;
  onConfirm: () => void;
  busy: boolean;
  label: string;
  danger?: boolean;
}) {
  return (
    <>
      <button type="button" className="btn" onClick={props.onCancel}>
        Cancel
      </button>
      <button
        type="button"
        className={`btn ${props.danger ? 'btn-danger' : 'btn-primary'}`}
        disabled={props.busy}
        onClick={props.onConfirm}
      >
        {props.label}
      </button>
    </>
  );
}

/** A labelled password input. */
function Secret(props: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  autoFocus?: boolean;
  fresh?: boolean;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="password"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        autoComplete={props.fresh ? 'new-password' : 'current-password'}
        data-autofocus={props.autoFocus ? true : undefined}
      />
    </div>
  );
}

function RotateDialog({
  c,
  onClose,
  onDone,
}: {
  c: CustodianView;
  onClose: () => void;
  onDone: (c: CustodianView, previous: string) => void;
}) {
  const [current, setCurrent] = useState('');
  const [pass, setPass] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const problem = passphraseProblem(pass, again);
    if (problem) return setError(problem);
    setBusy(true);
    setError(null);
    try {
      const r = await api.rotateCustodian({ name: c.name, passphrase: current, newPassphrase: pass });
      onDone(r.custodian, r.previousFingerprint);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setCurrent('');
      setPass('');
      setAgain('');
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Rotate the key of ${c.name}`}
      description="The current key signs the change and is then retired: signatures it made stay valid."
      onClose={onClose}
      footer={<DialogButtons onCancel={onClose} onConfirm={() => void submit()} busy={busy} label="Rotate" />}
    >
      <div className="form">
        <Secret
          id="rotate-current"
          label="Current passphrase"
          value={current}
          onChange={setCurrent}
          autoFocus
        />
        <Secret id="rotate-new" label="New passphrase" value={pass} onChange={setPass} fresh />
        <Secret id="rotate-again" label="New passphrase again" value={again} onChange={setAgain} fresh />
        {error ? (
          <p className="field-error" role="alert">
            {error}
          </p>
        ) : null}
      </div>
    </Dialog>
  );
}

function RevokeDialog({
  c,
  onClose,
  onDone,
}: {
  c: CustodianView;
  onClose: () => void;
  onDone: (c: CustodianView) => void;
}) {
  const [reason, setReason] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    if (!reason.trim()) return setError('Say why the key is revoked (lost, stolen, person left…).');
    if (confirm !== c.name) return setError(`Type ${c.name} to confirm.`);
    setBusy(true);
    setError(null);
    try {
      onDone(await api.revokeCustodian({ name: c.name, reason: reason.trim() }));
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Revoke ${c.name}`}
      description="For good: the key can no longer sign, and verify names any signature dated after the revocation."
      onClose={onClose}
      footer={
        <DialogButtons onCancel={onClose} onConfirm={() => void submit()} busy={busy} label="Revoke" danger />
      }
    >
      <div className="form">
        <div className="field">
          <label htmlFor="revoke-reason">Reason</label>
          <input
            id="revoke-reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            data-autofocus
          />
        </div>
        <div className="field">
          <label htmlFor="revoke-confirm">Type {c.name} to confirm</label>
          <input
            id="revoke-confirm"
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            autoComplete="off"
          />
        </div>
        {error ? (
          <p className="field-error" role="alert">
            {error}
          </p>
        ) : null}
      </div>
    </Dialog>
  );
}
