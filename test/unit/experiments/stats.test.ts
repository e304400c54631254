import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareMeans, compareProportions, sampleRatioMismatch } from "~/domain/experiments/stats";
import type { ComparisonResult } from "~/domain/experiments/types";
import { expectClose } from "./helpers";

type Expected = [pValue: number, ciLow: number, ciHigh: number, relLow: number, relHigh: number];

/*
 * Fixed-horizon references, from scipy (Welch's t-test) and the delta method in numpy:
 *
 *   import numpy as np
 *   from scipy import stats
 *   def welch(nA, mA, vA, nB, mB, vB, alpha=0.05):
 *       r = stats.ttest_ind_from_stats(mB, np.sqrt(vB), nB, mA, np.sqrt(vA), nA, equal_var=False)
 *       sA, sB = vA / nA, vB / nB
 *       df = (sA + sB) ** 2 / (sA ** 2 / (nA - 1) + sB ** 2 / (nB - 1))
 *       tc = stats.t.ppf(1 - alpha / 2, df)
 *       d, rel = mB - mA, mB / mA - 1
 *       rse = np.sqrt(vB / (nB * mA ** 2) + vA * mB ** 2 / (nA * mA ** 4))
 *       return [r.pvalue, d - tc * np.sqrt(sA + sB), d + tc * np.sqrt(sA + sB), rel - tc * rse, rel + tc * rse]
 *   def bern(n, c):
 *       p = c / n
 *       return (n, p, p * (1 - p) * n / (n - 1))
 */
const MEANS: [control: [number, number, number], treatment: [number, number, number], alpha: number, expected: Expected][] = [
  [[5, 10.0, 4.0], [7, 12.5, 9.0], 0.05, [0.1141535302145684, -0.7183697956815345, 5.718369795681534, -0.10486134521265267, 0.6048613452126527]],
  [[30, 48.2, 210.5], [12, 41.7, 95.3], 0.05, [0.10318237541562215, -14.397493343598747, 1.3974933435987458, -0.28873408108496557, 0.019024537516500878]],
  [[12, 3.1, 0.8], [25, 3.05, 1.7], 0.05, [0.892521327967447, -0.7990467230474535, 0.699046723047453, -0.2558356075717019, 0.22357754305557262]],
  [[200, 35.0, 1200.0], [1800, 38.5, 1500.0], 0.05, [0.1817800853368814, -1.6476602739539157, 8.647660273953916, -0.06006237023135347, 0.26006237023135365]],
  [[8, 1.0, 0.5], [8, 1.0, 0.5], 0.05, [1.0, -0.7582966056126573, 0.7582966056126573, -0.7582966056126573, 0.7582966056126573]],
  [[6, 2.0, 0.3], [9, 3.4, 0.6], 0.05, [0.0012765735768539856, 0.6614808267885561, 2.138519173211444, 0.20321203460287618, 1.1967879653971236]],
  [[15, 20.0, 25.0], [15, 16.0, 4.0], 0.1, [0.009891495873722329, -6.408502117486517, -1.5914978825134827, -0.30000760703770823, -0.09999239296229165]],
];

const PROPORTIONS: [control: [number, number], treatment: [number, number], alpha: number, expected: Expected][] = [
  [[1000, 50], [1100, 70], 0.05, [0.17660157397299897, -0.006147062161825853, 0.03341978943455311, -0.17659610107692753, 0.7220506465314724]],
  [[5000, 300], [4800, 250], 0.05, [0.08830424236842352, -0.01702054377461852, 0.0011872104412851952, -0.2735576042962131, 0.00966871540732428]],
  [[20, 3], [25, 8], 0.05, [0.18300012973753393, -0.08331937152607868, 0.4233193715260787, -1.542433980984252, 3.8091006476509186]],
  [[10, 1], [30, 2], 0.1, [0.7670534412652706, -0.22840081183139294, 0.16173414516472623, -1.7702099012937933, 1.1035432346271263]],
  [[100000, 2000], [900000, 18900], 0.01, [0.032549193415257235, -0.000205014768435438, 0.0022050147684354398, -0.012955561426049686, 0.11295556142604977]],
  [[1000, 50], [1000, 80], 0.05, [0.0064930674515202794, 0.008407008491047648, 0.05159299150895235, 0.05170959641883943, 1.1482904035811603]],
  [[30, 2], [5, 4], 0.05, [0.019581320661634604, 0.18489767245052868, 1.281768994216138, -12.6718452787354, 34.671845278735404]],
  [[250000, 5000], [250000, 4600], 0.05, [3.751523168073383e-5, -0.002360726366584936, -0.0008392736334150655, -0.11648439482736558, -0.043515605172634565]],
];

