/**
 * The Audit stage: the playbook's "Assess blast radius", "Output audit" and "Tool call audit" on the
 * production logs of the compromise window. Top to bottom as an investigator works: import the logs
 * found in the evidence, set the window (from the deployment records, or by hand) with the
 * authorized-tools policy, read the window on a timeline of requests per day with the deployment
 * events marked, the blast-radius cards and charts, plan and draw a reproducible sample, review it
 * one record at a time (ReviewQueue.tsx), and read the estimate as the labels arrive.
 */
import { useCallback, useEffect, useState } from 'react';
import type { AuditState } from '../../../../shared/audit';
import { api } from '../../api/client';
import { ErrorPanel, Spinner, StatusLine } from '../../components/Bits';
import { useLoadable } from '../../loadable';
import { useStore } from '../../store';
import { EstimatePanel } from './EstimatePanel';
import { ReviewQueue } from './ReviewQueue';
import { LogsPanel } from './LogsPanel';
import { WindowPanel } from './WindowPanel';
import { Timeline } from './Timeline';
import { BlastRadius } from './BlastRadius';
import { SamplePanel } from './SamplePanel';

export function AuditScreen({ caseId }: { caseId: string }) {
  const loadOverview = useStore((s) => s.loadOverview);
  const { state: audit, load } = useLoadable<AuditState>();
  const { data: state, error } = audit;
  /** Bumped after every label so the estimate panel reloads. */
  const [labelTick, setLabelTick] = useState(0);

  // A refresh keeps the state shown while it loads and when it fails; a new case mounts a new screen.
  const refresh = useCallback(
    () => load(() => api.auditState({ caseId }), { keep: true, keepOnError: true }),
    [caseId, load],
  );

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const changed = useCallback(() => {
    void refresh();
    void loadOverview(caseId);
  }, [refresh, loadOverview, caseId]);

  if (error && !state)
    return (
      <section className="screen">
        <ErrorPanel title="The audit could not be read" message={error} onRetry={() => void refresh()} />
      </section>
    );
  if (!state)
    return (
      <section className="screen muted loading-line">
        <Spinner label="Reading the audit" />
      </section>
    );

  return (
    <section className="screen screen-audit" aria-labelledby="audit-heading">
      <div className="screen-header">
        <div>
          <h2 id="audit-heading">Audit</h2>
          <p className="muted">
            What the compromised model did in production: the window, its blast radius, and a reviewed random
            sample of its outputs with the intervals it supports.
          </p>
        </div>
      </div>
      <div className="behavior-setup">
        <LogsPanel caseId={caseId} state={state} onChanged={changed} />
        <WindowPanel caseId={caseId} state={state} onChanged={changed} />
      </div>
      {state.waitingFor ? (
        <StatusLine tone="warn" testId="audit-waiting">
          {state.waitingFor}
        </StatusLine>
      ) : null}
      {state.blastRadius && state.window ? (
        <>
          <Timeline radius={state.blastRadius} window={state.window} state={state} />
          <BlastRadius radius={state.blastRadius} usersPerDay={state.usersPerDay} />
          <SamplePanel caseId={caseId} state={state} radius={state.blastRadius} onChanged={changed} />
        </>
      ) : null}
      {state.sample && state.progress ? (
        <>
          <ReviewQueue
            caseId={caseId}
            sample={state.sample}
            reviewer={state.reviewer}
            initialProgress={state.progress}
            onLabelled={() => setLabelTick((t) => t + 1)}
          />
          <EstimatePanel caseId={caseId} tick={labelTick} onRecorded={() => void loadOverview(caseId)} />
        </>
      ) : null}
    </section>
  );
}
