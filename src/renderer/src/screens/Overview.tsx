import {
  EVIDENCE_KINDS,
  type CaseOverview,
  type EvidenceKind,
  type ManifestStatus,
} from '../../../shared/domain';
import { Badge, EmptyState, ErrorPanel, Spinner, StatusLine, type Tone } from '../components/Bits';
import { describeChain } from '../chain';
import { humanBytes, kindLabel, utc } from '../format';
import { useStore } from '../store';

export function Overview({ caseId }: { caseId: string }) {
  const overview = useStore((s) => s.overviews[caseId]);
  const loadOverview = useStore((s) => s.loadOverview);
  const openIngest = useStore((s) => s.openIngest);
  const navigate = useStore((s) => s.navigate);
  const setEvidenceView = useStore((s) => s.setEvidenceView);

  const data = overview?.data;
  if (!data) {
    if (overview?.error)
      return (
        <ErrorPanel
          title="Could not load the overview"
          message={overview.error}
          onRetry={() => void loadOverview(caseId)}
        />
      );
    return (
      <p className="screen muted loading-line">
        <Spinner /> Loading overview…
      </p>
    );
  }

  const showEvidence = (patch: { kind?: EvidenceKind | 'all'; status?: ManifestStatus | 'all' }) => {
    setEvidenceView(caseId, { kind: 'all', status: 'all', text: '', ...patch });
    navigate({ name: 'case', caseId, stage: 'evidence' });
  };

  return (
    <section className="screen screen-overview" aria-labelledby="overview-heading">
      <div className="screen-header">
        <h2 id="overview-heading">Overview</h2>
        <div className="button-row">
          <button type="button" className="btn btn-primary" onClick={() => openIngest(caseId)}>
            Ingest evidence…
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => navigate({ name: 'case', caseId, stage: 'custody' })}
          >
            Custody log & verify
          </button>
        </div>
      </div>
      {overview.error ? (
        <ErrorPanel
          title="The overview could not be refreshed"
          message={overview.error}
          onRetry={() => void loadOverview(caseId)}
        />
      ) : null}

      <div className="overview-grid">
        <CaseFacts data={data} />
        <ChainCard data={data} />
        <ManifestCard data={data} onStatus={(status) => showEvidence({ status })} />
        <KindCounts data={data} onKind={(kind) => showEvidence({ kind })} />
        <IngestsCard data={data} onIngest={() => openIngest(caseId)} />
      </div>
    </section>
  );
}

function CaseFacts({ data }: { data: CaseOverview }) {
  const s = data.summary;
  return (
    <div className="card card-facts">
      <h3>Case</h3>
      <dl className="facts">
        <dt>Incident</dt>
        <dd className="mono">{s.id}</dd>
        <dt>Title</dt>
        <dd>{s.title}</dd>
        <dt>Examiner</dt>
        <dd>{s.examiner ?? <span className="muted">not recorded</span>}</dd>
        <dt>Created</dt>
        <dd>{utc(s.createdAt)}</dd>
        <dt>Evidence</dt>
        <dd>
          {s.evidenceCount.toLocaleString('en-US')} files ·{' '}
          <span title={`${s.totalBytes.toLocaleString('en-US')} bytes`}>{humanBytes(s.totalBytes)}</span>
        </dd>
      </dl>
    </div>
  );
}

function ChainCard({ data }: { data: CaseOverview }) {
  const view = describeChain(data.chain);
  return (
    <div className={`card card-chain card-tone-${view.tone}`}>
      <h3>Custody chain</h3>
      <StatusLine tone={view.tone} testId="overview-chain-status">
        {view.line}
      </StatusLine>
      <dl className="facts">
        <dt>Head</dt>
        <dd>seq {data.chain.lastSeq}</dd>
        <dt>Head hash</dt>
        <dd className="mono break" title={data.chain.lastHash}>
          {data.chain.lastHash}
        </dd>
      </dl>
    </div>
  );
}

