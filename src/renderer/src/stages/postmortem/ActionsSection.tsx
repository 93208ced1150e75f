import type { ImmediateActionState } from '../../../../shared/incident';
import type { Update } from './useChange';
import { ActionPanel } from './ActionPanel';

export function ActionsSection({ actions, update }: { actions: ImmediateActionState[]; update: Update }) {
  return (
    <div className="integrity-section" aria-labelledby="pm-actions-heading">
      <div className="integrity-section-header">
        <h3 id="pm-actions-heading">Immediate actions (first 30 minutes)</h3>
      </div>
      <div className="pm-actions">
        {actions.map((a) => (
          <ActionPanel key={a.action} action={a} update={update} />
        ))}
      </div>
    </div>
  );
}
