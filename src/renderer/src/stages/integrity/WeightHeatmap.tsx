/**
 * The weight diff drawn for an investigator: a heatmap of layers × tensor roles (colour: the
 * relative change ‖Δ‖₂/‖a‖₂ of the tensor, identical cells neutral), and the list of tensors that
 * differ with their numbers (max |Δ|, ‖Δ‖₂, relative, cosine).
 */
import { useMemo } from 'react';
import { CartesianGrid, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { TensorDiffRow, WeightPairDiff } from '../../../../shared/integrity';
import { num } from './format';

export const CELL_W = 70;

export const CELL_H = 30;

export const Y_AXIS_W = 78;

export const MARGIN = { top: 8, right: 12, bottom: 8, left: 8 };

export const X_AXIS_H = 128;

export interface Cell {
  x: number;
  y: number;
  tensor: TensorDiffRow;
  relative: number | null;
}

export function rowLabel(layer: number | null): string {
  return layer === null ? 'outside blocks' : `layer ${layer}`;
}

export function WeightHeatmap({ pair }: { pair: WeightPairDiff }) {
  const { cells, roles, rows, maxRel, changed } = useMemo(() => {
    const roleList = [...new Set(pair.tensors.map((t) => t.role))].sort((a, b) => {
      // Block roles first (attention, then MLP, then norms), the rest after.
      const rank = (r: string) =>
        r.startsWith('self_attn') ? 0 : r.startsWith('mlp') ? 1 : r.includes('layernorm') ? 2 : 3;
      return rank(a) - rank(b) || a.localeCompare(b);
    });
    const layerList = [...new Set(pair.tensors.map((t) => t.layer))].sort((a, b) =>
      a === null ? 1 : b === null ? -1 : a - b,
    );
    const out: Cell[] = pair.tensors.map((t) => ({
      x: roleList.indexOf(t.role),
      y: layerList.indexOf(t.layer),
      tensor: t,
      relative: t.numbers?.relativeL2 ?? null,
    }));
    const max = Math.max(0, ...out.map((c) => (c.tensor.status === 'changed' ? (c.relative ?? 0) : 0)));
    return {
      cells: out,
      roles: roleList,
      rows: layerList,
      maxRel: max,
      changed: out.filter((c) => c.tensor.status !== 'identical').length,
    };
  }, [pair]);

  const width = Y_AXIS_W + roles.length * CELL_W + MARGIN.left + MARGIN.right;
  const height = rows.length * CELL_H + X_AXIS_H + MARGIN.top + MARGIN.bottom;

  const fill = (c: Cell): string => {
    if (c.tensor.status === 'identical') return 'var(--bg-sunken)';
    if (c.tensor.status !== 'changed') return 'var(--warn)';
    const share = maxRel > 0 && c.relative !== null ? c.relative / maxRel : 1;
    return `color-mix(in srgb, var(--bad) ${Math.round(25 + 75 * share)}%, var(--bg-raised))`;
  };

  const label = `Weight diff heatmap: ${rows.length} rows (layers) by ${roles.length} tensor roles, ${pair.tensors.length} tensors, ${changed} differ${maxRel > 0 ? `, largest relative change ${num(maxRel, 3)}` : ''}`;

  return (
    <figure className="heatmap" data-testid="weight-heatmap">
      <figcaption className="heatmap-caption">
        <span>
          Relative change <span className="mono">‖Δ‖₂ / ‖a‖₂</span> per tensor · n = {pair.tensors.length}{' '}
          tensors, {changed} differ
        </span>
        <span className="heatmap-legend" aria-hidden="true">
          <span className="legend-swatch legend-same" /> identical
          <span className="legend-ramp" /> 0 → {num(maxRel, 3)}
          <span className="legend-swatch legend-struct" /> shape / dtype / missing
        </span>
      </figcaption>
      <div className="heatmap-scroll" role="img" aria-label={label}>
        <ScatterChart width={width} height={height} margin={MARGIN}>
          <CartesianGrid stroke="none" />
          <XAxis
            type="number"
            dataKey="x"
            domain={[-0.5, roles.length - 0.5]}
            ticks={roles.map((_, i) => i)}
            tickFormatter={(i: number) => roles[i] ?? ''}
            interval={0}
            angle={-40}
            textAnchor="end"
            height={X_AXIS_H}
            tick={{ fill: 'var(--text-muted)', fontSize: 11 }}
            axisLine={false}
            tickLine={false}
            orientation="bottom"
          />
          <YAxis
            type="number"
            dataKey="y"
            domain={[-0.5, rows.length - 0.5]}
            ticks={rows.map((_, i) => i)}
            tickFormatter={(i: number) => rowLabel(rows[i] ?? null)}
            interval={0}
            reversed
            width={Y_AXIS_W}
            tick={{ fill: 'var(--text-muted)', fontSize: 11 }}
            axisLine={false}
            tickLine={false}
          />
          <Tooltip
            cursor={false}
            isAnimationActive={false}
            content={({ active, payload }) => {
              const c = active ? (payload?.[0]?.payload as Cell | undefined) : undefined;
              if (!c) return null;
              const n = c.tensor.numbers;
              return (
                <div className="chart-tooltip">
                  <div className="mono">{c.tensor.name}</div>
                  <div>{c.tensor.status}</div>
                  {n ? (
                    <div className="muted">
                      relative {num(n.relativeL2)} · ‖Δ‖₂ {num(n.l2Delta)} · max |Δ| {num(n.maxAbsDelta)} ·
                      cosine {num(n.cosine, 6)}
                    </div>
                  ) : c.tensor.note ? (
                    <div className="muted">{c.tensor.note}</div>
                  ) : null}
                </div>
              );
            }}
          />
          <Scatter
            data={cells}
            isAnimationActive={false}
            shape={(props: unknown) => {
              const { cx, cy, payload } = props as { cx: number; cy: number; payload: Cell };
              const changedCell = payload.tensor.status !== 'identical';
              const share = maxRel > 0 && payload.relative !== null ? payload.relative / maxRel : 1;
              return (
                <g
                  data-testid="heat-cell"
                  data-name={payload.tensor.name}
                  data-status={payload.tensor.status}
                >
                  <rect
                    x={cx - CELL_W / 2 + 1.5}
                    y={cy - CELL_H / 2 + 1.5}
                    width={CELL_W - 3}
                    height={CELL_H - 3}
                    rx={3}
                    style={{
                      fill: fill(payload),
                      stroke: changedCell ? 'var(--bad)' : 'var(--border)',
                      strokeWidth: changedCell ? 1.5 : 1,
                    }}
                  />
                  {changedCell && payload.relative !== null ? (
                    <text
                      x={cx}
                      y={cy + 4}
                      textAnchor="middle"
                      fontSize={11}
                      style={{ fill: share > 0.5 ? 'var(--bg-raised)' : 'var(--text)', fontWeight: 600 }}
                    >
                      {num(payload.relative, 3)}
                    </text>
                  ) : null}
                </g>
              );
            }}
          />
        </ScatterChart>
      </div>
    </figure>
  );
}
