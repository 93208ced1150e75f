import { useState } from 'react';
import { useAction } from '../../components/useAction';
import { api, errorMessage } from '../../api/client';
import { ErrorPanel, Spinner } from '../../components/Bits';
import { Dialog } from '../../components/Dialog';

export function NewCaseDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (caseId: string) => void;
}) {
  const [title, setTitle] = useState('');
  const [examiner, setExaminer] = useState('');
  const [touched, setTouched] = useState(false);
  const { busy, error, run } = useAction();
  const titleMissing = title.trim() === '';

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (titleMissing || busy) return;
    await run(async () => {
      const created = await api.createCase({ title: title.trim(), examiner: examiner.trim() || null });
      onCreated(created.id);
      return null;
    }, errorMessage);
  }

  return (
    <Dialog
      title="New case"
      onClose={onClose}
      testId="new-case-dialog"
      description="The incident id (AI-IR-YYYY-NNNN) is assigned by the workstation and recorded as the first custody event."
    >
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor="new-case-title">
            Title <span className="required">required</span>
          </label>
          <input
            id="new-case-title"
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            onBlur={() => setTouched(true)}
            aria-invalid={touched && titleMissing}
            aria-describedby={touched && titleMissing ? 'new-case-title-error' : undefined}
            placeholder="e.g. Support assistant returns attacker URLs after adapter update"
            autoComplete="off"
            maxLength={200}
          />
          {touched && titleMissing ? (
            <p id="new-case-title-error" className="field-error">
              Give the case a title.
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="new-case-examiner">
            Examiner <span className="muted">optional</span>
          </label>
          <input
            id="new-case-examiner"
            value={examiner}
            onChange={(e) => setExaminer(e.target.value)}
            placeholder="Name of the examiner in charge"
            autoComplete="off"
            maxLength={120}
          />
        </div>
        {error ? <ErrorPanel title="The case was not created" message={error} /> : null}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? <Spinner label="Creating" /> : null}
            Create case
          </button>
        </div>
      </form>
    </Dialog>
  );
}
