import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { BOTTOM_AXIS, COUNT_AXIS, H_GRID } from '../../components/chart';

export function ScoreHistogram({ deltas, where }: { deltas: number[] | null; where: string }) {
  const bins = useMemo(() => {
    if (!deltas || deltas.length === 0) return null;
    const lo = Math.min(-0.05, ...deltas);
    const hi = Math.max(0.05, ...deltas);
    const span = Math.max(Math.abs(lo), Math.abs(hi));
    const count = 21;
    const step = (2 * span) / count;
    const out = Array.from({ length: count }, (_, i) => {
      const from = -span + i * step;
      return { from, to: from + step, mid: from + step / 2, n: 0 };
    });
    for (const d of deltas) {
      const i = Math.min(count - 1, Math.max(0, Math.floor((d + span) / step)));
      out[i]!.n++;
    }
    return out;
  }, [deltas]);
  if (!bins || !deltas)
    return (
      <figure className="behavior-hist" data-testid="score-histogram">
        <figcaption className="heatmap-caption">Score deltas</figcaption>
        <p className="muted">No paired scores in {where}: the histogram needs suites with scores.</p>
      </figure>
    );
  const mean = deltas.reduce((a, b) => a + b, 0) / deltas.length;
  const unchanged = deltas.filter((d) => d === 0).length;
  return (
    <figure className="behavior-hist" data-testid="score-histogram">
      <figcaption className="heatmap-caption">
        Score delta (suspect − baseline) per pair · n {deltas.length} · mean {mean >= 0 ? '+' : '−'}
        {Math.abs(mean).toFixed(3)} · {unchanged} unchanged
      </figcaption>
      <div
        role="img"
        aria-label={`Histogram of ${deltas.length} score deltas, mean ${mean.toFixed(3)}, ${unchanged} unchanged`}
      >
        <BarChart width={420} height={200} data={bins} margin={{ top: 8, right: 8, bottom: 4, left: 0 }}>
          <CartesianGrid {...H_GRID} />
          <XAxis
            dataKey="mid"
            tickFormatter={(v: number) => (Math.abs(v) < 1e-9 ? '0' : v.toFixed(2))}
            {...BOTTOM_AXIS}
            interval={4}
          />
          <YAxis {...COUNT_AXIS} width={36} />
          <Tooltip
            cursor={{ fill: 'var(--bg-hover)' }}
            isAnimationActive={false}
            content={({ active, payload }) => {
              const b = active ? (payload?.[0]?.payload as (typeof bins)[number] | undefined) : undefined;
              if (!b) return null;
              return (
                <div className="chart-tooltip">
                  {b.from.toFixed(3)} to {b.to.toFixed(3)}: {b.n} pairs
                </div>
              );
            }}
          />
          <Bar dataKey="n" fill="var(--series-suspect)" isAnimationActive={false} />
        </BarChart>
      </div>
    </figure>
  );
}
