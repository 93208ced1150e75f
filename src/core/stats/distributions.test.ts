/**
 * Reference values below were computed with SciPy 1.17.1 / NumPy 2.4.6 (Python 3) or, where SciPy
 * itself is not accurate enough (binomial and hypergeometric with populations in the millions),
 * with mpmath 1.3.0 at 40 significant digits by exact summation of binomial coefficients. Each table
 * names the call that produced it. They are literals: the tests never call Python.
 */
import { describe, expect, it } from 'vitest';
import {
  betaPdf,
  betaQuantile,
  binomialCdf,
  binomialLogCdf,
  binomialLogPmf,
  binomialPmf,
  binomialSf,
  hypergeometricCdf,
  hypergeometricLogPmf,
  hypergeometricPmf,
  hypergeometricSf,
  logBeta,
  logGamma,
  normalCdf,
  normalCriticalValue,
  normalPdf,
  normalQuantile,
  normalSf,
  regularizedBeta,
  regularizedBetaComplement,
  regularizedGamma,
  tCdf,
  tPdf,
  tQuantile,
} from './distributions.ts';

/** |actual − expected| ≤ tol · |expected| (exact match required when expected is 0). */
function expectRel(actual: number, expected: number, tol: number): void {
  if (expected === 0) {
    expect(actual).toBe(0);
    return;
  }
  const err = Math.abs(actual - expected) / Math.abs(expected);
  if (!(err <= tol)) {
    throw new Error(`expected ${expected}, got ${actual} (relative error ${err.toExponential(2)} > ${tol})`);
  }
}

