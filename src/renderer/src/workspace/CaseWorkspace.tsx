import { useEffect } from 'react';
import { Badge, ErrorPanel, Spinner } from '../components/Bits';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { describeChain } from '../chain';
import { STAGES, useStore, type Stage } from '../store';
import { IngestDialog } from '../stages/ingest/IngestDialog';
import { RescanBanner } from './RescanBanner';
import { RunningJobs } from './RunningJobs';
import { StageScreen } from './StageScreen';

export function CaseWorkspace({
  caseId,
  stage,
  selection = null,
}: {
  caseId: string;
  stage: Stage;
  selection?: string | null;
}) {
  const overview = useStore((s) => s.overviews[caseId]);
  const loadOverview = useStore((s) => s.loadOverview);
  const navigate = useStore((s) => s.navigate);
  const ingestDialog = useStore((s) => s.ingestDialog);

  useEffect(() => {
    void loadOverview(caseId);
  }, [caseId, loadOverview]);

  const data = overview?.data ?? null;
  const chain = data ? describeChain(data.chain) : null;
  const current = STAGES.find((s) => s.id === stage);

  return (
    <div className="workspace">
      <nav className="stage-nav" aria-label="Case workflow">
        <ol>
          {STAGES.map((s) => (
            <li key={s.id}>
              <a
                href={`#/case/${encodeURIComponent(caseId)}/${s.id}`}
                aria-current={s.id === stage ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  navigate({ name: 'case', caseId, stage: s.id });
                }}
              >
                {s.label}
              </a>
            </li>
          ))}
        </ol>
      </nav>
      <div className="workspace-main">
        <header className="case-header">
          <div className="case-header-title">
            <span className="case-id mono" data-testid="case-id">
              {caseId}
            </span>
            <h1 className="case-title" title={data?.summary.title}>
              {data?.summary.title ?? (overview?.loading ? 'Loading…' : '')}
            </h1>
          </div>
          <div className="case-header-right">
            {chain ? (
              <Badge tone={chain.tone} title={chain.line} testId="chain-status">
                {chain.badge}
              </Badge>
            ) : overview?.loading ? (
              <Spinner label="Loading case" />
            ) : null}
          </div>
        </header>
        {overview?.error && !data ? (
          <div className="screen">
            <ErrorPanel
              title={`Could not open case ${caseId}`}
              message={overview.error}
              onRetry={() => void loadOverview(caseId)}
            />
          </div>
        ) : (
          <>
            <RunningJobs caseId={caseId} />
            <RescanBanner caseId={caseId} />
            {/* Keyed by case and stage: a screen's local state never outlives either. */}
            <ErrorBoundary scope={`the ${current?.label ?? stage} screen`} key={`${caseId}/${stage}`}>
              <StageScreen stage={stage} caseId={caseId} selection={selection} />
            </ErrorBoundary>
          </>
        )}
      </div>
      {ingestDialog && ingestDialog.caseId === caseId ? (
        <ErrorBoundary scope="the ingest dialog">
          <IngestDialog caseId={caseId} />
        </ErrorBoundary>
      ) : null}
    </div>
  );
}
