/**
 * The Behavior stage: import eval runs of the suspect and the known-good model, compare them item by
 * item (paired rates with Wilson intervals, Newcombe difference, McNemar p, equivalence at a
 * margin), and read the result the way an investigator works: the behavioral verification table
 * first, then per-category rates with their intervals, the discordance matrix that filters the
 * paired items, score deltas, the trigger scan, and the items side by side with the words that
 * changed highlighted.
 */
import { useCallback, useEffect, useState } from 'react';
import type { BehaviorComparison, BehaviorRun } from '../../../../shared/behavior';
import { api } from '../../api/client';
import { EmptyState, ErrorPanel } from '../../components/Bits';
import type { ArgsOf } from '../../../../shared/contract';
import { useLoadable } from '../../loadable';
import { useStore } from '../../store';
import { ImportPanel } from './ImportPanel';
import { RunsPanel } from './RunsPanel';
import { CompareForm } from './CompareForm';
import { ComparisonView } from './ComparisonView';
import { Selection } from './common';

/** Start where the evidence is: the first suite with a failing or changed group. */
export function firstSelection(c: BehaviorComparison): Selection {
  const worse = c.checks.flatMap((k) => k.worse);
  const worst = worse.find((w) => w.category !== null) ?? worse[0];
  const firstSuite = c.groups.find((g) => g.category === null)?.suite ?? null;
  return { suite: worst?.suite ?? firstSuite, category: null, transition: null };
}

export function BehaviorScreen({ caseId }: { caseId: string }) {
  const info = useStore((s) => s.info);
  const loadOverview = useStore((s) => s.loadOverview);
  const { state: runs, load: loadRuns } = useLoadable<BehaviorRun[]>();
  const {
    state: comparison,
    load: loadComparison,
    reset: resetComparison,
  } = useLoadable<BehaviorComparison>();
  const [selection, setSelection] = useState<Selection>({ suite: null, category: null, transition: null });
  /** Why the latest recorded comparison cannot be shown again, when it cannot. */
  const [latestNote, setLatestNote] = useState<string | null>(null);
  /** The options of the comparison read back when the stage opened: the form starts from them. */
  const [recorded, setRecorded] = useState<BehaviorComparison | null>(null);

  const refreshRuns = useCallback(
    () => loadRuns(() => api.behaviorRuns({ caseId }), { keep: true }),
    [caseId, loadRuns],
  );

  // The case's latest recorded comparison is read back whenever the stage opens.
  useEffect(() => {
    resetComparison();
    void refreshRuns();
    void loadComparison(async () => {
      const latest = await api.latestComparison({ caseId });
      if (latest.status === 'not-reproducible') setLatestNote(latest.reason);
      if (latest.status !== 'recorded') return null;
      setSelection(firstSelection(latest.report));
      setRecorded(latest.report);
      return latest.report;
    });
  }, [caseId, refreshRuns, resetComparison, loadComparison]);

  const compare = useCallback(
    async (args: ArgsOf<'behavior:compare'>) => {
      const c = await loadComparison(() => api.compareBehavior(args), { keep: true });
      if (!c) return;
      setLatestNote(null);
      setSelection(firstSelection(c));
      void loadOverview(caseId);
    },
    [caseId, loadComparison, loadOverview],
  );

  return (
    <section className="screen screen-behavior" aria-labelledby="behavior-heading">
      <div className="screen-header">
        <div>
          <h2 id="behavior-heading">Behavior</h2>
          <p className="muted">
            The playbook’s behavioral forensics: the suspect model’s eval run against the known-good model’s,
            item by item.
          </p>
        </div>
      </div>
      <div className="behavior-setup">
        <ImportPanel
          caseId={caseId}
          home={info.data?.home ?? null}
          desktop={info.data ? info.data.pathInput === 'dialog' : api.transport === 'ipc'}
          onImported={() => {
            void refreshRuns();
            void loadOverview(caseId);
          }}
        />
        <RunsPanel state={runs} />
      </div>
      <CompareForm
        key={recorded?.findingsRunId ?? 'new'}
        caseId={caseId}
        runs={runs.data ?? []}
        busy={comparison.loading}
        onCompare={compare}
        initial={recorded}
      />
      {latestNote ? (
        <p className="panel panel-warn panel-inline" role="status" data-testid="behavior-latest-note">
          {latestNote}
        </p>
      ) : null}
      {comparison.error ? (
        <ErrorPanel title="The comparison could not run" message={comparison.error} />
      ) : null}
      {comparison.data ? (
        <ComparisonView
          caseId={caseId}
          report={comparison.data}
          selection={selection}
          onSelect={setSelection}
        />
      ) : !comparison.loading && !comparison.error ? (
        <EmptyState title="No comparison yet" testId="behavior-empty">
          <p className="muted">Import the baseline and the suspect runs, then compare them.</p>
        </EmptyState>
      ) : null}
    </section>
  );
}
