import { describe, expect, it } from "vitest";
import { planSteps } from "~/domain/recovery/plan";

describe("planSteps", () => {
  const startedAt = new Date("2025-06-10T15:00:00Z");

  it("schedules every step its delay after the run started, in position order", () => {
    const flow = {
      steps: [
        { id: "s2", position: 2, delayMinutes: 24 * 60 },
        { id: "s1", position: 1, delayMinutes: 60 },
      ],
    };
    expect(planSteps(flow, startedAt)).toEqual([
      { stepId: "s1", position: 1, runAt: new Date("2025-06-10T16:00:00Z") },
      { stepId: "s2", position: 2, runAt: new Date("2025-06-11T15:00:00Z") },
    ]);
  });

  it("counts delays from the start, not from the previous step", () => {
    const flow = {
      steps: [
        { id: "a", position: 0, delayMinutes: 60 },
        { id: "b", position: 1, delayMinutes: 120 },
      ],
    };
    const [, second] = planSteps(flow, startedAt);
    expect(second.runAt.getTime() - startedAt.getTime()).toBe(120 * 60_000);
  });

  it("leaves the flow's steps untouched and plans nothing for a flow without steps", () => {
    const steps = [
      { id: "b", position: 2, delayMinutes: 90 },
      { id: "a", position: 1, delayMinutes: 30 },
    ];
    planSteps({ steps }, startedAt);
    expect(steps.map((s) => s.id)).toEqual(["b", "a"]);
    expect(planSteps({ steps: [] }, startedAt)).toEqual([]);
  });
});
