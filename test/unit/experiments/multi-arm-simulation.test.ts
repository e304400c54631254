import { describe, expect, it } from "vitest";
import { EMPTY_MOMENTS, addValues, mergeMoments, momentsToMeanStats, type Moments } from "~/domain/experiments/metrics";
import { compareArms, compareArmsMeans, compareMeans, compareProportions } from "~/domain/experiments/stats";
import { binomial, mulberry32 } from "./random";

const ALPHA = 0.05;
const LOOKS = 20;

type Method = "bonferroniSequential" | "naive" | "unadjustedSequential" | "bonferroniFixedLastLook";
const METHODS: Method[] = ["bonferroniSequential", "naive", "unadjustedSequential", "bonferroniFixedLastLook"];
type Rates = Record<Method, number>;

/**
 * `replications` experiments of a control plus `rates.length` treatments, each arm receiving a
 * binomial batch of `usersPerLook` users per look. For each method and each group of treatments,
 * the share of experiments in which a treatment of the group was called significant at any look
 * — the family-wise false-positive rate for the group of arms with no real lift, the power for a
 * group holding a better arm.
 *
 * - bonferroniSequential: `compareArms(..., { sequential: true })` at every look;
 * - naive: `compareProportions` per arm, fixed horizon, unadjusted, at every look;
 * - unadjustedSequential: `compareProportions(..., { sequential: true })` per arm at every look;
 * - bonferroniFixedLastLook: `compareArms` fixed-horizon, read once at the last look.
 */
function simulate<G extends string>(
  seed: number,
  replications: number,
  usersPerLook: number,
  controlRate: number,
  rates: number[],
  groups: Record<G, number[]>,
): Record<G, Rates> {
  const random = mulberry32(seed);
  const names = Object.keys(groups) as G[];
  const counts = Object.fromEntries(names.map((g) => [g, Object.fromEntries(METHODS.map((m) => [m, 0]))])) as Record<G, Rates>;
  const k = rates.length;
  for (let r = 0; r < replications; r++) {
    let users = 0;
    let control = 0;
    const conv = new Array<number>(k).fill(0);
    const seen = new Array<Record<Method, boolean>>(k);
    for (let i = 0; i < k; i++) seen[i] = { bonferroniSequential: false, naive: false, unadjustedSequential: false, bonferroniFixedLastLook: false };
    for (let look = 0; look < LOOKS; look++) {
      users += usersPerLook;
      control += binomial(random, usersPerLook, controlRate);
      for (let i = 0; i < k; i++) conv[i] += binomial(random, usersPerLook, rates[i]);
      const c = { users, conversions: control };
      const arms = conv.map((conversions) => ({ users, conversions }));
      const adjusted = compareArms(c, arms, { alpha: ALPHA, sequential: true });
      const fixed = look === LOOKS - 1 ? compareArms(c, arms, { alpha: ALPHA }) : null;
      for (let i = 0; i < k; i++) {
        seen[i].bonferroniSequential ||= adjusted[i].significant;
        seen[i].naive ||= compareProportions(c, arms[i], { alpha: ALPHA }).significant;
        seen[i].unadjustedSequential ||= compareProportions(c, arms[i], { alpha: ALPHA, sequential: true }).significant;
        if (fixed) seen[i].bonferroniFixedLastLook = fixed[i].significant;
      }
    }
    for (const g of names) for (const m of METHODS) if (groups[g].some((i) => seen[i][m])) counts[g][m]++;
  }
  for (const g of names) for (const m of METHODS) counts[g][m] /= replications;
  return counts;
}

const fmt = (rates: Rates) =>
  Object.entries(rates)
    .map(([key, v]) => `${key} ${v.toFixed(4)}`)
    .join(", ");

