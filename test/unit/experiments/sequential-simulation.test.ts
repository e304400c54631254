import { describe, expect, it } from "vitest";
import { compareProportions } from "~/domain/experiments/stats";
import type { CompareOptions } from "~/domain/experiments/types";
import { binomial, mulberry32 } from "./random";

const EXPERIMENTS = 1000;
const LOOKS = 20;
const USERS_PER_LOOK = 500; // per arm, so 20 000 users in total at the last look
const ALPHA = 0.05;

/**
 * Runs `EXPERIMENTS` experiments, adding a binomial batch of conversions to each arm per look,
 * and returns the share that looked significant at least once (and at the last look only).
 */
function simulate(seed: number, rateA: number, rateB: number, options: CompareOptions) {
  const random = mulberry32(seed);
  let ever = 0;
  let atEnd = 0;
  for (let e = 0; e < EXPERIMENTS; e++) {
    let users = 0;
    let convA = 0;
    let convB = 0;
    let seen = false;
    let last = false;
    for (let look = 0; look < LOOKS; look++) {
      users += USERS_PER_LOOK;
      convA += binomial(random, USERS_PER_LOOK, rateA);
      convB += binomial(random, USERS_PER_LOOK, rateB);
      last = compareProportions({ users, conversions: convA }, { users, conversions: convB }, options).significant;
      seen ||= last;
    }
    if (seen) ever++;
    if (last) atEnd++;
  }
  return { ever: ever / EXPERIMENTS, atEnd: atEnd / EXPERIMENTS };
}

describe("peeking at A/A experiments 20 times", () => {
  it("keeps the false-positive rate at alpha with confidence sequences, while naive peeking inflates it", () => {
    // GIVEN 1000 A/A experiments (5 % conversion in both arms), each looked at 20 times
    const naive = simulate(20261128, 0.05, 0.05, { alpha: ALPHA });
    const sequential = simulate(20261128, 0.05, 0.05, { alpha: ALPHA, sequential: true });
    console.log(
      `A/A, ${EXPERIMENTS} experiments × ${LOOKS} looks: ever significant — naive ${naive.ever.toFixed(3)}, ` +
        `sequential ${sequential.ever.toFixed(3)}; naive at the final look only ${naive.atEnd.toFixed(3)}`,
    );
    const noise = 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / EXPERIMENTS);
    // THEN the always-valid intervals stay within alpha plus simulation noise
    expect(sequential.ever).toBeLessThanOrEqual(ALPHA + noise);
    // AND looking only once with the fixed test is fine
    expect(naive.atEnd).toBeLessThanOrEqual(ALPHA + noise);
    // BUT stopping at the first significant peek is not
    expect(naive.ever).toBeGreaterThan(2 * ALPHA);
  });

  it("still finds a real +20 % lift most of the time with confidence sequences", () => {
    // GIVEN a true lift from 5 % to 6 %
    const sequential = simulate(7, 0.05, 0.06, { alpha: ALPHA, sequential: true });
    const fixed = simulate(7, 0.05, 0.06, { alpha: ALPHA });
    console.log(`+20 % lift: detected by the last look — sequential ${sequential.ever.toFixed(3)}, fixed horizon (one look) ${fixed.atEnd.toFixed(3)}`);
    expect(sequential.ever).toBeGreaterThan(0.5);
  });
});
