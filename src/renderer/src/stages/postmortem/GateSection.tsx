import { useEffect } from 'react';
import type { RetrainingGate } from '../../../../shared/incident';
import { StatusLine } from '../../components/Bits';
import { useStore } from '../../store';
import type { Update } from './useChange';
import { GateItemPanel } from './GateItemPanel';

export function GateSection({
  caseId,
  gate,
  update,
}: {
  caseId: string;
  gate: RetrainingGate;
  update: Update;
}) {
  const evidence = useStore((s) => s.evidence[caseId]);
  const loadEvidence = useStore((s) => s.loadEvidence);
  useEffect(() => {
    if (!evidence?.data && !evidence?.loading) void loadEvidence(caseId);
  }, [caseId, evidence?.data, evidence?.loading, loadEvidence]);
  const missingTitles = gate.items.filter((i) => !i.satisfied).map((i) => i.consideration);
  return (
    <div className="integrity-section" aria-labelledby="pm-gate-heading">
      <div className="integrity-section-header">
        <h3 id="pm-gate-heading">Retraining gate</h3>
        <span className="muted">
          Before retraining, each consideration needs a note or attached evidence.
        </span>
      </div>
      {gate.open ? (
        <StatusLine tone="ok" testId="pm-gate-status">
          Retrain can be approved: all {gate.items.length} considerations have a note or evidence.
        </StatusLine>
      ) : (
        <StatusLine tone="bad" testId="pm-gate-status">
          Retrain cannot be approved yet: {gate.missing.length} of {gate.items.length} considerations are
          missing — {missingTitles.join(', ')}.
        </StatusLine>
      )}
      <div className="pm-gate" data-testid="pm-gate">
        {gate.items.map((item) => (
          <GateItemPanel
            key={item.key}
            item={item}
            evidence={evidence?.data ?? []}
            evidenceError={evidence?.error ?? null}
            update={update}
          />
        ))}
      </div>
    </div>
  );
}
