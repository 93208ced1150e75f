import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { BehaviorItemPair } from '../../../../shared/behavior';
import { PairRow } from './PairRow';

// A fixed row height keeps the windowing exact; long responses scroll inside their cell.
export const ROW_H = 170;

export const LIST_H = 570;

export const OVERSCAN = 3;

export function ItemList({
  items,
  need,
  labels,
}: {
  items: (BehaviorItemPair | undefined)[];
  need: (index: number) => void;
  labels: [string, string];
}) {
  // The scroll position belongs to the list it was read on: a new list starts at the top.
  const [scroll, setScroll] = useState({ length: items.length, top: 0 });
  const top = scroll.length === items.length ? scroll.top : 0;
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.scrollTop = 0;
  }, [items.length]);
  const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((top + LIST_H) / ROW_H) + OVERSCAN);
  useEffect(() => {
    for (let i = first; i < last; i++) if (!items[i]) need(i);
  }, [first, last, items, need]);
  if (items.length === 0)
    return (
      <p className="muted" data-testid="behavior-items-empty">
        No pairs match.
      </p>
    );
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    const it = items[i];
    rows.push(
      <div
        key={i}
        className="pair-row"
        style={{ top: i * ROW_H, height: ROW_H }}
        role="listitem"
        aria-setsize={items.length}
        aria-posinset={i + 1}
        data-testid="behavior-item"
      >
        {it ? <PairRow item={it} labels={labels} /> : <p className="muted">Loading…</p>}
      </div>,
    );
  }
  return (
    <div
      ref={ref}
      className="pair-list"
      style={{ height: Math.min(LIST_H, items.length * ROW_H + 2) }}
      onScroll={(e) => setScroll({ length: items.length, top: e.currentTarget.scrollTop })}
      tabIndex={0}
      role="list"
      aria-label={`${items.length} paired items; scroll with the arrow keys`}
      data-testid="behavior-items"
    >
      <div style={{ height: items.length * ROW_H, position: 'relative' }}>{rows}</div>
    </div>
  );
}
