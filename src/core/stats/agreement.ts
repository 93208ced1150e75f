/**
 * Agreement between two reviewers who labelled the same items (e.g. two investigators classifying a
 * sample of production outputs as harmful / benign), measured by Cohen's kappa.
 */
import { normalCriticalValue } from './distributions.ts';
import { requireConfidence } from './validate.ts';

/** Landis & Koch (1977) descriptive labels for kappa; 'undefined' when kappa cannot be computed. */
export type KappaInterpretation =
  'poor' | 'slight' | 'fair' | 'moderate' | 'substantial' | 'almost perfect' | 'undefined';

export interface KappaResult {
  /** Number of items rated by both reviewers. */
  n: number;
  /** Category labels, sorted (code-unit order); rows and columns of `table` follow this order. */
  categories: string[];
  /** Counts: table[i][j] = items rater 1 put in categories[i] and rater 2 in categories[j]. */
  table: number[][];
  /** p_o = Σ p_ii */
  observedAgreement: number;
  /** p_e = Σ p_i· p_·i */
  expectedAgreement: number;
  /** κ = (p_o − p_e)/(1 − p_e); NaN when p_e = 1 (see `note`). */
  kappa: number;
  /** Large-sample standard error of κ̂ (Fleiss, Cohen & Everitt 1969), for the interval. */
  standardError: number;
  /** Standard error under H₀: κ = 0 (Fleiss, Cohen & Everitt 1969), for testing chance agreement. */
  standardErrorNull: number;
  /** κ ± z·SE, clipped to [−1, 1]. */
  lower: number;
  upper: number;
  confidence: number;
  interpretation: KappaInterpretation;
  method: string;
  /** Present when κ is undefined or the interval is degenerate. */
  note?: string;
}

/**
 * Landis & Koch benchmark for a kappa value (J. R. Landis & G. G. Koch, "The measurement of observer
 * agreement for categorical data", Biometrics 33 (1977) 159–174): < 0 poor, 0–0.20 slight,
 * 0.21–0.40 fair, 0.41–0.60 moderate, 0.61–0.80 substantial, 0.81–1 almost perfect (boundaries
 * belong to the lower band, e.g. 0.40 is "fair").
 */
export function landisKoch(kappa: number): KappaInterpretation {
  if (Number.isNaN(kappa)) return 'undefined';
  if (kappa < 0) return 'poor';
  if (kappa <= 0.2) return 'slight';
  if (kappa <= 0.4) return 'fair';
  if (kappa <= 0.6) return 'moderate';
  if (kappa <= 0.8) return 'substantial';
  return 'almost perfect';
}

/**
 * Cohen's kappa for two raters (J. Cohen, "A coefficient of agreement for nominal scales", Educ Psychol
 * Meas 20 (1960) 37–46):
 *
 *   κ = (p_o − p_e) / (1 − p_e),   p_o = Σ_i p_ii,   p_e = Σ_i p_i· p_·i,
 *
 * with p_ij the proportion of items rater 1 put in category i and rater 2 in j.
 *
 * Standard error: the large-sample formula of J. L. Fleiss, J. Cohen & B. S. Everitt, "Large sample
 * standard errors of kappa and weighted kappa", Psychol Bull 72 (1969) 323–327 (not Cohen's 1960
 * approximation, which understates it):
 *
 *   Var(κ̂) = { Σ_i p_ii [1 − (p_i· + p_·i)(1 − κ)]² + (1 − κ)² Σ_{i≠j} p_ij (p_·i + p_j·)²
 *              − [κ − p_e(1 − κ)]² } / (n (1 − p_e)²),
 *
 * and under H₀: κ = 0,  Var₀(κ̂) = [p_e + p_e² − Σ_i p_i· p_·i (p_i· + p_·i)] / (n (1 − p_e)²).
 * The interval is κ̂ ± z_{1−α/2} · SE (Wald), clipped to [−1, 1].
 *
 * When p_e = 1 (both raters used one and the same category for every item) κ is 0/0: kappa, the
 * standard errors and the limits are NaN, interpretation is 'undefined', and `note` says why.
 *
 * @param pairs one [rater 1 label, rater 2 label] per item
 * @param confidence level for the interval (default 0.95)
 * @throws RangeError when there are no pairs or a pair is not two strings
 */
