import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CustodyEvent, VerifyReport } from '../../../shared/domain';
import { errorMessage } from '../api/client';
import {
  Badge,
  CopyButton,
  EmptyState,
  ErrorPanel,
  ProgressBar,
  Spinner,
  StatusLine,
  type Tone,
} from '../components/Bits';
import { describeChain } from '../chain';
import { CheckpointDialog } from './CheckpointDialog';
import { rowMoveTarget, scrollToAndFocusRow } from '../components/rowKeys';
import { humanBytes, humanDuration, humanRate, percent, plural, shortHash, utc } from '../format';
import { useStore, type JobState } from '../store';

const ROW_HEIGHT = 32;

function actionTone(e: CustodyEvent): Tone {
  if (e.action === 'ingest.failed') return 'bad';
  if (e.action === 'ingest.cancelled') return 'warn';
  if (e.action === 'verify.run') return e.details.ok === false ? 'bad' : 'ok';
  if (e.action === 'ingest.finished' || e.action === 'case.created') return 'info';
  return 'neutral';
}

export function CustodyLog({ caseId }: { caseId: string }) {
  const custody = useStore((s) => s.custody[caseId]);
  const overview = useStore((s) => s.overviews[caseId]?.data);
  const loadCustody = useStore((s) => s.loadCustody);
  const [filter, setFilter] = useState('');
  const [newestFirst, setNewestFirst] = useState(true);
  const [signing, setSigning] = useState(false);

  useEffect(() => {
    void loadCustody(caseId);
  }, [caseId, loadCustody]);

  const events = custody?.data ?? null;
  const rows = useMemo(() => {
    if (!events) return [];
    const q = filter.trim().toLowerCase();
    const out = q
      ? events.filter(
          (e) =>
            e.action.includes(q) ||
            e.subject.toLowerCase().includes(q) ||
            e.actor.toLowerCase().includes(q) ||
            e.hash.startsWith(q) ||
            String(e.seq) === q,
        )
      : [...events];
    out.sort((a, b) => (newestFirst ? b.seq - a.seq : a.seq - b.seq));
    return out;
  }, [events, filter, newestFirst]);

  const chain = overview ? describeChain(overview.chain) : null;

  return (
    <section className="screen screen-custody" aria-labelledby="custody-heading">
      <div className="screen-header">
        <div>
          <h2 id="custody-heading">Custody log</h2>
          {chain ? (
            <StatusLine tone={chain.tone} testId="custody-chain-status">
              {chain.line}
            </StatusLine>
          ) : null}
        </div>
        <div className="verify-actions">
          <button type="button" className="btn" onClick={() => setSigning(true)}>
            Sign checkpoint…
          </button>
          <VerifyButton caseId={caseId} />
        </div>
      </div>
      {signing ? (
        <CheckpointDialog
          caseId={caseId}
          onClose={() => setSigning(false)}
          onSigned={() => void loadCustody(caseId)}
        />
      ) : null}
      <VerifyPanel caseId={caseId} />
      {custody?.error ? (
        <ErrorPanel
          title="Could not load the custody log"
          message={custody.error}
          onRetry={() => void loadCustody(caseId)}
        />
      ) : null}
      {events === null ? (
        custody?.error ? null : (
          <p className="muted loading-line">
            <Spinner /> Loading custody log…
          </p>
        )
      ) : events.length === 0 ? (
        <EmptyState title="No custody events" />
      ) : (
        <>
          <div className="toolbar" role="search">
            <div className="field field-inline field-grow">
              <label htmlFor="custody-filter">Filter</label>
              <input
                id="custody-filter"
                type="search"
                placeholder="Action, subject, actor, seq or hash prefix"
                value={filter}
                onChange={(e) => setFilter(e.target.value)}
                spellCheck={false}
                autoComplete="off"
              />
            </div>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => setNewestFirst((v) => !v)}
              aria-label={`Order: ${newestFirst ? 'newest first' : 'oldest first'} (change)`}
            >
              {newestFirst ? 'Newest first ▼' : 'Oldest first ▲'}
            </button>
            <span className="muted toolbar-count" role="status">
              {rows.length === events.length
                ? plural(events.length, 'event')
                : `${rows.length.toLocaleString('en-US')} of ${plural(events.length, 'event')}`}
            </span>
          </div>
          <CustodyTable rows={rows} />
        </>
      )}
    </section>
  );
}

function VerifyButton({ caseId }: { caseId: string }) {
  const job = useStore((s) => {
    const id = s.verifyJobOf[caseId];
    return id ? s.jobs[id] : undefined;
  });
  const startVerify = useStore((s) => s.startVerify);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const running = job?.status === 'running';
  return (
    <div className="verify-actions">
      <button
        type="button"
        className="btn btn-primary"
        disabled={running || starting}
        onClick={() => {
          setStarting(true);
          setError(null);
          startVerify(caseId)
            .catch((err: unknown) => setError(errorMessage(err)))
            .finally(() => setStarting(false));
        }}
      >
        {running || starting ? <Spinner label="Verifying" /> : null}
        {running ? 'Verifying…' : 'Verify now'}
      </button>
      {error ? <ErrorPanel title="Verification did not start" message={error} /> : null}
    </div>
  );
}

