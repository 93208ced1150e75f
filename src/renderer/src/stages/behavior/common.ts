import type { BehaviorTransition } from '../../../../shared/behavior';
import type { Tone } from '../../components/Bits';

export const pct = (x: number, digits = 1): string => `${(x * 100).toFixed(digits)}%`;

export const signedPts = (x: number): string => `${x < 0 ? '−' : '+'}${Math.abs(x * 100).toFixed(1)}`;

export const level = (c: number): string => `${Number((c * 100).toPrecision(6))}%`;

export const VERDICT_TONE: Record<string, Tone> = {
  equivalent: 'ok',
  'not-equivalent': 'warn',
  lower: 'bad',
  higher: 'bad',
  'not-analysed': 'neutral',
};

export interface Selection {
  suite: string | null;
  category: string | null;
  transition: BehaviorTransition | null;
}

export const fmtDelta = (metric: string, v: number): string =>
  metric === 'score' ? `${v < 0 ? '−' : '+'}${Math.abs(v).toFixed(3)}` : `${signedPts(v)} pts`;
