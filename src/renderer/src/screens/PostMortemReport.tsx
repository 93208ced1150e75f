/**
 * The report part of the Post-mortem stage: report.html as an export made now would write it, shown
 * in a sandboxed frame (no scripts, no same-origin: it is a document, not part of the app) and
 * fetched again after every recorded change; then the export — formats, the custodian who signs
 * (or an unsigned bundle, said plainly), the passphrase asked for at signing and forgotten right
 * after — and the bundle as the core checked it again after writing, with the two commands that
 * check it without Probity.
 */
import { useEffect, useState } from 'react';
import type { CustodianView } from '../../../shared/custodians';
import { REPORT_FORMATS, type ReportExportView, type ReportFormat } from '../../../shared/report';
import { useLoadable } from '../loadable';
import { api, describeError } from '../api/client';
import { Badge, CopyButton, Hash, Spinner, StatusLine } from '../components/Bits';

const FORMAT_TEXT: Record<ReportFormat, string> = {
  html: 'report.html (self-contained)',
  pdf: 'report.pdf (printed by Chromium)',
  json: 'report.json (every finding, machine-readable)',
};

export function ReportSection({
  caseId,
  custodians,
  revision,
}: {
  caseId: string;
  custodians: CustodianView[];
  revision: number;
}) {
  /** null until the user picks: then the first active custodian signs. */
  const [choice, setSigner] = useState<string | null>(null);
  const signer = choice ?? custodians[0]?.name ?? '';
  const { state: fetched, load: loadPreview } = useLoadable<string>();
  // Nothing fetched yet counts as loading; a failed refresh keeps the last preview beside its error.
  const preview = {
    html: fetched.data,
    loading: fetched.loading || (fetched.data === null && fetched.error === null),
    error: fetched.error,
  };

  useEffect(() => {
    void loadPreview(async () => (await api.previewReport({ caseId, signer: signer || null })).html, {
      keep: true,
      keepOnError: true,
    });
  }, [caseId, signer, revision, loadPreview]);

  return (
    <div className="integrity-section" aria-labelledby="pm-report-heading">
      <div className="integrity-section-header">
        <h3 id="pm-report-heading">Report</h3>
        <span className="muted">
          The preview is report.html as an export made now would write it; it is fetched again after every
          change.
        </span>
        {preview.loading ? <Spinner label="Refreshing the preview" /> : null}
      </div>
      <div className="pm-report">
        <div className="pm-preview-wrap">
          {preview.error ? (
            <p className="field-error" role="alert" data-testid="pm-preview-error">
              {preview.error}
            </p>
          ) : null}
          {preview.html !== null ? (
            <iframe
              className="pm-preview"
              title="Report preview"
              sandbox=""
              srcDoc={preview.html}
              data-testid="pm-preview"
            />
          ) : null}
        </div>
        <ExportPanel caseId={caseId} custodians={custodians} signer={signer} setSigner={setSigner} />
      </div>
    </div>
  );
}