/*
 * Sequential references: GrowthBook's SequentialTwoSidedTTest written out in numpy, in its own
 * algebraic form (2·ln(√(Nρ²+1)/α) rather than ln((Nρ²+1)/α²)):
 *
 *   def seq(nA, mA, vA, nB, mB, vB, alpha=0.05, tuning=5000):
 *       N = nA + nB
 *       rho = np.sqrt((-2 * np.log(alpha) + np.log(-2 * np.log(alpha) + 1)) / tuning)
 *       def hw(var_est):
 *           s2 = var_est * N
 *           return np.sqrt(s2) * np.sqrt(2 * (N * rho**2 + 1) * np.log(np.sqrt(N * rho**2 + 1) / alpha) / (N * rho) ** 2)
 *       d, rel = mB - mA, mB / mA - 1
 *       var_abs = vA / nA + vB / nB
 *       var_rel = vB / (nB * mA**2) + vA * mB**2 / (nA * mA**4)
 *       st2 = d**2 * N / var_abs
 *       tr2p1 = N * rho**2 + 1
 *       p = min(1.0, 1 / (np.exp(rho**2 * st2 / (2 * tr2p1)) / np.sqrt(tr2p1)))
 *       return [p, d - hw(var_abs), d + hw(var_abs), rel - hw(var_rel), rel + hw(var_rel)]
 */
const SEQUENTIAL_PROPORTIONS: [control: [number, number], treatment: [number, number], alpha: number, tuning: number, expected: Expected][] = [
  [[1000, 50], [1000, 80], 0.05, 5000, [0.1214249200490963, -0.0043929668565281035, 0.0643929668565281, -0.2733080671245165, 1.4733080671245162]],
  [[5000, 300], [4800, 250], 0.05, 5000, [1.0, -0.02212849169533859, 0.006295158362005265, -0.3530130535332885, 0.08912416464439962]],
  [
    [250000, 5000],
    [250000, 4600],
    0.05,
    5000,
    [0.0058162576911948895, -0.0029823864620627484, -0.0002176135379372533, -0.14629917891806254, -0.013700821081937598],
  ],
  [[20000, 1000], [20000, 1150], 0.05, 5000, [0.03466513598271336, 0.000256643388995296, 0.014743356611004704, -0.0053956512353748876, 0.3053956512353747]],
  [[20000, 1000], [20000, 1150], 0.1, 20000, [0.0219517320569529, 0.0012062837011004692, 0.013793716298899531, 0.01497749655562955, 0.2850225034443703]],
];
const SEQUENTIAL_MEANS: [control: [number, number, number], treatment: [number, number, number], alpha: number, tuning: number, expected: Expected][] = [
  [[200, 35.0, 1200.0], [1800, 38.5, 1500.0], 0.05, 5000, [1.0, -4.6657601029844145, 11.665760102984414, -0.15390776532740708, 0.35390776532740725]],
  [[6, 2.0, 0.3], [9, 3.4, 0.6], 0.05, 100, [0.015404783171205052, 0.19396671075205973, 2.6060332892479403, -0.11127592308987455, 1.5112759230898745]],
];

function expectMatches(result: ComparisonResult, expected: Expected, alpha: number) {
  const [pValue, lo, hi, relLo, relHi] = expected;
  expectClose(result.pValue, pValue, 1e-6);
  expectClose(result.ci[0], lo, 1e-6);
  expectClose(result.ci[1], hi, 1e-6);
  expectClose(result.relativeCi[0], relLo, 1e-6);
  expectClose(result.relativeCi[1], relHi, 1e-6);
  expect(result.significant).toBe(lo > 0 || hi < 0);
  expect(result.reason).toBeUndefined();
  if (result.significant) expect(result.pValue).toBeLessThan(alpha);
}

