import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  EVIDENCE_KINDS,
  type EvidenceItem,
  type EvidenceKind,
  type ManifestStatus,
} from '../../../shared/domain';
import { CopyButton, EmptyState, ErrorPanel, Hash, ManifestBadge, Spinner } from '../components/Bits';
import { exactBytes, humanBytes, kindLabel, utc } from '../format';
import { DEFAULT_EVIDENCE_VIEW, useStore, type EvidenceView, type SortKey } from '../store';
import { InspectorDialog } from './Inspector';
import { rowMoveTarget, scrollToAndFocusRow } from '../components/rowKeys';

const ROW_HEIGHT = 32;

const MANIFEST_ORDER: Record<string, number> = { mismatched: 0, missing: 1, new: 2, matched: 3, unlisted: 4 };
const STATUSES: ManifestStatus[] = ['matched', 'mismatched', 'missing', 'new', 'unlisted'];

const COLUMNS: { key: SortKey; label: string; className?: string }[] = [
  { key: 'path', label: 'Path' },
  { key: 'kind', label: 'Kind' },
  { key: 'size', label: 'Size', className: 'num' },
  { key: 'sha256', label: 'SHA-256' },
  { key: 'manifest', label: 'Checksum list' },
];

/** What a user types or pastes: a path fragment, or a hash (also `sha256:<hex>` or `<hex>  name` from sha256sum). */
export function normalizeQuery(raw: string): { text: string; hex: string | null } {
  let text = raw.trim().toLowerCase();
  const sumLine = /^([0-9a-f]{64})\s+\*?.+$/.exec(text);
  if (sumLine) text = sumLine[1]!;
  text = text.replace(/^sha256[:-]/, '');
  return { text, hex: /^[0-9a-f]{6,64}$/.test(text) ? text : null };
}

function matches(item: EvidenceItem, q: { text: string; hex: string | null }): boolean {
  if (!q.text) return true;
  if (q.hex && (item.sha256?.includes(q.hex) || item.manifestExpected?.toLowerCase().includes(q.hex)))
    return true;
  return (
    item.path.toLowerCase().includes(q.text) || (item.linkTarget?.toLowerCase().includes(q.text) ?? false)
  );
}

function compare(a: EvidenceItem, b: EvidenceItem, key: SortKey): number {
  switch (key) {
    case 'path':
      return a.path < b.path ? -1 : a.path > b.path ? 1 : a.occurrence - b.occurrence;
    case 'kind':
      return EVIDENCE_KINDS.indexOf(a.kind) - EVIDENCE_KINDS.indexOf(b.kind);
    case 'size':
      return a.size - b.size;
    case 'sha256':
      return (a.sha256 ?? '~').localeCompare(b.sha256 ?? '~');
    case 'manifest':
      return (MANIFEST_ORDER[a.manifestStatus ?? ''] ?? 5) - (MANIFEST_ORDER[b.manifestStatus ?? ''] ?? 5);
  }
}

