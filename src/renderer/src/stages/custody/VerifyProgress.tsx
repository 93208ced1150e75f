import { ProgressBar } from '../../components/Bits';
import { humanBytes, humanDuration, humanRate, percent, plural } from '../../format';
import type { JobState } from '../../store';

export function VerifyProgress({ job, onCancel }: { job: JobState; onCancel: () => void }) {
  const p = job.progress;
  return (
    <div className="panel panel-neutral progress-block" data-testid="verify-progress" aria-live="polite">
      <div className="progress-label">
        <strong>
          {p?.phase === 'verifying-chain'
            ? 'Recomputing the custody chain…'
            : 'Re-reading and re-hashing every stored object…'}
        </strong>
        <span className="num">{p ? `${percent(p.bytesDone, p.bytesTotal).toFixed(0)}%` : ''}</span>
      </div>
      <ProgressBar
        done={p?.bytesDone ?? 0}
        total={p?.bytesTotal ?? 0}
        label="Verification progress"
        indeterminate={!p || p.phase === 'verifying-chain'}
      />
      <div className="progress-foot">
        <span className="muted">
          {p
            ? `${p.filesDone.toLocaleString('en-US')} of ${plural(p.filesTotal, 'object')} · ${humanBytes(p.bytesDone)} of ${humanBytes(p.bytesTotal)} · ${humanRate(p.rateBytesPerSec)} · ETA ${humanDuration(p.etaSeconds)}`
            : 'Starting…'}
        </span>
        <button type="button" className="btn btn-small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
