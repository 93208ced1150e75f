import type { IngestSummary } from '../../../../shared/domain';
import { Badge, ProgressBar } from '../../components/Bits';
import { humanBytes, humanDuration, humanRate, plural, shortHash } from '../../format';

export function IngestResult({ summary: s }: { summary: IngestSummary }) {
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
