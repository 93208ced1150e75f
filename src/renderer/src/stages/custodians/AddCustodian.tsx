import { useState } from 'react';
import type { CustodianView } from '../../../../shared/custodians';
import { useAction } from '../../components/useAction';
import { api } from '../../api/client';
import { Secret } from './Secret';
import { passphraseProblem } from './common';

export function AddCustodian({ onAdded }: { onAdded: (c: CustodianView) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState('evidence custodian');
  const [pass, setPass] = useState('');
  const [again, setAgain] = useState('');
  const { busy, error, run, fail } = useAction();

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const problem = name.trim() ? passphraseProblem(pass, again) : 'Give the custodian a name.';
    if (problem) return fail(problem);
    await run(async () => {
      try {
        const c = await api.addCustodian({ name: name.trim(), role: role.trim() || null, passphrase: pass });
        setName('');
        onAdded(c);
        return null;
      } finally {
        setPass('');
        setAgain('');
      }
    });
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
