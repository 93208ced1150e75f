import { useState } from 'react';
import type { CustodianView } from '../../../../shared/custodians';
import { useAction } from '../../components/useAction';
import { api } from '../../api/client';
import { Dialog } from '../../components/Dialog';
import { DialogButtons } from './DialogButtons';

export function RevokeDialog({
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
  const { busy, error, run, fail } = useAction();
  const submit = async () => {
    if (!reason.trim()) return fail('Say why the key is revoked (lost, stolen, person left…).');
    if (confirm !== c.name) return fail(`Type ${c.name} to confirm.`);
    await run(async () => {
      onDone(await api.revokeCustodian({ name: c.name, reason: reason.trim() }));
      return null;
    });
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
