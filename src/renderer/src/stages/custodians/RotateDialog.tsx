import { useState } from 'react';
import type { CustodianView } from '../../../../shared/custodians';
import { useAction } from '../../components/useAction';
import { api } from '../../api/client';
import { Dialog } from '../../components/Dialog';
import { DialogButtons } from './DialogButtons';
import { Secret } from './Secret';
import { passphraseProblem } from './common';

export function RotateDialog({
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
  const { busy, error, run, fail } = useAction();
  const submit = async () => {
    const problem = passphraseProblem(pass, again);
    if (problem) return fail(problem);
    await run(async () => {
      try {
        const r = await api.rotateCustodian({ name: c.name, passphrase: current, newPassphrase: pass });
        onDone(r.custodian, r.previousFingerprint);
        return null;
      } finally {
        setCurrent('');
        setPass('');
        setAgain('');
      }
    });
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