// scipy.special.gammaln(x)
const LOG_GAMMA: [number, number][] = [
  [1e-10, 23.025850929882733],
  [0.5, 0.5723649429247],
  [1.0, 0.0],
  [1.5, -0.12078223763524526],
  [2.0, 0.0],
  [2.5, 0.2846828704729192],
  [3.7, 1.428072326665388],
  [10.0, 12.801827480081469],
  [11.5, 16.292000476567242],
  [100.0, 359.1342053695754],
  [1234.5, 7550.550901077894],
  [100000.0, 1051287.7089736569],
  [10000000.0, 151180949.36947393],
  [1000000000000.0, 26631021115915.65],
  [-0.5, 1.2655121234846454],
  [-2.5, -0.05624371649767401],
  [-10.3, -14.457515440024208],
];
// scipy.stats.norm.cdf(z)
const NORMAL_CDF: [number, number][] = [
  [-37.0, 5.7255712225239266e-300],
  [-30.0, 4.906713927147908e-198],
  [-20.0, 2.7536241186061556e-89],
  [-10.0, 7.61985302416047e-24],
  [-5.0, 2.866515718791933e-7],
  [-3.0, 0.0013498980316300933],
  [-1.959963984540054, 0.025],
  [-1.0, 0.15865525393145707],
  [-0.5, 0.3085375387259869],
  [-1e-8, 0.4999999960105772],
  [0.0, 0.5],
  [0.3, 0.6179114221889526],
  [1.0, 0.8413447460685429],
  [1.7, 0.955434537241457],
  [1.8, 0.9640696808870742],
  [3.0, 0.9986501019683699],
  [8.0, 0.9999999999999993],
];
// scipy.stats.norm.ppf(p)
const NORMAL_PPF: [number, number][] = [
  [1e-300, -37.0470962993612],
  [1e-100, -21.273453560965322],
  [1e-20, -9.262340089798409],
  [1e-10, -6.361340902404056],
  [1e-5, -4.264890793922825],
  [0.001, -3.090232306167813],
  [0.01, -2.3263478740408408],
  [0.02, -2.053748910631823],
  [0.02425, -1.972961051311885],
  [0.025, -1.9599639845400545],
  [0.1, -1.2815515655446004],
  [0.3, -0.5244005127080409],
  [0.49, -0.02506890825871106],
  [0.51, 0.02506890825871106],
  [0.9, 1.2815515655446004],
  [0.975, 1.959963984540054],
  [0.995, 2.5758293035489004],
  [0.999, 3.090232306167813],
  [0.9999999999, 6.361340889697422],
];
// [x, a, b, I_x(a, b), 1 − I_x(a, b)] — mpmath, 40 digits, as x^a(1−x)^b/(a·B(a,b)) · hyp2f1(a+b, 1, a+1, x)
// (scipy.stats.beta.cdf agrees to ~1e-14 except at x = 2e-6, a = 2, b = 1e6, where it is off by 4e-11)
const BETA_CDF: [number, number, number, number, number][] = [
  [0.3, 0.5, 0.5, 0.36901011956554536, 0.6309898804344546],
  [0.25, 1.0, 1.0, 0.25, 0.75],
  [0.2, 2.0, 5.0, 0.34464, 0.6553599999999999],
  [0.6, 2.0, 5.0, 0.95904, 0.04096000000000001],
  [0.5, 6.0, 5.0, 0.376953125, 0.623046875],
  [0.001, 1.0, 10.0, 0.00995511979025179, 0.9900448802097482],
  [0.999, 10.0, 1.0, 0.9900448802097482, 0.009955119790251798],
  [1e-8, 0.1, 3.0, 0.18305516339643102, 0.816944836603569],
  [0.999, 3.0, 0.1, 0.42123396691426435, 0.5787660330857356],
  [0.3, 50.0, 50.0, 1.5547799761443295e-5, 0.9999844522002386],
  [0.5, 50.0, 50.0, 0.5, 0.5],
  [0.95, 100.0, 3.0, 0.11026985672872087, 0.8897301432712791],
  [0.3, 1000.0, 2000.0, 4.0738279160507714e-5, 0.9999592617208395],
  [0.36, 1000.0, 2000.0, 0.9989094969407502, 0.0010905030592498494],
  [0.5, 100000.0, 100007.0, 0.5062440831811046, 0.49375591681889536],
  [0.8, 12.5, 0.5, 0.019343127569942713, 0.9806568724300573],
  [1e-8, 2.0, 1000000.0, 4.9667963337782826e-5, 0.9999503320366622],
  [2e-6, 2.0, 1000000.0, 0.593994962302132, 0.406005037697868],
  [0.6, 30.0, 0.5, 3.504353268172431e-8, 0.9999999649564674],
];
// [p, a, b, x] — x = scipy.stats.beta.ppf(p, a, b), polished with mpmath.findroot on the 40-digit I_x above
const BETA_PPF: [number, number, number, number][] = [
  [0.975, 6.0, 5.0, 0.8129139715526015],
  [0.025, 5.0, 6.0, 0.18708602844739852],
  [0.975, 1.0, 10.0, 0.3084971078187608],
  [0.1, 0.5, 0.5, 0.024471741852423217],
  [0.5, 2.0, 5.0, 0.26444998329565994],
  [0.025, 0.1, 3.0, 2.2572530288170922e-17],
  [0.9995, 3.0, 0.5, 0.9999999288888821],
  [1e-6, 50.0, 50.0, 0.2746512941414302],
  [0.025, 100.0, 3.0, 0.9309607878010435],
  [0.975, 1000.0, 2000.0, 0.35030301672721004],
  [0.5, 100000.0, 100007.0, 0.4999825005541492],
  [0.1, 12.5, 0.5, 0.8954878026554159],
  [0.0005, 1.0, 1000000.0, 5.001250415572354e-10],
  [0.975, 2.0, 1000000.0, 5.571625083559895e-6],
  [0.025, 1000000.0, 1.0, 0.9999963111273498],
  [0.5, 0.01, 1.0, 7.888609052210129e-31],
  [1e-12, 30.0, 0.5, 0.42571471045599285],
  [0.999999999, 0.5, 30.0, 0.4658148505475234],
  [1e-12, 4.0, 8.0, 0.0002347006140946787],
];
// [t, df, scipy.stats.t.cdf(t, df)]
const T_CDF: [number, number, number][] = [
  [-50.0, 1.0, 0.006365349100972797],
  [1.0, 1.0, 0.75],
  [-5.0, 2.0, 0.018874775675311862],
  [0.1, 3.0, 0.5366738255995971],
  [-2.0, 5.0, 0.050969739414929174],
  [-2.262, 9.0, 0.025006422751227313],
  [2.262, 9.0, 0.9749935772487727],
  [3.5, 10.0, 0.9971367472850574],
  [-1.0, 29.0, 0.16279099400809682],
  [-0.1, 30.0, 0.4605048058951356],
  [2.0, 100.0, 0.9758939106344332],
  [-5.0, 1000.0, 3.3836281823243174e-7],
  [-2.0, 0.5, 0.22275744509156564],
  [1.0, 2.5, 0.7979694863608632],
  [-1000.0, 9.0, 2.5458033039484705e-24],
];
// [p, df, scipy.stats.t.ppf(p, df)]
const T_PPF: [number, number, number][] = [
  [0.975, 1.0, 12.706204736174694],
  [0.995, 2.0, 9.924843200918287],
  [0.025, 3.0, -3.1824463052837086],
  [0.95, 5.0, 2.0150483733330233],
  [0.975, 9.0, 2.262157162798205],
  [0.995, 9.0, 3.249835541592126],
  [0.25, 10.0, -0.6998120613124317],
  [0.975, 29.0, 2.045229642132703],
  [0.4, 30.0, -0.2556053649519128],
  [0.9995, 100.0, 3.390491311164263],
  [0.025, 1000.0, -1.9623390808264085],
  [0.9, 0.5, 10.27032441023451],
  [1e-10, 2.5, -8765.437771364572],
  [0.499, 9.0, -0.002577090893177846],
  [0.0005, 4.0, -8.610301581379275],
];
// [k, n, p, ln P(X=k), P(X<=k), P(X>k)] — exact sums in mpmath (40 digits)
const BINOMIAL: [number, number, number, number, number, number][] = [
  [3, 15, 0.5, -4.276910289448229, 0.017578125, 0.982421875],
  [0, 10, 0.3, -3.5667494393873236, 0.028247524900000005, 0.9717524751],
  [10, 10, 0.3, -12.03972804325936, 1.0, 0.0],
  [4, 10, 0.3, -1.6088333502186696, 0.8497316674000001, 0.15026833259999997],
  [1, 100, 0.01, -0.9949832494966426, 0.7357619789229563, 0.26423802107704375],
  [5, 100, 0.01, -5.843807894040667, 0.999465465536007, 0.0005345344639930333],
  [480, 1000, 0.5, -4.47933235558206, 0.10872414660207047, 0.8912758533979295],
  [520, 1000, 0.5, -4.47933235558206, 0.9026168357691172, 0.09738316423088274],
  [45, 50, 0.99, -8.911774473484247, 0.00014568926807182755, 0.9998543107319282],
  [0, 20, 0.05, -1.0258658877510107, 0.3584859224085422, 0.6415140775914577],
  [7, 20, 0.05, -10.378647495351446, 0.9999971431146172, 2.8568853828187474e-6],
];
// [k, n, p, ln P(X=k)] for large n — mpmath (40 digits); scipy 1.17's binom.logpmf is off by ~1e-9 here
const BINOMIAL_LARGE: [number, number, number, number][] = [
  [1, 10000000, 1e-6, -7.697418907008787],
  [11, 10000000, 1e-6, -2.1738713229391418],
  [300000, 1000000, 0.3, -7.046370251546539],
  [301000, 1000000, 0.3, -9.426763338013913],
  [0, 1000000, 0.3, -356674.9439387324],
];
// [k, N, K, n, ln P(X=k), P(X<=k), P(X>k)] — exact sums of C(K,i)C(N−K,n−i)/C(N,n) in mpmath (40 digits);
// scipy.stats.hypergeom(M=N, n=K, N=n) agrees to ~1e-13 except at N = 1e5, where its logpmf is off by ~1e-10
const HYPERGEOMETRIC: [number, number, number, number, number, number, number][] = [
  [0, 1000, 10, 259, -3.0133932993272867, 0.049124700803400145, 0.9508752991965999],
  [1, 1000, 10, 259, -1.7497606585950147, 0.22294024053127773, 0.7770597594687223],
  [2, 50, 5, 10, -1.561411289351538, 0.9517396968037909, 0.0482603031962091],
  [5, 50, 5, 10, -9.036912482352347, 1.0, 0.0],
  [0, 50, 5, 10, -1.1693692015755142, 0.3105627820045687, 0.6894372179954313],
  [3, 100000, 1000, 300, -1.489398237397376, 0.6472373257944624, 0.35276267420553764],
  [10, 100000, 1000, 300, -7.204386681771982, 0.9997428687310115, 0.0002571312689885077],
  [5, 20, 20, 5, 0.0, 1.0, 0.0],
  [0, 20, 0, 5, 0.0, 1.0, 0.0],
  [10, 30, 10, 30, 0.0, 1.0, 0.0],
  [120, 500, 250, 250, -3.0399579433703545, 0.21042852165267417, 0.7895714783473259],
  [140, 500, 250, 250, -6.235672644408592, 0.9972469171434053, 0.00275308285659469],
];
// [k, N, K, n, ln P(X=k)] — mpmath (40 digits) for a large population
const HYPERGEOMETRIC_LARGE: [number, number, number, number, number][] = [
  [0, 10000000, 100000, 2000, -20.102691169480522],
  [23, 10000000, 100000, 2000, -2.7012549211616363],
  [20, 10000000, 100000, 2000, -2.415846232787708],
];

