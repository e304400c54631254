import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Prisma } from "@prisma/client";
import { createTestDb, type TestDb } from "../../support/db";
import { armTestsToCsv, ARM_CSV_HEADER, getAnalytics, stepArmTest, triggerArmTest } from "~/services/analytics.server";
import { promoteStepArm, promoteTriggerArm, sweepAutoPromote } from "~/services/experiments.server";
import { compareArms, compareArmsMeans, sampleRatioMismatch } from "~/domain/experiments/stats";
import { armVerdict, pairwiseWinner } from "~/domain/experiments/arm-verdict";

/**
 * A/B tests per arm (issue 21) on a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL):
 * per-arm figures from seeded Exposure / Attribution / StepExposure rows, checked against the
 * domain functions on hand-counted inputs; promote (record, cleared test, shop scope, a step's
 * delay order); the auto-promote sweep (a clear winner promoted, an A/A left alone).
 */
const SHOP = "ab-shop.myshopify.com";
const OTHER = "ab-other.myshopify.com";
const START = new Date("2026-04-01T00:00:00Z");
const NOW = new Date("2026-04-20T00:00:00Z");
const min = (n: number) => new Date(START.getTime() + n * 60_000);

const A_CONTENT = { kind: "message", headline: "Arm A headline" };
const B_CONTENT = { kind: "message", headline: "Arm B headline" };

let t: TestDb;

const trigger = (
  id: string,
  shop: string,
  arms: Array<{ id: string; weight: number; content?: unknown }>,
  extra: Partial<Prisma.TriggerCreateManyInput> = {},
) => ({
  id,
  shop,
  name: `Trigger ${id}`,
  type: "exit_intent",
  enabled: true,
  conditions: {},
  segment: {},
  content: A_CONTENT,
  frequencyCap: {},
  holdoutPct: 10,
  salt: id,
  variants: arms as Prisma.InputJsonValue,
  testStartedAt: START,
  ...extra,
});

/** `n` exposures of a trigger: visitor ids `${prefix}${i}`, first seen `at`. */
const exposures = (shop: string, triggerId: string, prefix: string, n: number, variant: string, arm: string, at = min(10)): Prisma.ExposureCreateManyInput[] =>
  Array.from({ length: n }, (_, i) => ({ shop, triggerId, visitorId: `${prefix}${i}`, variant, arm, firstAt: at, lastAt: at }));

/** An overlay-credited order of visitor `${prefix}${i}` for each i < n. */
const orders = (shop: string, triggerId: string, prefix: string, n: number, cents: number, at = min(60)): Prisma.AttributionCreateManyInput[] =>
  Array.from({ length: n }, (_, i) => ({
    shop,
    orderId: `${triggerId}-${prefix}-${i}`,
    totalCents: cents,
    source: "overlay",
    triggerId,
    visitorId: `${prefix}${i}`,
    variant: "treatment",
    key: `${triggerId}-${prefix}-${i}:overlay:${triggerId}`,
    occurredAt: at,
  }));

