import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useRef, useState } from 'react';
import type { CustodyEvent } from '../../../../shared/domain';
import { Badge, type Tone } from '../../components/Bits';
import { rowMoveTarget, scrollToAndFocusRow } from '../../components/rowKeys';
import { shortHash, utc } from '../../format';
import { EventDetails } from './EventDetails';

export const ROW_HEIGHT = 32;

export function actionTone(e: CustodyEvent): Tone {
  if (e.action === 'ingest.failed') return 'bad';
  if (e.action === 'ingest.cancelled') return 'warn';
  if (e.action === 'verify.run') return e.details.ok === false ? 'bad' : 'ok';
  if (e.action === 'ingest.finished' || e.action === 'case.created') return 'info';
  return 'neutral';
}

export function CustodyTable({ rows }: { rows: CustodyEvent[] }) {
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
          <div role="columnheader" className="custody-col-hash">
            Event hash
          </div>
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
                      {/* In a narrow window the hash column gives way; the signature mark stays here. */}
                      {e.signature ? (
                        <span className="narrow-only">
                          {' '}
                          <Badge tone="ok" title={`Signed by ${e.signer ?? 'unknown key'}`}>
                            signed
                          </Badge>
                        </span>
                      ) : null}
                    </div>
                    <div role="cell" className="ellipsis mono-path" title={e.subject}>
                      {e.subject}
                    </div>
                    <div role="cell" className="cell-hash custody-col-hash">
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
