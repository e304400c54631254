import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareArms, compareArmsMeans, compareMeans, compareProportions, sampleRatioMismatch } from "~/domain/experiments/stats";
import type { CompareOptions, MeanStats, ProportionStats } from "~/domain/experiments/types";
import { expectClose } from "./helpers";
import { mulberry32 } from "./random";

const OPTIONS: CompareOptions[] = [
  {},
  { alpha: 0.1 },
  { alpha: 0.01 },
  { sequential: true },
  { alpha: 0.05, sequential: { tuning: 20000 } },
  { alpha: 0.1, sequential: { tuning: 100 } },
];

const PROPORTION_PAIRS: [ProportionStats, ProportionStats][] = [
  [
    { users: 1000, conversions: 50 },
    { users: 1100, conversions: 70 },
  ],
  [
    { users: 250000, conversions: 5000 },
    { users: 250000, conversions: 4600 },
  ],
  [
    { users: 30, conversions: 2 },
    { users: 5, conversions: 4 },
  ],
  [
    { users: 1, conversions: 0 },
    { users: 10, conversions: 3 },
  ],
  [
    { users: 100, conversions: 0 },
    { users: 100, conversions: 3 },
  ],
  [
    { users: 10, conversions: 11 },
    { users: 10, conversions: 3 },
  ],
];

const MEAN_PAIRS: [MeanStats, MeanStats][] = [
  [
    { users: 200, mean: 35.0, variance: 1200.0 },
    { users: 1800, mean: 38.5, variance: 1500.0 },
  ],
  [
    { users: 6, mean: 2.0, variance: 0.3 },
    { users: 9, mean: 3.4, variance: 0.6 },
  ],
  [
    { users: 50, mean: 0, variance: 0 },
    { users: 50, mean: 1, variance: 2 },
  ],
];

