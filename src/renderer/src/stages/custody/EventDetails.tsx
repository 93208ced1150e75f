import type { CustodyEvent } from '../../../../shared/domain';
import { CopyButton } from '../../components/Bits';
import { utc } from '../../format';

export function EventDetails({ event: e }: { event: CustodyEvent }) {
  const json = JSON.stringify(e.details, null, 2);
  return (
    <div className="event-details" data-testid="custody-details">
      <dl className="facts facts-wide">
        <dt>Hash</dt>
        <dd className="mono break">
          {e.hash} <CopyButton value={e.hash} label={`Copy hash of event ${e.seq}`} />
        </dd>
        <dt>Previous</dt>
        <dd className="mono break">{e.prevHash}</dd>
        {e.signature ? (
          <>
            <dt>Signature</dt>
            <dd className="mono break">
              {e.signature} <span className="muted">by {e.signer}</span>
            </dd>
          </>
        ) : null}
        <dt>Recorded</dt>
        <dd>{utc(e.at)}</dd>
      </dl>
      <pre className="json" aria-label={`Details of event ${e.seq}`}>
        {json}
      </pre>
    </div>
  );
}
