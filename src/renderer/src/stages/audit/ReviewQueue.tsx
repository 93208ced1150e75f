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
  type ReviewedItemView,
  type SampleView,
} from '../../../../shared/audit';
import { useAction } from '../../components/useAction';
import { api, describeError } from '../../api/client';
import { Badge, ErrorPanel, Spinner, type Tone } from '../../components/Bits';
import { LABEL_KEYS, labelForKey, typingIn } from '../../audit-keys';
import { RecordCard } from './RecordCard';
import { useDraft } from '../../drafts';
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
  // The note typed for a record is kept as a draft of the case, so a reload mid-review keeps it.
  const [note, setNote, clearNote] = useDraft(`${caseId}/audit-note/${item?.record.requestId ?? ''}`);
  const { busy, error, run, fail } = useAction();
  // Set at once, before the re-render that disables the buttons: a key held down labels once.
  const busyRef = useRef(false);

  // What this reviewer has labelled, to go back to a record and relabel it.
  const [reviewed, setReviewed] = useState<ReviewedItemView[]>([]);
  const refreshReviewed = useCallback(() => {
    api.reviewedAuditItems({ caseId }).then(setReviewed, (err: unknown) => fail(describeError(err)));
  }, [caseId, fail]);
  useEffect(() => {
    refreshReviewed();
  }, [refreshReviewed, sample.id]);
  const mine = item ? reviewed.find((r) => r.position === item.position) : undefined;
  const before = reviewed.filter((r) => (item ? r.position < item.position : true)).at(-1);
  const after = item ? reviewed.find((r) => r.position > item.position) : undefined;

  const open = useCallback(
    (position: number) => {
      api.auditItemAt({ caseId, position }).then(
        (r) => setItem(r),
        (err: unknown) => fail(describeError(err)),
      );
    },
    [caseId, setItem, fail],
  );
  const backToQueue = useCallback(() => {
    api.nextAuditItem({ caseId, secondReview }).then(setItem, (err: unknown) => fail(describeError(err)));
  }, [caseId, secondReview, setItem, fail]);

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
        clearNote();
        setItem(r.next);
        refreshReviewed();
        onLabelled();
        return null;
      });
      busyRef.current = false;
    },
    [caseId, item, note, secondReview, onLabelled, initialProgress, setItem, run, refreshReviewed, clearNote],
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
        <>
          {mine ? (
            <p className="audit-revisit" role="status" data-testid="audit-revisit">
              Back at record {mine.position}: you labelled it{' '}
              <Badge tone={LABEL_TONE[mine.label]}>{mine.label}</Badge>
              {mine.note ? ` (“${mine.note}”)` : ''}. A new label is recorded as a relabel; the earlier one
              stays in the history.
            </p>
          ) : null}
          <RecordCard item={item} />
        </>
      )}
      <div className="button-row audit-nav">
        <button
          type="button"
          className="btn"
          disabled={!before}
          onClick={() => before && open(before.position)}
          data-testid="audit-previous"
        >
          ← Previous reviewed
        </button>
        <button
          type="button"
          className="btn"
          disabled={!mine}
          onClick={() => (after ? open(after.position) : backToQueue())}
          data-testid="audit-next"
        >
          {after ? 'Next reviewed →' : 'Back to the queue →'}
        </button>
      </div>
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
      <ReviewedList items={reviewed} current={item?.position ?? null} onOpen={open} />
      <p className="muted field-help">
        Keys H, B, U, E label the record shown when the cursor is not in a text field. A relabel is a new
        entry: the earlier ones stay in the history and the custody log.
      </p>
    </div>
  );
}

const LABEL_TONE: Record<AuditLabel, Tone> = {
  harmful: 'bad',
  benign: 'ok',
  unsure: 'warn',
  escalate: 'warn',
};

/** The records this reviewer labelled, with their current labels; each opens again to relabel. */
function ReviewedList({
  items,
  current,
  onOpen,
}: {
  items: ReviewedItemView[];
  current: number | null;
  onOpen: (position: number) => void;
}) {
  if (items.length === 0) return null;
  return (
    <details className="audit-reviewed" data-testid="audit-reviewed">
      <summary>
        Reviewed by you: {num(items.length)} {items.length === 1 ? 'record' : 'records'}
      </summary>
      <div
        className="table-wrap audit-reviewed-wrap"
        tabIndex={0}
        role="region"
        aria-label="Reviewed records"
      >
        <table className="table table-compact">
          <thead>
            <tr>
              <th className="num">#</th>
              <th>Request</th>
              <th>Label</th>
              <th>Note</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr
                key={r.position}
                data-testid="audit-reviewed-row"
                data-request-id={r.requestId}
                aria-current={r.position === current ? 'true' : undefined}
              >
                <td className="num">{r.position}</td>
                <td className="mono">{r.requestId}</td>
                <td>
                  <Badge tone={LABEL_TONE[r.label]}>{r.label}</Badge>
                  {r.labels > 1 ? <span className="muted"> · relabelled</span> : null}
                </td>
                <td>{r.note ?? <span className="muted">—</span>}</td>
                <td>
                  <button type="button" className="link-button" onClick={() => onOpen(r.position)}>
                    Open
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
