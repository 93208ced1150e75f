import type { EvidenceKind, ManifestStatus } from '../../../../shared/domain';
import { ErrorPanel, Spinner } from '../../components/Bits';
import { useStore } from '../../store';
import { CaseFacts } from './CaseFacts';
import { ChainCard } from './ChainCard';
import { KindCounts } from './KindCounts';
import { ManifestCard } from './ManifestCard';
import { IngestsCard } from './IngestsCard';
import { VerificationProblems } from './VerificationProblems';

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

  const showEvidence = (patch: {
    kind?: EvidenceKind | 'all';
    status?: ManifestStatus | 'all';
    text?: string;
  }) => {
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

      <VerificationProblems
        data={data}
        onShowPath={(text) => showEvidence({ text })}
        onShowLog={() => navigate({ name: 'case', caseId, stage: 'custody' })}
      />
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
