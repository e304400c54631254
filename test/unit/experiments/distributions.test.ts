import { describe, expect, it } from "vitest";
import { chiSquareSurvival, normalCdf, normalQuantile, studentTCdf, studentTQuantile, studentTSurvival } from "~/domain/experiments/distributions";
import { expectClose } from "./helpers";

// Reference values from scipy 1.17:
//   from scipy import stats
//   stats.t.sf(t, df); stats.t.ppf(p, df); stats.chi2.sf(x, k); stats.norm.ppf(p); stats.norm.cdf(x)
const T_SURVIVAL: [t: number, df: number, expected: number][] = [
  [2.5, 1, 0.12111894159084341],
  [2.5, 2, 0.06480586011075541],
  [-1.3, 3.5, 0.8637022920978149],
  [0.7, 10, 0.2499437850864422],
  [4.2, 100, 2.901367741979329e-5],
  [1.96, 1e4, 0.025011760115916513],
  [3, 1e6, 0.0013499312707109],
  [8, 30, 3.1329112378503795e-9],
  [12, 1e7, 1.777416025467323e-33],
  [0.01, 5, 0.49620400902129097],
];

const T_QUANTILE: [p: number, df: number, expected: number][] = [
  [0.975, 1, 12.706204736174694],
  [0.975, 2, 4.302652729749462],
  [0.975, 3.5, 2.9400886379827282],
  [0.995, 7, 3.4994832973504924],
  [0.975, 29.3, 2.044320421500141],
  [0.975, 1e4, 1.960201239890626],
  [0.975, 1e6, 1.959966356814107],
  [0.025, 12, -2.1788128296672293],
  [1e-10, 5, -156.82559270889433],
  [0.999999, 4, 41.5778541501515],
];

const CHI2_SURVIVAL: [x: number, k: number, expected: number][] = [
  [3.2, 1, 0.07363827012030258],
  [10, 3, 0.01856613546304325],
  [150, 99, 0.0007204453957169282],
  [0.5, 4, 0.9735009788392561],
  [1000, 2, 7.124576406741474e-218],
  [30, 20, 0.06985366069940986],
];

describe("Student t distribution", () => {
  it.each(T_SURVIVAL)("P(T > %d) with %d degrees of freedom matches scipy", (t, df, expected) => {
    expectClose(studentTSurvival(t, df), expected, 1e-8, 0);
    expectClose(studentTCdf(-t, df), expected, 1e-8, 0);
  });

  it.each(T_QUANTILE)("the %d quantile with %d degrees of freedom matches scipy", (p, df, expected) => {
    expectClose(studentTQuantile(p, df), expected, 1e-9);
  });

  it("inverts its own CDF across degrees of freedom and probabilities", () => {
    for (const df of [1, 1.5, 2, 3, 7.25, 40, 1000, 123456]) {
      for (const p of [1e-6, 0.01, 0.2, 0.5, 0.8, 0.975, 0.999]) {
        expectClose(studentTCdf(studentTQuantile(p, df), df), p, 1e-9);
      }
    }
  });
});

describe("chi-square distribution", () => {
  it.each(CHI2_SURVIVAL)("P(X > %d) with %d degrees of freedom matches scipy", (x, k, expected) => {
    expectClose(chiSquareSurvival(x, k), expected, 1e-9, 0);
  });

  it("is 1 at and below zero", () => {
    expect(chiSquareSurvival(0, 3)).toBe(1);
  });
});

describe("normal distribution", () => {
  it("matches scipy's quantiles and CDF", () => {
    expectClose(normalQuantile(0.8), 0.8416212335729143, 1e-12);
    expectClose(normalQuantile(0.975), 1.959963984540054, 1e-12);
    expectClose(normalQuantile(0.999), 3.090232306167813, 1e-12);
    expectClose(normalQuantile(1e-8), -5.612001244174789, 1e-12);
    expectClose(normalQuantile(0.3), -0.5244005127080409, 1e-12);
    expect(normalQuantile(0.5)).toBe(0);
    expectClose(normalCdf(1.5), 0.9331927987311419, 1e-12);
    expectClose(normalCdf(-3), 0.0013498980316300933, 1e-12);
    expectClose(normalCdf(-9), 1.1285884059538324e-19, 1e-10);
  });
});