describe('logGamma', () => {
  it.each(LOG_GAMMA)('ln Γ(%s)', (x, expected) => {
    // absolute error near the zeros at 1 and 2, relative elsewhere
    expect(Math.abs(logGamma(x) - expected)).toBeLessThanOrEqual(2e-15 * Math.max(1, Math.abs(expected)));
  });

  it('has poles at 0 and the negative integers', () => {
    expect(logGamma(0)).toBe(Infinity);
    expect(logGamma(-3)).toBe(Infinity);
  });

  it('gives ln B(a, b) for large and small arguments', () => {
    // mpmath.log(mpmath.beta(0.5, 5e5)) = -5.98881649577746431… (scipy.special.betaln gives
    // -5.988816495984793 here, off by 3e-11: it subtracts two large log-gammas); betaln(3, 4) = ln(1/60)
    expectRel(logBeta(0.5, 5e5), -5.988816495777464, 1e-14);
    expectRel(logBeta(3, 4), Math.log(1 / 60), 1e-14);
  });
});

describe('normal distribution', () => {
  it.each(NORMAL_CDF)('Φ(%s)', (z, expected) => {
    expectRel(normalCdf(z), expected, 2e-13);
  });

  it.each(NORMAL_PPF)('Φ⁻¹(%s)', (p, expected) => {
    expectRel(normalQuantile(p), expected, 5e-15);
  });

  it('handles the end points and symmetry', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalSf(3)).toBe(normalCdf(-3));
    // 1/√(2π)
    expectRel(normalPdf(0), 0.3989422804014327, 1e-15);
  });

  it('gives the familiar critical values', () => {
    // scipy.stats.norm.ppf(0.975) = 1.959963984540054 ; norm.ppf(0.995) = 2.5758293035489004
    expectRel(normalCriticalValue(0.95), 1.959963984540054, 1e-15);
    expectRel(normalCriticalValue(0.99), 2.5758293035489004, 1e-15);
  });

  it('works down to the smallest subnormal probability', () => {
    // scipy.stats.norm.ppf(5e-324) = -38.467405617144344 (Φ itself is subnormal there, hence 1e-8)
    expectRel(normalQuantile(5e-324), -38.467405617144344, 1e-8);
  });

  it('rejects probabilities outside [0, 1]', () => {
    expect(() => normalQuantile(1.5)).toThrow(RangeError);
    expect(() => normalQuantile(-0.1)).toThrow(/probability in \[0, 1\]/);
    expect(() => normalQuantile(NaN)).toThrow(RangeError);
  });
});

