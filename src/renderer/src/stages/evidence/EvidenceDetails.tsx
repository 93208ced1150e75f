import type { EvidenceItem, VerificationIssue } from '../../../../shared/domain';
import { Hash, ManifestBadge } from '../../components/Bits';
import { exactBytes, humanBytes, kindLabel, utc } from '../../format';

export function EvidenceDetails({
  item,
  flag,
  onClose,
  onInspect,
}: {
  item: EvidenceItem;
  flag?: VerificationIssue;
  onClose: () => void;
  onInspect: () => void;
}) {
  return (
    <aside className="details" aria-label="File details" data-testid="evidence-details">
      <header className="details-header">
        <h3 className="mono-path" title={item.path}>
          {item.path}
        </h3>
        <div className="button-row">
          {item.sha256 ? (
            <button type="button" className="btn btn-small" onClick={onInspect} data-testid="inspect-button">
              Inspect file…
            </button>
          ) : null}
          <button
            type="button"
            className="btn btn-ghost btn-icon"
            aria-label="Close details"
            onClick={onClose}
          >
            ✕
          </button>
        </div>
      </header>
      {flag ? (
        <p className="panel panel-bad panel-inline" role="alert" data-testid="evidence-verification">
          <strong>Last verification FAILED for this file.</strong>{' '}
          <span className="mono break">{flag.message}</span>
        </p>
      ) : null}
      <dl className="facts facts-wide">
        <dt>SHA-256</dt>
        <dd>
          <Hash value={item.sha256} head={64} tail={0} />
        </dd>
        {item.manifestStatus ? (
          <>
            <dt>Checksum list</dt>
            <dd>
              <ManifestBadge status={item.manifestStatus} expected={item.manifestExpected} />
              {item.manifestStatus === 'mismatched' && item.manifestExpected ? (
                <span className="mono expected">listed {item.manifestExpected}</span>
              ) : null}
            </dd>
          </>
        ) : null}
        <dt>Size</dt>
        <dd>
          {humanBytes(item.size)} <span className="muted">({exactBytes(item.size)})</span>
        </dd>
        <dt>Kind</dt>
        <dd>{kindLabel(item.kind)}</dd>
        {item.linkTarget ? (
          <>
            <dt>Link</dt>
            <dd className="mono">
              → {item.linkTarget} <span className="muted">(recorded, never followed)</span>
            </dd>
          </>
        ) : null}
        <dt>Modified</dt>
        <dd>{utc(item.mtime)}</dd>
        <dt>Source</dt>
        <dd className="mono break">{item.sourcePath}</dd>
        <dt>Stored</dt>
        <dd>
          {utc(item.storedAt)} by {item.custodian}@{item.host} · ingest #{item.ingestId}
        </dd>
        {item.rawNameHex ? (
          <>
            <dt>Raw name</dt>
            <dd className="mono break" title="The name's bytes were not valid UTF-8">
              {item.rawNameHex}
            </dd>
          </>
        ) : null}
      </dl>
    </aside>
  );
}
