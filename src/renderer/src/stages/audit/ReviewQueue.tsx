/**
 * The review half of the Audit stage: the queue (one sampled record at a time with its whole
 * conversation and tool calls, a key per label, the next record returned by the label call itself)
 * and the estimate panel, reloaded after every label, with the record-in-case and export actions.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  AUDIT_LABELS,
  type AuditLabel,
  type ReviewItemView,
  type ReviewProgressView,
  type SampleView,
} from '../../../../shared/audit';
import { useAction } from '../../components/useAction';
import { api, describeError } from '../../api/client';
import { ErrorPanel, Spinner } from '../../components/Bits';
import { LABEL_KEYS, labelForKey, typingIn } from '../../audit-keys';
import { RecordCard } from './RecordCard';
import { num } from './format';

export function ReviewQueue({
  caseId,
  sample,
  reviewer,
  initialProgress,
  onLabelled,
}: {
  caseId: string;
  sample: SampleView;
  reviewer: string;
  initialProgress: ReviewProgressView;
  onLabelled: () => void;
}) {
  const [secondReview, setSecondReview] = useState(false);
  // The item in review and the progress after the last label, each tied to what it was read for:
  // a new sample, queue or progress from the host shows as "loading" / the host's figure again.
  const queue = `${caseId}|${sample.id}|${secondReview}`;
  const [current, setCurrent] = useState<{ queue: string; item: ReviewItemView | null } | null>(null);
  const item = current?.queue === queue ? current.item : undefined;
  const setItem = useCallback((next: ReviewItemView | null) => setCurrent({ queue, item: next }), [queue]);
  const [labelled, setLabelled] = useState<{ from: ReviewProgressView; progress: ReviewProgressView } | null>(
    null,
  );
  const progress = labelled?.from === initialProgress ? labelled.progress : initialProgress;
  const [note, setNote] = useState('');
  const { busy, error, run, fail } = useAction();
  // Set at once, before the re-render that disables the buttons: a key held down labels once.
  const busyRef = useRef(false);

  useEffect(() => {
    let live = true;
    api.nextAuditItem({ caseId, secondReview }).then(
      (r) => live && setItem(r),
      (err: unknown) => live && fail(describeError(err)),
    );
    return () => {
      live = false;
    };
  }, [caseId, sample.id, secondReview, setItem, fail]);

  const label = useCallback(
    async (l: AuditLabel) => {
      if (!item || busyRef.current) return;
      busyRef.current = true;
      await run(async () => {
        const r = await api.labelAuditItem({
          caseId,
          requestId: item.record.requestId,
          label: l,
          note: note.trim() || null,
          secondReview,
        });
        setLabelled({ from: initialProgress, progress: r.progress });
        setItem(r.next);
        setNote('');
        onLabelled();
        return null;
      });
      busyRef.current = false;
    },
    [caseId, item, note, secondReview, onLabelled, initialProgress, setItem, run],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typingIn(e.target as HTMLElement | null)) return;
      const l = labelForKey(e);
      if (!l) return;
      e.preventDefault();
      void label(l);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [label]);

  const done = progress.labelled;
  return (
    <div className="integrity-section" aria-labelledby="audit-review-heading" data-testid="audit-review">
      <div className="integrity-section-header">
        <h3 id="audit-review-heading">Review</h3>
        <span data-testid="audit-progress">
          <strong>
            {num(done)} of {num(progress.size)}
          </strong>{' '}
          reviewed
        </span>
        <span className="muted">
          harmful {progress.byLabel.harmful} · benign {progress.byLabel.benign} · unsure{' '}
          {progress.byLabel.unsure} · escalate {progress.byLabel.escalate}
          {progress.doubleReviewed > 0 ? ` · ${progress.doubleReviewed} double-reviewed` : ''}
        </span>
        <label className="muted">
          <input type="checkbox" checked={secondReview} onChange={(e) => setSecondReview(e.target.checked)} />{' '}
          second review (records another reviewer labelled)
        </label>
      </div>
      <div className="mini-track audit-progress-track" aria-hidden="true">
        <div className="mini-bar" style={{ width: `${progress.size ? (100 * done) / progress.size : 0}%` }} />
      </div>
      {error ? <ErrorPanel title="The label was not recorded" message={error} /> : null}
      {item === undefined ? (
        <Spinner label="Fetching the next record" />
      ) : item === null ? (
        <p className="audit-queue-empty" data-testid="audit-queue-empty">
          {secondReview
            ? `No record left for a second review by ${reviewer}.`
            : `Every record of sample ${sample.id} is labelled by ${reviewer}.`}
        </p>
      ) : (
        <RecordCard item={item} />
      )}
      {item ? (
        <div className="audit-label-bar">
          <div className="field field-grow">
            <label htmlFor="audit-note">Note (kept with the label)</label>
            <input
              id="audit-note"
              value={note}
              onChange={(e) => setNote(e.target.value)}
              placeholder="why, in a few words"
            />
          </div>
          {AUDIT_LABELS.map((l) => (
            <button
              key={l}
              type="button"
              className={`btn audit-label-${l}`}
              disabled={busy}
              onClick={() => void label(l)}
              data-testid={`audit-label-${l}`}
            >
              {l} <kbd>{LABEL_KEYS[l].toUpperCase()}</kbd>
            </button>
          ))}
        </div>
      ) : null}
      <p className="muted field-help">
        Keys H, B, U, E label the record shown when the cursor is not in a text field. A relabel is a new
        entry: the earlier ones stay in the history and the custody log.
      </p>
    </div>
  );
}