describe('regularized incomplete gamma', () => {
  it('matches closed forms', () => {
    // P(1, x) = 1 − e^−x ; Q(0.5, x) = erfc(√x); scipy.special.erfc(2) = 0.004677734981047266
    const { p, q } = regularizedGamma(1, 2);
    expectRel(p, 1 - Math.exp(-2), 1e-15);
    expectRel(q, Math.exp(-2), 1e-14);
    expectRel(regularizedGamma(0.5, 4).q, 0.004677734981047266, 1e-14);
  });
});

describe('incomplete beta', () => {
  it.each(BETA_CDF)('I_%s(%s, %s)', (x, a, b, lower, upper) => {
    expectRel(regularizedBeta(x, a, b), lower, 5e-13);
    expectRel(regularizedBetaComplement(x, a, b), upper, 5e-13);
  });

  it('is 0 at 0 and 1 at 1', () => {
    expect(regularizedBeta(0, 2, 3)).toBe(0);
    expect(regularizedBeta(1, 2, 3)).toBe(1);
  });

  it('gives the beta density', () => {
    // scipy.stats.beta.pdf(0.3, 2, 5) = 2.1609 (= 30·0.3·0.7⁴)
    expectRel(betaPdf(0.3, 2, 5), 30 * 0.3 * 0.7 ** 4, 1e-13);
    expect(betaPdf(0, 0.5, 2)).toBe(Infinity);
    expect(betaPdf(0, 2, 2)).toBe(0);
  });

  it('rejects bad shapes', () => {
    expect(() => regularizedBeta(0.5, 0, 1)).toThrow(RangeError);
    expect(() => regularizedBeta(0.5, 1, -2)).toThrow(RangeError);
    expect(() => regularizedBeta(1.5, 1, 1)).toThrow(RangeError);
  });
});

