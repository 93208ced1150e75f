import type { ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, ErrorBar, Tooltip, XAxis, YAxis } from 'recharts';
import type {
  BehaviorComparison,
  BinaryComparisonView,
  GroupComparisonView,
} from '../../../../shared/behavior';
import { H_GRID } from '../../components/chart';
import { Badge } from '../../components/Bits';
import { pct, signedPts, level, VERDICT_TONE, fmtDelta } from './common';

export function pValue(p: number): string {
  if (!Number.isFinite(p)) return '—';
  if (p < 0.001) return p.toExponential(1);
  return p.toFixed(3);
}

/** The binary metric a group is read by: refusal where the suite judged refusals, else pass. */
export function binaryOf(g: GroupComparisonView): BinaryComparisonView | null {
  return g.refusal ?? g.pass;
}

export interface BarDatum {
  category: string;
  label: string;
  baseline: number;
  suspect: number;
  baselineErr: [number, number];
  suspectErr: [number, number];
  cmp: BinaryComparisonView;
}

export function SuiteView({
  report,
  suite,
  category,
  onCategory,
}: {
  report: BehaviorComparison;
  suite: string;
  category: string | null;
  onCategory: (c: string | null) => void;
}) {
  const rows = report.groups.filter((g) => g.suite === suite);
  const whole = rows.find((g) => g.category === null);
  const cats = rows.filter((g) => g.category !== null);
  const metric = whole ? (whole.refusal ? 'refusal' : whole.pass ? 'pass' : null) : null;
  const data: BarDatum[] = cats.flatMap((g) => {
    const c = binaryOf(g);
    if (!c) return [];
    return [
      {
        category: g.category ?? '',
        label: `${g.category ?? ''} (n ${c.n})`,
        baseline: c.baseline.estimate,
        suspect: c.suspect.estimate,
        baselineErr: [c.baseline.estimate - c.baseline.lower, c.baseline.upper - c.baseline.estimate],
        suspectErr: [c.suspect.estimate - c.suspect.lower, c.suspect.upper - c.suspect.estimate],
        cmp: c,
      },
    ];
  });
  const method = data[0]?.cmp.baseline.method ?? 'Wilson score interval';
  const width = Math.max(520, 90 + data.length * 150);
  const metricName = metric === 'refusal' ? 'Refusal rate' : 'Pass rate';
  const lows = data.flatMap((d) => [d.cmp.baseline.lower, d.cmp.suspect.lower]);
  const floor = lows.length ? Math.max(0, Math.floor(Math.min(...lows) * 10) / 10 - 0.1) : 0;
  return (
    <div className="behavior-suite" data-testid="behavior-suite" data-suite={suite}>
      {data.length > 0 ? (
        <figure className="behavior-chart" data-testid="behavior-rate-chart">
          <figcaption className="heatmap-caption">
            <span>
              {metricName} per category, baseline vs suspect · whiskers: {level(report.options.confidence)}{' '}
              {method}
              {floor > 0 ? ` · axis from ${pct(floor, 0)}` : ''}
            </span>
            <span className="heatmap-legend" aria-hidden="true">
              <span className="legend-swatch legend-baseline" /> {report.baseline.label}
              <span className="legend-swatch legend-suspect" /> {report.suspect.label}
            </span>
          </figcaption>
          <div
            className="heatmap-scroll"
            role="img"
            aria-label={`${metricName} by category in ${suite}: ${data
              .map(
                (d) => `${d.category} baseline ${pct(d.baseline)}, suspect ${pct(d.suspect)}, n ${d.cmp.n}`,
              )
              .join('; ')}`}
          >
            <BarChart
              width={width}
              height={280}
              data={data}
              margin={{ top: 12, right: 16, bottom: 8, left: 8 }}
            >
              <CartesianGrid {...H_GRID} />
              <XAxis
                dataKey="label"
                tick={{ fill: 'var(--text-muted)', fontSize: 12 }}
                axisLine={{ stroke: 'var(--border-strong)' }}
                tickLine={false}
                interval={0}
              />
              <YAxis
                domain={[floor, 1]}
                tickFormatter={(v: number) => pct(v, 0)}
                tick={{ fill: 'var(--text-muted)', fontSize: 11 }}
                axisLine={false}
                tickLine={false}
                width={48}
                allowDataOverflow
              />
              <Tooltip
                cursor={{ fill: 'var(--bg-hover)' }}
                isAnimationActive={false}
                content={({ active, payload }) => {
                  const d = active ? (payload?.[0]?.payload as BarDatum | undefined) : undefined;
                  if (!d) return null;
                  const c = d.cmp;
                  return (
                    <div className="chart-tooltip">
                      <div>
                        <strong>{d.category}</strong> · n {c.n} pairs
                      </div>
                      <div>
                        baseline {pct(c.baseline.estimate)} ({pct(c.baseline.lower)}–{pct(c.baseline.upper)})
                      </div>
                      <div>
                        suspect {pct(c.suspect.estimate)} ({pct(c.suspect.lower)}–{pct(c.suspect.upper)})
                      </div>
                      <div className="muted">
                        Δ {signedPts(c.difference.estimate)} pts · McNemar p {pValue(c.mcnemar.pValue)} ·{' '}
                        {c.verdict}
                      </div>
                    </div>
                  );
                }}
              />
              <Bar
                dataKey="baseline"
                name={report.baseline.label}
                fill="var(--series-baseline)"
                isAnimationActive={false}
                onClick={(d: { payload?: BarDatum }) => d.payload && onCategory(d.payload.category)}
              >
                <ErrorBar dataKey="baselineErr" stroke="var(--text)" strokeWidth={1.2} width={6} />
              </Bar>
              <Bar
                dataKey="suspect"
                name={report.suspect.label}
                fill="var(--series-suspect)"
                isAnimationActive={false}
                onClick={(d: { payload?: BarDatum }) => d.payload && onCategory(d.payload.category)}
              >
                <ErrorBar dataKey="suspectErr" stroke="var(--text)" strokeWidth={1.2} width={6} />
              </Bar>
            </BarChart>
          </div>
        </figure>
      ) : null}
      <div className="table-wrap">
        <table className="table behavior-groups" data-testid="behavior-groups">
          <caption className="offscreen">Paired comparison of {suite} by category</caption>
          <thead>
            <tr>
              <th scope="col">Category</th>
              <th scope="col" className="num">
                n
              </th>
              <th scope="col">Metric</th>
              <th scope="col" className="num">
                Baseline ({level(report.options.confidence)} CI)
              </th>
              <th scope="col" className="num">
                Suspect ({level(report.options.confidence)} CI)
              </th>
              <th scope="col" className="num">
                Suspect − baseline (Newcombe)
              </th>
              <th scope="col" className="num">
                McNemar p
              </th>
              <th scope="col">Verdict</th>
            </tr>
          </thead>
          <tbody>{rows.flatMap((g) => groupRows(g, category, onCategory))}</tbody>
        </table>
      </div>
    </div>
  );
}

