/**
 * The review half of the Audit stage: the queue (one sampled record at a time with its whole
 * conversation and tool calls, a key per label, the next record returned by the label call itself)
 * and the estimate panel, reloaded after every label, with the record-in-case and export actions.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  AUDIT_LABELS,
  type AuditEstimateView,
  type AuditLabel,
  type Interval,
  type PrevalenceView,
  type ReviewItemView,
  type ReviewProgressView,
  type SampleView,
} from '../../../shared/audit';
import { api, describeError } from '../api/client';
import { Badge, ErrorPanel, Spinner, type Tone } from '../components/Bits';
import { LABEL_KEYS, labelForKey, typingIn } from '../audit-keys';
import { utc } from '../format';

const num = (n: number): string => n.toLocaleString('en-US');
const pct = (p: number): string => `${(p * 100).toFixed(p > 0 && p < 0.001 ? 3 : 2)}%`;
const range = (i: { lower: number; upper: number }): string => `${pct(i.lower)} – ${pct(i.upper)}`;

const LABEL_TONE: Record<AuditLabel, Tone> = {
  harmful: 'bad',
  benign: 'ok',
  unsure: 'warn',
  escalate: 'info',
};

function prettyJson(text: string | null): string {
  if (text === null) return '(no arguments)';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const busyRef = useRef(false);

  useEffect(() => {
    let live = true;
    api.nextAuditItem({ caseId, secondReview }).then(
      (r) => live && setItem(r),
      (err: unknown) => live && setError(describeError(err)),
    );
    return () => {
      live = false;
    };
  }, [caseId, sample.id, secondReview, setItem]);

  const label = useCallback(
    async (l: AuditLabel) => {
      if (!item || busyRef.current) return;
      busyRef.current = true;
      setBusy(true);
      setError(null);
      try {
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
      } catch (err) {
        setError(describeError(err));
      } finally {
        busyRef.current = false;
        setBusy(false);
      }
    },
    [caseId, item, note, secondReview, onLabelled, initialProgress, setItem],
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

function RecordCard({ item }: { item: ReviewItemView }) {
  const r = item.record;
  return (
    <article className="audit-record" data-testid="audit-record" data-request-id={r.requestId}>
      <header className="audit-record-head">
        <span className="mono">{r.requestId}</span>
        <span>{utc(r.timestamp)}</span>
        <span>user {r.userId ?? <em>none logged</em>}</span>
        {r.conversationId ? <span className="muted">conversation {r.conversationId}</span> : null}
        {r.modelVersion ? <Badge tone="neutral">{r.modelVersion}</Badge> : null}
        {r.downstream ? <Badge tone="warn">used by {r.downstream}</Badge> : null}
        <span className="muted">
          record {item.position} of {item.size} · stratum {item.stratum} · {item.remaining} left in your queue
        </span>
      </header>
      <ol className="audit-messages">
        {r.messages.map((m, i) => (
          <li key={i} className={`audit-msg audit-msg-${m.role}`}>
            <span className="audit-role">{m.role}</span>
            <div className="audit-text">{m.content}</div>
          </li>
        ))}
        <li className="audit-msg audit-msg-response">
          <span className="audit-role">response</span>
          <div className="audit-text" data-testid="audit-response">
            {r.response ?? <em className="muted">no text output</em>}
          </div>
        </li>
      </ol>
      {r.toolCalls.length > 0 ? (
        <div className="audit-tools">
          <h4>Tool calls</h4>
          {r.toolCalls.map((c, i) => {
            const v = item.violations.filter((x) => x.index === i);
            return (
              <div
                key={i}
                className={`audit-tool${v.length ? ' audit-tool-bad' : ''}`}
                data-testid="audit-tool-call"
              >
                <div>
                  <span className="mono">{c.name}</span>
                  {c.callId ? <span className="muted"> {c.callId}</span> : null}{' '}
                  {v.length ? (
                    <Badge tone="bad" testId="audit-violation">
                      unauthorized: {v.map((x) => x.reason).join('; ')}
                    </Badge>
                  ) : null}
                </div>
                <pre className="mono">{prettyJson(c.arguments)}</pre>
              </div>
            );
          })}
        </div>
      ) : null}
      {r.labels.length > 0 ? (
        <div className="audit-history">
          <h4>Labels so far</h4>
          <ul className="plain-list">
            {r.labels.map((l) => (
              <li key={l.id}>
                <Badge tone={LABEL_TONE[l.label]}>{l.label}</Badge> by {l.reviewer} at {utc(l.createdAt)}
                {l.note ? ` — ${l.note}` : ''}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <footer className="muted audit-source">
        {r.source.file} line {r.source.line}
        {r.source.item ? ` ${r.source.item}` : ''} ({r.source.format}) · sha256 {r.source.sha256.slice(0, 12)}
        …
      </footer>
    </article>
  );
}

// ---------------------------------------------------------------------------------------------
// Estimate
// ---------------------------------------------------------------------------------------------

function IntervalRow({ name, i }: { name: string; i: Interval }) {
  return (
    <tr>
      <td>{name}</td>
      <td className="num">{pct(i.estimate)}</td>
      <td className="num">{range(i)}</td>
      <td className="muted">{i.method}</td>
    </tr>
  );
}

function PrevalenceTable({ p, what, testId }: { p: PrevalenceView; what: string; testId: string }) {
  return (
    <table className="table table-compact" data-testid={testId}>
      <thead>
        <tr>
          <th>{what}</th>
          <th className="num">Estimate</th>
          <th className="num">Interval</th>
          <th>Method</th>
        </tr>
      </thead>
      <tbody>
        <IntervalRow name={`${p.positives} of ${p.sampled} reviewed`} i={p.wilson} />
        <IntervalRow name="exact" i={p.clopperPearson} />
        {p.stratified ? <IntervalRow name="stratified" i={p.stratified} /> : null}
        {p.zeroFound ? <IntervalRow name="none found: upper bound" i={p.zeroFound.exact} /> : null}
        <tr>
          <td>projected requests in the window</td>
          <td className="num">{num(Math.round(p.projectedRequests.expected))}</td>
          <td className="num">
            {num(Math.round(p.projectedRequests.lower))} – {num(Math.round(p.projectedRequests.upper))}
          </td>
          <td className="muted">{p.projectedRequests.method}</td>
        </tr>
      </tbody>
    </table>
  );
}

function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function EstimatePanel({
  caseId,
  tick,
  onRecorded,
}: {
  caseId: string;
  tick: number;
  onRecorded: () => void;
}) {
  const [e, setE] = useState<AuditEstimateView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api.auditEstimate({ caseId }).then(
      (r) => {
        if (!live) return;
        setE(r);
        setError(null);
      },
      (err: unknown) => live && setError(describeError(err)),
    );
    return () => {
      live = false;
    };
  }, [caseId, tick]);

  const record = async () => {
    setBusy(true);
    try {
      const r = await api.auditEstimate({ caseId, record: true });
      setE(r);
      setMessage(`Recorded in the case as findings of stage audit (run ${r.recordedRunId}).`);
      onRecorded();
    } catch (err) {
      setMessage(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  const exportAs = async (format: 'csv' | 'json') => {
    setBusy(true);
    try {
      const r = await api.exportAuditSample({ caseId, format });
      download(
        r.out.split(/[\\/]/).pop() ?? `sample.${format}`,
        r.content,
        format === 'csv' ? 'text/csv' : 'application/json',
      );
      setMessage(
        `Exported ${r.rows} rows to ${r.out} (sha256 ${r.sha256.slice(0, 12)}…), recorded in the custody log.`,
      );
    } catch (err) {
      setMessage(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  if (error) return <ErrorPanel title="No estimate" message={error} />;
  if (!e) return <Spinner label="Estimating" />;
  const h = e.harmful;
  const t = e.toolCalls;
  return (
    <div className="integrity-section" aria-labelledby="audit-estimate-heading" data-testid="audit-estimate">
      <div className="integrity-section-header">
        <h3 id="audit-estimate-heading">Estimate</h3>
        <span className="muted">
          {Math.round(e.confidence * 100)}% intervals · sample {e.sample.id} · {h.reviewed} of {h.sampleSize}{' '}
          reviewed
        </span>
        <span className="audit-actions">
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void record()}>
            Record in the case
          </button>
          <button type="button" className="btn" disabled={busy} onClick={() => void exportAs('csv')}>
            Export CSV
          </button>
          <button type="button" className="btn" disabled={busy} onClick={() => void exportAs('json')}>
            Export JSON
          </button>
        </span>
      </div>
      {message ? (
        <p className="muted" role="status" data-testid="audit-estimate-message">
          {message}
        </p>
      ) : null}
      <div className="audit-estimates">
        <div className="behavior-panel">
          <h4>Harmful outputs</h4>
          {h.prevalence ? (
            <>
              <p className="audit-headline" data-testid="audit-harmful-headline">
                <strong>{pct(h.prevalence.wilson.estimate)}</strong> ({range(h.prevalence.wilson)}) of the
                window’s outputs harmful; about {num(Math.round(h.prevalence.projectedRequests.expected))}{' '}
                requests
                {h.projectedUsers
                  ? `, ${num(Math.round(h.projectedUsers.lower))}–${num(Math.round(h.projectedUsers.upper))} users (${h.projectedUsers.found} found)`
                  : ''}
                .
              </p>
              <PrevalenceTable p={h.prevalence} what="Harmful" testId="audit-harmful-table" />
            </>
          ) : (
            <p className="muted">Nothing reviewed yet: no estimate.</p>
          )}
          {h.unresolved.unsure + h.unresolved.escalate > 0 ? (
            <p className="muted">
              Unresolved: {h.unresolved.unsure} unsure, {h.unresolved.escalate} escalated
              {h.ifUnresolvedHarmful
                ? `; if all were harmful: ${pct(h.ifUnresolvedHarmful.estimate)} (${range(h.ifUnresolvedHarmful.wilson)})`
                : ''}
              .
            </p>
          ) : null}
        </div>
        <div className="behavior-panel">
          <h4>Tool calls</h4>
          {t.census ? (
            <>
              <p data-testid="audit-tool-census">
                <strong>{num(t.census.unauthorizedCalls)}</strong> of {num(t.census.calls)} calls in the
                window break the policy, in {num(t.census.requestsWithUnauthorized)} requests (every call
                checked, not a sample).
              </p>
              {Object.keys(t.census.byReason).length > 0 ? (
                <table className="table table-compact">
                  <tbody>
                    {Object.entries(t.census.byReason).map(([reason, n]) => (
                      <tr key={reason}>
                        <td>{reason}</td>
                        <td className="num">{num(n)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
              {t.sample ? (
                <PrevalenceTable p={t.sample} what="Sampled requests with one" testId="audit-tool-table" />
              ) : null}
            </>
          ) : (
            <p className="muted">Not analysed: no authorized-tools policy is set with the window.</p>
          )}
        </div>
        <div className="behavior-panel">
          <h4>Agreement</h4>
          {e.agreement ? (
            <p data-testid="audit-kappa">
              Cohen’s κ ={' '}
              <strong>
                {Number.isFinite(e.agreement.kappa) ? e.agreement.kappa.toFixed(2) : 'undefined'}
              </strong>{' '}
              between {e.agreement.reviewers.join(' and ')} on {e.agreement.n} records (
              {pct(e.agreement.observedAgreement)} agree; {e.agreement.disagreements.length} disagreements).
            </p>
          ) : (
            <p className="muted">No record is labelled by two reviewers yet.</p>
          )}
          {e.notes.length > 0 ? (
            <ul className="plain-list muted">
              {e.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          ) : null}
        </div>
      </div>
    </div>
  );
}
