import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { EvidenceItem, VerificationIssue } from '../../../../shared/domain';
import { Badge, CopyButton, ManifestBadge } from '../../components/Bits';
import { exactBytes, humanBytes, kindLabel } from '../../format';
import type { EvidenceView, SortKey } from '../../store';
import { InspectorDialog } from './InspectorDialog';
import { rowMoveTarget, scrollToAndFocusRow } from '../../components/rowKeys';
import { EvidenceDetails } from './EvidenceDetails';

export const ROW_HEIGHT = 32;

export const COLUMNS: { key: SortKey; label: string; className?: string }[] = [
  { key: 'path', label: 'Path' },
  { key: 'kind', label: 'Kind' },
  { key: 'size', label: 'Size', className: 'num' },
  { key: 'sha256', label: 'SHA-256' },
  { key: 'manifest', label: 'Checksum list' },
];

export function EvidenceTable({
  caseId,
  rows,
  total,
  view,
  onSort,
  onClear,
  flags,
  selectedPath = null,
  onSelect,
}: {
  /** The path the address selects: its row is active and its details open when the table opens. */
  selectedPath?: string | null;
  /** Told the path of the row made active, to keep it in the address. */
  onSelect?: (path: string | null) => void;
  /** The stored objects the last verification found modified, missing or unreadable, by SHA-256. */
  flags: Map<string, VerificationIssue>;
  caseId: string;
  rows: EvidenceItem[];
  total: number;
  view: EvidenceView;
  onSort: (key: SortKey) => void;
  onClear: () => void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [activeId, setActiveId] = useState<number | null>(() =>
    selectedPath ? (rows.find((r) => r.path === selectedPath)?.id ?? null) : null,
  );
  const [detailsOpen, setDetailsOpen] = useState(activeId !== null);
  const [inspecting, setInspecting] = useState<EvidenceItem | null>(null);
  const activeIndex = useMemo(() => {
    const i = activeId === null ? -1 : rows.findIndex((r) => r.id === activeId);
    return i;
  }, [rows, activeId]);
  // The active row's path goes into the address, so back/forward and reload come back to it.
  const activePath = activeIndex >= 0 ? (rows[activeIndex]?.path ?? null) : null;
  useEffect(() => {
    if (activePath !== null) onSelect?.(activePath);
  }, [activePath, onSelect]);
  // Scroll the row the address selected into view once.
  const scrolledTo = useRef(false);
  useEffect(() => {
    if (scrolledTo.current || activeIndex < 0) return;
    scrolledTo.current = true;
    virtualizerRef.current?.scrollToIndex(activeIndex, { align: 'center' });
  }, [activeIndex]);
  // The row that takes Tab: the active one, else the first.
  const tabIndexRow = activeIndex >= 0 ? activeIndex : 0;

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (i) => rows[i]?.id ?? i,
  });
  const virtualizerRef = useRef(virtualizer);
  virtualizerRef.current = virtualizer;

  const focusRow = useCallback(
    (index: number) => {
      const i = Math.max(0, Math.min(rows.length - 1, index));
      const row = rows[i];
      if (!row) return;
      setActiveId(row.id);
      scrollToAndFocusRow(virtualizer, scrollRef, i);
    },
    [rows, virtualizer],
  );

  function onRowKey(e: React.KeyboardEvent<HTMLDivElement>, index: number) {
    if (e.target !== e.currentTarget) return; // keys typed on the copy button
    const page = Math.max(
      1,
      Math.floor((scrollRef.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1,
    );
    const to = rowMoveTarget(e.key, index, rows.length, page);
    if (to !== undefined) {
      e.preventDefault();
      focusRow(to);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      setDetailsOpen(true);
    } else if (e.key === 'i' && !e.ctrlKey && !e.metaKey && !e.altKey) {
      const row = rows[index];
      if (row?.sha256) {
        e.preventDefault();
        setInspecting(row);
      }
    }
  }

  const active = activeIndex >= 0 ? rows[activeIndex] : undefined;

  return (
    <div className="evidence-layout">
      <div
        className="vtable"
        role="table"
        aria-label="Evidence files"
        aria-rowcount={rows.length + 1}
        data-testid="evidence-table"
      >
        <div className="vtable-head" role="rowgroup">
          <div className="vrow vrow-head evidence-grid" role="row" aria-rowindex={1}>
            {COLUMNS.map((c) => {
              const sorted = view.sort === c.key;
              return (
                <div
                  key={c.key}
                  role="columnheader"
                  className={c.className}
                  aria-sort={sorted ? (view.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                >
                  <button type="button" className="sort-button" onClick={() => onSort(c.key)}>
                    {c.label}
                    <span className="sort-mark" aria-hidden="true">
                      {sorted ? (view.dir === 'asc' ? '▲' : '▼') : ''}
                    </span>
                  </button>
                </div>
              );
            })}
          </div>
        </div>
        <div className="vtable-body" ref={scrollRef} role="rowgroup">
          {rows.length === 0 ? (
            <div className="vtable-empty" role="row">
              <div role="cell">
                No file of the {total.toLocaleString('en-US')} matches these filters.{' '}
                <button type="button" className="link-button" onClick={onClear}>
                  Clear filters
                </button>
              </div>
            </div>
          ) : (
            <div className="vtable-spacer" style={{ height: virtualizer.getTotalSize() }}>
              {virtualizer.getVirtualItems().map((v) => {
                const item = rows[v.index];
                if (!item) return null;
                const isActive = v.index === activeIndex;
                const flag = item.sha256 ? flags.get(item.sha256) : undefined;
                return (
                  <div
                    key={v.key}
                    data-index={v.index}
                    data-testid="evidence-row"
                    data-path={item.path}
                    role="row"
                    aria-rowindex={v.index + 2}
                    aria-selected={isActive}
                    tabIndex={v.index === tabIndexRow ? 0 : -1}
                    className={`vrow evidence-grid${isActive ? ' is-active' : ''}${item.manifestStatus === 'mismatched' || flag ? ' is-mismatched' : ''}`}
                    data-verification={flag ? flag.kind : undefined}
                    style={{ transform: `translateY(${v.start}px)`, height: ROW_HEIGHT }}
                    onFocus={(e) => {
                      if (e.target === e.currentTarget) setActiveId(item.id);
                    }}
                    onClick={() => {
                      setActiveId(item.id);
                      setDetailsOpen(true);
                    }}
                    onKeyDown={(e) => onRowKey(e, v.index)}
                  >
                    <div
                      role="cell"
                      className="cell-path"
                      title={item.linkTarget ? `${item.path} → ${item.linkTarget}` : item.path}
                    >
                      <span className="mono-path">{item.path}</span>
                      {item.occurrence > 1 ? <span className="muted"> (#{item.occurrence})</span> : null}
                      {item.linkTarget ? <span className="link-target"> → {item.linkTarget}</span> : null}
                    </div>
                    <div role="cell" className="cell-kind">
                      {kindLabel(item.kind)}
                    </div>
                    <div role="cell" className="num" title={exactBytes(item.size)}>
                      {item.kind === 'link' ? <span className="muted">link</span> : humanBytes(item.size)}
                    </div>
                    <div role="cell" className="cell-hash">
                      {item.sha256 ? (
                        <span className="hash">
                          <span className="mono" title={item.sha256} data-hash={item.sha256}>
                            {item.sha256.slice(0, 16)}…{item.sha256.slice(-6)}
                          </span>
                          {/* Only the active row's button is a Tab stop, so Tab leaves the table instead of walking every row. */}
                          <CopyButton
                            value={item.sha256}
                            label={`Copy SHA-256 of ${item.path}`}
                            tabIndex={isActive ? 0 : -1}
                          />
                        </span>
                      ) : (
                        <span className="muted">not followed</span>
                      )}
                    </div>
                    <div role="cell">
                      {/* What the last verification found outranks what the checksum list said at ingest. */}
                      {flag ? (
                        <VerificationFlag issue={flag} />
                      ) : (
                        <ManifestBadge status={item.manifestStatus} expected={item.manifestExpected} />
                      )}
                    </div>
                  </div>
                );
              })}
            </div>
          )}
        </div>
      </div>
      {active && detailsOpen ? (
        <EvidenceDetails
          item={active}
          flag={active.sha256 ? flags.get(active.sha256) : undefined}
          onClose={() => setDetailsOpen(false)}
          onInspect={() => setInspecting(active)}
        />
      ) : null}
      {inspecting ? (
        <InspectorDialog caseId={caseId} item={inspecting} onClose={() => setInspecting(null)} />
      ) : null}
      <p className="table-hint muted">
        ↑ ↓ PgUp PgDn Home End move between rows · Enter shows the details · I inspects the file · the copy
        button copies the full SHA-256
      </p>
    </div>
  );
}

const FLAG_WORDS: Partial<Record<VerificationIssue['kind'], string>> = {
  'object-modified': 'modified',
  'object-missing': 'missing',
  'object-unreadable': 'unreadable',
  'object-size': 'size changed',
};

/** The last verification's finding on this file's stored object, worded in one word. */
export function VerificationFlag({ issue }: { issue: VerificationIssue }) {
  return (
    <Badge tone="bad" title={`Last verification: ${issue.message}`} testId="verification-flag">
      {FLAG_WORDS[issue.kind] ?? 'failed'}
    </Badge>
  );
}

/** The objects named by the last verification's problems, by SHA-256. */
export function verificationFlags(issues: VerificationIssue[] | undefined): Map<string, VerificationIssue> {
  const out = new Map<string, VerificationIssue>();
  for (const issue of issues ?? []) if (issue.sha256) out.set(issue.sha256, issue);
  return out;
}