export function EvidenceScreen({ caseId }: { caseId: string }) {
  const evidence = useStore((s) => s.evidence[caseId]);
  const loadEvidence = useStore((s) => s.loadEvidence);
  const view = useStore((s) => s.evidenceViews[caseId]) ?? DEFAULT_EVIDENCE_VIEW;
  const setView = useStore((s) => s.setEvidenceView);
  const openIngest = useStore((s) => s.openIngest);
  const update = useCallback((patch: Partial<EvidenceView>) => setView(caseId, patch), [caseId, setView]);

  useEffect(() => {
    void loadEvidence(caseId);
  }, [caseId, loadEvidence]);

  const items = evidence?.data ?? null;

  const kindCounts = useMemo(() => {
    const counts = new Map<EvidenceKind, number>();
    for (const it of items ?? []) counts.set(it.kind, (counts.get(it.kind) ?? 0) + 1);
    return counts;
  }, [items]);
  const statusCounts = useMemo(() => {
    const counts = new Map<ManifestStatus, number>();
    for (const it of items ?? [])
      if (it.manifestStatus) counts.set(it.manifestStatus, (counts.get(it.manifestStatus) ?? 0) + 1);
    return counts;
  }, [items]);

  const rows = useMemo(() => {
    if (!items) return [];
    const q = normalizeQuery(view.text);
    const out = items.filter(
      (it) =>
        (view.kind === 'all' || it.kind === view.kind) &&
        (view.status === 'all' || it.manifestStatus === view.status) &&
        matches(it, q),
    );
    const sign = view.dir === 'asc' ? 1 : -1;
    out.sort((a, b) => sign * compare(a, b, view.sort) || a.path.localeCompare(b.path) || a.id - b.id);
    return out;
  }, [items, view.kind, view.status, view.text, view.sort, view.dir]);

  const filtered = view.kind !== 'all' || view.status !== 'all' || view.text.trim() !== '';

  return (
    <section className="screen screen-evidence" aria-labelledby="evidence-heading">
      <div className="screen-header">
        <h2 id="evidence-heading">Evidence</h2>
        <div className="button-row">
          <button type="button" className="btn btn-primary" onClick={() => openIngest(caseId)}>
            Ingest evidence…
          </button>
        </div>
      </div>
      {evidence?.error ? (
        <ErrorPanel
          title="Could not load the evidence list"
          message={evidence.error}
          onRetry={() => void loadEvidence(caseId)}
        />
      ) : null}
      {items === null ? (
        evidence?.error ? null : (
          <p className="muted loading-line">
            <Spinner /> Loading evidence…
          </p>
        )
      ) : items.length === 0 ? (
        <EmptyState title="No evidence in this case yet" testId="evidence-empty">
          <p className="muted">
            Ingest a bundle: a folder, .tar, .tar.gz or .zip with the model files and, ideally, their checksum
            list.
          </p>
          <button type="button" className="btn btn-primary" onClick={() => openIngest(caseId)}>
            Ingest evidence…
          </button>
        </EmptyState>
      ) : (
        <>
          <div className="toolbar" role="search">
            <div className="field field-inline field-grow">
              <label htmlFor="evidence-filter">Filter</label>
              <input
                id="evidence-filter"
                type="search"
                className="mono-input"
                placeholder="Path fragment, or paste a SHA-256"
                value={view.text}
                onChange={(e) => update({ text: e.target.value })}
                spellCheck={false}
                autoComplete="off"
                aria-describedby="evidence-count"
              />
            </div>
            <div className="field field-inline">
              <label htmlFor="evidence-status">Checksum list</label>
              <select
                id="evidence-status"
                value={view.status}
                onChange={(e) => update({ status: e.target.value as EvidenceView['status'] })}
              >
                <option value="all">All statuses</option>
                {STATUSES.filter((s) => statusCounts.has(s) || view.status === s).map((s) => (
                  <option key={s} value={s}>
                    {s} ({statusCounts.get(s) ?? 0})
                  </option>
                ))}
              </select>
            </div>
            <span
              id="evidence-count"
              className="muted toolbar-count"
              role="status"
              data-testid="evidence-count"
            >
              {filtered
                ? `${rows.length.toLocaleString('en-US')} of ${items.length.toLocaleString('en-US')} files`
                : `${items.length.toLocaleString('en-US')} files`}
            </span>
          </div>
          <div className="chips" role="group" aria-label="Filter by kind">
            <button
              type="button"
              className="chip"
              aria-pressed={view.kind === 'all'}
              onClick={() => update({ kind: 'all' })}
            >
              All <span className="chip-count">{items.length.toLocaleString('en-US')}</span>
            </button>
            {EVIDENCE_KINDS.filter((k) => kindCounts.has(k)).map((k) => (
              <button
                key={k}
                type="button"
                className="chip"
                aria-pressed={view.kind === k}
                data-kind={k}
                onClick={() => update({ kind: view.kind === k ? 'all' : k })}
              >
                {kindLabel(k)}{' '}
                <span className="chip-count">{(kindCounts.get(k) ?? 0).toLocaleString('en-US')}</span>
              </button>
            ))}
            {filtered ? (
              <button
                type="button"
                className="btn btn-ghost btn-small"
                onClick={() => update({ kind: 'all', status: 'all', text: '' })}
              >
                Clear filters
              </button>
            ) : null}
          </div>
          <EvidenceTable
            caseId={caseId}
            rows={rows}
            total={items.length}
            view={view}
            onSort={(sort) =>
              update(sort === view.sort ? { dir: view.dir === 'asc' ? 'desc' : 'asc' } : { sort, dir: 'asc' })
            }
            onClear={() => update({ kind: 'all', status: 'all', text: '' })}
          />
        </>
      )}
    </section>
  );
}