describe('beta quantile', () => {
  it.each(BETA_PPF)('B⁻¹(%s; %s, %s)', (p, a, b, expected) => {
    const x = betaQuantile(p, a, b);
    // relative precision in x or in 1 − x, whichever is the small one
    const err = Math.min(
      Math.abs(x - expected) / expected,
      Math.abs(1 - x - (1 - expected)) / (1 - expected),
    );
    expect(err).toBeLessThan(1e-13);
  });

  it('inverts regularizedBeta', () => {
    for (const [a, b] of [
      [0.3, 0.7],
      [2, 2],
      [7, 300],
      [250, 4],
    ] as const) {
      for (const p of [1e-9, 0.01, 0.3, 0.5, 0.8, 0.999]) {
        const x = betaQuantile(p, a, b);
        expectRel(
          p <= 0.5 ? regularizedBeta(x, a, b) : regularizedBetaComplement(x, a, b),
          p <= 0.5 ? p : 1 - p,
          1e-12,
        );
      }
    }
  });

  it('returns the end points for p = 0 and p = 1', () => {
    expect(betaQuantile(0, 3, 4)).toBe(0);
    expect(betaQuantile(1, 3, 4)).toBe(1);
  });

  it('keeps relative precision for a tiny quantile sought from the upper tail', () => {
    // p > ½ but the answer is ~2.6e-35: 200 bisection steps of ln x in mpmath (50 digits) on
    // I_x = x^a(1−x)^b/(a·B(a,b)) · 2F1(a+b, 1; a+1; x) give 2.586384808241299e-35
    // (scipy.stats.beta.ppf returns 0 here). The problem's condition number is ~1/a ≈ 100.
    expectRel(
      betaQuantile(0.508463919422358, 0.01001841536695692, 104760.22351072906),
      2.586384808241299e-35,
      1e-12,
    );
  });

  it('returns 0 when the quantile underflows', () => {
    // x ≈ (p · a · B(a, b))^(1/a) ≈ 10^−6300
    expect(betaQuantile(1.2858821384084581e-86, 0.013586620615531945, 2.0467086463189568)).toBe(0);
  });

  it('rounds to 1 when the quantile is closer to 1 than double resolution', () => {
    // 1 − x ≈ (0.0005 · 0.1 · B(3, 0.1))^10 ≈ 2e-34; scipy.stats.beta.ppf(0.9995, 3, 0.1) = 1.0
    expect(betaQuantile(0.9995, 3, 0.1)).toBe(1);
  });
});