function ExportPanel({
  caseId,
  custodians,
  signer,
  setSigner,
}: {
  caseId: string;
  custodians: CustodianView[];
  signer: string;
  setSigner: (name: string) => void;
}) {
  const [formats, setFormats] = useState<Set<ReportFormat>>(() => new Set(REPORT_FORMATS));
  const [passphrase, setPassphrase] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<ReportExportView | null>(null);
  const chosen = custodians.find((c) => c.name === signer) ?? null;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    const secret = passphrase;
    // The passphrase is used for this one export and not kept, whatever the outcome.
    setPassphrase('');
    try {
      setResult(
        await api.exportReport({
          caseId,
          formats: REPORT_FORMATS.filter((f) => formats.has(f)),
          custodian: signer || null,
          passphrase: signer ? secret : null,
        }),
      );
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="behavior-panel pm-export"
      onSubmit={(e) => void submit(e)}
      aria-labelledby="pm-export-heading"
    >
      <h3 id="pm-export-heading">Export the post-mortem</h3>
      <fieldset className="pm-choices">
        <legend>Formats</legend>
        {REPORT_FORMATS.map((f) => (
          <label key={f} className="pm-choice">
            <input
              type="checkbox"
              checked={formats.has(f)}
              onChange={(e) => {
                const next = new Set(formats);
                if (e.target.checked) next.add(f);
                else next.delete(f);
                setFormats(next);
              }}
            />
            <span>{FORMAT_TEXT[f]}</span>
          </label>
        ))}
        <span className="field-help">
          Always written: evidence.sha256, custody-log.jsonl, MANIFEST.sha256 and VERIFY.txt.
        </span>
      </fieldset>
      <div className="field">
        <label htmlFor="pm-sign-as">Sign as</label>
        <select id="pm-sign-as" value={signer} onChange={(e) => setSigner(e.target.value)}>
          {custodians.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
              {c.role ? ` — ${c.role}` : ''} ({c.fingerprint.slice(0, 8)}…)
            </option>
          ))}
          <option value="">Unsigned</option>
        </select>
        {chosen ? (
          <span className="field-help">
            Key fingerprint <Hash value={chosen.fingerprint} head={16} tail={8} />
          </span>
        ) : null}
      </div>
      {signer ? (
        <div className="field">
          <label htmlFor="pm-passphrase">Passphrase of {signer}’s key</label>
          <input
            id="pm-passphrase"
            type="password"
            autoComplete="off"
            value={passphrase}
            onChange={(e) => setPassphrase(e.target.value)}
          />
          <span className="field-help">Used for this export only and cleared right after.</span>
        </div>
      ) : (
        <StatusLine tone="warn" testId="pm-unsigned-warning">
          Unsigned: the bundle gets MANIFEST.sha256 but no signature, so a reader can check that the files
          match the manifest, not who wrote it.
        </StatusLine>
      )}
      <div>
        <button
          type="submit"
          className="btn btn-primary"
          disabled={busy || formats.size === 0 || (signer !== '' && passphrase === '')}
        >
          {busy ? 'Exporting…' : signer ? `Export signed as ${signer}` : 'Export unsigned'}
        </button>
      </div>
      {busy ? (
        <p className="muted loading-line">
          <Spinner /> Writing and checking the bundle…
        </p>
      ) : null}
      {error ? (
        <p className="field-error" role="alert" data-testid="pm-export-error">
          {error}
        </p>
      ) : null}
      {result ? <ExportResult result={result} /> : null}
    </form>
  );
}

function ExportResult({ result: r }: { result: ReportExportView }) {
  return (
    <div className="pm-export-result" data-testid="pm-export-result">
      {r.verification.ok ? (
        <StatusLine tone="ok" testId="pm-export-verification">
          Verification ok: {r.verification.filesChecked} files match MANIFEST.sha256
          {r.signer ? ' and its signature checks out' : ''}.
        </StatusLine>
      ) : (
        <>
          <StatusLine tone="bad" testId="pm-export-verification">
            Verification FAILED: {r.verification.problems.length} problems.
          </StatusLine>
          <ul className="problem-list">
            {r.verification.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </>
      )}
      <dl className="facts">
        <dt>Folder</dt>
        <dd className="mono pm-break" data-testid="pm-export-out">
          {r.out}
        </dd>
        <dt>MANIFEST.sha256</dt>
        <dd>
          <Hash value={r.manifestSha256} />
        </dd>
        <dt>Signed by</dt>
        <dd data-testid="pm-export-signer">
          {r.signer ? (
            <>
              {r.signer.name} <Hash value={r.signer.fingerprint} head={16} tail={8} />
            </>
          ) : (
            <Badge tone="warn">unsigned</Badge>
          )}
        </dd>
        <dt>Chain head</dt>
        <dd>
          seq {r.chainHead.lastSeq} <Hash value={r.chainHead.lastHash} />
        </dd>
        <dt>Files</dt>
        <dd>
          <ul className="plain-list mono pm-files" data-testid="pm-export-files">
            {r.files.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </dd>
      </dl>
      <p className="muted">Check it without Probity, in the folder:</p>
      <ul className="plain-list pm-commands">
        {r.commands.map((c) => (
          <li key={c}>
            <code className="pm-break">{c}</code> <CopyButton value={c} label="Copy the command" />
          </li>
        ))}
      </ul>
    </div>
  );
}