export function groupRows(
  g: GroupComparisonView,
  selected: string | null,
  onCategory: (c: string | null) => void,
): ReactNode[] {
  const name = g.category ?? `all of ${g.suite}`;
  const isSelected = g.category === selected;
  const select = (
    <button
      type="button"
      className="link-button"
      aria-pressed={isSelected}
      onClick={() => onCategory(g.category)}
      data-testid={`group-${g.suite}-${g.category ?? 'all'}`}
    >
      {name}
    </button>
  );
  const out: ReactNode[] = [];
  const binaries = [g.refusal, g.pass].filter((c): c is BinaryComparisonView => c !== null);
  for (const c of binaries)
    out.push(
      <tr
        key={`${g.category ?? ''}-${c.metric}`}
        className={`${isSelected ? 'row-selected' : ''} ${c.verdict === 'lower' || c.verdict === 'higher' ? 'row-bad' : ''}`}
        data-testid="behavior-group-row"
        data-category={g.category ?? ''}
        data-metric={c.metric}
      >
        <td>{select}</td>
        <td className="num">{c.n}</td>
        <td>{c.metric}</td>
        <td className="num">
          {pct(c.baseline.estimate)}{' '}
          <span className="muted">
            ({pct(c.baseline.lower)}–{pct(c.baseline.upper)})
          </span>
        </td>
        <td className="num">
          {pct(c.suspect.estimate)}{' '}
          <span className="muted">
            ({pct(c.suspect.lower)}–{pct(c.suspect.upper)})
          </span>
        </td>
        <td className="num">
          {signedPts(c.difference.estimate)}{' '}
          <span className="muted">
            ({signedPts(c.difference.lower)} to {signedPts(c.difference.upper)})
          </span>
        </td>
        <td className="num">{pValue(c.mcnemar.pValue)}</td>
        <td>
          <Badge tone={VERDICT_TONE[c.verdict] ?? 'neutral'} title={c.reason}>
            {c.verdict}
          </Badge>
        </td>
      </tr>,
    );
  if (g.score) {
    const s = g.score;
    const f = (x: number) => x.toFixed(3);
    out.push(
      <tr key={`${g.category ?? ''}-score`} className={isSelected ? 'row-selected' : ''}>
        <td>{select}</td>
        <td className="num">{s.n}</td>
        <td>score</td>
        <td className="num">
          {f(s.baseline.estimate)}{' '}
          <span className="muted">
            ({f(s.baseline.lower)}–{f(s.baseline.upper)})
          </span>
        </td>
        <td className="num">
          {f(s.suspect.estimate)}{' '}
          <span className="muted">
            ({f(s.suspect.lower)}–{f(s.suspect.upper)})
          </span>
        </td>
        <td className="num">
          {fmtDelta('score', s.difference.estimate)}{' '}
          <span className="muted">
            ({fmtDelta('score', s.difference.lower)} to {fmtDelta('score', s.difference.upper)}, t)
          </span>
        </td>
        <td className="num muted">—</td>
        <td>
          <Badge tone={VERDICT_TONE[s.verdict] ?? 'neutral'} title={s.reason}>
            {s.verdict}
          </Badge>
        </td>
      </tr>,
    );
  }
  if (out.length === 0)
    out.push(
      <tr key={`${g.category ?? ''}-none`}>
        <td>{select}</td>
        <td className="num">{g.pairs}</td>
        <td colSpan={5} className="muted">
          no judged metric
        </td>
        <td>
          <Badge tone="neutral">not analysed</Badge>
        </td>
      </tr>,
    );
  return out;
}
