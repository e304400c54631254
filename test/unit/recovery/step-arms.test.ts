import { describe, expect, it } from "vitest";
import { pickArm } from "~/domain/experiments/assign";
import { assignStepArm, stepArmContent } from "~/domain/recovery/arms";

const step = {
  id: "step-1",
  delayMinutes: 60,
  subject: "A subject",
  preheader: "A preview",
  body: [{ type: "text", text: "A" }],
  discountPercent: null,
  discountExpiryDays: null,
  variants: [
    { id: "aaaa", weight: 50 },
    {
      id: "bbbb",
      weight: 30,
      step: { delayMinutes: 120, subject: "B subject", body: [{ type: "text", text: "B" }], discountPercent: 15, discountExpiryDays: 3 },
    },
    { id: "cccc", weight: 20, step: { delayMinutes: 90, subject: "C subject", preheader: "C preview", body: [{ type: "text", text: "C" }] } },
  ],
};

describe("flow-step arms", () => {
  it("gives no arm without a test (none, or a list of fewer than two) or to a held-out run", () => {
    expect(assignStepArm({ ...step, variants: null }, { subjectKey: "checkout:x", holdout: false })).toBeNull();
    expect(assignStepArm({ ...step, variants: [{ id: "aaaa", weight: 100 }] }, { subjectKey: "checkout:x", holdout: false })).toBeNull();
    expect(assignStepArm(step, { subjectKey: "checkout:x", holdout: true })).toBeNull();
  });

  it("draws by the step id and the subject key, with the arm's own delay, the same every time", () => {
    const counts: Record<string, number> = { aaaa: 0, bbbb: 0, cccc: 0 };
    for (let i = 0; i < 3000; i++) {
      const subjectKey = `checkout:tok${i}`;
      const a = assignStepArm(step, { subjectKey, holdout: false })!;
      expect(a).toEqual(assignStepArm(step, { subjectKey, holdout: false }));
      expect(a.index).toBe(pickArm("step-1", subjectKey, [50, 30, 20]));
      expect(a.delayMinutes).toBe([60, 120, 90][a.index]);
      counts[a.arm]++;
    }
    // the weights, within 5 standard deviations
    for (const [arm, w] of [
      ["aaaa", 0.5],
      ["bbbb", 0.3],
      ["cccc", 0.2],
    ] as const) {
      expect(Math.abs(counts[arm] - 3000 * w), arm).toBeLessThan(5 * Math.sqrt(3000 * w * (1 - w)));
    }
    // another step of the same flow splits independently (its own salt)
    const other = { ...step, id: "step-2" };
    const moved = Array.from({ length: 500 }, (_, i) => `checkout:tok${i}`).filter(
      (k) => assignStepArm(step, { subjectKey: k, holdout: false })!.arm !== assignStepArm(other, { subjectKey: k, holdout: false })!.arm,
    );
    expect(moved.length).toBeGreaterThan(100);
  });

  it("gives each arm's email: A the step's own, B and C their copy, an unknown id none", () => {
    expect(stepArmContent(step, null)).toMatchObject({ subject: "A subject", delayMinutes: 60, preheader: "A preview" });
    expect(stepArmContent(step, "aaaa")).toMatchObject({ subject: "A subject", delayMinutes: 60 });
    expect(stepArmContent(step, "bbbb")).toEqual({
      delayMinutes: 120,
      subject: "B subject",
      preheader: "",
      body: [{ type: "text", text: "B" }],
      discountPercent: 15,
      discountExpiryDays: 3,
    });
    expect(stepArmContent(step, "cccc")).toMatchObject({ subject: "C subject", preheader: "C preview", discountPercent: null, discountExpiryDays: null });
    expect(stepArmContent(step, "zzzz")).toBeNull();
    expect(stepArmContent({ ...step, variants: null }, "bbbb")).toBeNull();
  });
});