describe("several arms against one control, looked at 20 times", () => {
  it("holds the family-wise false-positive rate at alpha in sequential mode, where per-arm peeking does not", () => {
    // GIVEN 10 000 A/A/A/A experiments: a control and three identical treatments at 5 %, 20 looks,
    // 250 users per arm per look (5 000 per arm at the last look)
    const replications = 10_000;
    const started = performance.now();
    const { all } = simulate(20261206, replications, 250, 0.05, [0.05, 0.05, 0.05], { all: [0, 1, 2] });
    const noise = 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / replications);
    console.log(
      `A/A/A/A, ${replications} replications × ${LOOKS} looks, any treatment ever significant: ${fmt(all)}; ` +
        `bound ${(ALPHA + noise).toFixed(4)}; ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    // THEN compareArms in sequential mode stays within alpha plus three simulation standard errors
    expect(all.bonferroniSequential).toBeLessThanOrEqual(ALPHA + noise);
    // AND so does the fixed-horizon compareArms read once, at the planned end
    expect(all.bonferroniFixedLastLook).toBeLessThanOrEqual(ALPHA + noise);
    // BUT per-arm fixed-horizon tests read at every look call a winner in a large share of them
    expect(all.naive).toBeGreaterThan(4 * ALPHA);
    // AND even always-valid intervals, unadjusted, pay for the three comparisons
    expect(all.unadjustedSequential).toBeGreaterThan(all.bonferroniSequential);
  });

  it("finds one truly better arm most of the time and rarely calls the identical ones", () => {
    // GIVEN 2 000 experiments where treatment 0 converts at 6.5 % and the control and the other two
    // at 5 %, 20 looks of 500 users per arm (10 000 per arm at the last look)
    const replications = 2000;
    const started = performance.now();
    const { better, same } = simulate(7, replications, 500, 0.05, [0.065, 0.05, 0.05], { better: [0], same: [1, 2] });
    console.log(
      `+30 % arm (5 % → 6.5 %), ${replications} replications × ${LOOKS} looks: better arm found by the last look: ${fmt(better)}; ` +
        `an identical arm called: ${fmt(same)}; ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    // THEN compareArms in sequential mode finds the better arm in most experiments
    expect(better.bonferroniSequential).toBeGreaterThan(0.75);
    // AND calls one of the identical arms in fewer than alpha of them
    expect(same.bonferroniSequential).toBeLessThan(ALPHA);
  });

  it("holds the family-wise false-positive rate for revenue per visitor too (compareArmsMeans)", () => {
    // GIVEN 2 000 A/A/A/A experiments on revenue per visitor: 5 % of visitors order, order values
    // log-normal around 60 (σ = 0.8 on the log scale, a long right tail), 20 looks of 250 visitors per arm
    const replications = 2000;
    const started = performance.now();
    const random = mulberry32(4242);
    const orderValue = () => 60 * Math.exp(0.8 * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
    let bonferroni = 0;
    let naive = 0;
    for (let r = 0; r < replications; r++) {
      const arms: Moments[] = [EMPTY_MOMENTS, EMPTY_MOMENTS, EMPTY_MOMENTS, EMPTY_MOMENTS];
      let seenBonferroni = false;
      let seenNaive = false;
      for (let look = 0; look < LOOKS; look++) {
        for (let a = 0; a < arms.length; a++) {
          const orders = binomial(random, 250, 0.05);
          const values = Array.from({ length: orders }, orderValue);
          arms[a] = mergeMoments(arms[a], addValues({ n: 250 - orders, mean: 0, m2: 0 }, values));
        }
        const [control, ...treatments] = arms.map(momentsToMeanStats);
        seenBonferroni ||= compareArmsMeans(control, treatments, { alpha: ALPHA, sequential: true }).some((x) => x.significant);
        seenNaive ||= treatments.some((t) => compareMeans(control, t, { alpha: ALPHA }).significant);
      }
      if (seenBonferroni) bonferroni++;
      if (seenNaive) naive++;
    }
    const noise = 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / replications);
    console.log(
      `Revenue per visitor A/A/A/A, ${replications} replications × ${LOOKS} looks, any treatment ever significant: ` +
        `bonferroniSequential ${(bonferroni / replications).toFixed(4)}, naive ${(naive / replications).toFixed(4)}; ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(bonferroni / replications).toBeLessThanOrEqual(ALPHA + noise);
    expect(naive / replications).toBeGreaterThan(4 * ALPHA);
  });
});