beforeAll(async () => {
  t = await createTestDb();
  const db = t.db;
  await db.shop.createMany({ data: [{ shop: SHOP, attributionWindowDays: 5 }, { shop: OTHER }] });
  await db.trigger.createMany({
    data: [
      // the test the page shows: 1,000 visitors per arm, A converts 5 %, B 10 %
      trigger("t1", SHOP, [
        { id: "arma0001", weight: 50 },
        { id: "armb0001", weight: 50, content: B_CONTENT },
      ]),
      // auto-promote: a clear winner (B) among three arms
      trigger(
        "t2",
        SHOP,
        [
          { id: "arma0002", weight: 34 },
          { id: "armb0002", weight: 33, content: B_CONTENT },
          { id: "armc0002", weight: 33, content: A_CONTENT },
        ],
        { autoPromote: true },
      ),
      // auto-promote: A/A, must stay
      trigger(
        "t3",
        SHOP,
        [
          { id: "arma0003", weight: 50 },
          { id: "armb0003", weight: 50, content: B_CONTENT },
        ],
        { autoPromote: true },
      ),
      // no test
      trigger("t4", SHOP, [], { variants: undefined, testStartedAt: null }),
      // another shop's test
      trigger("tb", OTHER, [
        { id: "arma0009", weight: 50 },
        { id: "armb0009", weight: 50, content: B_CONTENT },
      ]),
    ],
  });
  await db.exposure.createMany({
    data: [
      ...exposures(SHOP, "t1", "a", 1000, "treatment", "arma0001"),
      ...exposures(SHOP, "t1", "b", 1000, "treatment", "armb0001"),
      ...exposures(SHOP, "t1", "h", 222, "control", ""),
      ...exposures(SHOP, "t1", "m", 5, "mixed", "mixed"),
      ...exposures(SHOP, "t1", "x", 3, "treatment", "gone0001"), // an arm the test no longer has
      ...exposures(SHOP, "t1", "old", 400, "treatment", "armb0001", new Date(START.getTime() - 3_600_000)), // before the test
      ...exposures(SHOP, "t2", "a", 3000, "treatment", "arma0002"),
      ...exposures(SHOP, "t2", "b", 3000, "treatment", "armb0002"),
      ...exposures(SHOP, "t2", "c", 3000, "treatment", "armc0002"),
      ...exposures(SHOP, "t2", "h", 1000, "control", ""),
      ...exposures(SHOP, "t3", "a", 2000, "treatment", "arma0003"),
      ...exposures(SHOP, "t3", "b", 2000, "treatment", "armb0003"),
      ...exposures(SHOP, "t3", "h", 444, "control", ""),
      ...exposures(OTHER, "tb", "a", 100, "treatment", "arma0009"),
    ],
  });
  await db.attribution.createMany({
    data: [
      ...orders(SHOP, "t1", "a", 50, 1000),
      ...orders(SHOP, "t1", "b", 100, 2000),
      ...orders(SHOP, "t1", "old", 40, 2000), // visitors first exposed before the test: not counted
      ...orders(SHOP, "t1", "h", 11, 1000),
      // outside the 5-day window after the first exposure: not counted
      ...orders(SHOP, "t1", "a", 1, 5000, new Date(min(10).getTime() + 6 * 86_400_000)).map((o) => ({ ...o, orderId: "late", key: "late:overlay:t1" })),
      ...orders(SHOP, "t2", "a", 150, 1000),
      ...orders(SHOP, "t2", "b", 330, 1000),
      ...orders(SHOP, "t2", "c", 150, 1000),
      ...orders(SHOP, "t3", "a", 100, 1000),
      ...orders(SHOP, "t3", "b", 101, 1000),
      ...orders(OTHER, "tb", "a", 10, 1000),
    ],
  });

  // A flow whose second email runs a test; its third email bounds the delays.
  await db.recoveryFlow.create({
    data: {
      id: "f1",
      shop: SHOP,
      name: "Checkout recovery",
      enabled: true,
      holdoutPct: 10,
      steps: {
        create: [
          { id: "s0", position: 0, delayMinutes: 60, subject: "One", body: [] },
          {
            id: "s1",
            position: 1,
            delayMinutes: 1440,
            subject: "Two (A)",
            body: [{ type: "text", text: "A" }],
            variants: [
              { id: "stpa0001", weight: 50 },
              {
                id: "stpb0001",
                weight: 25,
                step: {
                  delayMinutes: 1800,
                  subject: "Two (B)",
                  preheader: "pre B",
                  body: [{ type: "text", text: "B" }],
                  discountPercent: 10,
                  discountExpiryDays: 3,
                },
              },
              { id: "stpc0001", weight: 25, step: { delayMinutes: 5000, subject: "Two (C)", preheader: "", body: [] } },
            ],
            testStartedAt: START,
          },
          { id: "s2", position: 2, delayMinutes: 4320, subject: "Three", body: [] },
        ],
      },
    },
  });
  const arms = [
    ["stpa0001", 40, 4],
    ["stpb0001", 20, 6],
    ["stpc0001", 20, 1],
  ] as const;
  const stepExposures: Prisma.StepExposureCreateManyInput[] = [];
  const messages: Prisma.MessageCreateManyInput[] = [];
  const credited: Prisma.AttributionCreateManyInput[] = [];
  for (const [arm, runs, converted] of arms) {
    for (let i = 0; i < runs; i++) {
      const runId = `${arm}-run${i}`;
      stepExposures.push({ shop: SHOP, flowId: "f1", stepId: "s1", runId, arm, at: min(5) });
      messages.push({
        id: `${runId}-m`,
        shop: SHOP,
        idempotencyKey: `${runId}-m`,
        flowId: "f1",
        flowRunId: runId,
        stepId: "s0",
        email: "x@example.com",
        status: "sent",
        sentAt: min(60),
      });
      if (i < converted) {
        credited.push({
          shop: SHOP,
          orderId: `${runId}-o`,
          totalCents: 3000,
          source: "flow",
          flowId: "f1",
          messageId: `${runId}-m`,
          variant: "treatment",
          key: `${runId}-o:flow:f1`,
          occurredAt: min(120),
        });
      }
    }
  }
  // an order before the run reached the step: not the step's
  credited.push({
    shop: SHOP,
    orderId: "early",
    totalCents: 9000,
    source: "flow",
    flowId: "f1",
    messageId: "stpa0001-run30-m",
    variant: "treatment",
    key: "early:flow:f1",
    occurredAt: min(1),
  });
  stepExposures.push({ shop: SHOP, flowId: "f1", stepId: "s1", runId: "before", arm: "stpa0001", at: new Date(START.getTime() - 1000) });
  await db.stepExposure.createMany({ data: stepExposures });
  await db.message.createMany({ data: messages });
  await db.attribution.createMany({ data: credited });
}, 120_000);

