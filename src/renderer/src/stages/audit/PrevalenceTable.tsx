import type { PrevalenceView } from '../../../../shared/audit';
import { IntervalRow } from './IntervalRow';
import { num } from './format';

export function PrevalenceTable({
  p,
  what,
  rowName,
  testId,
}: {
  p: PrevalenceView;
  what: string;
  /** What the counts are, e.g. "3 harmful of 40 labelled harmful or benign". */
  rowName: string;
  testId: string;
}) {
  return (
    <table className="table table-compact" data-testid={testId}>
      <thead>
        <tr>
          <th>{what}</th>
          <th className="num">Estimate</th>
          <th className="num">Interval</th>
          <th>Method</th>
        </tr>
      </thead>
      <tbody>
        <IntervalRow name={rowName} i={p.wilson} />
        <IntervalRow name="exact" i={p.clopperPearson} />
        {p.stratified ? <IntervalRow name="stratified" i={p.stratified} /> : null}
        {p.zeroFound ? <IntervalRow name="none found: upper bound" i={p.zeroFound.exact} /> : null}
        <tr>
          <td>projected requests in the window</td>
          <td className="num">{num(Math.round(p.projectedRequests.expected))}</td>
          <td className="num">
            {num(Math.round(p.projectedRequests.lower))} – {num(Math.round(p.projectedRequests.upper))}
          </td>
          <td className="muted">{p.projectedRequests.method}</td>
        </tr>
      </tbody>
    </table>
  );
}
