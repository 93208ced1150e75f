/**
 * A signed checkpoint of the custody log from the app: a custodian of this workstation signs the
 * chain head (case id, last seq, last hash, time) with their key. The result is the JSON a second
 * custodian pins (`probity checkpoint --pin` reads it), shown with a copy button.
 */
import { useEffect, useState } from 'react';
import type { CustodianView, SignedCheckpointView } from '../../../../shared/custodians';
import { useAction } from '../../components/useAction';
import { api, errorMessage } from '../../api/client';
import { CopyButton } from '../../components/Bits';
import { Dialog } from '../../components/Dialog';

export function CheckpointDialog({
  caseId,
  onClose,
  onSigned,
}: {
  caseId: string;
  onClose: () => void;
  onSigned: () => void;
}) {
  const [custodians, setCustodians] = useState<CustodianView[] | null>(null);
  const [name, setName] = useState('');
  const [pass, setPass] = useState('');
  const { busy, error, run, fail } = useAction();
  const [signed, setSigned] = useState<SignedCheckpointView | null>(null);

  useEffect(() => {
    api.listCustodians().then(
      (l) => {
        const active = l.custodians.filter((c) => c.status === 'active');
        setCustodians(active);
        setName(active[0]?.name ?? '');
      },
      (err: unknown) => fail(errorMessage(err)),
    );
  }, [fail]);

  const sign = async () => {
    await run(async () => {
      try {
        setSigned(await api.signCheckpoint({ caseId, custodian: name, passphrase: pass }));
        onSigned();
        return null;
      } finally {
        setPass('');
      }
    }, errorMessage);
  };

  const text = signed
    ? JSON.stringify(
        { checkpoint: signed.checkpoint, signature: signed.signature, signer: signed.signer },
        null,
        2,
      )
    : '';
  return (
    <Dialog
      title="Sign a checkpoint of the custody log"
      description="Your key signs the chain head as it stands now; a second custodian can pin it and any later rewrite of the log before it is detected."
      onClose={onClose}
      testId="checkpoint-dialog"
      footer={
        signed ? (
          <button type="button" className="btn btn-primary" onClick={onClose}>
            Done
          </button>
        ) : (
          <>
            <button type="button" className="btn" onClick={onClose}>
              Cancel
            </button>
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy || !name || !pass}
              onClick={() => void sign()}
            >
              Sign
            </button>
          </>
        )
      }
    >
      {signed ? (
        <div className="form" data-testid="checkpoint-signed">
          <p>
            Signed by <strong>{signed.signer.name}</strong> through seq {signed.checkpoint.lastSeq} (recorded
            as event {signed.seq}).
          </p>
          <pre className="mono checkpoint-json">{text}</pre>
          <div>
            <CopyButton value={text} label="Copy the checkpoint" /> Copy the checkpoint to hand to a second
            custodian.
          </div>
        </div>
      ) : custodians && custodians.length === 0 ? (
        <p>No active custodian on this workstation: add one under Custodians &amp; keys first.</p>
      ) : (
        <div className="form">
          <div className="field">
            <label htmlFor="checkpoint-custodian">Custodian</label>
            <select id="checkpoint-custodian" value={name} onChange={(e) => setName(e.target.value)}>
              {(custodians ?? []).map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name} ({c.fingerprint.slice(0, 16)}…)
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="checkpoint-pass">Passphrase</label>
            <input
              id="checkpoint-pass"
              type="password"
              value={pass}
              onChange={(e) => setPass(e.target.value)}
              data-autofocus
            />
          </div>
        </div>
      )}
      {error ? (
        <p className="field-error" role="alert" data-testid="checkpoint-error">
          {error}
        </p>
      ) : null}
    </Dialog>
  );
}
