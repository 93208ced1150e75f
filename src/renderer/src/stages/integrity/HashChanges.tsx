import type { ProvenanceHashChange } from '../../../../shared/integrity';

export function HashChanges({ title, list }: { title: string; list: ProvenanceHashChange[] }) {
  if (!list.length) return null;
  return (
    <div className="prov-changes">
      <h5>{title}</h5>
      <ul className="plain-list">
        {list.map((c, i) => (
          <li key={i} className="prov-change">
            <span className="mono-path">{c.path ?? '(bare hash)'}</span>
            <span className="mono prov-hashes">
              <span title={c.before ?? undefined}>{c.before ? `${c.before.slice(0, 10)}…` : '—'}</span>
              {' → '}
              <span className="text-bad" title={c.after ?? undefined}>
                {c.after ? `${c.after.slice(0, 10)}…` : '—'}
              </span>
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
