import type { VerifyReport } from '../../../../shared/domain';
import { humanBytes, plural, shortHash, utc } from '../../format';

export function VerifyResult({ report: r }: { report: VerifyReport }) {
  if (r.ok) {
    return (
      <div className="panel panel-ok" role="status" data-testid="verify-result" data-ok="true">
        <strong>
          {r.objectsChecked === 0
            ? `No objects stored yet; chain verified through seq ${r.lastSeq}`
            : r.objectsChecked === 1
              ? `The 1 stored object matches; chain verified through seq ${r.lastSeq}`
              : `All ${r.objectsChecked.toLocaleString('en-US')} objects match; chain verified through seq ${r.lastSeq}`}
        </strong>
        <p className="panel-message muted">
          {humanBytes(r.bytesChecked)} re-read and re-hashed, {plural(r.eventsChecked, 'event')} recomputed in{' '}
          {r.seconds.toFixed(1)} s · {utc(r.at)} · head{' '}
          <span className="mono" title={r.lastHash}>
            {shortHash(r.lastHash)}
          </span>
        </p>
        {(r.notes ?? []).length > 0 && (
          <ul className="problem-list" data-testid="verify-notes">
            {(r.notes ?? []).map((n, i) => (
              <li key={i}>{n}</li>
            ))}
          </ul>
        )}
      </div>
    );
  }
  return (
    <div className="panel panel-bad" role="alert" data-testid="verify-result" data-ok="false">
      <strong>
        Verification FAILED: {plural(r.messages.length || r.problems.length, 'problem')} · {utc(r.at)}
      </strong>
      <ul className="problem-list">
        {(r.messages.length ? r.messages : r.problems.map((p) => JSON.stringify(p))).map((m, i) => (
          <li key={i}>{m}</li>
        ))}
      </ul>
      <p className="panel-message muted">
        {r.objectsChecked.toLocaleString('en-US')} objects and {plural(r.eventsChecked, 'event')} checked.
        Stored evidence is never repaired in place: preserve this state and compare against an independent
        copy.
      </p>
    </div>
  );
}
