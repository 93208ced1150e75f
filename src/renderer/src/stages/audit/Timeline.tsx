import { Bar, BarChart, CartesianGrid, ReferenceArea, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { AuditState, AuditWindowView, BlastRadiusView, DeploymentEvent } from '../../../../shared/audit';
import { BOTTOM_AXIS, COUNT_AXIS, H_GRID } from '../../components/chart';
import { num } from './format';

export interface DayPoint {
  day: string;
  inside: number;
  outside: number;
}

export function allDays(radius: BlastRadiusView): DayPoint[] {
  const map = new Map<string, DayPoint>();
  const at = (day: string) => {
    let p = map.get(day);
    if (!p) map.set(day, (p = { day, inside: 0, outside: 0 }));
    return p;
  };
  for (const d of radius.inside.perDay) at(d.day).inside += d.requests;
  for (const d of radius.outside.perDay) at(d.day).outside += d.requests;
  const days = [...map.keys()].sort();
  if (days.length === 0) return [];
  // Fill the days without a request so the axis is true to time.
  const out: DayPoint[] = [];
  for (let t = Date.parse(days[0]!); t <= Date.parse(days[days.length - 1]!); t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.push(map.get(day) ?? { day, inside: 0, outside: 0 });
  }
  return out;
}

export function Timeline({
  radius,
  window: w,
  state,
}: {
  radius: BlastRadiusView;
  window: AuditWindowView;
  state: AuditState;
}) {
  const data = allDays(radius);
  const events: DeploymentEvent[] = state.deployments
    .flatMap((d) => d.events)
    .filter((e) => e.kind !== 'other');
  const inRange = (day: string) =>
    data.length > 0 && day >= data[0]!.day && day <= data[data.length - 1]!.day;
  const width = Math.max(640, Math.min(1400, data.length * 22 + 80));
  return (
    <div className="integrity-section" data-testid="audit-timeline">
      <div className="integrity-section-header">
        <h3>Requests per day</h3>
        <span className="muted">
          UTC days; the window is shaded; deployment events marked ({events.length}) · inside{' '}
          {num(radius.inside.requests)}, outside {num(radius.outside.requests)}
        </span>
      </div>
      <div
        className="heatmap-scroll"
        role="img"
        aria-label={`Requests per day from ${data[0]?.day ?? '-'} to ${data[data.length - 1]?.day ?? '-'}; window ${w.start} to ${w.end}`}
      >
        <BarChart width={width} height={240} data={data} margin={{ top: 24, right: 16, bottom: 4, left: 8 }}>
          <CartesianGrid {...H_GRID} />
          <XAxis dataKey="day" {...BOTTOM_AXIS} />
          <YAxis {...COUNT_AXIS} width={44} />
          <ReferenceArea
            x1={w.start.slice(0, 10)}
            x2={w.end.slice(0, 10)}
            fill="var(--bad-bg)"
            fillOpacity={0.8}
            ifOverflow="extendDomain"
          />
          <Tooltip
            cursor={{ fill: 'var(--bg-hover)' }}
            content={({ active, payload, label }) =>
              active && payload?.length ? (
                <div className="chart-tooltip">
                  <strong>{String(label)}</strong>
                  <div>
                    inside the window: {num(Number(payload.find((p) => p.dataKey === 'inside')?.value ?? 0))}
                  </div>
                  <div>outside: {num(Number(payload.find((p) => p.dataKey === 'outside')?.value ?? 0))}</div>
                  {events
                    .filter((e) => e.timestamp.slice(0, 10) === label)
                    .map((e) => (
                      <div key={`${e.line}`}>
                        {e.timestamp.slice(11, 16)} {e.event} {e.version ?? ''}
                      </div>
                    ))}
                </div>
              ) : null
            }
          />
          <Bar dataKey="outside" stackId="r" fill="var(--series-baseline)" isAnimationActive={false} />
          <Bar dataKey="inside" stackId="r" fill="var(--series-suspect)" isAnimationActive={false} />
          {events
            .filter((e) => inRange(e.timestamp.slice(0, 10)))
            .map((e) => (
              <ReferenceLine
                key={`${e.line}-${e.timestamp}`}
                x={e.timestamp.slice(0, 10)}
                stroke={e.kind === 'isolate' ? 'var(--ok)' : 'var(--bad)'}
                strokeDasharray="4 3"
                label={{
                  value: `${e.kind === 'isolate' ? '■' : '▲'} ${e.version ?? e.event}`,
                  position: 'top',
                  fill: 'var(--text-muted)',
                  fontSize: 10,
                }}
              />
            ))}
        </BarChart>
      </div>
      <p className="heatmap-caption">
        <span className="heatmap-legend">
          <span className="legend-swatch legend-suspect" /> inside the window{' '}
          <span className="legend-swatch legend-baseline" /> outside
          <span className="muted"> · ▲ deployed · ■ isolated or rolled back</span>
        </span>
      </p>
    </div>
  );
}
