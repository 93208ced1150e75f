/**
 * Percentages as Probity prints them, in the CLI, the core's summaries and the renderer alike.
 * A proportion p in [0, 1] is shown as p × 100.
 */

/** "12.3%": `digits` decimals (one by default). */
export function pct(p: number, digits = 1): string {
  return `${(p * 100).toFixed(digits)}%`;
}

/** "0.25%": two decimals, three for a small non-zero proportion (below 0.1%) so it does not read 0.00%. */
export function pctFine(p: number): string {
  return pct(p, p > 0 && p < 0.001 ? 3 : 2);
}
