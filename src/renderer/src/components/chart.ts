/**
 * The axis and grid styling every small chart shares, as props to spread on recharts' own
 * components (the colours are the design tokens, so light and dark follow).
 */
const TICK = { fill: 'var(--text-muted)', fontSize: 10 };

/** A category or time axis along the bottom. */
export const BOTTOM_AXIS = { tick: TICK, tickLine: false, axisLine: { stroke: 'var(--border-strong)' } };

/** A count axis on the left: whole numbers, no line. */
export const COUNT_AXIS = { allowDecimals: false, tick: TICK, axisLine: false, tickLine: false };

/** Horizontal grid lines only. */
export const H_GRID = { stroke: 'var(--border)', vertical: false };