function VerifyPanel({ caseId }: { caseId: string }) {
  const job = useStore((s) => {
    const id = s.verifyJobOf[caseId];
    return id ? s.jobs[id] : undefined;
  });
  const cancelJob = useStore((s) => s.cancelJob);
  if (!job) return null;
  if (job.status === 'running')
    return <VerifyProgress job={job} onCancel={() => void cancelJob(job.jobId).catch(() => undefined)} />;
  if (job.status === 'finished' && job.report) return <VerifyResult report={job.report} />;
  if (job.status === 'cancelled')
    return (
      <div className="panel panel-warn" role="status" data-testid="verify-result" data-ok="cancelled">
        <strong>Verification cancelled.</strong> Nothing was concluded; run it again.
      </div>
    );
  return (
    <ErrorPanel
      title="Verification could not run"
      message={
        job.error
          ? `${job.error.message}${job.error.file && !job.error.message.includes(job.error.file) ? ` (${job.error.file})` : ''}`
          : 'Unknown error'
      }
      testId="verify-result"
    />
  );
}

function VerifyProgress({ job, onCancel }: { job: JobState; onCancel: () => void }) {
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

function VerifyResult({ report: r }: { report: VerifyReport }) {
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

function CustodyTable({ rows }: { rows: CustodyEvent[] }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const [activeSeq, setActiveSeq] = useState<number | null>(null);
  const activeIndex = activeSeq === null ? -1 : rows.findIndex((r) => r.seq === activeSeq);
  const tabRow = activeIndex >= 0 ? activeIndex : 0;

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (rows[i] && expanded.has(rows[i].seq) ? 220 : ROW_HEIGHT),
    overscan: 10,
    getItemKey: (i) => rows[i]?.seq ?? i,
  });

  const toggle = useCallback((seq: number) => {
    setExpanded((prev) => {
      const next = new Set(prev);
      if (next.has(seq)) next.delete(seq);
      else next.add(seq);
      return next;
    });
  }, []);

  const focusRow = (index: number) => {
    const i = Math.max(0, Math.min(rows.length - 1, index));
    const row = rows[i];
    if (!row) return;
    setActiveSeq(row.seq);
    scrollToAndFocusRow(virtualizer, scrollRef, i);
  };

  function onKey(e: React.KeyboardEvent<HTMLDivElement>, index: number, seq: number) {
    if (e.target !== e.currentTarget) return;
    const to = rowMoveTarget(e.key, index, rows.length);
    if (to !== undefined) {
      e.preventDefault();
      focusRow(to);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      toggle(seq);
    } else if (e.key === 'ArrowRight' && !expanded.has(seq)) toggle(seq);
    else if (e.key === 'ArrowLeft' && expanded.has(seq)) toggle(seq);
  }

  return (
    <div
      className="vtable vtable-custody"
      role="table"
      aria-label="Custody events"
      aria-rowcount={rows.length + 1}
      data-testid="custody-table"
    >
      <div className="vtable-head" role="rowgroup">
        <div className="vrow vrow-head custody-grid" role="row" aria-rowindex={1}>
          <div role="columnheader">
            <span className="offscreen">Details</span>
          </div>
          <div role="columnheader" className="num">
            Seq
          </div>
          <div role="columnheader">Time (UTC)</div>
          <div role="columnheader">Actor</div>
          <div role="columnheader">Action</div>
          <div role="columnheader">Subject</div>
          <div role="columnheader">Event hash</div>
        </div>
      </div>
      <div className="vtable-body" ref={scrollRef} role="rowgroup">
        {rows.length === 0 ? (
          <div className="vtable-empty" role="row">
            <div role="cell">No event matches this filter.</div>
          </div>
        ) : (
          <div className="vtable-spacer" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((v) => {
              const e = rows[v.index];
              if (!e) return null;
              const open = expanded.has(e.seq);
              const isActive = v.index === activeIndex;
              return (
                <div
                  key={v.key}
                  ref={virtualizer.measureElement}
                  data-index={v.index}
                  data-testid="custody-row"
                  data-action={e.action}
                  role="row"
                  aria-rowindex={v.index + 2}
                  aria-expanded={open}
                  tabIndex={v.index === tabRow ? 0 : -1}
                  className={`vrow-dyn${isActive ? ' is-active' : ''}`}
                  style={{ transform: `translateY(${v.start}px)` }}
                  onFocus={(ev) => {
                    if (ev.target === ev.currentTarget) setActiveSeq(e.seq);
                  }}
                  onKeyDown={(ev) => onKey(ev, v.index, e.seq)}
                >
                  <div className="custody-grid vrow-line" onClick={() => toggle(e.seq)}>
                    <div role="cell">
                      <button
                        type="button"
                        className="btn btn-ghost btn-icon expander"
                        aria-expanded={open}
                        aria-label={`${open ? 'Hide' : 'Show'} details of event ${e.seq}`}
                        tabIndex={isActive ? 0 : -1}
                        onClick={(ev) => {
                          ev.stopPropagation();
                          toggle(e.seq);
                        }}
                      >
                        {open ? '▾' : '▸'}
                      </button>
                    </div>
                    <div role="cell" className="num mono">
                      {e.seq}
                    </div>
                    <div role="cell" className="nowrap">
                      {utc(e.at).replace(' UTC', '')}
                    </div>
                    <div role="cell" className="ellipsis" title={e.actor}>
                      {e.actor}
                    </div>
                    <div role="cell">
                      <Badge tone={actionTone(e)}>{e.action}</Badge>
                    </div>
                    <div role="cell" className="ellipsis mono-path" title={e.subject}>
                      {e.subject}
                    </div>
                    <div role="cell" className="cell-hash">
                      <span className="mono" title={e.hash}>
                        {shortHash(e.hash, 10, 4)}
                      </span>
                      {e.signature ? (
                        <Badge tone="ok" title={`Signed by ${e.signer ?? 'unknown key'}`}>
                          signed
                        </Badge>
                      ) : null}
                    </div>
                  </div>
                  {open ? <EventDetails event={e} /> : null}
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}

function EventDetails({ event: e }: { event: CustodyEvent }) {
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
