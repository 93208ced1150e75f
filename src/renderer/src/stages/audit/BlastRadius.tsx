import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import type { BlastRadiusView, UsersPerDay } from '../../../../shared/audit';
import { BOTTOM_AXIS, COUNT_AXIS, H_GRID } from '../../components/chart';
import { utc } from '../../format';
import { Card } from './Card';
import { num } from './format';

export function BlastRadius({
  radius,
  usersPerDay,
}: {
  radius: BlastRadiusView;
  usersPerDay: UsersPerDay[];
}) {
  const i = radius.inside;
  const o = radius.outside;
  const tools = [...new Set([...Object.keys(i.toolCalls.byName), ...Object.keys(o.toolCalls.byName)])]
    .sort()
    .map((name) => ({ name, inside: i.toolCalls.byName[name] ?? 0 }));
  const downstream = Object.entries(i.downstream).sort((a, b) => b[1] - a[1]);
  return (
    <div className="integrity-section" aria-labelledby="audit-blast-heading">
      <div className="integrity-section-header">
        <h3 id="audit-blast-heading">Blast radius</h3>
        <span className="muted">
          from {radius.sources.length} imported {radius.sources.length === 1 ? 'log' : 'logs'} · first request
          inside {utc(i.first)}, last {utc(i.last)}
        </span>
      </div>
      <div className="audit-cards">
        <Card label="Requests" inside={i.requests} outside={o.requests} testId="audit-card-requests" />
        <Card label="Distinct users" inside={i.users} outside={o.users} testId="audit-card-users" />
        <Card
          label="Conversations"
          inside={i.conversations}
          outside={o.conversations}
          testId="audit-card-conversations"
        />
        <Card
          label="Tool calls"
          inside={i.toolCalls.total}
          outside={o.toolCalls.total}
          testId="audit-card-tools"
        />
        <Card
          label="Outputs used downstream"
          inside={Object.values(i.downstream).reduce((a, b) => a + b, 0)}
          outside={Object.values(o.downstream).reduce((a, b) => a + b, 0)}
          testId="audit-card-downstream"
        />
      </div>
      {radius.notes.map((n) => (
        <p key={n} className="muted integrity-note">
          {n}
        </p>
      ))}
      <div className="audit-charts">
        <figure className="behavior-panel" data-testid="audit-tools-chart">
          <figcaption className="heatmap-caption">Tool calls by tool, inside the window</figcaption>
          <BarChart
            width={420}
            height={Math.max(120, tools.length * 28 + 30)}
            data={tools}
            layout="vertical"
            margin={{ top: 4, right: 24, bottom: 4, left: 8 }}
          >
            <CartesianGrid stroke="var(--border)" horizontal={false} />
            <XAxis
              type="number"
              allowDecimals={false}
              tick={{ fill: 'var(--text-muted)', fontSize: 10 }}
              axisLine={false}
              tickLine={false}
            />
            <YAxis
              type="category"
              dataKey="name"
              width={110}
              tick={{ fill: 'var(--text-muted)', fontSize: 11 }}
              axisLine={false}
              tickLine={false}
            />
            <Tooltip cursor={{ fill: 'var(--bg-hover)' }} />
            <Bar dataKey="inside" name="calls" fill="var(--series-suspect)" isAnimationActive={false} />
          </BarChart>
        </figure>
        <figure className="behavior-panel" data-testid="audit-users-chart">
          <figcaption className="heatmap-caption">
            <span>Users per day inside the window</span>
            <span className="heatmap-legend">
              <span className="legend-swatch legend-baseline" /> users{' '}
              <span className="legend-swatch legend-suspect" /> new (first request in the window)
            </span>
          </figcaption>
          <BarChart
            width={460}
            height={200}
            data={usersPerDay}
            margin={{ top: 4, right: 8, bottom: 4, left: 0 }}
          >
            <CartesianGrid {...H_GRID} />
            <XAxis dataKey="day" {...BOTTOM_AXIS} />
            <YAxis {...COUNT_AXIS} width={36} />
            <Tooltip cursor={{ fill: 'var(--bg-hover)' }} />
            <Bar dataKey="users" name="users" fill="var(--series-baseline)" isAnimationActive={false} />
            <Bar dataKey="newUsers" name="new users" fill="var(--series-suspect)" isAnimationActive={false} />
          </BarChart>
        </figure>
        <div className="behavior-panel">
          <h4>Downstream systems that consumed outputs</h4>
          {downstream.length === 0 ? (
            <p className="muted">None named in the logs inside the window.</p>
          ) : (
            <table className="table table-compact" data-testid="audit-downstream">
              <tbody>
                {downstream.map(([name, n]) => (
                  <tr key={name}>
                    <td className="mono">{name}</td>
                    <td className="num">{num(n)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h4>Model versions inside</h4>
          <p className="mono">
            {Object.entries(i.modelVersions)
              .map(([v, n]) => `${v}: ${num(n)}`)
              .join(' · ')}
          </p>
        </div>
      </div>
    </div>
  );
}
