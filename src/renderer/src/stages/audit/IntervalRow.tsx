import type { Interval } from '../../../../shared/audit';
import { pct, range } from './format';

export function IntervalRow({ name, i }: { name: string; i: Interval }) {
  return (
    <tr>
      <td>{name}</td>
      <td className="num">{pct(i.estimate)}</td>
      <td className="num">{range(i)}</td>
      <td className="muted">{i.method}</td>
    </tr>
  );
}
