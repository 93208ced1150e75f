import type { CaseOverview, ManifestStatus } from '../../../../shared/domain';
import { Badge, type Tone } from '../../components/Bits';

export const MANIFEST_ROWS: {
  key: 'matched' | 'mismatched' | 'missing' | 'new';
  label: string;
  tone: Tone;
  hint: string;
}[] = [
  { key: 'matched', label: 'Matched', tone: 'ok', hint: 'listed with the same SHA-256' },
  { key: 'mismatched', label: 'Mismatched', tone: 'bad', hint: 'listed with a different SHA-256' },
  { key: 'missing', label: 'Missing', tone: 'warn', hint: 'listed but not in the bundle' },
  { key: 'new', label: 'New', tone: 'info', hint: 'in the bundle, not listed' },
];

export function ManifestCard({
  data,
  onStatus,
}: {
  data: CaseOverview;
  onStatus: (s: ManifestStatus) => void;
}) {
  const m = data.manifest;
  const total = m.matched + m.mismatched + m.missing + m.new;
  const bad = m.mismatched > 0;
  return (
    <div className={`card card-manifest${bad ? ' card-tone-bad' : ''}`} data-testid="overview-manifest">
      <h3>Checksum lists</h3>
      {total === 0 ? (
        <p className="muted">
          No checksum list (SHA256SUMS, *.sha256, checksums.*) was found in the ingested bundles.
        </p>
      ) : (
        <>
          {bad ? (
            <p className="panel panel-bad panel-inline" role="alert">
              {m.mismatched === 1 ? '1 file does not match' : `${m.mismatched} files do not match`} the
              SHA-256 listed in its bundle’s checksum file.
            </p>
          ) : null}
          <ul className="manifest-counts">
            {MANIFEST_ROWS.map((r) => (
              <li key={r.key} className={m[r.key] > 0 && r.tone !== 'ok' ? `emph-${r.tone}` : undefined}>
                <Badge tone={m[r.key] > 0 ? r.tone : 'neutral'}>{r.label}</Badge>
                <span className="manifest-count num" data-testid={`manifest-${r.key}`}>
                  {m[r.key].toLocaleString('en-US')}
                </span>
                <span className="muted">{r.hint}</span>
                {m[r.key] > 0 ? (
                  <button type="button" className="link-button" onClick={() => onStatus(r.key)}>
                    show
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
