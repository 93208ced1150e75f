import { useState } from 'react';
import type { CustodianView } from '../../../../shared/custodians';
import { REPORT_FORMATS, type ReportExportView, type ReportFormat } from '../../../../shared/report';
import { useAction } from '../../components/useAction';
import { api } from '../../api/client';
import { Hash, Spinner, StatusLine } from '../../components/Bits';
import { useStore } from '../../store';
import { describeChain } from '../../chain';
import { ExportResult } from './ExportResult';

export const FORMAT_TEXT: Record<ReportFormat, string> = {
  html: 'report.html (self-contained)',
  pdf: 'report.pdf (printed by Chromium)',
  json: 'report.json (every finding, machine-readable)',
};

export function ExportPanel({
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
  const { busy, error, run } = useAction();
  const [result, setResult] = useState<ReportExportView | null>(null);
  const chosen = custodians.find((c) => c.name === signer) ?? null;
  const chain = useStore((s) => s.overviews[caseId]?.data?.chain) ?? null;
  const navigate = useStore((s) => s.navigate);
  // A report is exported (and signed) over a verified case: a never run, failed or stale
  // verification needs an explicit confirmation first.
  const unverified = chain !== null && describeChain(chain).tone !== 'ok';
  const [acceptUnverified, setAcceptUnverified] = useState(false);
  const blocked = unverified && !acceptUnverified;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setResult(null);
    const secret = passphrase;
    // The passphrase is used for this one export and not kept, whatever the outcome.
    setPassphrase('');
    await run(async () => {
      setResult(
        await api.exportReport({
          caseId,
          formats: REPORT_FORMATS.filter((f) => formats.has(f)),
          custodian: signer || null,
          passphrase: signer ? secret : null,
        }),
      );
      return null;
    });
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
      {unverified && chain ? (
        <div className="panel panel-warn panel-inline" data-testid="pm-export-unverified">
          <p>
            <strong>{describeChain(chain).line}.</strong> Verify the case before exporting, so the report
            vouches for evidence that was checked.{' '}
            <button
              type="button"
              className="link-button"
              onClick={() => navigate({ name: 'case', caseId, stage: 'custody' })}
            >
              Open the custody log to verify
            </button>
          </p>
          <label className="pm-choice">
            <input
              type="checkbox"
              checked={acceptUnverified}
              onChange={(e) => setAcceptUnverified(e.target.checked)}
            />
            <span>Export anyway, without a current passing verification</span>
          </label>
        </div>
      ) : null}
      <div>
        <button
          type="submit"
          className="btn btn-primary"
          disabled={busy || blocked || formats.size === 0 || (signer !== '' && passphrase === '')}
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
