import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Prisma } from "@prisma/client";
import { createTestDb, type TestDb } from "../../support/db";

/**
 * The worker's hourly auto-promote job (issue 21): scheduled with the daily maintenance, it
 * promotes a clear winner, enqueues a publish-rules job for that shop (the worker publishes with
 * the shop's offline session) and schedules its next run an hour later.
 */
const SHOP = "auto-job.myshopify.com";
const START = new Date("2026-05-01T00:00:00Z");
const NOW = new Date("2026-05-10T10:20:00Z");

let t: TestDb;
let jobs: typeof import("~/services/jobs.server");
let handlers: typeof import("~/services/job-handlers.server");

beforeAll(async () => {
  t = await createTestDb();
  process.env.DATABASE_URL = t.url;
  jobs = await import("~/services/jobs.server");
  handlers = await import("~/services/job-handlers.server");
  await t.db.shop.create({ data: { shop: SHOP } });
  await t.db.trigger.create({
    data: {
      id: "win",
      shop: SHOP,
      name: "Clear winner",
      type: "exit_intent",
      enabled: true,
      conditions: {},
      segment: {},
      content: { kind: "message", headline: "A" },
      frequencyCap: {},
      holdoutPct: 0,
      salt: "win",
      variants: [
        { id: "jobaaaaa", weight: 50 },
        { id: "jobbbbbb", weight: 50, content: { kind: "message", headline: "B" } },
      ],
      testStartedAt: START,
      autoPromote: true,
    },
  });
  const at = new Date(START.getTime() + 3_600_000);
  const exposures: Prisma.ExposureCreateManyInput[] = [];
  const orders: Prisma.AttributionCreateManyInput[] = [];
  for (const [arm, converted] of [
    ["jobaaaaa", 100],
    ["jobbbbbb", 250],
  ] as const) {
    for (let i = 0; i < 2000; i++) {
      exposures.push({ shop: SHOP, triggerId: "win", visitorId: `${arm}${i}`, variant: "treatment", arm, firstAt: at, lastAt: at });
      if (i < converted) {
        orders.push({
          shop: SHOP,
          orderId: `${arm}o${i}`,
          totalCents: 1000,
          source: "overlay",
          triggerId: "win",
          visitorId: `${arm}${i}`,
          variant: "treatment",
          arm,
          key: `${arm}o${i}:overlay:win`,
          occurredAt: at,
        });
      }
    }
  }
  await t.db.exposure.createMany({ data: exposures });
  await t.db.attribution.createMany({ data: orders });
}, 120_000);

afterAll(async () => {
  await t?.cleanup();
});

describe("auto-promote job", () => {
  it("is scheduled with maintenance, promotes the winner, asks for a publish and comes back in an hour", async () => {
    await handlers.scheduleMaintenance(NOW);
    const job = await t.db.job.findFirstOrThrow({ where: { kind: "experiments.auto-promote" } });
    expect(job.runAt).toEqual(NOW);
    // only this job's handler: the retention sweep and the publish have their own tests
    const only = { "experiments.auto-promote": handlers.jobHandlers()["experiments.auto-promote"] };
    await t.db.job.deleteMany({ where: { kind: { not: "experiments.auto-promote" } } });
    await jobs.drainDue({ db: t.db, handlers: only as never, now: () => NOW });

    const trigger = await t.db.trigger.findUniqueOrThrow({ where: { id: "win" } });
    expect(trigger).toMatchObject({ content: { kind: "message", headline: "B" }, testStartedAt: null, autoPromote: false });
    expect(await t.db.experimentRecord.findFirstOrThrow({ where: { triggerId: "win" } })).toMatchObject({ how: "auto", winner: "jobbbbbb" });
    expect(await t.db.job.count({ where: { kind: "publish-rules", shop: SHOP } })).toBe(1);
    const next = await t.db.job.findFirstOrThrow({ where: { kind: "experiments.auto-promote", status: "pending" } });
    expect(next.runAt).toEqual(new Date(NOW.getTime() + 3_600_000));
    // scheduling again in the same hour adds nothing
    await handlers.scheduleMaintenance(new Date(NOW.getTime() + 60_000));
    expect(await t.db.job.count({ where: { kind: "experiments.auto-promote" } })).toBe(2);
  });
});