function expectDefined(r: ComparisonResult) {
  for (const x of [r.absoluteLift, r.relativeLift, ...r.ci, ...r.relativeCi, r.pValue]) expect(Number.isFinite(x)).toBe(true);
  expect(r.pValue).toBeGreaterThanOrEqual(0);
  expect(r.pValue).toBeLessThanOrEqual(1);
}

describe("compareMeans (fixed horizon, Welch)", () => {
  it.each(MEANS)("control %j vs treatment %j at alpha %d matches scipy", (c, t, alpha, expected) => {
    const control = { users: c[0], mean: c[1], variance: c[2] };
    const treatment = { users: t[0], mean: t[1], variance: t[2] };
    const r = compareMeans(control, treatment, { alpha });
    expectClose(r.absoluteLift, t[1] - c[1], 1e-12);
    expectClose(r.relativeLift, t[1] / c[1] - 1, 1e-12);
    expectMatches(r, expected, alpha);
  });
});

describe("compareProportions (fixed horizon, Welch on Bernoulli variances)", () => {
  it.each(PROPORTIONS)("control %j vs treatment %j at alpha %d matches scipy", (c, t, alpha, expected) => {
    const r = compareProportions({ users: c[0], conversions: c[1] }, { users: t[0], conversions: t[1] }, { alpha });
    expectClose(r.absoluteLift, t[1] / t[0] - c[1] / c[0], 1e-12);
    expectMatches(r, expected, alpha);
  });

  it("uses alpha = 0.05 when none is given", () => {
    const a = compareProportions({ users: 1000, conversions: 50 }, { users: 1000, conversions: 80 });
    const b = compareProportions({ users: 1000, conversions: 50 }, { users: 1000, conversions: 80 }, { alpha: 0.05 });
    expect(a).toEqual(b);
    expect(a.significant).toBe(true);
  });

  it("reports a significant drop as a negative lift with an interval below zero", () => {
    const r = compareProportions({ users: 250000, conversions: 5000 }, { users: 250000, conversions: 4600 });
    expect(r.absoluteLift).toBeLessThan(0);
    expect(r.ci[1]).toBeLessThan(0);
    expect(r.significant).toBe(true);
  });
});

describe("sequential confidence sequences", () => {
  it.each(SEQUENTIAL_PROPORTIONS)("control %j vs treatment %j at alpha %d, tuning %d, matches GrowthBook's formula", (c, t, alpha, tuning, expected) => {
    const r = compareProportions({ users: c[0], conversions: c[1] }, { users: t[0], conversions: t[1] }, { alpha, sequential: { tuning } });
    expectMatches(r, expected, alpha);
  });

  it.each(SEQUENTIAL_MEANS)("means %j vs %j at alpha %d, tuning %d, match GrowthBook's formula", (c, t, alpha, tuning, expected) => {
    const r = compareMeans({ users: c[0], mean: c[1], variance: c[2] }, { users: t[0], mean: t[1], variance: t[2] }, { alpha, sequential: { tuning } });
    expectMatches(r, expected, alpha);
  });

  it("defaults the tuning parameter to 5000", () => {
    const c = { users: 1000, conversions: 50 };
    const t = { users: 1000, conversions: 80 };
    expect(compareProportions(c, t, { sequential: true })).toEqual(compareProportions(c, t, { sequential: { tuning: 5000 } }));
    expect(compareProportions(c, t, { sequential: {} })).toEqual(compareProportions(c, t, { sequential: { tuning: 5000 } }));
  });

  it("is wider than the fixed-horizon interval, the price of peeking", () => {
    const c = { users: 1000, conversions: 50 };
    const t = { users: 1000, conversions: 80 };
    const fixed = compareProportions(c, t);
    const seq = compareProportions(c, t, { sequential: true });
    expect(seq.ci[1] - seq.ci[0]).toBeGreaterThan(fixed.ci[1] - fixed.ci[0]);
    // GIVEN the same data, THEN the fixed test calls it and the sequential one waits
    expect(fixed.significant).toBe(true);
    expect(seq.significant).toBe(false);
  });

  it("follows the absolute confidence sequence for significance, even when the relative one crosses zero", () => {
    // 20000/1000 vs 20000/1150: the absolute CS is [0.00026, 0.0147], the relative one [-0.0054, 0.305]
    const r = compareProportions({ users: 20000, conversions: 1000 }, { users: 20000, conversions: 1150 }, { sequential: true });
    expect(r.ci[0]).toBeGreaterThan(0);
    expect(r.relativeCi[0]).toBeLessThan(0);
    expect(r.significant).toBe(true);
  });
});

