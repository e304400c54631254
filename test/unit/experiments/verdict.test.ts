import { describe, expect, it } from "vitest";
import { visitorsNeeded, visitorsNeededForMean, visitorsNeededForMeanSplit, visitorsNeededForProportionSplit } from "~/domain/experiments/power";
import { verdict } from "~/domain/experiments/verdict";

/*
 * References computed with scipy's normal quantiles:
 *   def n_prop(p1, mde=0.1, alpha=0.05, power=0.8, share=0.5):
 *       k = share / (1 - share)
 *       p2 = p1 * (1 + mde); pbar = (p1 + k * p2) / (1 + k)
 *       za, zb = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
 *       nA = (za * np.sqrt(pbar * (1 - pbar) * (1 + 1 / k)) + zb * np.sqrt(p1 * (1 - p1) + p2 * (1 - p2) / k)) ** 2 / (p2 - p1) ** 2
 *       return nA, k * nA
 *   def n_mean(mu, var, mde=0.1, alpha=0.05, power=0.8, share=0.5):
 *       k = share / (1 - share)
 *       nA = (stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)) ** 2 * var * (1 + 1 / k) / (mu * mde) ** 2
 *       return nA, k * nA
 *
 *   n_prop(0.05)                               -> 31233.437940129952 per arm
 *   n_prop(0.02, mde=0.2)                      -> 21108.383070391657
 *   n_prop(0.3, mde=-0.1, alpha=0.01, power=0.9) -> 6735.410317698883
 *   n_prop(0.05, share=0.9)                    -> 17595.46168272691, 158359.15514454222
 *   n_mean(40, 1600)                           -> 1569.7759468698177
 *   n_mean(40, 1600, share=0.9)                -> 872.0977482610099, 7848.8797343490905
 *   n_mean(2.5, 0.7, mde=0.05, alpha=0.1, power=0.9) -> 767.3207226198504
 */
describe("visitorsNeeded", () => {
  it("needs about 31k visitors per arm to detect +10 % on a 5 % conversion rate", () => {
    expect(visitorsNeeded({ baselineRate: 0.05 })).toBe(31234);
  });

  it("matches the normal-approximation formula for other rates, lifts, alphas and powers", () => {
    expect(visitorsNeeded({ baselineRate: 0.02, relativeMde: 0.2 })).toBe(21109);
    expect(visitorsNeeded({ baselineRate: 0.3, relativeMde: -0.1, alpha: 0.01, power: 0.9 })).toBe(6736);
  });

  it("sizes an unequal split such as a 10 % holdout", () => {
    expect(visitorsNeededForProportionSplit({ baselineRate: 0.05, treatmentShare: 0.9 })).toEqual({
      control: 17596,
      treatment: 158360,
      total: 175956,
    });
  });

  it("sizes a test on means from the variance", () => {
    expect(visitorsNeededForMean({ baselineMean: 40, variance: 1600 })).toBe(1570);
    expect(visitorsNeededForMean({ baselineMean: 2.5, variance: 0.7, relativeMde: 0.05, alpha: 0.1, power: 0.9 })).toBe(768);
    expect(visitorsNeededForMeanSplit({ baselineMean: 40, variance: 1600, treatmentShare: 0.9 })).toEqual({
      control: 873,
      treatment: 7849,
      total: 8722,
    });
  });

  it("answers Infinity when the lift cannot be detected at all", () => {
    expect(visitorsNeeded({ baselineRate: 0 })).toBe(Infinity);
    expect(visitorsNeeded({ baselineRate: 0.95 })).toBe(Infinity); // +10 % would exceed 100 %
    expect(visitorsNeededForMean({ baselineMean: 0, variance: 4 })).toBe(Infinity);
  });

  it("rejects nonsensical options with a RangeError", () => {
    expect(() => visitorsNeeded({ baselineRate: 0.05, alpha: 0 })).toThrow(RangeError);
    expect(() => visitorsNeeded({ baselineRate: 0.05, power: 1 })).toThrow(RangeError);
    expect(() => visitorsNeeded({ baselineRate: 0.05, relativeMde: 0 })).toThrow(RangeError);
    expect(() => visitorsNeededForMean({ baselineMean: 1, variance: -1 })).toThrow(RangeError);
  });
});

describe("verdict", () => {
  it("calls a significant gain winning", () => {
    const v = verdict({ users: 1000, conversions: 50 }, { users: 1000, conversions: 80 });
    expect(v.status).toBe("winning");
    expect(v.visitorsStillNeeded).toBeUndefined();
    expect(v.result.significant).toBe(true);
  });

  it("calls a significant drop losing", () => {
    const v = verdict({ users: 250000, conversions: 5000 }, { users: 250000, conversions: 4600 });
    expect(v.status).toBe("losing");
  });

  it("says how many more visitors a +10 % lift needs when nothing is significant yet", () => {
    // GIVEN 1000 users per arm at a 5 % baseline; 31234 per arm are needed
    const v = verdict({ users: 1000, conversions: 50 }, { users: 1000, conversions: 55 });
    expect(v.status).toBe("not_enough_data");
    expect(v.visitorsStillNeeded).toBe(2 * 31234 - 2000);
  });

  it("counts the remaining visitors at the experiment's own split", () => {
    // GIVEN a 10 % holdout (1000 vs 9000 users), THEN 175956 users in total are needed
    const v = verdict({ users: 1000, conversions: 50 }, { users: 9000, conversions: 470 });
    expect(v.status).toBe("not_enough_data");
    expect(v.visitorsStillNeeded).toBe(175956 - 10000);
  });

  it("works on means such as revenue per visitor", () => {
    const v = verdict({ users: 500, mean: 40, variance: 1600 }, { users: 500, mean: 41, variance: 1600 });
    expect(v.status).toBe("not_enough_data");
    expect(v.visitorsStillNeeded).toBe(2 * 1570 - 1000);
    const win = verdict({ users: 5000, mean: 40, variance: 1600 }, { users: 5000, mean: 44, variance: 1600 });
    expect(win.status).toBe("winning");
  });

  it("reports 0 still needed once the test is powered and the effect is simply small", () => {
    const v = verdict({ users: 40000, conversions: 2000 }, { users: 40000, conversions: 2010 });
    expect(v.status).toBe("not_enough_data");
    expect(v.visitorsStillNeeded).toBe(0);
  });

  it("uses the confidence sequence when asked to be sequential", () => {
    const c = { users: 1000, conversions: 50 };
    const t = { users: 1000, conversions: 80 };
    expect(verdict(c, t).status).toBe("winning");
    expect(verdict(c, t, { sequential: true }).status).toBe("not_enough_data");
  });

  it("omits the estimate when there is no baseline to size from", () => {
    const empty = verdict({ users: 0, conversions: 0 }, { users: 0, conversions: 0 });
    expect(empty.status).toBe("not_enough_data");
    expect(empty.visitorsStillNeeded).toBeUndefined();
    expect(empty.result.reason).toBe("not_enough_users");

    const zeroBaseline = verdict({ users: 300, conversions: 0 }, { users: 300, conversions: 4 });
    expect(zeroBaseline.status).toBe("not_enough_data");
    expect(zeroBaseline.visitorsStillNeeded).toBeUndefined();
    expect(zeroBaseline.result.reason).toBe("control_is_zero");
  });

  it("does not throw on invalid options", () => {
    const v = verdict({ users: 100, conversions: 5 }, { users: 100, conversions: 6 }, { alpha: 2, power: 7 });
    expect(v.status).toBe("not_enough_data");
    expect(v.result.reason).toBe("invalid_input");
  });
});