function EvidenceTable({
  caseId,
  rows,
  total,
  view,
  onSort,
  onClear,
}: {
  caseId: string;
  rows: EvidenceItem[];
  total: number;
  view: EvidenceView;
  onSort: (key: SortKey) => void;
  onClear: () => void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [activeId, setActiveId] = useState<number | null>(null);
  const [detailsOpen, setDetailsOpen] = useState(false);
  const [inspecting, setInspecting] = useState<EvidenceItem | null>(null);
  const activeIndex = useMemo(() => {
    const i = activeId === null ? -1 : rows.findIndex((r) => r.id === activeId);
    return i;
  }, [rows, activeId]);
  // The row that takes Tab: the active one, else the first.
  const tabIndexRow = activeIndex >= 0 ? activeIndex : 0;

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (i) => rows[i]?.id ?? i,
  });

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
                    className={`vrow evidence-grid${isActive ? ' is-active' : ''}${item.manifestStatus === 'mismatched' ? ' is-mismatched' : ''}`}
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
                      <ManifestBadge status={item.manifestStatus} expected={item.manifestExpected} />
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

function EvidenceDetails({
  item,
  onClose,
  onInspect,
}: {
  item: EvidenceItem;
  onClose: () => void;
  onInspect: () => void;
}) {
  return (
    <aside className="details" aria-label="File details" data-testid="evidence-details">
      <header className="details-header">
        <h3 className="mono-path" title={item.path}>
          {item.path}
        </h3>
        <div className="button-row">
          {item.sha256 ? (
            <button type="button" className="btn btn-small" onClick={onInspect} data-testid="inspect-button">
              Inspect file…
            </button>
          ) : null}
          <button
            type="button"
            className="btn btn-ghost btn-icon"
            aria-label="Close details"
            onClick={onClose}
          >
            ✕
          </button>
        </div>
      </header>
      <dl className="facts facts-wide">
        <dt>SHA-256</dt>
        <dd>
          <Hash value={item.sha256} head={64} tail={0} />
        </dd>
        {item.manifestStatus ? (
          <>
            <dt>Checksum list</dt>
            <dd>
              <ManifestBadge status={item.manifestStatus} expected={item.manifestExpected} />
              {item.manifestStatus === 'mismatched' && item.manifestExpected ? (
                <span className="mono expected">listed {item.manifestExpected}</span>
              ) : null}
            </dd>
          </>
        ) : null}
        <dt>Size</dt>
        <dd>
          {humanBytes(item.size)} <span className="muted">({exactBytes(item.size)})</span>
        </dd>
        <dt>Kind</dt>
        <dd>{kindLabel(item.kind)}</dd>
        {item.linkTarget ? (
          <>
            <dt>Link</dt>
            <dd className="mono">
              → {item.linkTarget} <span className="muted">(recorded, never followed)</span>
            </dd>
          </>
        ) : null}
        <dt>Modified</dt>
        <dd>{utc(item.mtime)}</dd>
        <dt>Source</dt>
        <dd className="mono break">{item.sourcePath}</dd>
        <dt>Stored</dt>
        <dd>
          {utc(item.storedAt)} by {item.custodian}@{item.host} · ingest #{item.ingestId}
        </dd>
        {item.rawNameHex ? (
          <>
            <dt>Raw name</dt>
            <dd className="mono break" title="The name's bytes were not valid UTF-8">
              {item.rawNameHex}
            </dd>
          </>
        ) : null}
      </dl>
    </aside>
  );
}
