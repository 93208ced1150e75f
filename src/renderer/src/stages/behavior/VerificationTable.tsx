import type { BehaviorCheck } from '../../../../shared/behavior';
import { Badge } from '../../components/Bits';
import { CheckBadge } from './CheckBadge';
import { pct, VERDICT_TONE, fmtDelta } from './common';

export function VerificationTable({ checks }: { checks: BehaviorCheck[] }) {
  return (
    <section className="integrity-section" aria-labelledby="behavior-verification-heading">
      <header className="integrity-section-header">
        <h3 id="behavior-verification-heading">Behavioral verification</h3>
      </header>
      <div className="table-wrap">
        <table className="table verification-table" data-testid="behavior-verification">
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Criterion</th>
              <th scope="col">Status</th>
              <th scope="col">The numbers behind it</th>
            </tr>
          </thead>
          <tbody>
            {checks.map((c) => (
              <tr
                key={c.id}
                data-testid={`bcheck-${c.id}`}
                className={c.status === 'fail' ? 'row-bad' : undefined}
              >
                <th scope="row">{c.title}</th>
                <td className="muted">{c.criterion}</td>
                <td>
                  <CheckBadge status={c.status} testId={`bcheck-status-${c.id}`} />
                </td>
                <td>
                  <div>{c.summary}</div>
                  {c.evidence.length ? (
                    <ul className="behavior-evidence">
                      {c.evidence.map((e) => (
                        <li key={`${e.suite}-${e.metric}`}>
                          <span className="mono">{e.suite}</span> {e.metric}:{' '}
                          {fmtMetric(e.metric, e.baseline)} → {fmtMetric(e.metric, e.suspect)} (n {e.n}, Δ{' '}
                          {fmtDelta(e.metric, e.difference)}, test interval{' '}
                          {fmtDelta(e.metric, e.testInterval.lower)} to{' '}
                          {fmtDelta(e.metric, e.testInterval.upper)}, margin ±{fmtMargin(e.metric, e.margin)})
                        </li>
                      ))}
                    </ul>
                  ) : null}
                  {c.worse.length ? (
                    <ul className="behavior-evidence behavior-worse">
                      {c.worse.map((w) => (
                        <li key={`${w.suite}-${w.category ?? ''}-${w.metric}`} data-testid="bcheck-worse">
                          <Badge tone={VERDICT_TONE[w.verdict] ?? 'neutral'}>{w.verdict}</Badge>{' '}
                          <span className="mono">
                            {w.suite}
                            {w.category ? ` / ${w.category}` : ''}
                          </span>{' '}
                          {METRIC_NAMES[w.metric] ?? w.metric}: {w.reason}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export const fmtMetric = (metric: string, v: number): string => (metric === 'score' ? v.toFixed(3) : pct(v));

/** A margin is a difference: points of a rate (not a percentage of it), or score units. */
export const fmtMargin = (metric: string, v: number): string =>
  metric === 'score' ? v.toFixed(3) : `${(v * 100).toFixed(1)} points`;

const METRIC_NAMES: Record<string, string> = {
  refusal: 'refusal rate',
  pass: 'pass rate',
  score: 'mean score',
};
