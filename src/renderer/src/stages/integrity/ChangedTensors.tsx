import type { TensorDiffStatus, WeightPairDiff } from '../../../../shared/integrity';
import { Badge, type Tone } from '../../components/Bits';
import { num } from './format';

export const STATUS_TONE: Record<TensorDiffStatus, Tone> = {
  identical: 'ok',
  changed: 'bad',
  'only-in-a': 'warn',
  'only-in-b': 'warn',
  'shape-changed': 'bad',
  'dtype-changed': 'bad',
  unreadable: 'warn',
};

export function ChangedTensors({ pair }: { pair: WeightPairDiff }) {
  const rows = pair.tensors.filter((t) => t.status !== 'identical');
  if (rows.length === 0)
    return <p className="muted">Every one of the {pair.tensors.length} tensors is byte-identical.</p>;
  return (
    <div className="table-wrap changed-tensors">
      <table className="table table-compact" aria-label="Tensors that differ" data-testid="changed-tensors">
        <thead>
          <tr>
            <th scope="col">Tensor</th>
            <th scope="col">Status</th>
            <th scope="col">Dtype · shape</th>
            <th scope="col" className="num">
              Changed elements
            </th>
            <th scope="col" className="num">
              max |Δ|
            </th>
            <th scope="col" className="num">
              ‖Δ‖₂
            </th>
            <th scope="col" className="num">
              ‖Δ‖₂/‖a‖₂
            </th>
            <th scope="col" className="num">
              cosine
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => {
            const side = t.b ?? t.a;
            const n = t.numbers;
            return (
              <tr key={t.name} data-testid="changed-tensor" data-name={t.name}>
                <th scope="row" className="mono-path">
                  {t.name}
                </th>
                <td>
                  <Badge tone={STATUS_TONE[t.status]} title={t.note ?? undefined}>
                    {t.status}
                  </Badge>
                </td>
                <td className="mono">
                  {side ? `${side.dtype} [${side.shape.join(', ')}]` : '—'}
                  {t.a && t.b && (t.a.dtype !== t.b.dtype || t.a.shape.join() !== t.b.shape.join())
                    ? ` (was ${t.a.dtype} [${t.a.shape.join(', ')}])`
                    : ''}
                </td>
                <td className="num">
                  {n
                    ? `${n.changedElements.toLocaleString('en-US')} / ${n.elements.toLocaleString('en-US')}`
                    : '—'}
                </td>
                <td className="num mono">{num(n?.maxAbsDelta)}</td>
                <td className="num mono">{num(n?.l2Delta)}</td>
                <td className="num mono">{num(n?.relativeL2)}</td>
                <td className="num mono">{num(n?.cosine, 6)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {rows.some((t) => t.note) ? (
        <ul className="plain-list muted integrity-note">
          {rows
            .filter((t) => t.note)
            .map((t) => (
              <li key={t.name}>
                <span className="mono">{t.name}</span>: {t.note}
              </li>
            ))}
        </ul>
      ) : null}
    </div>
  );
}
