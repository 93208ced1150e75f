import { useState } from 'react';
import type { BehaviorRole } from '../../../../shared/behavior';
import { useAction } from '../../components/useAction';
import { api, describeError } from '../../api/client';
import { Spinner } from '../../components/Bits';

export function ImportPanel({
  caseId,
  home,
  desktop,
  onImported,
}: {
  caseId: string;
  home: string | null;
  /** The desktop host has a native file picker; browser mode types the path. */
  desktop: boolean;
  onImported: () => void;
}) {
  const [path, setPath] = useState('');
  const [role, setRole] = useState<BehaviorRole>('baseline');
  const [label, setLabel] = useState('');
  const { busy, message, run, fail } = useAction();

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!path.trim()) return fail('Give the path of an eval run file.');
    void run(async () => {
      const s = await api.importBehaviorRun({
        caseId,
        path: path.trim(),
        role,
        label: label.trim() || null,
      });
      setPath('');
      setLabel('');
      setRole(role === 'baseline' ? 'suspect' : role);
      onImported();
      return `Imported “${s.label}” (#${s.runId}, ${s.role}, ${s.format}): ${s.items.toLocaleString('en-US')} items, ${s.malformedCount} malformed${s.warnings.length ? ` · ${s.warnings.join(' · ')}` : ''}`;
    });
  };

  return (
    <form className="behavior-panel" onSubmit={submit} aria-labelledby="behavior-import-heading">
      <h3 id="behavior-import-heading">Import an eval run</h3>
      <div className="field">
        <label htmlFor="behavior-path">Eval run file</label>
        <input
          id="behavior-path"
          className="mono-input"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          placeholder={home ? `${home}/demo/incident/evals/baseline.jsonl` : '/path/to/run.jsonl'}
          spellCheck={false}
          disabled={busy}
        />
        {desktop ? (
          <button
            type="button"
            className="btn behavior-browse"
            disabled={busy}
            onClick={() =>
              void api.pickBundle({ kind: 'file' }).then(
                (picked) => picked && setPath(picked),
                (err: unknown) => fail(describeError(err)),
              )
            }
          >
            Browse…
          </button>
        ) : null}
        <span className="field-help">
          A file on this workstation: generic JSONL, promptfoo, lm-eval samples, Inspect, garak or OpenAI
          evals (detected). It is stored as evidence first.
        </span>
      </div>
      <div className="behavior-row">
        <div className="field">
          <label htmlFor="behavior-role">Role</label>
          <select
            id="behavior-role"
            value={role}
            onChange={(e) => setRole(e.target.value as BehaviorRole)}
            disabled={busy}
          >
            <option value="baseline">baseline (known-good)</option>
            <option value="suspect">suspect</option>
            <option value="replacement">replacement</option>
          </select>
        </div>
        <div className="field behavior-label-field">
          <label htmlFor="behavior-label">Label (optional)</label>
          <input
            id="behavior-label"
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            placeholder="defaults to the role"
            disabled={busy}
          />
        </div>
        <button type="submit" className="btn btn-primary behavior-row-button" disabled={busy}>
          {busy ? (
            <>
              <Spinner label="Importing" /> Importing…
            </>
          ) : (
            'Import run'
          )}
        </button>
      </div>
      {message ? (
        <p
          className={message.tone === 'ok' ? 'behavior-message' : 'field-error'}
          role={message.tone === 'bad' ? 'alert' : 'status'}
          data-testid="behavior-import-message"
        >
          {message.text}
        </p>
      ) : null}
    </form>
  );
}