describe("degenerate input", () => {
  const cases: [string, () => ComparisonResult, string][] = [
    ["no users at all", () => compareProportions({ users: 0, conversions: 0 }, { users: 0, conversions: 0 }), "not_enough_users"],
    ["no users in one arm", () => compareProportions({ users: 0, conversions: 0 }, { users: 500, conversions: 20 }), "not_enough_users"],
    ["one user per arm", () => compareProportions({ users: 1, conversions: 0 }, { users: 1, conversions: 1 }), "not_enough_users"],
    ["one user in a mean arm", () => compareMeans({ users: 1, mean: 10, variance: 0 }, { users: 50, mean: 12, variance: 4 }), "not_enough_users"],
    ["nobody converted anywhere", () => compareProportions({ users: 800, conversions: 0 }, { users: 800, conversions: 0 }), "no_variance"],
    ["everybody converted everywhere", () => compareProportions({ users: 80, conversions: 80 }, { users: 90, conversions: 90 }), "no_variance"],
    ["constant but different means", () => compareMeans({ users: 10, mean: 5, variance: 0 }, { users: 10, mean: 6, variance: 0 }), "no_variance"],
    ["a control rate of 0", () => compareProportions({ users: 1000, conversions: 0 }, { users: 1000, conversions: 12 }), "control_is_zero"],
    ["a control mean of 0", () => compareMeans({ users: 100, mean: 0, variance: 3 }, { users: 100, mean: 1, variance: 3 }), "control_is_zero"],
    ["more conversions than users", () => compareProportions({ users: 10, conversions: 11 }, { users: 10, conversions: 1 }), "invalid_input"],
    ["negative users", () => compareProportions({ users: -5, conversions: 0 }, { users: 10, conversions: 1 }), "invalid_input"],
    ["NaN in a mean", () => compareMeans({ users: 10, mean: Number.NaN, variance: 1 }, { users: 10, mean: 1, variance: 1 }), "invalid_input"],
    ["an infinite variance", () => compareMeans({ users: 10, mean: 1, variance: Infinity }, { users: 10, mean: 1, variance: 1 }), "invalid_input"],
    ["a negative variance", () => compareMeans({ users: 10, mean: 1, variance: -1 }, { users: 10, mean: 1, variance: 1 }), "invalid_input"],
    ["alpha of 0", () => compareProportions({ users: 100, conversions: 5 }, { users: 100, conversions: 9 }, { alpha: 0 }), "invalid_input"],
    ["alpha above 1", () => compareProportions({ users: 100, conversions: 5 }, { users: 100, conversions: 9 }, { alpha: 5 }), "invalid_input"],
    ["a tuning of 0", () => compareProportions({ users: 100, conversions: 5 }, { users: 100, conversions: 9 }, { sequential: { tuning: 0 } }), "invalid_input"],
  ];

  it.each(cases)("%s gives finite numbers, significant: false and a reason", (_, run, reason) => {
    const r = run();
    expectDefined(r);
    expect(r.significant).toBe(false);
    expect(r.reason).toBe(reason);
  });

  it("still reports the lift it can compute when the sample is too small to judge", () => {
    const r = compareProportions({ users: 1, conversions: 0 }, { users: 1, conversions: 1 });
    expect(r.absoluteLift).toBe(1);
    expect(r.pValue).toBe(1);
  });

  it("keeps the absolute comparison when only the relative lift is undefined", () => {
    const r = compareProportions({ users: 1000, conversions: 0 }, { users: 1000, conversions: 12 });
    expect(r.absoluteLift).toBeCloseTo(0.012, 12);
    expect(r.ci[0]).toBeLessThan(r.absoluteLift);
    expect(r.pValue).toBeLessThan(0.05);
    expect(r.relativeLift).toBe(0);
    expect(r.relativeCi).toEqual([0, 0]);
  });

  it("handles a treatment arm with no variance against a control that has some", () => {
    // scipy: ttest_ind_from_stats(1.0, 0, 100, 0.97, sqrt(0.97*0.03*100/99), 100, equal_var=False).pvalue
    //   -> 0.08324862524496077 (df = 99)
    const r = compareProportions({ users: 100, conversions: 97 }, { users: 100, conversions: 100 });
    expectDefined(r);
    expect(r.reason).toBeUndefined();
    expectClose(r.pValue, 0.08324862524496077, 1e-6);
  });

  it("never returns NaN or Infinity for any well-formed counts", () => {
    const arm = fc
      .integer({ min: 0, max: 1_000_000 })
      .chain((users) => fc.record({ users: fc.constant(users), conversions: fc.integer({ min: 0, max: users }) }));
    fc.assert(
      fc.property(arm, arm, fc.boolean(), (c, t, sequential) => {
        const r = compareProportions(c, t, { sequential });
        expectDefined(r);
        if (r.reason === undefined) expect(r.ci[0]).toBeLessThanOrEqual(r.ci[1]);
      }),
    );
  });

  it("never throws or returns NaN for arbitrary numbers", () => {
    const num = fc.oneof(fc.double(), fc.integer());
    fc.assert(
      fc.property(num, num, num, num, num, num, (a, b, c, d, e, f) => {
        expectDefined(compareMeans({ users: a, mean: b, variance: c }, { users: d, mean: e, variance: f }, { sequential: a > 0 }));
        expectDefined(compareProportions({ users: a, conversions: b }, { users: d, conversions: e }));
      }),
    );
  });
});

