import { describe, expect, it } from "vitest";
import { buildInput, SCHEDULE_ON, toFormValues } from "~/components/trigger-form";
import { compileTrigger } from "~/domain/triggers/compile";
import { evaluate, explain, skipReason } from "~/domain/triggers/evaluate";
import { conditionsSchema, parseTriggerInput, scheduleSchema, type TriggerFormInput } from "~/domain/triggers/schema";
import { config, mouseExit, row, visitor } from "./fixtures";

/** Friday 27 November 2026 at `hour` (plus `days`), on this machine's local clock, like the shopper's browser. */
const at = (hour: number, days = 0, minute = 0) => new Date(2026, 10, 27 + days, hour, minute).getTime();
const FRI = 5;
const SAT = 6;

const scheduled = (schedule: NonNullable<TriggerFormInput["conditions"]>["schedule"]): TriggerFormInput => ({
  name: "Office hours",
  type: "exit_intent",
  conditions: { schedule },
  content: { kind: "message", headline: "Chat with us" },
  holdoutPct: 0,
});

describe("schedule schema", () => {
  it("is optional: no schedule means any day, any time", () => {
    expect(conditionsSchema.parse({}).schedule).toBeUndefined();
    expect(scheduleSchema.parse({ days: [1, 2], startHour: 0, endHour: 24 })).toEqual({ days: [1, 2], startHour: 0, endHour: 24 });
  });

  it("reports each mistake on its field", () => {
    const r = parseTriggerInput({
      name: "Bad schedule",
      type: "exit_intent",
      content: { kind: "message", headline: "Hi" },
      conditions: { schedule: { days: [7], startHour: 24, endHour: 0 } },
    });
    expect(r).toEqual({
      valid: false,
      errors: {
        "conditions.schedule.days.0": "Day must be at most 6",
        "conditions.schedule.startHour": "Start hour must be at most 23",
        "conditions.schedule.endHour": "End hour must be at least 1",
      },
    });
  });

  it("needs at least one day, each day once, whole hours", () => {
    const errors = (schedule: unknown) => {
      const r = parseTriggerInput({ ...scheduled(undefined), conditions: { schedule } });
      return r.valid ? {} : r.errors;
    };
    expect(errors({ days: [], startHour: 9, endHour: 17 })).toEqual({ "conditions.schedule.days": "Choose at least one day" });
    expect(errors({ days: [1, 1], startHour: 9, endHour: 17 })).toEqual({ "conditions.schedule.days": "Choose each day only once" });
    expect(errors({ days: [1], startHour: 9.5, endHour: 17 })).toEqual({ "conditions.schedule.startHour": "Start hour must be a whole number" });
    expect(errors({ days: [1] })).toMatchObject({ "conditions.schedule.startHour": "Start hour must be a number" });
    expect(errors(null)).toEqual({ "conditions.schedule": "Schedule must have days, a start hour and an end hour" });
  });

  it("refuses an empty window and allows one that wraps past midnight", () => {
    const r = scheduleSchema.safeParse({ days: [1], startHour: 9, endHour: 9 });
    expect(r.error?.issues).toEqual([expect.objectContaining({ path: ["endHour"], message: expect.stringMatching(/differ from the start hour/) })]);
    expect(scheduleSchema.safeParse({ days: [5], startHour: 22, endHour: 6 }).success).toBe(true);
  });
});

describe("compiled schedule", () => {
  it("travels as c.sc with short keys and sorted days", () => {
    const r = compileTrigger(row(scheduled({ days: [5, 1, 3], startHour: 9, endHour: 17 })));
    expect(r.ok && r.trigger.c).toEqual({ sc: { d: [1, 3, 5], s: 9, e: 17 } });
  });

  it("is left out when there is none", () => {
    const r = compileTrigger(row(scheduled(undefined)));
    expect(r.ok && r.trigger.c).toEqual({});
  });
});

