import { describe, expect, it } from "vitest";
import { bucket, isHoldout, pickArm } from "~/domain/experiments/assign";
import { armListErrors, armsOf, evenSplit, newArmId, ARM_ID } from "~/domain/experiments/variants";
import { parseTriggerInput, triggerTemplates } from "~/domain/triggers";
import { flowInputSchema, flowFieldErrors } from "~/domain/recovery";

// chi-square critical value at p = 0.001 (scipy: stats.chi2.isf(0.001, 3) = 16.266236196238129)
const CHI2_CRIT_3 = 16.266236196238129;
const N = 40_000;
const ids = Array.from({ length: N }, (_, i) => `v-${i}-${(i * 2654435761) % 1000003}`);

describe("pickArm", () => {
  it("splits visitors by the weights (χ² against 40/30/20/10 over 40,000 ids)", () => {
    const weights = [40, 30, 20, 10];
    const counts = [0, 0, 0, 0];
    for (const id of ids) counts[pickArm("salt-1", id, weights)]++;
    const chi2 = counts.reduce((s, c, i) => s + (c - (N * weights[i]) / 100) ** 2 / ((N * weights[i]) / 100), 0);
    expect(chi2).toBeLessThan(CHI2_CRIT_3);
    // and not trivially: a 25/25/25/25 expectation is far off
    const flat = counts.reduce((s, c) => s + (c - N / 4) ** 2 / (N / 4), 0);
    expect(flat).toBeGreaterThan(1000);
  });

  it("gives a visitor the same arm on every call, and another salt draws independently", () => {
    const w = [50, 50];
    for (const id of ids.slice(0, 500)) expect(pickArm("t1", id, w)).toBe(pickArm("t1", id, w));
    let same = 0;
    for (const id of ids.slice(0, 4000)) if (pickArm("t1", id, w) === pickArm("t2", id, w)) same++;
    // independent draws agree about half the time
    expect(same / 4000).toBeGreaterThan(0.46);
    expect(same / 4000).toBeLessThan(0.54);
  });

  it("never picks an arm of weight 0, and falls back to arm 0 when no weight is positive", () => {
    for (const id of ids.slice(0, 5000)) expect(pickArm("s", id, [50, 0, 50])).not.toBe(1);
    expect(pickArm("s", "x", [0, 0])).toBe(0);
    expect(pickArm("s", "x", [])).toBe(0);
  });

  it("is drawn apart from the holdout: the arms split the holdout and the rest alike", () => {
    // If the arm draw reused the holdout's bucket, holdout visitors (low buckets) would all be arm A.
    const inHoldout = [0, 0];
    const outside = [0, 0];
    for (const id of ids) {
      const arm = pickArm("salt", id, [50, 50]);
      (isHoldout("salt", id, 20) ? inHoldout : outside)[arm]++;
    }
    expect(inHoldout[0] / (inHoldout[0] + inHoldout[1])).toBeGreaterThan(0.47);
    expect(inHoldout[0] / (inHoldout[0] + inHoldout[1])).toBeLessThan(0.53);
    expect(outside[0] / (outside[0] + outside[1])).toBeGreaterThan(0.48);
    expect(outside[0] / (outside[0] + outside[1])).toBeLessThan(0.52);
    // the holdout itself is untouched by arms (same function as before)
    expect(ids.filter((id) => bucket("salt", id) < 0.2).length).toBe(inHoldout[0] + inHoldout[1]);
  });

  it("moves only the visitors whose slice changed when the split changes from 50/50 to 60/40", () => {
    let moved = 0;
    for (const id of ids) if (pickArm("s", id, [50, 50]) !== pickArm("s", id, [60, 40])) moved++;
    expect(moved / N).toBeGreaterThan(0.08);
    expect(moved / N).toBeLessThan(0.12);
  });
});

