/**
 * The Post-mortem stage: the playbook's incident record, remediation decisions and the signed report,
 * top to bottom as an incident commander fills them in — header, team roles, trigger criteria, the
 * immediate actions, the timeline (this file); the replacement decision matrix, the retraining gate,
 * replacement verification and the 12-item checklist (ReplacementSection.tsx, ChecklistSection.tsx); the live report
 * preview and the signed export (ReportSection.tsx, ExportPanel.tsx).
 *
 * Every value is a custody event recorded by the core (`incident:update`, one change per call); the
 * screen shows the record the core returns and never computes a status itself.
 */
import '../../styles/postmortem.css';
import { useCallback, useEffect, useState } from 'react';
import type { IncidentChangeArgs, IncidentView } from '../../../../shared/incident';
import type { CustodianView } from '../../../../shared/custodians';
import { api, describeError } from '../../api/client';
import { ErrorPanel, Spinner, StatusLine } from '../../components/Bits';
import { useLoadable } from '../../loadable';
import { useStore } from '../../store';
import type { Update } from './useChange';
import { ChecklistSection } from './ChecklistSection';
import { DecisionSection } from './DecisionSection';
import { GateSection } from './GateSection';
import { MatrixSection } from './MatrixSection';
import { ReplacementSection } from './ReplacementSection';
import { ReportSection } from './ReportSection';
import { HeaderSection } from './HeaderSection';
import { RolesSection } from './RolesSection';
import { TriggersSection } from './TriggersSection';
import { ActionsSection } from './ActionsSection';
import { TimelineSection } from './TimelineSection';

export function PostMortemScreen({ caseId }: { caseId: string }) {
  const loadOverview = useStore((s) => s.loadOverview);
  const { state: incident, load, set: setView } = useLoadable<IncidentView>();
  const { data: view, error } = incident;
  const [custodians, setCustodians] = useState<CustodianView[]>([]);
  const [custodianError, setCustodianError] = useState<string | null>(null);
  /** Bumped after every recorded change so the report preview is fetched again. */
  const [revision, setRevision] = useState(0);

  // A refresh keeps the record shown while it loads and when it fails; a new case mounts a new screen.
  const refresh = useCallback(
    () => load(() => api.incidentView({ caseId }), { keep: true, keepOnError: true }),
    [caseId, load],
  );

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    let live = true;
    api.listCustodians().then(
      (list) => {
        if (!live) return;
        setCustodians(list.custodians);
        setCustodianError(
          list.problems.length > 0 ? list.problems.map((p) => `${p.file}: ${p.reason}`).join('; ') : null,
        );
      },
      (err: unknown) => live && setCustodianError(describeError(err)),
    );
    return () => {
      live = false;
    };
  }, []);

  const update: Update = useCallback(
    async (change: IncidentChangeArgs) => {
      try {
        setView(await api.updateIncident({ caseId, change }));
        setRevision((r) => r + 1);
        void loadOverview(caseId);
        return null;
      } catch (err) {
        return describeError(err);
      }
    },
    [caseId, loadOverview, setView],
  );

  if (error && !view)
    return (
      <section className="screen">
        <ErrorPanel
          title="The incident record could not be read"
          message={error}
          onRetry={() => void refresh()}
        />
      </section>
    );
  if (!view)
    return (
      <section className="screen muted loading-line">
        <Spinner label="Reading the incident record" />
      </section>
    );

  const active = custodians.filter((c) => c.status === 'active');
  return (
    <section className="screen screen-postmortem" aria-labelledby="postmortem-heading">
      <div className="screen-header">
        <div>
          <h2 id="postmortem-heading">Post-mortem</h2>
          <p className="muted">
            The incident record, the remediation decisions and the signed report anyone can check offline.
            Every change below is a custody event; the report reads the record and the findings, never
            recomputes them.
          </p>
        </div>
      </div>
      {custodianError ? (
        <StatusLine tone="warn" testId="pm-custodian-problem">
          Custodian keys: {custodianError}
        </StatusLine>
      ) : null}
      <HeaderSection view={view} update={update} />
      <RolesSection roles={view.roles} custodians={active} update={update} />
      <TriggersSection triggers={view.triggers} update={update} />
      <ActionsSection actions={view.actions} update={update} />
      <TimelineSection timeline={view.timeline} update={update} />
      <MatrixSection matrix={view.matrix} update={update} />
      <DecisionSection decision={view.decision} gate={view.gate} update={update} />
      <GateSection caseId={caseId} gate={view.gate} update={update} />
      <ReplacementSection caseId={caseId} replacement={view.replacement} update={update} />
      <ChecklistSection caseId={caseId} checklist={view.checklist} update={update} />
      <ReportSection caseId={caseId} custodians={active} revision={revision} />
    </section>
  );
}
