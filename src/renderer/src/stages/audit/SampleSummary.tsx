import type { SampleView } from '../../../../shared/audit';
import { Hash } from '../../components/Bits';
import { utc } from '../../format';
import { num } from './format';

export function SampleSummary({ sample }: { sample: SampleView }) {
  return (
    <div className="audit-sample" data-testid="audit-sample">
      <p>
        Sample {sample.id}: <strong>{num(sample.size)}</strong> of {num(sample.population)} records,{' '}
        {sample.strata === 'none' ? 'simple random' : `stratified by ${sample.strata} (${sample.allocation})`}
        , seed <code>{sample.seed}</code>, drawn by {sample.actor} at {utc(sample.createdAt)} · ids sha256{' '}
        <Hash value={sample.idsSha256} />
      </p>
      {sample.strata !== 'none' ? (
        <details>
          <summary>{sample.strataDetail.length} strata</summary>
          <table className="table table-compact">
            <thead>
              <tr>
                <th>Stratum</th>
                <th className="num">Records</th>
                <th className="num">Drawn</th>
              </tr>
            </thead>
            <tbody>
              {sample.strataDetail.map((s) => (
                <tr key={s.key}>
                  <td className="mono">{s.key}</td>
                  <td className="num">{num(s.population)}</td>
                  <td className="num">{num(s.allocated)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </div>
  );
}
