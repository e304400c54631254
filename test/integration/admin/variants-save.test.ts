/**
 * Issue 21, saving A/B variants (app/models/trigger.server.ts, app/models/flow.server.ts) on real
 * SQLite or PostgreSQL: when a test's comparison starts (a new test, a new arm, a new split) and
 * when it carries on (an arm's content edited), that a flow save keeps its steps' ids (the arms'
 * salt and the StepExposure key), duplicates start a new test, and every write stays in its shop.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../support/db";
import { triggerInputSchema, triggerTemplates, type TriggerInput } from "~/domain/triggers";
import { flowInputSchema, flowTemplates, type FlowInput } from "~/domain/recovery";
import { createTrigger, duplicateTrigger, getTrigger, updateTrigger } from "~/models/trigger.server";
import { createFlowFromTemplate, duplicateFlow, flowToInput, getFlow, updateFlow } from "~/models/flow.server";

const A = "shop-a.myshopify.com";
const B = "shop-b.myshopify.com";
let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.cleanup();
});

const at = (iso: string) => new Date(iso);
const base: TriggerInput = triggerTemplates.exit_offer;

/** The template with arms (A: its own content; B: another headline), validated like the editor's save. */
function withArms(weights: number[], ids = ["arma1", "armb2", "armc3", "armd4"], headline = "B headline"): TriggerInput {
  return triggerInputSchema.parse({
    ...base,
    variants: weights.map((weight, i) => ({ id: ids[i], weight, ...(i > 0 ? { content: { ...base.content, headline: `${headline} ${i}` } } : {}) })),
  });
}

