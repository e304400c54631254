import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  EMPTY_MOMENTS,
  addValue,
  addValues,
  mergeMoments,
  momentsToMeanStats,
  proportionToMeanStats,
  sampleVariance,
  sumsToMeanStats,
} from "~/domain/experiments/metrics";
import { expectClose } from "./helpers";

function twoPass(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.length < 2 ? 0 : xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

const values = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 60 });

describe("Moments (Welford)", () => {
  it("matches numpy's mean and sample variance", () => {
    // numpy: x = [12.5, 0, 0, 48.99, 7.25, 0, 130.0]; x.mean(), x.var(ddof=1)
    //   -> 28.391428571428573, 2311.0533476190476
    const m = addValues(EMPTY_MOMENTS, [12.5, 0, 0, 48.99, 7.25, 0, 130.0]);
    expect(m.n).toBe(7);
    expectClose(m.mean, 28.391428571428573, 1e-12);
    expectClose(sampleVariance(m), 2311.0533476190476, 1e-12);
  });

  it("stays accurate when values sit on a large offset", () => {
    // GIVEN values around 1e9 whose spread is 1 (naive sum-of-squares loses every digit here)
    const xs = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16];
    const m = addValues(EMPTY_MOMENTS, xs);
    // THEN the variance is exactly that of [4, 7, 13, 16] = 30
    expectClose(sampleVariance(m), 30, 1e-9);
  });

  it("agrees with a two-pass computation for any list of values", () => {
    fc.assert(
      fc.property(values, (xs) => {
        const m = addValues(EMPTY_MOMENTS, xs);
        const ref = twoPass(xs);
        expect(m.n).toBe(xs.length);
        if (xs.length > 0) expectClose(m.mean, ref.mean, 1e-9, 1e-6);
        expectClose(sampleVariance(m), ref.variance, 1e-8, 1e-3);
      }),
    );
  });

  it("merges daily roll-ups into the same result as accumulating every value (Chan et al.)", () => {
    fc.assert(
      fc.property(values, values, values, (a, b, c) => {
        const merged = mergeMoments(mergeMoments(addValues(EMPTY_MOMENTS, a), addValues(EMPTY_MOMENTS, b)), addValues(EMPTY_MOMENTS, c));
        const all = addValues(EMPTY_MOMENTS, [...a, ...b, ...c]);
        expect(merged.n).toBe(all.n);
        expectClose(merged.mean, all.mean, 1e-9, 1e-6);
        expectClose(merged.m2, all.m2, 1e-8, 1e-2);
      }),
    );
  });

  it("adds one value the same way as adding a list", () => {
    const one = [3, 1, 4, 1, 5].reduce(addValue, { ...EMPTY_MOMENTS });
    expect(one).toEqual(addValues(EMPTY_MOMENTS, [3, 1, 4, 1, 5]));
  });

  it("reports zero variance, not NaN, for fewer than two values", () => {
    expect(momentsToMeanStats(EMPTY_MOMENTS)).toEqual({ users: 0, mean: 0, variance: 0 });
    expect(momentsToMeanStats(addValue(EMPTY_MOMENTS, 5))).toEqual({ users: 1, mean: 5, variance: 0 });
  });
});

describe("turning aggregates into comparison inputs", () => {
  it("uses the Bernoulli sample variance p(1 − p)·n/(n − 1) for a conversion rate", () => {
    // 50 conversions of 1000: p = 0.05, variance = 0.05·0.95·1000/999
    const s = proportionToMeanStats({ users: 1000, conversions: 50 });
    expect(s.mean).toBe(0.05);
    expectClose(s.variance, (0.05 * 0.95 * 1000) / 999, 1e-14);
    // which equals the sample variance of the 0/1 values themselves
    const m = addValues(EMPTY_MOMENTS, [...new Array(50).fill(1), ...new Array(950).fill(0)]);
    expectClose(s.variance, sampleVariance(m), 1e-12);
  });

  it("derives mean and sample variance from users, sum and sum of squares", () => {
    const xs = [12.5, 0, 0, 48.99, 7.25, 0, 130.0];
    const s = sumsToMeanStats({ users: xs.length, sum: xs.reduce((a, b) => a + b, 0), sumSquares: xs.reduce((a, b) => a + b * b, 0) });
    expectClose(s.mean, 28.391428571428573, 1e-12);
    expectClose(s.variance, 2311.0533476190476, 1e-10);
  });

  it("gives defined numbers for empty arms", () => {
    expect(proportionToMeanStats({ users: 0, conversions: 0 })).toEqual({ users: 0, mean: 0, variance: 0 });
    expect(sumsToMeanStats({ users: 0, sum: 0, sumSquares: 0 })).toEqual({ users: 0, mean: 0, variance: 0 });
  });
});