describe("arm lists", () => {
  it("splits evenly in whole percents", () => {
    expect(evenSplit(2)).toEqual([50, 50]);
    expect(evenSplit(3)).toEqual([34, 33, 33]);
    expect(evenSplit(4)).toEqual([25, 25, 25, 25]);
    for (const n of [1, 2, 3, 4]) expect(evenSplit(n).reduce((a, b) => a + b)).toBe(100);
  });

  it("makes ids the storefront and the schema accept, and distinct", () => {
    const made = new Set(Array.from({ length: 1000 }, newArmId));
    expect(made.size).toBe(1000);
    for (const id of made) expect(id).toMatch(ARM_ID);
  });

  it("reads only lists of two or more arms as a test", () => {
    expect(armsOf(null)).toBeNull();
    expect(armsOf([{ id: "aaaa", weight: 100 }])).toBeNull();
    expect(armsOf([{ id: "aaaa", weight: 50 }, { id: "bbbb" }])).toBeNull();
    expect(
      armsOf([
        { id: "aaaa", weight: 50 },
        { id: "bbbb", weight: 50 },
      ]),
    ).toHaveLength(2);
  });

  it("says what is wrong with a split", () => {
    expect(
      armListErrors([
        { id: "aaaa", weight: 70 },
        { id: "bbbb", weight: 40 },
      ])[""],
    ).toMatch(/add up to 110 %/);
    expect(
      armListErrors([
        { id: "aaaa", weight: 100 },
        { id: "bbbb", weight: 0 },
      ])[""],
    ).toMatch(/two variants/);
    expect(
      armListErrors([
        { id: "aaaa", weight: 50 },
        { id: "aaaa", weight: 50 },
      ])["1.id"],
    ).toMatch(/same id/);
    expect(
      armListErrors([
        { id: "aaaa", weight: 50 },
        { id: "bbbb", weight: 50 },
      ]),
    ).toEqual({});
  });
});

describe("variants in the trigger and flow schemas", () => {
  const base = { ...triggerTemplates.exit_offer, enabled: false };
  const b = { ...base.content, headline: "Variant B headline" };

  it("accepts a trigger with two variants and keeps them", () => {
    const r = parseTriggerInput({
      ...base,
      variants: [
        { id: "aaaa1", weight: 50 },
        { id: "bbbb1", weight: 50, content: b },
      ],
      autoPromote: true,
    });
    expect(r.valid).toBe(true);
    if (r.valid) {
      expect(r.data.variants?.[1].content).toMatchObject({ headline: "Variant B headline" });
      expect(r.data.autoPromote).toBe(true);
    }
  });

  it("reports a bad split, a variant without content, and a variant's own field errors at their paths", () => {
    const r = parseTriggerInput({
      ...base,
      variants: [
        { id: "aaaa1", weight: 70 },
        { id: "bbbb1", weight: 40, content: { ...b, headline: "x".repeat(500) } },
        { id: "cccc1", weight: 0 },
      ],
    });
    expect(r.valid).toBe(false);
    if (!r.valid) {
      expect(r.errors["variants"]).toMatch(/add up to 110 %/);
      expect(r.errors["variants.2.content"]).toMatch(/needs its content/);
      expect(Object.keys(r.errors).some((k) => k.startsWith("variants.1.content."))).toBe(true);
    }
  });

  it("defaults to no test", () => {
    const r = parseTriggerInput(base);
    expect(r.valid && r.data.variants).toBeNull();
  });

  it("keeps every variant of a flow email after every variant of the email before it", () => {
    const email = (delayMinutes: number, subject: string) => ({ delayMinutes, subject, body: [{ type: "text", text: "Hi" }] });
    const flow = (bDelay: number) => ({
      name: "F",
      kind: "checkout",
      enabled: false,
      audience: "any_email",
      holdoutPct: 0,
      steps: [
        {
          ...email(60, "A"),
          variants: [
            { id: "aaaa1", weight: 50 },
            { id: "bbbb1", weight: 50, step: email(bDelay, "B") },
          ],
        },
        email(240, "Second"),
      ],
    });
    expect(flowInputSchema.safeParse(flow(120)).success).toBe(true);
    const bad = flowInputSchema.safeParse(flow(300));
    expect(bad.success).toBe(false);
    if (!bad.success) expect(flowFieldErrors(bad.error)["steps.1.delayMinutes"]).toMatch(/every variant of email 1/);
  });
});
