import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../support/db";

/**
 * Operational tables stay bounded (issue 15): the daily sweep deletes finished and dead jobs and
 * webhook delivery records older than OPS_RETENTION_DAYS, in batches, and keeps everything
 * pending, running or recent. (bench/sweep.ts times it on a million rows of each.)
 */
const DAY = 86_400_000;
const NOW = new Date("2026-12-01T00:00:00Z");
let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
  process.env.DATABASE_URL = t.url;
});
afterAll(async () => {
  await t?.cleanup();
});

describe(`operational retention (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"})`, () => {
  it("deletes old finished and dead jobs and old deliveries in batches, and nothing else", async () => {
    const old = new Date(NOW.getTime() - 40 * DAY);
    const recent = new Date(NOW.getTime() - 5 * DAY);
    const jobs = (status: string, at: Date, n: number) =>
      Array.from({ length: n }, () => ({
        kind: "contact.sync",
        shop: "s.myshopify.com",
        payload: {},
        status,
        runAt: at,
        finishedAt: status === "pending" || status === "running" ? null : at,
      }));
    await t.db.job.createMany({
      data: [...jobs("done", old, 1_200), ...jobs("dead", old, 30), ...jobs("pending", old, 7), ...jobs("running", old, 2), ...jobs("done", recent, 11)],
    });
    await t.db.webhookDelivery.createMany({
      data: [
        ...Array.from({ length: 1_100 }, (_, i) => ({
          webhookId: `old-${i}`,
          shop: "s.myshopify.com",
          topic: "carts/update",
          outcome: "applied",
          receivedAt: old,
        })),
        ...Array.from({ length: 9 }, (_, i) => ({
          webhookId: `new-${i}`,
          shop: "s.myshopify.com",
          topic: "carts/update",
          outcome: "applied",
          receivedAt: recent,
        })),
      ],
    });
    const { sweepOperational } = await import("~/services/privacy.server");
    const result = await sweepOperational(t.db, NOW, 30, 500);
    // batches of 500: 1,230 jobs in 3 statements (the last short), 1,100 deliveries in 3
    expect(result).toMatchObject({ jobs: 1_230, deliveries: 1_100, statements: 6 });
    expect(await t.db.job.groupBy({ by: ["status"], _count: { _all: true }, orderBy: { status: "asc" } })).toEqual([
      { status: "done", _count: { _all: 11 } },
      { status: "pending", _count: { _all: 7 } },
      { status: "running", _count: { _all: 2 } },
    ]);
    expect(await t.db.webhookDelivery.count()).toBe(9);
  });
});
