/**
 * `audit plan`: how many records to review so that a prevalence at least p would show up in the
 * sample with probability c (discoverySampleSize in src/core/stats: ⌈ln(1 − c)/ln(1 − p)⌉ for an
 * unbounded population, the hypergeometric search for a window of N records). A review of that many
 * that finds nothing supports "prevalence below p" at confidence c.
 */
import { discoverySampleSize } from '../stats';
import { ProbityError } from '../util/errors';

export interface ReviewPlan {
  prevalence: number;
  confidence: number;
  population: number | null;
  sampleSize: number;
  method: string;
  statement: string;
}

/** The discovery sample size and what a clean review of it would support. */
export function planReview(prevalence: number, confidence: number, population?: number): ReviewPlan {
  let n: number;
  try {
    n = discoverySampleSize(prevalence, confidence, population);
  } catch (err) {
    throw new ProbityError('usage', (err as Error).message);
  }
  const finite = population !== undefined;
  const pct = (v: number): string => `${+(v * 100).toPrecision(6)}%`;
  return {
    prevalence,
    confidence,
    population: population ?? null,
    sampleSize: n,
    method: finite
      ? 'hypergeometric: smallest n with C(N − K, n)/C(N, n) ≤ 1 − c, K = ⌈p·N⌉'
      : 'binomial: n = ⌈ln(1 − c) / ln(1 − p)⌉',
    statement:
      `Review ${n} records${finite ? ` of ${population}` : ''} drawn at random: if ${pct(prevalence)} or more were harmful, ` +
      `at least one would be in the sample with probability ${pct(confidence)}; finding none supports a prevalence below ${pct(prevalence)} at ${pct(confidence)} confidence.`,
  };
}
