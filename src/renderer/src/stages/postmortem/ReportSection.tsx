/**
 * The report part of the Post-mortem stage: report.html as an export made now would write it, shown
 * in a sandboxed frame (no scripts, no same-origin: it is a document, not part of the app) and
 * fetched again after every recorded change; then the export — formats, the custodian who signs
 * (or an unsigned bundle, said plainly), the passphrase asked for at signing and forgotten right
 * after — and the bundle as the core checked it again after writing, with the two commands that
 * check it without Probity.
 */
import { useEffect, useState } from 'react';
import type { CustodianView } from '../../../../shared/custodians';
import { useLoadable } from '../../loadable';
import { api } from '../../api/client';
import { Spinner } from '../../components/Bits';
import { ExportPanel } from './ExportPanel';

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
