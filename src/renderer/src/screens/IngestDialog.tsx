import { useState } from 'react';
import type { IngestSummary, Progress } from '../../../shared/domain';
import { api, errorMessage } from '../api/client';
import { Badge, ErrorPanel, ProgressBar, Spinner } from '../components/Bits';
import { Dialog } from '../components/Dialog';
import { humanBytes, humanDuration, humanRate, percent, plural, shortHash } from '../format';
import { useStore, type JobState } from '../store';

const MAX_FILE_BARS = 6;

const PHASES: Record<Progress['phase'], string> = {
  scanning: 'Scanning the bundle',
  hashing: 'Reading, hashing and storing',
  committing: 'Recording custody events',
  'verifying-chain': 'Recomputing the custody chain',
  done: 'Done',
};

export function IngestDialog({ caseId }: { caseId: string }) {
  const dialog = useStore((s) => s.ingestDialog);
  const job = useStore((s) => (dialog?.jobId ? s.jobs[dialog.jobId] : undefined));
  const close = useStore((s) => s.closeIngest);
  const title =
    job?.status === 'running'
      ? 'Ingesting evidence'
      : job?.status === 'finished'
        ? 'Ingest finished'
        : 'Ingest evidence';
  return (
    <Dialog title={title} onClose={close} wide testId="ingest-dialog">
      {job ? <JobView job={job} caseId={caseId} /> : <IngestForm caseId={caseId} />}
    </Dialog>
  );
}