describe(`trigger variants (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"})`, () => {
  it("starts the test on the first save with arms, keeps the start on content edits, restarts on a new split or arm, ends with one arm", async () => {
    const { id } = await createTrigger(t.db, A, base);
    expect((await getTrigger(t.db, A, id))?.testStartedAt).toBeNull();

    // a test starts
    expect(await updateTrigger(t.db, A, id, { ...withArms([50, 50]), autoPromote: true }, at("2026-01-01T00:00:00Z"))).toBe(true);
    let row = await getTrigger(t.db, A, id);
    expect(row?.variants).toEqual([
      { id: "arma1", weight: 50 },
      { id: "armb2", weight: 50, content: expect.objectContaining({ headline: "B headline 1" }) },
    ]);
    expect(row?.testStartedAt).toEqual(at("2026-01-01T00:00:00Z"));
    expect(row?.autoPromote).toBe(true);

    // B's content edited, the trigger's own content edited: the same comparison
    await updateTrigger(t.db, A, id, { ...withArms([50, 50], undefined, "Edited"), name: "Renamed" }, at("2026-01-02T00:00:00Z"));
    row = await getTrigger(t.db, A, id);
    expect(row?.testStartedAt).toEqual(at("2026-01-01T00:00:00Z"));
    expect((row?.variants as Array<{ content?: { headline: string } }>)[1].content?.headline).toBe("Edited 1");
    expect(row?.autoPromote).toBe(false);

    // a new split: a new comparison
    await updateTrigger(t.db, A, id, withArms([70, 30]), at("2026-01-03T00:00:00Z"));
    expect((await getTrigger(t.db, A, id))?.testStartedAt).toEqual(at("2026-01-03T00:00:00Z"));
    // a new arm: a new comparison
    await updateTrigger(t.db, A, id, withArms([34, 33, 33]), at("2026-01-04T00:00:00Z"));
    expect((await getTrigger(t.db, A, id))?.testStartedAt).toEqual(at("2026-01-04T00:00:00Z"));
    // the same split with an arm replaced by another (new id): a new comparison
    await updateTrigger(t.db, A, id, withArms([34, 33, 33], ["arma1", "armb2", "armz9"]), at("2026-01-05T00:00:00Z"));
    expect((await getTrigger(t.db, A, id))?.testStartedAt).toEqual(at("2026-01-05T00:00:00Z"));

    // back to no variants: the test ends, auto-promote with it
    await updateTrigger(t.db, A, id, { ...base, variants: null, autoPromote: true }, at("2026-01-06T00:00:00Z"));
    row = await getTrigger(t.db, A, id);
    expect(row?.variants).toBeNull();
    expect(row?.testStartedAt).toBeNull();
    expect(row?.autoPromote).toBe(false);
    // and a later test starts afresh
    await updateTrigger(t.db, A, id, withArms([50, 50]), at("2026-01-07T00:00:00Z"));
    expect((await getTrigger(t.db, A, id))?.testStartedAt).toEqual(at("2026-01-07T00:00:00Z"));
  });

  it("another shop's trigger id is not found, and its arms stay as they were", async () => {
    const { id } = await createTrigger(t.db, B, withArms([50, 50]), null, at("2026-02-01T00:00:00Z"));
    expect((await getTrigger(t.db, B, id))?.testStartedAt).toEqual(at("2026-02-01T00:00:00Z"));
    expect(await updateTrigger(t.db, A, id, withArms([90, 10]), at("2026-02-02T00:00:00Z"))).toBe(false);
    expect(await getTrigger(t.db, A, id)).toBeNull();
    expect(await duplicateTrigger(t.db, A, id)).toBeNull();
    const row = await getTrigger(t.db, B, id);
    expect((row?.variants as Array<{ weight: number }>).map((a) => a.weight)).toEqual([50, 50]);
    expect(row?.testStartedAt).toEqual(at("2026-02-01T00:00:00Z"));
  });

  it("a duplicate copies the test as a new one: the contents and split under fresh arm ids, started at the copy", async () => {
    const { id } = await createTrigger(t.db, A, { ...withArms([60, 40]), autoPromote: true }, null, at("2026-03-01T00:00:00Z"));
    const copy = await duplicateTrigger(t.db, A, id, at("2026-03-05T00:00:00Z"));
    const [source, dup] = [await getTrigger(t.db, A, id), await getTrigger(t.db, A, copy!.id)];
    const arms = dup?.variants as Array<{ id: string; weight: number; content?: { headline: string } }>;
    expect(arms.map((a) => a.weight)).toEqual([60, 40]);
    expect(arms[1].content?.headline).toBe("B headline 1");
    expect(arms.map((a) => a.id)).not.toContain("arma1");
    expect(arms.map((a) => a.id)).not.toContain("armb2");
    expect(new Set(arms.map((a) => a.id)).size).toBe(2);
    expect(dup?.testStartedAt).toEqual(at("2026-03-05T00:00:00Z"));
    expect(dup?.autoPromote).toBe(true);
    expect(dup?.enabled).toBe(false);
    expect(source?.testStartedAt).toEqual(at("2026-03-01T00:00:00Z"));
    // the copy's arms validate as the editor would send them back
    expect(triggerInputSchema.safeParse({ ...base, variants: arms }).success).toBe(true);
  });
});

/** The checkout template with a test on email `s`. */
function flowWith(s: number, weights: number[], ids = ["stpa1", "stpb2", "stpc3"], subject = "B subject"): FlowInput {
  const template = flowTemplates.checkout;
  return flowInputSchema.parse({
    ...template,
    steps: template.steps.map((step, i) =>
      i === s
        ? { ...step, variants: weights.map((weight, j) => ({ id: ids[j], weight, ...(j > 0 ? { step: { ...step, subject: `${subject} ${j}` } } : {}) })) }
        : step,
    ),
  });
}