export function cohensKappa(pairs: readonly (readonly [string, string])[], confidence = 0.95): KappaResult {
  requireConfidence(confidence);
  if (pairs.length === 0) throw new RangeError('cohensKappa needs at least one rated item');
  const labels = new Set<string>();
  pairs.forEach((pair, i) => {
    if (
      !Array.isArray(pair) ||
      pair.length !== 2 ||
      typeof pair[0] !== 'string' ||
      typeof pair[1] !== 'string'
    ) {
      throw new RangeError(`pairs[${i}] must be a [string, string] pair`);
    }
    labels.add(pair[0]);
    labels.add(pair[1]);
  });
  const categories = [...labels].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const index = new Map(categories.map((c, i) => [c, i]));
  const k = categories.length;
  const table = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const [r1, r2] of pairs) {
    const row = table[index.get(r1) ?? 0];
    const j = index.get(r2) ?? 0;
    if (row) row[j] = (row[j] ?? 0) + 1;
  }

  const n = pairs.length;
  const p = table.map((row) => row.map((v) => v / n));
  const cell = (i: number, j: number): number => p[i]?.[j] ?? 0;
  const rowM = p.map((row) => row.reduce((a, v) => a + v, 0));
  const colM = categories.map((_, j) => p.reduce((a, row) => a + (row[j] ?? 0), 0));
  const r = (i: number): number => rowM[i] ?? 0;
  const c = (j: number): number => colM[j] ?? 0;

  let po = 0;
  let pe = 0;
  for (let i = 0; i < k; i++) {
    po += cell(i, i);
    pe += r(i) * c(i);
  }
  const method = "Cohen's kappa with Fleiss–Cohen–Everitt (1969) large-sample standard error";
  const base = { n, categories, table, observedAgreement: po, expectedAgreement: pe, confidence, method };

  if (pe >= 1) {
    return {
      ...base,
      kappa: NaN,
      standardError: NaN,
      standardErrorNull: NaN,
      lower: NaN,
      upper: NaN,
      interpretation: 'undefined',
      note: `Kappa is undefined: both raters put every item in the same single category ("${categories[0] ?? ''}"), so chance agreement is 1.`,
    };
  }

  const kappa = (po - pe) / (1 - pe);
  const oneMinus = 1 - kappa;
  let sumA = 0;
  let sumB = 0;
  let sumNull = 0;
  for (let i = 0; i < k; i++) {
    const t = 1 - (r(i) + c(i)) * oneMinus;
    sumA += cell(i, i) * t * t;
    sumNull += r(i) * c(i) * (r(i) + c(i));
    for (let j = 0; j < k; j++) {
      if (i === j) continue;
      const s = c(i) + r(j);
      sumB += cell(i, j) * s * s;
    }
  }
  const last = kappa - pe * oneMinus;
  const denom = n * (1 - pe) * (1 - pe);
  const variance = (sumA + oneMinus * oneMinus * sumB - last * last) / denom;
  const varianceNull = (pe + pe * pe - sumNull) / denom;
  const se = Math.sqrt(Math.max(0, variance));
  const z = normalCriticalValue(confidence);
  const result: KappaResult = {
    ...base,
    kappa,
    standardError: se,
    standardErrorNull: Math.sqrt(Math.max(0, varianceNull)),
    lower: Math.max(-1, kappa - z * se),
    upper: Math.min(1, kappa + z * se),
    interpretation: landisKoch(kappa),
  };
  if (se < 1e-12) {
    result.note =
      'The standard error is 0 (e.g. perfect agreement), so the interval is a single point; it is not informative for small n.';
  }
  return result;
}
