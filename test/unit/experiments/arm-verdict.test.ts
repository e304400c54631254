import { describe, expect, it } from "vitest";
import { armSampleRatio, armVerdict, armVisitorsStillNeeded, pairwiseWinner } from "~/domain/experiments/arm-verdict";
import { visitorsNeededForProportionSplit } from "~/domain/experiments/power";
import { compareArms } from "~/domain/experiments/stats";
import { binomial, mulberry32 } from "./random";

const arm = (users: number, conversions: number, weight = 50) => ({ users, conversions, weight });

describe("armVerdict", () => {
  it("names a treatment ahead of A with its Bonferroni interval", () => {
    const arms = [arm(10_000, 500, 34), arm(10_000, 700, 33), arm(10_000, 505, 33)];
    const v = armVerdict(arms, { mismatch: false }, { sequential: true });
    expect(v.kind).toBe("decided");
    const c = compareArms(arms[0], arms.slice(1), { sequential: true });
    expect(v.comparisons).toEqual(c);
    expect(v.findings).toHaveLength(1);
    expect(v.findings[0]).toMatchObject({ label: "B", direction: "ahead" });
    const [lo, hi] = c[0].relativeCi;
    expect(v.text).toBe(`Variant B is ahead of A by 40.0% (interval ${(lo * 100).toFixed(1)}% to ${(hi * 100).toFixed(1)}%)`);
  });

  it("says behind when the treatment is worse", () => {
    const v = armVerdict([arm(10_000, 700), arm(10_000, 500)], { mismatch: false });
    expect(v.kind).toBe("decided");
    expect(v.text).toMatch(/^Variant B is behind A by 28\.6% \(interval −\d+\.\d% to −\d+\.\d%\)$/);
  });

  it("a sample ratio mismatch overrides a clear winner", () => {
    const v = armVerdict([arm(10_000, 500), arm(10_000, 900)], { mismatch: true });
    expect(v.kind).toBe("srm");
    expect(v.text).toMatch(/^Sample ratio mismatch — don't trust this/);
  });

  it("without a difference, counts the visitors still needed at the split with α / treatments", () => {
    const arms = [arm(1_000, 50, 50), arm(1_000, 52, 25), arm(1_000, 49, 25)];
    const v = armVerdict(arms, { mismatch: false }, { sequential: true });
    expect(v.kind).toBe("no_difference");
    // each treatment against A: share 25/75 of the pair at α/2; the pair is 75 % of all traffic
    const pair = visitorsNeededForProportionSplit({ baselineRate: 0.05, alpha: 0.025, treatmentShare: 1 / 3 });
    const expected = Math.ceil((pair.total * 100) / 75 - 3_000);
    expect(v.visitorsStillNeeded).toBe(expected);
    expect(v.text).toBe(`No difference large enough to matter yet — about ${expected.toLocaleString("en-US")} more visitors`);
    expect(armVisitorsStillNeeded(arms)).toBe(expected);
    expect(armVerdict(arms, { mismatch: false }, { sequential: true, units: "runs" }).text).toBe(
      `No difference large enough to matter yet — about ${expected.toLocaleString("en-US")} more runs`,
    );
  });

  it("says when enough visitors have come and nothing showed", () => {
    const v = armVerdict([arm(500_000, 25_000), arm(500_000, 25_050)], { mismatch: false });
    expect(v.kind).toBe("no_difference");
    expect(v.visitorsStillNeeded).toBe(0);
    expect(v.text).toBe("No difference large enough to matter — a 10% lift would have shown by now");
  });

  it("has no estimate before A converts, and says so without NaN", () => {
    expect(armVerdict([arm(0, 0), arm(0, 0)], { mismatch: false }).text).toBe("No visitors in this test yet");
    const v = armVerdict([arm(40, 0), arm(40, 1)], { mismatch: false });
    expect(v.kind).toBe("not_enough_data");
    expect(v.visitorsStillNeeded).toBeUndefined();
    expect(v.text).not.toMatch(/NaN|Infinity/);
  });
});

describe("armSampleRatio", () => {
  it("tests every arm and the holdout against weights × (100 − holdout) and the holdout", () => {
    // 10 % holdout, arms 50/30/20 of the rest: expected 45 %, 27 %, 18 %, 10 %
    expect(armSampleRatio([45_000, 27_000, 18_000], [50, 30, 20], { users: 10_000, pct: 10 }).mismatch).toBe(false);
    // one arm 5 % short
    expect(armSampleRatio([45_000, 25_650, 18_000], [50, 30, 20], { users: 10_000, pct: 10 }).mismatch).toBe(true);
    // the arms right but the holdout twice its share
    expect(armSampleRatio([45_000, 27_000, 18_000], [50, 30, 20], { users: 20_000, pct: 10 }).mismatch).toBe(true);
  });

  it("on a flow step, the arms alone", () => {
    expect(armSampleRatio([5_000, 5_100], [50, 50], null).mismatch).toBe(false);
    expect(armSampleRatio([5_000, 6_000], [50, 50], null).mismatch).toBe(true);
  });

  it("flags users in an arm of weight 0", () => {
    expect(armSampleRatio([100, 100, 3], [50, 50, 0], { users: 20, pct: 10 }).mismatch).toBe(true);
  });
});

describe("pairwiseWinner", () => {
  it("picks an arm that beats every other arm", () => {
    const r = pairwiseWinner([
      { users: 20_000, conversions: 1_000 },
      { users: 20_000, conversions: 1_400 },
      { users: 20_000, conversions: 1_010 },
    ]);
    expect(r.winner).toBe(1);
    expect(r.matrix[1][0]?.ci[0]).toBeGreaterThan(0);
    expect(r.matrix[0][1]?.ci[1]).toBeLessThan(0);
  });

  it("no winner when the best arm only beats some of the others", () => {
    const r = pairwiseWinner([
      { users: 20_000, conversions: 1_000 },
      { users: 20_000, conversions: 1_400 },
      { users: 20_000, conversions: 1_390 },
    ]);
    expect(r.winner).toBeNull();
  });

  it("no winner without data", () => {
    expect(
      pairwiseWinner([
        { users: 0, conversions: 0 },
        { users: 0, conversions: 0 },
      ]).winner,
    ).toBeNull();
  });

  /**
   * Seeded simulation of the hourly sweep: 20 looks of 250 users per arm at 5 %, auto-promote as
   * soon as any look finds a winner. A/A/A: at most α (+ 3 standard errors); a clearly better arm
   * (5 % → 7 %) is promoted in most experiments, and never a worse one.
   */
  it("an A/A/A never auto-promotes beyond α; a clearly better arm does", () => {
    const random = mulberry32(2_112);
    const LOOKS = 20;
    const run = (rates: number[], replications: number) => {
      const promoted = new Array<number>(rates.length).fill(0);
      for (let r = 0; r < replications; r++) {
        const conv = rates.map(() => 0);
        let users = 0;
        for (let look = 0; look < LOOKS; look++) {
          users += 250;
          rates.forEach((p, i) => (conv[i] += binomial(random, 250, p)));
          const { winner } = pairwiseWinner(conv.map((conversions) => ({ users, conversions })));
          if (winner !== null) {
            promoted[winner]++;
            break;
          }
        }
      }
      return promoted.map((n) => n / replications);
    };
    const aa = run([0.05, 0.05, 0.05], 2_000);
    const falseRate = aa.reduce((a, b) => a + b, 0);
    if (process.env.SHOW_SIM) console.log("A/A/A promoted", falseRate);
    expect(falseRate).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / 2_000));
    const better = run([0.05, 0.07, 0.05], 300);
    if (process.env.SHOW_SIM) console.log("better arm promoted", better);
    expect(better[1]).toBeGreaterThan(0.6);
    expect(better[0] + better[2]).toBeLessThanOrEqual(0.02);
  });
});