describe("compareArms with one treatment", () => {
  it.each(PROPORTION_PAIRS.flatMap(([c, t]) => OPTIONS.map((o) => [c, t, o] as const)))(
    "gives compareProportions' result for %j vs %j with %j",
    (control, treatment, options) => {
      expect(compareArms(control, [treatment], options)).toEqual([compareProportions(control, treatment, options)]);
    },
  );

  it.each(MEAN_PAIRS.flatMap(([c, t]) => OPTIONS.map((o) => [c, t, o] as const)))(
    "compareArmsMeans gives compareMeans' result for %j vs %j with %j",
    (control, treatment, options) => {
      expect(compareArmsMeans(control, [treatment], options)).toEqual([compareMeans(control, treatment, options)]);
    },
  );

  it("agrees with compareProportions for arbitrary counts and options", () => {
    const arm = fc.integer({ min: 0, max: 100000 }).chain((users) => fc.record({ users: fc.constant(users), conversions: fc.integer({ min: 0, max: users }) }));
    const options = fc.record(
      {
        alpha: fc.double({ min: 0.001, max: 0.5, noNaN: true }),
        sequential: fc.oneof(fc.boolean(), fc.record({ tuning: fc.integer({ min: 1, max: 1e6 }) })),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(arm, arm, options, (control, treatment, o) => {
        expect(compareArms(control, [treatment], o)).toEqual([compareProportions(control, treatment, o)]);
      }),
    );
  });
});

describe("compareArms with several treatments (Bonferroni)", () => {
  const control = { users: 20000, conversions: 1000 };
  const treatments = [
    { users: 20000, conversions: 1150 },
    { users: 20000, conversions: 1010 },
    { users: 19800, conversions: 900 },
  ];

  it.each(OPTIONS)("is each two-arm comparison at alpha / k, with the p-value multiplied by k (%j)", (options) => {
    // GIVEN three treatments
    const results = compareArms(control, treatments, options);
    const alpha = options.alpha ?? 0.05;
    expect(results).toHaveLength(3);
    results.forEach((result, i) => {
      // THEN the intervals are the two-arm ones at alpha / 3
      const single = compareProportions(control, treatments[i], { ...options, alpha: alpha / 3 });
      expect(result.ci).toEqual(single.ci);
      expect(result.relativeCi).toEqual(single.relativeCi);
      expect(result.absoluteLift).toBe(single.absoluteLift);
      expect(result.relativeLift).toBe(single.relativeLift);
      expect(result.significant).toBe(single.significant);
      // AND the p-value is the Bonferroni-adjusted one, judged against the family's alpha
      expectClose(result.pValue, Math.min(1, 3 * single.pValue), 1e-12);
      if (result.reason === undefined) expect(result.significant).toBe(result.pValue < alpha);
    });
  });

  it("has wider intervals than the unadjusted two-arm test: the price of the family-wise guarantee", () => {
    for (const options of OPTIONS) {
      const [first] = compareArms(control, treatments, options);
      const single = compareProportions(control, treatments[0], options);
      expect(first.ci[1] - first.ci[0]).toBeGreaterThan(single.ci[1] - single.ci[0]);
    }
  });

  it("can leave a lift unconfirmed that the unadjusted test would call", () => {
    // GIVEN a +15 % lift on 5 % with 20 000 users per arm, significant on its own at 0.05
    const single = compareProportions(control, treatments[0], { sequential: true });
    expect(single.significant).toBe(true);
    // THEN as one of three treatments it is not (yet) significant in sequential mode
    expect(compareArms(control, treatments, { sequential: true })[0].significant).toBe(false);
    // AND is in the fixed-horizon one, where the lift is large enough for alpha / 3
    expect(compareArms(control, treatments)[0].significant).toBe(true);
  });

  it("compares revenue per visitor the same way", () => {
    const c = { users: 4000, mean: 2.1, variance: 90 };
    const ts = [
      { users: 4000, mean: 2.9, variance: 110 },
      { users: 4100, mean: 2.0, variance: 85 },
    ];
    for (const options of OPTIONS) {
      const results = compareArmsMeans(c, ts, options);
      const alpha = options.alpha ?? 0.05;
      results.forEach((result, i) => {
        const single = compareMeans(c, ts[i], { ...options, alpha: alpha / 2 });
        expect(result).toEqual({ ...single, pValue: Math.min(1, 2 * single.pValue) });
      });
    }
  });

  it("judges a degenerate arm on its own and still counts it in the family", () => {
    // GIVEN one treatment with no users yet and one with a large lift
    const results = compareArms(
      { users: 5000, conversions: 250 },
      [
        { users: 0, conversions: 0 },
        { users: 5000, conversions: 400 },
      ],
      { sequential: true },
    );
    expect(results[0]).toMatchObject({ significant: false, reason: "not_enough_users", pValue: 1 });
    // THEN the other is judged at alpha / 2
    const single = compareProportions({ users: 5000, conversions: 250 }, { users: 5000, conversions: 400 }, { alpha: 0.025, sequential: true });
    expect(results[1].ci).toEqual(single.ci);
  });

  it("returns invalid_input for every arm when the options are out of range, as the two-arm functions do", () => {
    for (const options of [{ alpha: 0 }, { alpha: 1 }, { alpha: 1.5 }, { alpha: NaN }, { sequential: { tuning: 0 } }, { sequential: { tuning: -5 } }]) {
      const results = compareArms(control, treatments, options);
      expect(results).toHaveLength(3);
      for (const r of results) expect(r).toMatchObject({ significant: false, reason: "invalid_input", pValue: 1 });
      // alpha 1.5 / 3 would be in range: the family's alpha is checked, not the per-arm one
      expect(compareArms(control, [treatments[0]], options)).toEqual([compareProportions(control, treatments[0], options)]);
    }
  });

  it("throws a RangeError without treatments: a comparison needs something to compare", () => {
    expect(() => compareArms(control, [])).toThrow(RangeError);
    expect(() => compareArms(control, [])).toThrow("at least one treatment");
    expect(() => compareArmsMeans({ users: 10, mean: 1, variance: 1 }, [])).toThrow(RangeError);
    expect(() => compareArms(control, undefined as unknown as ProportionStats[])).toThrow(RangeError);
  });

  it("never returns NaN or Infinity and never throws for arbitrary arms", () => {
    const num = fc.oneof(fc.double(), fc.integer({ min: -10, max: 1e6 }));
    const arm = fc.record({ users: num, conversions: num });
    fc.assert(
      fc.property(arm, fc.array(arm, { minLength: 1, maxLength: 6 }), fc.boolean(), (c, ts, sequential) => {
        const results = compareArms(c, ts, { sequential });
        expect(results).toHaveLength(ts.length);
        for (const r of results) {
          for (const x of [r.absoluteLift, r.relativeLift, ...r.ci, ...r.relativeCi, r.pValue]) expect(Number.isFinite(x)).toBe(true);
          expect(r.pValue).toBeGreaterThanOrEqual(0);
          expect(r.pValue).toBeLessThanOrEqual(1);
        }
      }),
    );
  });
});

/** Multinomial counts of `total` users over `weights`, drawn arm by arm (normal approximation). */
function multinomial(random: () => number, total: number, weights: number[]): number[] {
  const out: number[] = [];
  let left = total;
  let weightLeft = weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) {
    if (i === weights.length - 1) {
      out.push(left);
      break;
    }
    const p = weights[i] / weightLeft;
    // Box–Muller
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const n = Math.min(left, Math.max(0, Math.round(left * p + z * Math.sqrt(left * p * (1 - p)))));
    out.push(n);
    left -= n;
    weightLeft -= weights[i];
  }
  return out;
}

