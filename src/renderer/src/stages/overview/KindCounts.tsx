import { EVIDENCE_KINDS, type CaseOverview, type EvidenceKind } from '../../../../shared/domain';
import { kindLabel } from '../../format';

export function KindCounts({ data, onKind }: { data: CaseOverview; onKind: (kind: EvidenceKind) => void }) {
  const rows = EVIDENCE_KINDS.map((k) => [k, data.countsByKind[k] ?? 0] as const).filter(([, n]) => n > 0);
  const max = Math.max(1, ...rows.map(([, n]) => n));
  return (
    <div className="card card-kinds">
      <h3>Evidence by kind</h3>
      {rows.length === 0 ? (
        <p className="muted">No evidence ingested yet.</p>
      ) : (
        <ul
          className="kind-counts"
          aria-label="Evidence counts by kind"
          style={{ gridTemplateRows: `repeat(${Math.ceil(rows.length / 2)}, auto)` }}
        >
          {rows.map(([kind, n]) => (
            <li key={kind}>
              <button
                type="button"
                className="link-button"
                onClick={() => onKind(kind)}
                title={`Show ${kindLabel(kind)} files`}
              >
                {kindLabel(kind)}
              </button>
              <span className="num kind-count">{n.toLocaleString('en-US')}</span>
              <span className="mini-track" aria-hidden="true">
                <span className="mini-bar" style={{ width: `${(n / max) * 100}%` }} />
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
