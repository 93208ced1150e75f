import { useState } from 'react';
import { useAction } from '../../components/useAction';
import { api, errorMessage } from '../../api/client';
import { ErrorPanel, Spinner } from '../../components/Bits';
import { useStore } from '../../store';

export function IngestForm({ caseId, initialPath = '' }: { caseId: string; initialPath?: string }) {
  const info = useStore((s) => s.info.data);
  const startIngest = useStore((s) => s.startIngest);
  const setIngestJob = useStore((s) => s.setIngestJob);
  const close = useStore((s) => s.closeIngest);
  const [path, setPath] = useState(initialPath);
  const { busy, error, run, fail, setMessage } = useAction();
  const [touched, setTouched] = useState(false);
  const desktop = info ? info.pathInput === 'dialog' : api.transport === 'ipc';
  const empty = path.trim() === '';

  async function browse(kind: 'folder' | 'file') {
    setMessage(null);
    try {
      const picked = await api.pickBundle({ kind });
      if (picked) setPath(picked);
    } catch (err) {
      fail(errorMessage(err));
    }
  }

  async function start(e: React.FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (empty || busy) return;
    await run(async () => {
      setIngestJob(await startIngest(caseId, path.trim()));
      return null;
    }, errorMessage);
  }

  return (
    <form className="form" onSubmit={(e) => void start(e)} noValidate>
      <div className="field">
        <label htmlFor="ingest-path">Bundle path</label>
        <div className="input-with-buttons">
          <input
            id="ingest-path"
            className="mono-input"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder={desktop ? '/media/evidence/model-bundle' : '/path/on/the/workstation/model-bundle'}
            spellCheck={false}
            autoComplete="off"
            aria-invalid={touched && empty}
            aria-describedby="ingest-path-help"
          />
          {desktop ? (
            <>
              <button type="button" className="btn" onClick={() => void browse('folder')}>
                Browse folder…
              </button>
              <button type="button" className="btn" onClick={() => void browse('file')}>
                Browse file…
              </button>
            </>
          ) : null}
        </div>
        <p id="ingest-path-help" className="field-help">
          A folder, or a .tar, .tar.gz or .zip archive. Every file is read once, hashed with SHA-256 and
          stored read-only; a checksum list in the bundle (SHA256SUMS, *.sha256, checksums.*) is checked
          against what was read.
        </p>
        {desktop ? null : (
          <p className="note" data-testid="ingest-browser-note">
            <strong>Browser mode:</strong> type the full path of the bundle{' '}
            <strong>
              on the workstation running <code>probity serve</code>
            </strong>
            {info?.host ? (
              <>
                {' '}
                (<span className="mono">{info.host}</span>)
              </>
            ) : null}
            . Files cannot be uploaded from this browser.
          </p>
        )}
        {touched && empty ? <p className="field-error">Enter the path of the bundle to ingest.</p> : null}
      </div>
      {error ? <ErrorPanel title="The ingest did not start" message={error} testId="ingest-error" /> : null}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={close}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? <Spinner label="Starting" /> : null}
          Start ingest
        </button>
      </div>
    </form>
  );
}
