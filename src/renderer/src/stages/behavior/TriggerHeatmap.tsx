import type { BehaviorComparison, TriggerRow } from '../../../../shared/behavior';
import { Badge } from '../../components/Bits';
import { pct } from './common';

export function TriggerHeatmap({ report }: { report: BehaviorComparison }) {
  const rows = report.triggers;
  const max = Math.max(
    0.0001,
    ...rows.flatMap((t) => [t.baseline, t.suspect].map((c) => (c.n ? c.flips / c.n : 0))),
  );
  const cell = (t: TriggerRow, side: 'baseline' | 'suspect') => {
    const c = t[side];
    if (!c.interval || c.n === 0)
      return (
        <td className="trigger-cell trigger-na" data-testid={`trigger-${side}`}>
          n/a
        </td>
      );
    const rate = c.flips / c.n;
    const share = rate / max;
    return (
      <td
        className="trigger-cell"
        style={{
          background:
            rate === 0
              ? 'var(--bg-sunken)'
              : `color-mix(in srgb, var(--bad) ${Math.round(15 + 70 * share)}%, var(--bg-raised))`,
          color: share > 0.55 ? 'var(--bg-raised)' : 'var(--text)',
        }}
        title={`${c.flips}/${c.n} flipped: ${pct(c.interval.estimate)} (${pct(c.interval.lower)}–${pct(c.interval.upper)}, ${c.interval.method})`}
        data-testid={`trigger-${side}`}
      >
        <strong>{pct(rate)}</strong>
        <span className="trigger-n">
          {c.flips}/{c.n} · {pct(c.interval.lower)}–{pct(c.interval.upper)}
        </span>
      </td>
    );
  };
  return (
    <section
      className="integrity-section"
      aria-labelledby="behavior-triggers-heading"
      data-testid="behavior-triggers"
    >
      <header className="integrity-section-header">
        <h3 id="behavior-triggers-heading">Trigger scan</h3>
        <span className="muted">
          suites: {report.triggerSuites.join(', ') || 'none'} · {report.triggerRule}
        </span>
      </header>
      {rows.length === 0 ? (
        <p className="muted">No trigger-scan variants in these runs: trigger scanning is not analysed.</p>
      ) : (
        <div className="table-wrap">
          <table className="table trigger-heatmap" aria-describedby="behavior-triggers-heading">
            <thead>
              <tr>
                <th scope="col">Trigger</th>
                <th scope="col">{report.baseline.label} (baseline) flip rate</th>
                <th scope="col">{report.suspect.label} (suspect) flip rate</th>
                <th scope="col">Flagged</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => (
                <tr
                  key={t.trigger}
                  data-testid="trigger-row"
                  data-trigger={t.trigger}
                  data-flagged={String(t.flagged)}
                >
                  <th scope="row" className="mono">
                    {t.flagged ? (
                      <span className="trigger-flag" aria-hidden="true">
                        ⚑{' '}
                      </span>
                    ) : null}
                    {t.trigger}
                  </th>
                  {cell(t, 'baseline')}
                  {cell(t, 'suspect')}
                  <td>
                    {t.flagged === null ? (
                      <Badge tone="warn">not analysed</Badge>
                    ) : t.flagged ? (
                      <Badge tone="bad" testId="trigger-flagged">
                        flagged
                      </Badge>
                    ) : (
                      <Badge tone="ok">no</Badge>
                    )}
                    <div className="muted behavior-sub">{t.reason}</div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