describe("evaluate with a schedule", () => {
  it("fires inside the window and not outside, on the shopper's local clock", () => {
    expect(new Date(at(12)).getDay()).toBe(FRI);
    const cfg = config([row(scheduled({ days: [1, 2, 3, 4, 5], startHour: 9, endHour: 17 }), { id: "office" })]);
    expect(evaluate(cfg, visitor(), mouseExit, at(9))?.trigger.id).toBe("office");
    expect(evaluate(cfg, visitor(), mouseExit, at(16, 0, 59))).not.toBeNull();
    // the end hour is not included
    expect(evaluate(cfg, visitor(), mouseExit, at(17))).toBeNull();
    expect(evaluate(cfg, visitor(), mouseExit, at(8, 0, 59))).toBeNull();
    // Saturday, inside the hours
    expect(new Date(at(12, 1)).getDay()).toBe(SAT);
    expect(evaluate(cfg, visitor(), mouseExit, at(12, 1))).toBeNull();
    expect(skipReason(cfg, cfg.t[0], visitor(), mouseExit, at(12, 1))).toBe("outside_schedule");
    expect(explain(cfg, visitor(), mouseExit, new Date(at(20)))).toEqual([{ id: "office", result: "outside_schedule" }]);
  });

  it("covers the whole day with 0 to 24", () => {
    const cfg = config([row(scheduled({ days: [FRI], startHour: 0, endHour: 24 }))]);
    expect(evaluate(cfg, visitor(), mouseExit, at(0))).not.toBeNull();
    expect(evaluate(cfg, visitor(), mouseExit, at(23, 0, 59))).not.toBeNull();
    expect(evaluate(cfg, visitor(), mouseExit, at(0, 1))).toBeNull();
  });

  it("wraps past midnight: Friday 22 to 6 runs into Saturday morning, and not into Friday morning", () => {
    const cfg = config([row(scheduled({ days: [FRI], startHour: 22, endHour: 6 }))]);
    const fires = (t: number) => evaluate(cfg, visitor(), mouseExit, t) !== null;
    expect(fires(at(22))).toBe(true);
    expect(fires(at(23, 0, 59))).toBe(true);
    expect(fires(at(0, 1))).toBe(true); // Saturday 00:00
    expect(fires(at(5, 1, 59))).toBe(true); // Saturday 05:59
    expect(fires(at(6, 1))).toBe(false); // Saturday 06:00
    expect(fires(at(3))).toBe(false); // Friday 03:00 belongs to Thursday's night
    expect(fires(at(21, 0, 59))).toBe(false);
    expect(fires(at(22, 1))).toBe(false); // Saturday night is not scheduled
  });

  it("still checks the signal first", () => {
    const cfg = config([row(scheduled({ days: [SAT], startHour: 9, endHour: 17 }))]);
    expect(skipReason(cfg, cfg.t[0], visitor(), { kind: "page" }, at(12))).toBe("signal");
  });
});

describe("schedule in the editor form", () => {
  const stored = {
    name: "Office hours",
    type: "exit_intent",
    content: { kind: "message", headline: "Hi" },
    conditions: conditionsSchema.parse({ schedule: { days: [1, 5], startHour: 9, endHour: 17 } }),
  };

  it("round-trips a stored schedule", () => {
    const values = toFormValues(stored);
    expect(values).toMatchObject({
      [SCHEDULE_ON]: true,
      "conditions.schedule.days": ["1", "5"],
      "conditions.schedule.startHour": "9",
      "conditions.schedule.endHour": "17",
    });
    expect(buildInput(values)).toMatchObject({ conditions: { schedule: { days: [1, 5], startHour: 9, endHour: 17 } } });
  });

  it("leaves the schedule out when the box is unticked, and starts from every day 9 to 17 when ticked", () => {
    const values = toFormValues({ ...stored, conditions: conditionsSchema.parse({}) });
    expect(values[SCHEDULE_ON]).toBe(false);
    expect((buildInput(values).conditions as Record<string, unknown>).schedule).toBeUndefined();
    const on = buildInput({ ...values, [SCHEDULE_ON]: true });
    expect(on).toMatchObject({ conditions: { schedule: { days: [1, 2, 3, 4, 5, 6, 0], startHour: 9, endHour: 17 } } });
  });
});