function IngestForm({ caseId, initialPath = '' }: { caseId: string; initialPath?: string }) {
  const info = useStore((s) => s.info.data);
  const startIngest = useStore((s) => s.startIngest);
  const setIngestJob = useStore((s) => s.setIngestJob);
  const close = useStore((s) => s.closeIngest);
  const [path, setPath] = useState(initialPath);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);
  const desktop = info ? info.pathInput === 'dialog' : api.transport === 'ipc';
  const empty = path.trim() === '';

  async function browse(kind: 'folder' | 'file') {
    setError(null);
    try {
      const picked = await api.pickBundle({ kind });
      if (picked) setPath(picked);
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  async function start(e: React.FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (empty || busy) return;
    setBusy(true);
    setError(null);
    try {
      const jobId = await startIngest(caseId, path.trim());
      setIngestJob(jobId);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
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

function JobView({ job, caseId }: { job: JobState; caseId: string }) {
  const close = useStore((s) => s.closeIngest);
  const cancelJob = useStore((s) => s.cancelJob);
  const navigate = useStore((s) => s.navigate);
  const setIngestJob = useStore((s) => s.setIngestJob);
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const [retry, setRetry] = useState(false);

  if (retry) return <IngestForm caseId={caseId} initialPath={job.bundle ?? ''} />;

  if (job.status === 'running') {
    return (
      <div className="job">
        {job.bundle ? (
          <p className="job-source">
            From <span className="mono break">{job.bundle}</span>
          </p>
        ) : null}
        <ProgressView progress={job.progress} />
        {cancelError ? <ErrorPanel title="Cancel failed" message={cancelError} /> : null}
        <div className="dialog-actions">
          <button
            type="button"
            className="btn"
            onClick={close}
            title="The ingest keeps running; its progress shows above the case screens"
          >
            Run in background
          </button>
          <button
            type="button"
            className="btn btn-danger"
            disabled={cancelling}
            onClick={() => {
              setCancelling(true);
              setCancelError(null);
              cancelJob(job.jobId).catch((err: unknown) => {
                setCancelError(errorMessage(err));
                setCancelling(false);
              });
            }}
          >
            {cancelling ? <Spinner label="Cancelling" /> : null}
            {cancelling ? 'Cancelling…' : 'Cancel ingest'}
          </button>
        </div>
      </div>
    );
  }

  if (job.status === 'finished' && job.summary) {
    return (
      <div className="job">
        <IngestResult summary={job.summary} />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={() => setIngestJob(null)}>
            Ingest another…
          </button>
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => {
              close();
              navigate({ name: 'case', caseId, stage: 'evidence' });
            }}
          >
            Show evidence
          </button>
        </div>
      </div>
    );
  }

  // failed or cancelled
  const cancelled = job.status === 'cancelled';
  return (
    <div className="job">
      {cancelled ? (
        <div className="panel panel-warn" role="status" data-testid="ingest-cancelled">
          <strong>Ingest cancelled.</strong>
          <p className="panel-message">
            Nothing was recorded as evidence. Objects already stored are kept and found by hash: start the
            same ingest again to resume.
          </p>
        </div>
      ) : (
        <ErrorPanel
          title="The ingest failed: nothing was recorded as evidence"
          message={
            job.error
              ? `${job.error.message}${job.error.file && !job.error.message.includes(job.error.file) ? ` (${job.error.file})` : ''}`
              : 'Unknown error'
          }
          testId="ingest-error"
        />
      )}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={close}>
          Close
        </button>
        <button type="button" className="btn btn-primary" onClick={() => setRetry(true)}>
          {cancelled ? 'Start again…' : 'Try again…'}
        </button>
      </div>
    </div>
  );
}

function ProgressView({ progress }: { progress: Progress | null }) {
  if (!progress) {
    return (
      <div className="progress-block" data-testid="ingest-progress" data-state="starting">
        <div className="progress-label">
          <span>Starting…</span>
        </div>
        <ProgressBar done={0} total={0} label="Total progress" indeterminate />
      </div>
    );
  }
  const p = progress;
  const pct = percent(p.bytesDone, p.bytesTotal);
  // The largest files in flight are the ones worth watching; many tiny ones would only scroll by.
  const inFlight = [...p.current].sort((a, b) => b.bytesTotal - a.bytesTotal).slice(0, MAX_FILE_BARS);
  return (
    <div className="progress-block" data-testid="ingest-progress" data-state={p.phase}>
      <div className="progress-label">
        <span>
          <strong>{PHASES[p.phase]}</strong>
        </span>
        <span className="num">{pct.toFixed(0)}%</span>
      </div>
      <ProgressBar
        done={p.bytesDone}
        total={p.bytesTotal}
        label="Total progress"
        indeterminate={p.phase === 'scanning'}
      />
      <dl className="progress-stats">
        <div>
          <dt>Bytes</dt>
          <dd>
            {humanBytes(p.bytesDone)} of {humanBytes(p.bytesTotal)}
          </dd>
        </div>
        <div>
          <dt>Files</dt>
          <dd>
            {p.filesDone.toLocaleString('en-US')} of {p.filesTotal.toLocaleString('en-US')}
          </dd>
        </div>
        <div>
          <dt>Rate</dt>
          <dd>{humanRate(p.rateBytesPerSec)}</dd>
        </div>
        <div>
          <dt>ETA</dt>
          <dd>{humanDuration(p.etaSeconds)}</dd>
        </div>
      </dl>
      {p.current.length > 0 ? (
        <ul className="file-bars" aria-label="Files being read">
          {inFlight.map((f) => (
            <li key={f.path}>
              <span className="mono-path ellipsis" title={f.path}>
                {f.path}
              </span>
              <ProgressBar done={f.bytesDone} total={f.bytesTotal} label={`Progress of ${f.path}`} />
              <span className="num muted">
                {humanBytes(f.bytesDone)} / {humanBytes(f.bytesTotal)}
              </span>
            </li>
          ))}
          {p.current.length > inFlight.length ? (
            <li className="muted">and {plural(p.current.length - inFlight.length, 'more file')} in flight</li>
          ) : null}
        </ul>
      ) : null}
    </div>
  );
}

function IngestResult({ summary: s }: { summary: IngestSummary }) {
  const m = s.manifest;
  const mismatches = m.checks.filter((c) => c.status === 'mismatched');
  const missing = m.checks.filter((c) => c.status === 'missing');
  const listed = m.matched + m.mismatched + m.missing;
  return (
    <div className="ingest-result" data-testid="ingest-result">
      <div className="progress-block" data-testid="ingest-progress" data-state="done">
        <div className="progress-label">
          <strong>Stored and recorded</strong>
          <span className="num">100%</span>
        </div>
        <ProgressBar done={1} total={1} label="Total progress" />
      </div>
      <dl className="result-stats">
        <div>
          <dt>Files stored</dt>
          <dd data-testid="ingest-files">{s.files.toLocaleString('en-US')}</dd>
        </div>
        <div>
          <dt>Bytes</dt>
          <dd title={`${s.bytes.toLocaleString('en-US')} bytes`}>{humanBytes(s.bytes)}</dd>
        </div>
        <div>
          <dt>Links recorded</dt>
          <dd>{s.links.toLocaleString('en-US')}</dd>
        </div>
        <div>
          <dt>Already in store</dt>
          <dd>{s.reused.toLocaleString('en-US')}</dd>
        </div>
        <div>
          <dt>Time</dt>
          <dd>
            {s.seconds < 10 ? `${s.seconds.toFixed(1)} s` : humanDuration(s.seconds)}
            {s.seconds > 0 ? <span className="muted"> · {humanRate(s.bytes / s.seconds)}</span> : null}
          </dd>
        </div>
      </dl>

      <h3 className="section-title">Checksum list</h3>
      {listed === 0 && m.new === 0 ? (
        <p className="muted">
          The bundle had no checksum list (SHA256SUMS, *.sha256, checksums.*): nothing to compare against.
        </p>
      ) : (
        <>
          <p className="manifest-summary" data-testid="ingest-manifest">
            <Badge tone={m.matched > 0 ? 'ok' : 'neutral'}>{m.matched} matched</Badge>{' '}
            <Badge tone={m.mismatched > 0 ? 'bad' : 'neutral'}>{m.mismatched} mismatched</Badge>{' '}
            <Badge tone={m.missing > 0 ? 'warn' : 'neutral'}>{m.missing} missing</Badge>{' '}
            <Badge tone={m.new > 0 ? 'info' : 'neutral'}>{m.new} new</Badge>
          </p>
          {mismatches.length > 0 ? (
            <div className="panel panel-bad" role="alert" data-testid="ingest-mismatches">
              <strong>
                {plural(mismatches.length, 'file does not', 'files do not')} match the checksum list
              </strong>
              <table className="table table-compact table-in-panel">
                <thead>
                  <tr>
                    <th scope="col">File</th>
                    <th scope="col">Listed SHA-256</th>
                    <th scope="col">Actual SHA-256</th>
                    <th scope="col">Listed in</th>
                  </tr>
                </thead>
                <tbody>
                  {mismatches.map((c) => (
                    <tr key={`${c.manifestPath}:${c.listedPath}`}>
                      <td className="mono-path">{c.listedPath}</td>
                      <td className="mono" title={c.expected}>
                        {shortHash(c.expected)}
                      </td>
                      <td className="mono" title={c.actual ?? ''}>
                        {shortHash(c.actual)}
                      </td>
                      <td className="mono-path muted">{c.manifestPath}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
          {missing.length > 0 ? (
            <div className="panel panel-warn">
              <strong>
                {plural(missing.length, 'listed file is', 'listed files are')} not in the bundle
              </strong>
              <ul className="plain-list">
                {missing.map((c) => (
                  <li key={`${c.manifestPath}:${c.listedPath}`}>
                    <span className="mono-path">{c.listedPath}</span>{' '}
                    <span className="muted">listed in {c.manifestPath}</span>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </>
      )}
      {s.warnings.length > 0 ? (
        <>
          <h3 className="section-title">Warnings</h3>
          <ul className="warnings" data-testid="ingest-warnings">
            {s.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
