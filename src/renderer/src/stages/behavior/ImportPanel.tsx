import { useEffect, useMemo, useState } from 'react';
import type { BehaviorRole } from '../../../../shared/behavior';
import { useAction } from '../../components/useAction';
import { api, describeError } from '../../api/client';
import { Spinner } from '../../components/Bits';
import { kindLabel } from '../../format';
import { useStore } from '../../store';

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
  // The case's own evidence is where an eval run comes from first; an outside file is preserved as
  // new evidence, which the user confirms.
  const [source, setSource] = useState<'evidence' | 'outside'>('evidence');
  const [allKinds, setAllKinds] = useState(false);
  const [picked, setPicked] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const evidence = useStore((s) => s.evidence[caseId]?.data) ?? null;
  const loadEvidence = useStore((s) => s.loadEvidence);
  useEffect(() => {
    void loadEvidence(caseId);
  }, [caseId, loadEvidence]);
  const choices = useMemo(
    () =>
      (evidence ?? []).filter(
        (it) => it.sha256 !== null && it.kind !== 'link' && (allKinds || it.kind === 'eval-results'),
      ),
    [evidence, allKinds],
  );
  const chosen = picked && choices.some((c) => c.path === picked) ? picked : (choices[0]?.path ?? '');

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (source === 'evidence' && !chosen) return fail('Pick an evidence file of the case.');
    if (source === 'outside' && !path.trim()) return fail('Give the full path of an eval run file.');
    if (source === 'outside' && !confirmed)
      return fail('Confirm that the file will be preserved as new evidence in the case.');
    void run(async () => {
      const s = await api.importBehaviorRun({
        caseId,
        path: source === 'evidence' ? chosen : path.trim(),
        fromEvidence: source === 'evidence',
        role,
        label: label.trim() || null,
      });
      setPath('');
      setConfirmed(false);
      setLabel('');
      setRole(role === 'baseline' ? 'suspect' : role);
      onImported();
      return `Imported “${s.label}” (#${s.runId}, ${s.role}, ${s.format}): ${s.items.toLocaleString('en-US')} items, ${s.malformedCount} malformed${s.warnings.length ? ` · ${s.warnings.join(' · ')}` : ''}`;
    });
  };

  return (
    <form className="behavior-panel" onSubmit={submit} aria-labelledby="behavior-import-heading">
      <h3 id="behavior-import-heading">Import an eval run</h3>
      <fieldset className="audit-radio" disabled={busy}>
        <legend className="muted">Read the run from</legend>
        <label>
          <input
            type="radio"
            name="behavior-source"
            checked={source === 'evidence'}
            onChange={() => setSource('evidence')}
          />{' '}
          this case’s evidence
        </label>
        <label>
          <input
            type="radio"
            name="behavior-source"
            checked={source === 'outside'}
            onChange={() => setSource('outside')}
          />{' '}
          a file outside the case
        </label>
      </fieldset>
      {source === 'evidence' ? (
        <div className="field">
          <label htmlFor="behavior-evidence">Evidence file</label>
          <select
            id="behavior-evidence"
            value={chosen}
            onChange={(e) => setPicked(e.target.value)}
            disabled={busy || choices.length === 0}
          >
            {choices.map((c) => (
              <option key={c.id} value={c.path}>
                {c.path}
                {allKinds ? ` (${kindLabel(c.kind)})` : ''}
              </option>
            ))}
          </select>
          <label className="muted">
            <input type="checkbox" checked={allKinds} onChange={(e) => setAllKinds(e.target.checked)} /> show
            files of every kind
          </label>
          <span className="field-help">
            {evidence === null
              ? 'Reading the case’s evidence…'
              : choices.length === 0
                ? 'No eval results among the case’s evidence: show every kind, or read a file outside the case.'
                : 'Read from the stored, read-only copy: nothing is copied again.'}
          </span>
        </div>
      ) : (
        <div className="field">
          <label htmlFor="behavior-path">Eval run file</label>
          <input
            id="behavior-path"
            className="mono-input"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder={home ? `${home}/…/run.jsonl` : '/full/path/to/run.jsonl'}
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
                  (p) => p && setPath(p),
                  (err: unknown) => fail(describeError(err)),
                )
              }
            >
              Browse…
            </button>
          ) : null}
          <span className="field-help">
            The full path of a file on this workstation: generic JSONL, promptfoo, lm-eval samples, Inspect,
            garak or OpenAI evals (detected).
          </span>
          <label className="pm-choice">
            <input
              type="checkbox"
              checked={confirmed}
              onChange={(e) => setConfirmed(e.target.checked)}
              disabled={busy}
            />
            <span>
              Preserve this file as new evidence in the case (read once, hashed, stored read-only; the custody
              log records it). Bytes the case already holds are not copied again.
            </span>
          </label>
        </div>
      )}
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
