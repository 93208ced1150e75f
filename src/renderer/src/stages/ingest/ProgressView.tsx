import type { Progress } from '../../../../shared/domain';
import { ProgressBar } from '../../components/Bits';
import { humanBytes, humanDuration, humanRate, percent, plural } from '../../format';

export const MAX_FILE_BARS = 6;

export const PHASES: Record<Progress['phase'], string> = {
  scanning: 'Scanning the bundle',
  hashing: 'Reading, hashing and storing',
  committing: 'Recording custody events',
  'verifying-chain': 'Recomputing the custody chain',
  done: 'Done',
};

export function ProgressView({ progress }: { progress: Progress | null }) {
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