afterAll(async () => {
  await t?.cleanup();
});

describe("analytics per arm", () => {
  it("counts each trigger arm's visitors and conversions since the test began, and compares them with A", async () => {
    const test = await triggerArmTest(t.db, SHOP, "t1", { to: NOW, sequential: true });
    expect(test).not.toBeNull();
    const [a, b] = test!.arms;
    expect(a).toMatchObject({ id: "arma0001", label: "A", users: 1000, conversions: 50, orders: 50, revenueCents: 50_000 });
    expect(b).toMatchObject({ id: "armb0001", label: "B", users: 1000, conversions: 100, revenueCents: 200_000 });
    expect(test!.holdoutUsers).toBe(222);
    expect(test!.excludedUsers).toBe(8); // 5 mixed + 3 under an arm the test no longer has
    expect(b.conversion).toEqual(compareArms({ users: 1000, conversions: 50 }, [{ users: 1000, conversions: 100 }], { sequential: true })[0]);
    // revenue per visitor: A is 50 × 1000 cents, B 100 × 2000
    const meanVar = (n: number, k: number, c: number) => ({ users: n, mean: (k * c) / n, variance: (k * c * c - (k * c) ** 2 / n) / (n - 1) });
    const rev = compareArmsMeans(meanVar(1000, 50, 1000), [meanVar(1000, 100, 2000)], { sequential: true })[0];
    expect(b.revenue!.absoluteLift).toBeCloseTo(rev.absoluteLift, 9);
    expect(b.revenue!.ci[0]).toBeCloseTo(rev.ci[0], 6);
    const srm = sampleRatioMismatch([1000, 1000, 222], [45, 45, 10]);
    expect(test!.srm.pValue).toBeCloseTo(srm.pValue, 12);
    expect(test!.srm.mismatch).toBe(false);
    const v = armVerdict(
      [
        { users: 1000, conversions: 50, weight: 50 },
        { users: 1000, conversions: 100, weight: 50 },
      ],
      srm,
      { sequential: true },
    );
    expect(test!.verdict.text).toBe(v.text);
    expect(test!.verdict.text).toMatch(/^Variant B is ahead of A by 100\.0% \(interval/);
  });

  it("counts each flow-step arm's runs and the orders credited to them after they reached the step", async () => {
    const test = await stepArmTest(t.db, SHOP, "s1", { to: NOW, sequential: true });
    expect(test).toMatchObject({ kind: "step", flowId: "f1", position: 1, holdoutUsers: null, excludedUsers: 0, name: "Checkout recovery · Email 2" });
    expect(test!.arms.map((r) => [r.label, r.users, r.conversions, r.revenueCents])).toEqual([
      ["A", 40, 4, 12_000],
      ["B", 20, 6, 18_000],
      ["C", 20, 1, 3_000],
    ]);
    expect(test!.srm.pValue).toBeCloseTo(sampleRatioMismatch([40, 20, 20], [50, 25, 25]).pValue, 12);
  });

  it("puts the tests on the analytics page, shop by shop, and exports one CSV row per arm", async () => {
    const analytics = await getAnalytics(t.db, SHOP, { from: new Date(NOW.getTime() - 30 * 86_400_000), to: NOW, sequential: true });
    expect(analytics.tests.map((x) => x.id)).toEqual(["t1", "t2", "t3", "s1"]);
    const other = await getAnalytics(t.db, OTHER, { from: new Date(NOW.getTime() - 30 * 86_400_000), to: NOW, sequential: true });
    expect(other.tests.map((x) => [x.id, x.arms[0].users, x.arms[0].conversions])).toEqual([["tb", 100, 10]]);
    expect(await triggerArmTest(t.db, OTHER, "t1")).toBeNull();
    expect(await stepArmTest(t.db, OTHER, "s1")).toBeNull();

    const csv = armTestsToCsv(analytics).trimEnd().split("\r\n");
    expect(csv[0]).toBe(ARM_CSV_HEADER.join(","));
    expect(csv).toHaveLength(1 + 2 + 3 + 2 + 3);
    const col = (line: string, name: string) => line.split(",")[ARM_CSV_HEADER.indexOf(name)];
    const b1 = csv.find((l) => l.startsWith("trigger,t1,") && col(l, "arm") === "B")!;
    expect(col(b1, "users")).toBe("1000");
    expect(col(b1, "conversions")).toBe("100");
    expect(Number(col(b1, "conversion_rel_lift_vs_a"))).toBeCloseTo(1, 9);
    const a1 = csv.find((l) => l.startsWith("trigger,t1,") && col(l, "arm") === "A")!;
    expect(col(a1, "conversion_rel_lift_vs_a")).toBe("");
  });
});

describe("promote", () => {
  it("refuses another shop's trigger, an unknown arm and bad input without touching the test", async () => {
    expect(await promoteTriggerArm(t.db, OTHER, "t1", "armb0001", { how: "manual" })).toMatchObject({ ok: false, status: 404 });
    expect(await promoteTriggerArm(t.db, SHOP, "t1", "zzzz0000", { how: "manual" })).toMatchObject({ ok: false, status: 404 });
    expect(await promoteTriggerArm(t.db, SHOP, "t1", "", { how: "manual" })).toMatchObject({ ok: false, status: 400 });
    expect(await promoteTriggerArm(t.db, SHOP, "t4", "armb0001", { how: "manual" })).toMatchObject({ ok: false, status: 409 });
    expect(await promoteTriggerArm(t.db, SHOP, "nope", "armb0001", { how: "manual" })).toMatchObject({ ok: false, status: 404 });
    const row = await t.db.trigger.findUniqueOrThrow({ where: { id: "t1" } });
    expect(row.testStartedAt).toEqual(START);
  });

  it("makes B's content the trigger's own, ends the test and keeps a record with the arms and figures", async () => {
    const now = new Date("2026-04-20T12:00:00Z");
    const result = await promoteTriggerArm(t.db, SHOP, "t1", "armb0001", { how: "manual", now });
    expect(result).toMatchObject({ ok: true, label: "B", kind: "trigger" });
    const row = await t.db.trigger.findUniqueOrThrow({ where: { id: "t1" } });
    expect(row.content).toEqual(B_CONTENT);
    expect(row.variants).toBeNull();
    expect(row.testStartedAt).toBeNull();
    expect(row.autoPromote).toBe(false);
    expect(row.holdoutPct).toBe(10);
    const records = await t.db.experimentRecord.findMany({ where: { triggerId: "t1" } });
    expect(records).toHaveLength(1);
    const rec = records[0];
    expect(rec).toMatchObject({ shop: SHOP, winner: "armb0001", how: "manual", startedAt: START, endedAt: now });
    expect(rec.arms).toEqual([
      { id: "arma0001", weight: 50, label: "A", content: A_CONTENT },
      { id: "armb0001", weight: 50, label: "B", content: B_CONTENT },
    ]);
    const summary = rec.summary as { arms: Array<{ users: number; conversions: number }>; verdict: string; holdoutUsers: number };
    expect(summary.arms.map((a) => [a.users, a.conversions])).toEqual([
      [1000, 50],
      [1000, 100],
    ]);
    expect(summary.holdoutUsers).toBe(222);
    expect(summary.verdict).toMatch(/^Variant B is ahead of A/);
    // a second click finds no test
    expect(await promoteTriggerArm(t.db, SHOP, "t1", "armb0001", { how: "manual" })).toMatchObject({ ok: false, status: 409 });
    // and the page lists it under ended tests
    const analytics = await getAnalytics(t.db, SHOP, { from: new Date(NOW.getTime() - 86_400_000), to: NOW });
    expect(analytics.tests.map((x) => x.id)).not.toContain("t1");
    expect(analytics.endedTests[0]).toMatchObject({ kind: "trigger", targetId: "t1", name: "Trigger t1", winnerLabel: "B", how: "manual" });
    expect((await getAnalytics(t.db, OTHER, { from: new Date(NOW.getTime() - 86_400_000), to: NOW })).endedTests).toEqual([]);
  });

  it("refuses a step variant whose delay would break the flow's order, and promotes one that keeps it", async () => {
    const refused = await promoteStepArm(t.db, SHOP, "s1", "stpc0001", { how: "manual" });
    expect(refused).toMatchObject({ ok: false, status: 409 });
    expect((refused as { reason: string }).reason).toMatch(/not before email 3/);
    expect(await promoteStepArm(t.db, OTHER, "s1", "stpb0001", { how: "manual" })).toMatchObject({ ok: false, status: 404 });

    const ok = await promoteStepArm(t.db, SHOP, "s1", "stpb0001", { how: "manual" });
    expect(ok).toMatchObject({ ok: true, label: "B", kind: "step" });
    const step = await t.db.recoveryStep.findUniqueOrThrow({ where: { id: "s1" } });
    expect(step).toMatchObject({
      delayMinutes: 1800,
      subject: "Two (B)",
      preheader: "pre B",
      discountPercent: 10,
      discountExpiryDays: 3,
      variants: null,
      testStartedAt: null,
      autoPromote: false,
    });
    expect(step.body).toEqual([{ type: "text", text: "B" }]);
    const rec = await t.db.experimentRecord.findFirstOrThrow({ where: { stepId: "s1" } });
    expect(rec).toMatchObject({ flowId: "f1", winner: "stpb0001", how: "manual" });
    expect((rec.arms as Array<{ label: string; step?: { subject: string } }>)[0]).toMatchObject({
      label: "A",
      step: { subject: "Two (A)", delayMinutes: 1440 },
    });
  });
});

describe("auto-promote sweep", () => {
  it("promotes a clear winner, leaves an A/A alone and asks the worker to republish the shop", async () => {
    // the rule, on the seeded figures
    expect(
      pairwiseWinner([
        { users: 3000, conversions: 150 },
        { users: 3000, conversions: 330 },
        { users: 3000, conversions: 150 },
      ]).winner,
    ).toBe(1);
    const result = await sweepAutoPromote(t.db, NOW);
    expect(result.promoted).toEqual([{ shop: SHOP, kind: "trigger", id: "t2", armId: "armb0002", label: "B" }]);
    expect(result.checked).toBe(2);
    const t2 = await t.db.trigger.findUniqueOrThrow({ where: { id: "t2" } });
    expect(t2).toMatchObject({ content: B_CONTENT, variants: null, testStartedAt: null, autoPromote: false });
    expect(await t.db.experimentRecord.count({ where: { triggerId: "t2", how: "auto", winner: "armb0002" } })).toBe(1);
    const t3 = await t.db.trigger.findUniqueOrThrow({ where: { id: "t3" } });
    expect(t3.testStartedAt).toEqual(START);
    expect(t3.autoPromote).toBe(true);
    expect(await t.db.job.count({ where: { kind: "publish-rules", shop: SHOP } })).toBe(1);
    // nothing left to promote
    expect((await sweepAutoPromote(t.db, NOW)).promoted).toEqual([]);
  });
});