describe('Student t', () => {
  it.each(T_CDF)('F(%s; ν = %s)', (t, df, expected) => {
    expectRel(tCdf(t, df), expected, 1e-13);
  });

  it.each(T_PPF)('F⁻¹(%s; ν = %s)', (p, df, expected) => {
    expectRel(tQuantile(p, df), expected, 1e-13);
  });

  it('agrees with the closed forms for ν = 1 and ν = 2', () => {
    for (const p of [0.001, 0.1, 0.3, 0.7, 0.975]) {
      expectRel(tQuantile(p, 1), Math.tan(Math.PI * (p - 0.5)), 1e-13);
      expectRel(tQuantile(p, 2), (2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 1e-13);
    }
  });

  it('stays close to the normal for very large ν', () => {
    // scipy.stats.t.ppf(0.975, 1e6) = 1.959966356814107 (mpmath findroot: 1.9599663568141070352…);
    // t.cdf(-2.262, 1e6) = 0.011848808502723907 (mpmath betainc: 0.01184880850272390385…).
    // The continued fraction loses digits of x = ν/(ν + t²) when ν is huge, hence the looser tolerance.
    expectRel(tQuantile(0.975, 1e6), 1.959966356814107, 1e-10);
    expectRel(tCdf(-2.262, 1e6), 0.011848808502723903, 1e-10);
    expect(tQuantile(0.975, Infinity)).toBe(normalQuantile(0.975));
  });

  it('gives the t density', () => {
    // scipy.stats.t.pdf(1.5, 4) = 0.12288000000000003 (= 0.375 · (1 + 2.25/4)^−2.5)
    expectRel(tPdf(1.5, 4), 0.12288000000000003, 1e-14);
  });

  it('rejects non-positive degrees of freedom', () => {
    expect(() => tCdf(1, 0)).toThrow(RangeError);
    expect(() => tQuantile(0.5, -3)).toThrow(/degrees of freedom/);
  });
});

describe('binomial', () => {
  it.each(BINOMIAL)('k = %s, n = %s, p = %s', (k, n, p, logPmf, cdf, sf) => {
    expect(Math.abs(binomialLogPmf(k, n, p) - logPmf)).toBeLessThanOrEqual(
      1e-13 * Math.max(1, Math.abs(logPmf)),
    );
    expectRel(binomialCdf(k, n, p), cdf, 1e-13);
    expectRel(binomialSf(k, n, p), sf, 1e-12);
    // ln P(X ≤ k) from whichever tail is small (ln(1 − sf) = log1p(−sf) keeps the digits)
    expectRel(binomialLogCdf(k, n, p), cdf < 0.5 ? Math.log(cdf) : Math.log1p(-sf), 1e-13);
  });

  it.each(BINOMIAL_LARGE)('ln P(X = %s), n = %s, p = %s', (k, n, p, logPmf) => {
    expect(Math.abs(binomialLogPmf(k, n, p) - logPmf)).toBeLessThanOrEqual(
      1e-13 * Math.max(1, Math.abs(logPmf)),
    );
  });

  it('sums tails accurately for n in the millions', () => {
    // mpmath (40 digits): Σ_{i≤5} C(10⁷, i) 10^(−6i) (1 − 10⁻⁶)^(10⁷−i) = 0.06708586829583847, and
    // 1 − Σ_{i≤7} … = 0.7797794885172019 (scipy.stats.binom.cdf differs from these by ~3e-10)
    expectRel(binomialCdf(5, 1e7, 1e-6), 0.06708586829583847, 1e-13);
    expectRel(binomialSf(7, 1e7, 1e-6), 0.7797794885172019, 1e-13);
  });

  it('handles the edges of the support', () => {
    expect(binomialPmf(-1, 10, 0.5)).toBe(0);
    expect(binomialPmf(11, 10, 0.5)).toBe(0);
    expect(binomialPmf(2.5, 10, 0.5)).toBe(0);
    expect(binomialCdf(-1, 10, 0.5)).toBe(0);
    expect(binomialCdf(10, 10, 0.5)).toBe(1);
    expect(binomialSf(10, 10, 0.5)).toBe(0);
    expect(binomialPmf(0, 10, 0)).toBe(1);
    expect(binomialPmf(10, 10, 1)).toBe(1);
    // P(X = 5) for n = 10, p = ½ is 252/1024
    expectRel(binomialPmf(5, 10, 0.5), 252 / 1024, 1e-14);
  });

  it('rejects invalid parameters', () => {
    expect(() => binomialPmf(1, 10, 1.2)).toThrow(RangeError);
    expect(() => binomialPmf(1, -1, 0.5)).toThrow(RangeError);
    expect(() => binomialPmf(1, 2.5, 0.5)).toThrow(RangeError);
  });
});

describe('hypergeometric', () => {
  it.each(HYPERGEOMETRIC)('k = %s, N = %s, K = %s, n = %s', (k, N, K, n, logPmf, cdf, sf) => {
    const params = { population: N, successes: K, draws: n };
    expect(Math.abs(hypergeometricLogPmf(k, params) - logPmf)).toBeLessThanOrEqual(
      1e-12 * Math.max(1, Math.abs(logPmf)),
    );
    expectRel(hypergeometricCdf(k, params), cdf, 1e-12);
    expectRel(hypergeometricSf(k, params), sf, 1e-11);
  });

  it.each(HYPERGEOMETRIC_LARGE)('ln P(X = %s), N = %s, K = %s, n = %s', (k, N, K, n, logPmf) => {
    const params = { population: N, successes: K, draws: n };
    expect(Math.abs(hypergeometricLogPmf(k, params) - logPmf)).toBeLessThanOrEqual(
      1e-13 * Math.max(1, Math.abs(logPmf)),
    );
  });

  it('sums tails accurately for a population of ten million', () => {
    // mpmath (40 digits) exact sums of C(K,i)C(N−K,n−i)/C(N,n), N = 10⁷, K = 10⁵, n = 2000
    const params = { population: 1e7, successes: 1e5, draws: 2000 };
    expectRel(hypergeometricCdf(20, params), 0.5590934215865719, 1e-13);
    expectRel(hypergeometricSf(23, params), 0.21147657225667188, 1e-13);
  });

  it('has the right support', () => {
    const params = { population: 10, successes: 8, draws: 5 };
    expect(hypergeometricPmf(2, params)).toBe(0); // at least 5 − 2 = 3 marked items must be drawn
    // P(X = 3) = C(8,3) C(2,2) / C(10,5) = 56/252
    expectRel(hypergeometricPmf(3, params), 56 / 252, 1e-14);
    expect(hypergeometricCdf(5, params)).toBe(1);
  });

  it('rejects inconsistent parameters', () => {
    expect(() => hypergeometricPmf(0, { population: 10, successes: 11, draws: 2 })).toThrow(RangeError);
    expect(() => hypergeometricPmf(0, { population: 10, successes: 1, draws: 12 })).toThrow(/draws/);
  });
});