/*
 * scipy references:
 *   def srm(obs, w):
 *       obs, w = np.array(obs, float), np.array(w, float)
 *       return stats.chisquare(obs, f_exp=obs.sum() * w / w.sum()).pvalue
 */
const SRM: [observed: number[], weights: number[], pValue: number][] = [
  [[5050, 4950], [1, 1], 0.31731050786291115],
  [[5200, 4800], [50, 50], 6.334248366623988e-5],
  [[1000, 9150], [0.1, 0.9], 0.6196886446592135],
  [[1130, 8870], [10, 90], 1.4686847673789387e-5],
  [[3400, 3300, 3350], [1, 1, 1], 0.4741324069602937],
  [[3, 7], [1, 1], 0.20590321073206466],
  [[50210, 49790], [1, 1], 0.1841263727849757],
];

describe("sampleRatioMismatch", () => {
  it.each(SRM)("observed %j against weights %j matches scipy.stats.chisquare", (observed, weights, pValue) => {
    const r = sampleRatioMismatch(observed, weights);
    expectClose(r.pValue, pValue, 1e-9);
    expect(r.mismatch).toBe(pValue < 0.001);
  });

  it("flags a 10 % holdout that received 11.3 % of the traffic", () => {
    expect(sampleRatioMismatch([1130, 8870], [10, 90]).mismatch).toBe(true);
  });

  it("flags users in an arm that should get no traffic", () => {
    expect(sampleRatioMismatch([10, 990], [0, 1])).toEqual({ pValue: 0, mismatch: true });
  });

  it("gives a defined, non-alarming answer with no users or malformed input", () => {
    expect(sampleRatioMismatch([0, 0], [1, 1])).toEqual({ pValue: 1, mismatch: false, reason: "no_users" });
    expect(sampleRatioMismatch([10], [1])).toMatchObject({ pValue: 1, mismatch: false, reason: "invalid_input" });
    expect(sampleRatioMismatch([10, 20], [1])).toMatchObject({ mismatch: false, reason: "invalid_input" });
    expect(sampleRatioMismatch([10, -1], [1, 1])).toMatchObject({ mismatch: false, reason: "invalid_input" });
    expect(sampleRatioMismatch([10, 20], [0, 0])).toMatchObject({ mismatch: false, reason: "invalid_input" });
  });
});
