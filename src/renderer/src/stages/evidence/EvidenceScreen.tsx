import { useCallback, useEffect, useMemo } from 'react';
import {
  EVIDENCE_KINDS,
  type EvidenceItem,
  type EvidenceKind,
  type ManifestStatus,
} from '../../../../shared/domain';
import { EmptyState, ErrorPanel, Spinner } from '../../components/Bits';
import { kindLabel } from '../../format';
import { DEFAULT_EVIDENCE_VIEW, useStore, type EvidenceView, type SortKey } from '../../store';
import { EvidenceTable, verificationFlags } from './EvidenceTable';
import { matches } from './matches';

export const MANIFEST_ORDER: Record<string, number> = {
  mismatched: 0,
  missing: 1,
  new: 2,
  matched: 3,
  unlisted: 4,
};

export const STATUSES: ManifestStatus[] = ['matched', 'mismatched', 'missing', 'new', 'unlisted'];

/** What a user types or pastes: a path fragment, or a hash (also `sha256:<hex>` or `<hex>  name` from sha256sum). */
export function normalizeQuery(raw: string): { text: string; hex: string | null } {
  let text = raw.trim().toLowerCase();
  const sumLine = /^([0-9a-f]{64})\s+\*?.+$/.exec(text);
  if (sumLine) text = sumLine[1]!;
  text = text.replace(/^sha256[:-]/, '');
  return { text, hex: /^[0-9a-f]{6,64}$/.test(text) ? text : null };
}

export function compare(a: EvidenceItem, b: EvidenceItem, key: SortKey): number {
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

export function EvidenceScreen({ caseId, selection = null }: { caseId: string; selection?: string | null }) {
  const select = useStore((s) => s.select);
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
  const issues = useStore((s) => s.overviews[caseId]?.data?.chain.lastVerification?.issues);
  const flags = useMemo(() => verificationFlags(issues), [issues]);

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
            flags={flags}
            selectedPath={selection}
            onSelect={select}
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