describe(`flow step variants (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"})`, () => {
  it("keeps the steps' ids across saves and sets each step's test start by the same rules", async () => {
    const { id } = await createFlowFromTemplate(t.db, A, "checkout");
    const before = await getFlow(t.db, A, id);
    const ids = before!.steps.map((s) => s.id);
    expect(ids.length).toBeGreaterThanOrEqual(2);

    expect(await updateFlow(t.db, A, id, flowWith(0, [50, 50]), at("2026-04-01T00:00:00Z"))).toBe(true);
    let flow = await getFlow(t.db, A, id);
    expect(flow!.steps.map((s) => s.id)).toEqual(ids);
    expect(flow!.steps[0].variants?.map((a) => [a.id, a.weight])).toEqual([
      ["stpa1", 50],
      ["stpb2", 50],
    ]);
    expect(flow!.steps[0].variants?.[1].step?.subject).toBe("B subject 1");
    expect(flow!.steps[0].testStartedAt).toEqual(at("2026-04-01T00:00:00Z"));
    expect(flow!.steps[1].variants).toBeNull();
    expect(flow!.steps[1].testStartedAt).toBeNull();

    // B's subject edited: same ids, same start; the editor's input carries the arms back
    await updateFlow(t.db, A, id, flowWith(0, [50, 50], undefined, "Edited"), at("2026-04-02T00:00:00Z"));
    flow = await getFlow(t.db, A, id);
    expect(flow!.steps.map((s) => s.id)).toEqual(ids);
    expect(flow!.steps[0].testStartedAt).toEqual(at("2026-04-01T00:00:00Z"));
    const input = flowToInput(flow!);
    expect(input.steps[0].variants?.[1].step?.subject).toBe("Edited 1");
    expect(flowInputSchema.safeParse(input).success).toBe(true);

    // a new split restarts that step's comparison
    await updateFlow(t.db, A, id, flowWith(0, [80, 20]), at("2026-04-03T00:00:00Z"));
    expect((await getFlow(t.db, A, id))!.steps[0].testStartedAt).toEqual(at("2026-04-03T00:00:00Z"));

    // an email added after the last: the others keep their ids; removing it again drops only it
    const longer = flowWith(0, [80, 20]);
    const last = longer.steps[longer.steps.length - 1];
    longer.steps.push({ ...last, delayMinutes: last.delayMinutes + 1440, subject: "One more" });
    await updateFlow(t.db, A, id, longer, at("2026-04-04T00:00:00Z"));
    flow = await getFlow(t.db, A, id);
    expect(flow!.steps.slice(0, ids.length).map((s) => s.id)).toEqual(ids);
    expect(flow!.steps.map((s) => s.position)).toEqual(flow!.steps.map((_, i) => i));
    expect(flow!.steps[ids.length].subject).toBe("One more");
    expect(flow!.steps[0].testStartedAt).toEqual(at("2026-04-03T00:00:00Z"));
    await updateFlow(t.db, A, id, flowWith(0, [80, 20]), at("2026-04-05T00:00:00Z"));
    flow = await getFlow(t.db, A, id);
    expect(flow!.steps.map((s) => s.id)).toEqual(ids);

    // the test ended: arms and start gone, the step's own fields stay
    await updateFlow(t.db, A, id, flowTemplates.checkout, at("2026-04-06T00:00:00Z"));
    flow = await getFlow(t.db, A, id);
    expect(flow!.steps.map((s) => s.id)).toEqual(ids);
    expect(flow!.steps[0].variants).toBeNull();
    expect(flow!.steps[0].testStartedAt).toBeNull();
    expect(flow!.steps[0].subject).toBe(flowTemplates.checkout.steps[0].subject);
    // SQL NULL in the column itself (PostgreSQL's client writes {} for the wrong DbNull)
    expect((await t.db.recoveryStep.findUniqueOrThrow({ where: { id: ids[0] } })).variants).toBeNull();
  });

  it("another shop's flow is not saved, and a duplicate starts a new test with fresh arm ids", async () => {
    const { id } = await createFlowFromTemplate(t.db, B, "checkout");
    await updateFlow(t.db, B, id, flowWith(1, [50, 50]), at("2026-05-01T00:00:00Z"));
    expect(await updateFlow(t.db, A, id, flowWith(1, [90, 10]), at("2026-05-02T00:00:00Z"))).toBe(false);
    const flow = await getFlow(t.db, B, id);
    expect(flow!.steps[1].variants?.map((a) => a.weight)).toEqual([50, 50]);
    expect(flow!.steps[1].testStartedAt).toEqual(at("2026-05-01T00:00:00Z"));

    const copy = await duplicateFlow(t.db, B, id);
    const dup = await getFlow(t.db, B, copy!.id);
    const arms = dup!.steps[1].variants!;
    expect(arms.map((a) => a.weight)).toEqual([50, 50]);
    expect(arms.map((a) => a.id)).not.toContain("stpa1");
    expect(arms[1].step?.subject).toBe("B subject 1");
    expect(dup!.steps[1].testStartedAt).toBeInstanceOf(Date);
    expect(dup!.steps.map((s) => s.id)).not.toContain(flow!.steps[1].id);
  });
});
