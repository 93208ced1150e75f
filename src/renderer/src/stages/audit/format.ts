export const num = (n: number): string => n.toLocaleString('en-US');

export const pct = (p: number): string => `${(p * 100).toFixed(p > 0 && p < 0.001 ? 3 : 2)}%`;

export const range = (i: { lower: number; upper: number }): string => `${pct(i.lower)} – ${pct(i.upper)}`;
