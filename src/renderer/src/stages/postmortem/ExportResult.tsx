import type { ReportExportView } from '../../../../shared/report';
import { Badge, CopyButton, Hash, StatusLine } from '../../components/Bits';

export function ExportResult({ result: r }: { result: ReportExportView }) {
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