function KindCounts({ data, onKind }: { data: CaseOverview; onKind: (kind: EvidenceKind) => void }) {
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

const MANIFEST_ROWS: {
  key: 'matched' | 'mismatched' | 'missing' | 'new';
  label: string;
  tone: Tone;
  hint: string;
}[] = [
  { key: 'matched', label: 'Matched', tone: 'ok', hint: 'listed with the same SHA-256' },
  { key: 'mismatched', label: 'Mismatched', tone: 'bad', hint: 'listed with a different SHA-256' },
  { key: 'missing', label: 'Missing', tone: 'warn', hint: 'listed but not in the bundle' },
  { key: 'new', label: 'New', tone: 'info', hint: 'in the bundle, not listed' },
];

function ManifestCard({ data, onStatus }: { data: CaseOverview; onStatus: (s: ManifestStatus) => void }) {
  const m = data.manifest;
  const total = m.matched + m.mismatched + m.missing + m.new;
  const bad = m.mismatched > 0;
  return (
    <div className={`card card-manifest${bad ? ' card-tone-bad' : ''}`} data-testid="overview-manifest">
      <h3>Checksum lists</h3>
      {total === 0 ? (
        <p className="muted">
          No checksum list (SHA256SUMS, *.sha256, checksums.*) was found in the ingested bundles.
        </p>
      ) : (
        <>
          {bad ? (
            <p className="panel panel-bad panel-inline" role="alert">
              {m.mismatched === 1 ? '1 file does not match' : `${m.mismatched} files do not match`} the
              SHA-256 listed in its bundle’s checksum file.
            </p>
          ) : null}
          <ul className="manifest-counts">
            {MANIFEST_ROWS.map((r) => (
              <li key={r.key} className={m[r.key] > 0 && r.tone !== 'ok' ? `emph-${r.tone}` : undefined}>
                <Badge tone={m[r.key] > 0 ? r.tone : 'neutral'}>{r.label}</Badge>
                <span className="manifest-count num" data-testid={`manifest-${r.key}`}>
                  {m[r.key].toLocaleString('en-US')}
                </span>
                <span className="muted">{r.hint}</span>
                {m[r.key] > 0 ? (
                  <button type="button" className="link-button" onClick={() => onStatus(r.key)}>
                    show
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function ingestTone(status: string): Tone {
  const s = status.toLowerCase();
  if (s === 'finished' || s === 'complete' || s === 'completed' || s === 'ok') return 'ok';
  if (s.includes('fail') || s === 'error') return 'bad';
  if (s.includes('cancel') || s.includes('interrupt')) return 'warn';
  return 'info';
}

function IngestsCard({ data, onIngest }: { data: CaseOverview; onIngest: () => void }) {
  const ingests = [...data.ingests].sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, 8);
  return (
    <div className="card card-ingests">
      <h3>Last ingests</h3>
      {ingests.length === 0 ? (
        <EmptyState title="No evidence yet">
          <p className="muted">
            Ingest a bundle: a folder, .tar, .tar.gz or .zip holding the model files and their checksum list.
          </p>
          <button type="button" className="btn btn-primary" onClick={onIngest}>
            Ingest evidence…
          </button>
        </EmptyState>
      ) : (
        <table className="table table-compact" aria-label="Last ingests">
          <colgroup>
            <col className="col-id" />
            <col />
            <col className="col-status" />
            <col className="col-time" />
            <col className="col-time" />
          </colgroup>
          <thead>
            <tr>
              <th scope="col" className="num">
                #
              </th>
              <th scope="col">Bundle</th>
              <th scope="col">Status</th>
              <th scope="col">Started</th>
              <th scope="col">Finished</th>
            </tr>
          </thead>
          <tbody>
            {ingests.map((i) => (
              <tr key={i.id}>
                <td className="num">{i.id}</td>
                <td className="mono ellipsis" title={i.bundle}>
                  {i.bundle}
                </td>
                <td>
                  <Badge tone={ingestTone(i.status)}>{i.status}</Badge>
                </td>
                <td className="nowrap">{utc(i.startedAt)}</td>
                <td className="nowrap">{utc(i.finishedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