describe("sample-ratio check over every arm", () => {
  // A 10 % holdout (the control) and four treatments sharing the rest equally.
  const weights = [10, 22.5, 22.5, 22.5, 22.5];
  const total = 1_000_000;

  it("is a chi-square test over all arms: four degrees of freedom for five arms", () => {
    // GIVEN counts off by a known amount; scipy.stats.chisquare([101000, 224000, 225000, 226500, 223500],
    // f_exp=[100000, 225000, 225000, 225000, 225000]) → statistic 34.44, p = 6.0406720917e-07
    const r = sampleRatioMismatch([101000, 224000, 225000, 226500, 223500], weights);
    expectClose(r.pValue, 6.040672091745428e-7, 1e-9);
    expect(r.mismatch).toBe(true);
  });

  it("catches one treatment arm 2 % short at a million users", () => {
    // GIVEN arm 3 lost 2 % of its users (4 500) to the other arms in proportion to their weights
    const expected = weights.map((w) => (total * w) / 100);
    const lost = expected[3] * 0.02;
    const observed = expected.map((e, i) => (i === 3 ? e - lost : e + (lost * weights[i]) / (100 - weights[3])));
    const r = sampleRatioMismatch(observed.map(Math.round), weights);
    expect(r.mismatch).toBe(true);
    expect(r.pValue).toBeLessThan(1e-15);
  });

  it("catches a holdout 2 % short at a million users", () => {
    const observed = [98000, 225500, 225500, 225500, 225500];
    expect(sampleRatioMismatch(observed, weights).mismatch).toBe(true);
  });

  it("passes a correct split, with false alarms near its 0.001 threshold", () => {
    // GIVEN 2 000 correctly assigned experiments of a million users each
    const random = mulberry32(31);
    let alarms = 0;
    let pBelowHalf = 0;
    const runs = 2000;
    for (let r = 0; r < runs; r++) {
      const result = sampleRatioMismatch(multinomial(random, total, weights), weights);
      if (result.mismatch) alarms++;
      if (result.pValue < 0.5) pBelowHalf++;
    }
    console.log(`SRM, 5 arms, correct split, ${runs} runs of ${total} users: ${alarms} false alarms; p < 0.5 in ${pBelowHalf}`);
    // THEN almost none is flagged (expected 2), and the p-values are roughly uniform
    expect(alarms).toBeLessThanOrEqual(8);
    expect(pBelowHalf / runs).toBeGreaterThan(0.45);
    expect(pBelowHalf / runs).toBeLessThan(0.55);
  });

  it("passes the exact configured split of control and three treatments", () => {
    expect(sampleRatioMismatch([2500, 2500, 2500, 2500], [1, 1, 1, 1])).toEqual({ pValue: 1, mismatch: false });
    expect(sampleRatioMismatch([2510, 2480, 2495, 2515], [1, 1, 1, 1]).mismatch).toBe(false);
  });
});
