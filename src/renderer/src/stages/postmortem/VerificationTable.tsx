import type { VerificationRow } from '../../../../shared/incident';
import { VBadge } from './VBadge';

export function VerificationTable({
  title,
  rows,
  testId,
}: {
  title: string;
  rows: VerificationRow[];
  testId: string;
}) {
  return (
    <div className="table-wrap pm-vtable">
      <table className="table table-compact pm-table" data-testid={testId}>
        <caption className="pm-caption">{title}</caption>
        <thead>
          <tr>
            <th>Check</th>
            <th>Procedure</th>
            <th>Pass criteria</th>
            <th>Status</th>
            <th>Result</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((v) => (
            <tr key={v.check} id={`pm-replacement-${v.check}`}>
              <th scope="row">{v.title}</th>
              <td>{v.procedure}</td>
              <td>{v.passCriteria}</td>
              <td>
                <VBadge status={v.status} />
              </td>
              <td>
                {v.summary}
                {v.caseId ? (
                  <span className="field-help">
                    {' '}
                    (case {v.caseId}
                    {v.runId ? `, run ${v.runId}` : ''}
                    {v.findingIds.length > 0
                      ? `, findings ${v.findingIds.map((n) => `#${n}`).join(' ')}`
                      : ''}
                    )
                  </span>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
