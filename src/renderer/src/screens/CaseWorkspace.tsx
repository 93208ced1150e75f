import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { Badge, ErrorPanel, ProgressBar, Spinner } from '../components/Bits';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { describeChain } from '../chain';
import { percent } from '../format';
import { STAGES, useStore, type Stage } from '../store';
import { CustodyLog } from './CustodyLog';
import { EvidenceScreen } from './Evidence';
import { IngestDialog } from './IngestDialog';
import { Overview } from './Overview';

// The charts library is loaded with the Integrity stage only, not with the first page.
const IntegrityScreen = lazy(() => import('./Integrity').then((m) => ({ default: m.IntegrityScreen })));
const BehaviorScreen = lazy(() => import('./Behavior').then((m) => ({ default: m.BehaviorScreen })));
const AuditScreen = lazy(() => import('./Audit').then((m) => ({ default: m.AuditScreen })));
const PostMortemScreen = lazy(() => import('./PostMortem').then((m) => ({ default: m.PostMortemScreen })));

export function CaseWorkspace({ caseId, stage }: { caseId: string; stage: Stage }) {
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
            {/* Keyed by case and stage: a screen's local state never outlives either. */}
            <ErrorBoundary scope={`the ${current?.label ?? stage} screen`} key={`${caseId}/${stage}`}>
              <StageScreen stage={stage} caseId={caseId} />
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

/** Ingests keep running when their dialog is closed: show them here, with a way back to the dialog. */
function RunningJobs({ caseId }: { caseId: string }) {
  const jobs = useStore((s) => s.jobs);
  const dialog = useStore((s) => s.ingestDialog);
  const openIngest = useStore((s) => s.openIngest);
  const running = Object.values(jobs).filter(
    (j) => j.caseId === caseId && j.kind === 'ingest' && j.status === 'running' && dialog?.jobId !== j.jobId,
  );
  if (running.length === 0) return null;
  return (
    <div className="job-strip" role="status">
      {running.map((j) => (
        <div key={j.jobId} className="job-strip-item">
          <span>
            Ingest running
            {j.bundle ? (
              <>
                {' '}
                from <span className="mono">{j.bundle}</span>
              </>
            ) : null}
          </span>
          <ProgressBar
            done={j.progress?.bytesDone ?? 0}
            total={j.progress?.bytesTotal ?? 0}
            label="Ingest progress"
            indeterminate={!j.progress}
          />
          <span className="num">
            {j.progress ? `${percent(j.progress.bytesDone, j.progress.bytesTotal).toFixed(0)}%` : ''}
          </span>
          <button type="button" className="btn btn-small" onClick={() => openIngest(caseId, j.jobId)}>
            Show
          </button>
        </div>
      ))}
    </div>
  );
}

function Lazy({ children }: { children: ReactNode }) {
  return (
    <Suspense
      fallback={
        <p className="screen muted loading-line">
          <Spinner /> Loading…
        </p>
      }
    >
      {children}
    </Suspense>
  );
}

function StageScreen({ stage, caseId }: { stage: Stage; caseId: string }) {
  switch (stage) {
    case 'overview':
      return <Overview caseId={caseId} />;
    case 'evidence':
      return <EvidenceScreen caseId={caseId} />;
    case 'integrity':
      return (
        <Lazy>
          <IntegrityScreen caseId={caseId} />
        </Lazy>
      );
    case 'behavior':
      return (
        <Lazy>
          <BehaviorScreen caseId={caseId} />
        </Lazy>
      );
    case 'audit':
      return (
        <Lazy>
          <AuditScreen caseId={caseId} />
        </Lazy>
      );
    case 'postmortem':
      return (
        <Lazy>
          <PostMortemScreen caseId={caseId} />
        </Lazy>
      );
    case 'custody':
      return <CustodyLog caseId={caseId} />;
  }
}
