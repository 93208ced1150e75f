import type { TriggerState } from '../../../../shared/incident';
import type { Update } from './useChange';
import { TriggerRow } from './TriggerRow';

export function TriggersSection({ triggers, update }: { triggers: TriggerState[]; update: Update }) {
  const applied = triggers.filter((t) => t.applied).length;
  return (
    <div className="integrity-section" aria-labelledby="pm-triggers-heading">
      <div className="integrity-section-header">
        <h3 id="pm-triggers-heading">Trigger criteria</h3>
        <span className="muted">
          {applied} of {triggers.length} apply — the playbook is activated when any does.
        </span>
      </div>
      <div className="behavior-panel pm-list" data-testid="pm-triggers">
        {triggers.map((t) => (
          <TriggerRow key={t.key} trigger={t} update={update} />
        ))}
      </div>
    </div>
  );
}
