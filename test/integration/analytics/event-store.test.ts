import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Prisma } from "@prisma/client";
import { createTestDb, type TestDb } from "../../support/db";
import { getAnalytics } from "~/services/analytics.server";
import { storeEvents } from "~/services/event-store.server";
import { sweepRetention, redactCustomer } from "~/services/privacy.server";

/**
 * The aggregates written with the events (Exposure, EventRollup) must say exactly what the
 * events say: merged across batches in any order, under concurrency, at the edges of a range,
 * and — for shops upgrading with events already stored — as the migration's backfill computes them.
 */
const SHOP = "agg-shop.myshopify.com";
const OTHER = "agg-other.myshopify.com";
type Row = Prisma.EventCreateManyInput;
const ev = (visitorId: string, kind: string, iso: string, extra: Partial<Row> = {}, shop = SHOP): Row => ({
  shop,
  visitorId,
  kind,
  occurredAt: new Date(iso),
  ...extra,
});

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.cleanup();
});
beforeEach(async () => {
  await t.db.$transaction([
    t.db.event.deleteMany(),
    t.db.exposure.deleteMany(),
    t.db.eventRollup.deleteMany(),
    t.db.trigger.deleteMany(),
    t.db.contact.deleteMany(),
    t.db.shop.deleteMany(),
  ]);
});

async function exposures(shop = SHOP) {
  const rows = await t.db.exposure.findMany({ where: { shop }, orderBy: [{ triggerId: "asc" }, { visitorId: "asc" }] });
  return rows.map((r) => ({
    triggerId: r.triggerId,
    visitorId: r.visitorId,
    variant: r.variant,
    tier: r.tier,
    firstAt: r.firstAt.toISOString(),
    lastAt: r.lastAt.toISOString(),
  }));
}

async function rollups(shop?: string) {
  const rows = await t.db.eventRollup.findMany({
    where: shop ? { shop } : {},
    orderBy: [{ shop: "asc" }, { hour: "asc" }, { triggerId: "asc" }, { kind: "asc" }, { tier: "asc" }, { variant: "asc" }],
  });
  return rows.map((r) => ({ ...r, hour: r.hour.toISOString() }));
}

describe(`event aggregates (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"})`, () => {
  it("merges a visitor's exposures across batches in any order: first and last time, tier at first, mixed arms", async () => {
    await storeEvents(t.db, [ev("v1", "impression", "2026-03-05T10:00:00Z", { triggerId: "t1", variant: "treatment", intentTier: "mid" })]);
    // A later batch carrying an EARLIER event (a delayed beacon) moves the first exposure and its tier.
    await storeEvents(t.db, [ev("v1", "impression", "2026-03-04T09:00:00Z", { triggerId: "t1", variant: "treatment", intentTier: "low" })]);
    await storeEvents(t.db, [ev("v1", "impression", "2026-03-06T11:00:00Z", { triggerId: "t1", variant: "treatment", intentTier: "high" })]);
    // v2 is seen in both arms (the holdout changed): mixed.
    await storeEvents(t.db, [ev("v2", "control", "2026-03-05T10:00:00Z", { triggerId: "t1", variant: "control" })]);
    await storeEvents(t.db, [ev("v2", "impression", "2026-03-05T12:00:00Z", { triggerId: "t1", variant: "treatment" })]);
    // Not exposures: a page view, and a click (counted in the funnel only).
    await storeEvents(t.db, [
      ev("v3", "page_view", "2026-03-05T10:00:00Z"),
      ev("v3", "click", "2026-03-05T10:00:00Z", { triggerId: "t1", variant: "treatment" }),
    ]);

    expect(await exposures()).toEqual([
      { triggerId: "t1", visitorId: "v1", variant: "treatment", tier: "low", firstAt: "2026-03-04T09:00:00.000Z", lastAt: "2026-03-06T11:00:00.000Z" },
      { triggerId: "t1", visitorId: "v2", variant: "mixed", tier: null, firstAt: "2026-03-05T10:00:00.000Z", lastAt: "2026-03-05T12:00:00.000Z" },
    ]);
    const r = await rollups();
    expect(r.reduce((s, x) => s + x.events, 0)).toBe(6); // every overlay event once; the page view not at all
    expect(r.find((x) => x.kind === "click")).toMatchObject({ hour: "2026-03-05T10:00:00.000Z", tier: "unknown", variant: "treatment", events: 1 });
  });

  it("page-view-only batches write no aggregates", async () => {
    const n = await storeEvents(t.db, [ev("v1", "page_view", "2026-03-05T10:00:00Z"), ev("v1", "product_view", "2026-03-05T10:00:01Z", { productId: "p1" })]);
    expect(n).toBe(2);
    expect(await t.db.exposure.count()).toBe(0);
    expect(await t.db.eventRollup.count()).toBe(0);
  });

  it("stays exact under concurrent batches for the same visitor and trigger", async () => {
    const base = Date.parse("2026-03-05T10:00:00Z");
    const batches = Array.from({ length: 40 }, (_, i) => [
      ev("v1", i % 7 === 3 ? "control" : "impression", new Date(base + ((i * 7919) % 40) * 60_000).toISOString(), {
        triggerId: "t1",
        variant: i % 7 === 3 ? "control" : "treatment",
        intentTier: ["low", "mid", "high"][i % 3],
      }),
    ]);
    const results = await Promise.allSettled(batches.map((b) => storeEvents(t.db, b)));
    // SQLite serialises writers; a busy timeout must not drop a batch.
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    const [e] = await exposures();
    expect(e).toMatchObject({ variant: "mixed", firstAt: new Date(base).toISOString(), lastAt: new Date(base + 39 * 60_000).toISOString() });
    const total = (await rollups()).reduce((s, x) => s + x.events, 0);
    expect(total).toBe(40);
    expect(await t.db.event.count()).toBe(40);
  });

  it("gives the funnel exactly as the events do, including partial hours at both ends of the range", async () => {
    await t.db.shop.create({ data: { shop: SHOP, timezone: "UTC" } });
    const from = new Date("2026-03-02T10:25:00Z");
    const to = new Date("2026-03-04T17:40:00Z");
    const rows: Row[] = [];
    const tiers = ["low", "mid", "high", null];
    const kinds = ["impression", "impression", "click", "conversion", "control"];
    // Events every 17 minutes from before `from` to after `to`, including the partial hours.
    for (let ms = from.getTime() - 3 * 3_600_000, i = 0; ms < to.getTime() + 3 * 3_600_000; ms += 17 * 60_000, i++) {
      const kind = kinds[i % kinds.length];
      rows.push(
        ev(`v${i % 13}`, kind, new Date(ms).toISOString(), {
          triggerId: i % 2 ? "t1" : "t2",
          variant: kind === "control" ? "control" : "treatment",
          intentTier: tiers[i % 4],
        }),
      );
    }
    rows.push(ev("x", "impression", from.toISOString(), { triggerId: "t1", variant: "treatment", intentTier: "high" })); // on the boundary: in
    rows.push(ev("x", "click", to.toISOString(), { triggerId: "t1", variant: "treatment", intentTier: "high" })); // on the end: out
    rows.push(ev("y", "impression", "2026-03-03T00:00:00Z", { triggerId: "t1", variant: "treatment" }, OTHER)); // another shop
    for (let i = 0; i < rows.length; i += 5) await storeEvents(t.db, rows.slice(i, i + 5));

    const a = await getAnalytics(t.db, SHOP, { from, to });
    // Expected straight from the rows, independent of the roll-up.
    const expected = new Map<string, { impressions: number; clicks: number; conversions: number }>();
    for (const tier of ["low", "mid", "high", "unknown", "all"]) expected.set(tier, { impressions: 0, clicks: 0, conversions: 0 });
    for (const r of rows) {
      const when = new Date(r.occurredAt as Date);
      if (r.shop !== SHOP || when < from || when >= to || r.kind === "control") continue;
      const key = r.kind === "impression" ? "impressions" : r.kind === "click" ? "clicks" : "conversions";
      expected.get(r.intentTier ?? "unknown")![key]++;
      expected.get("all")![key]++;
    }
    expect(a.funnel).toEqual([...expected].map(([tier, c]) => ({ tier, ...c })));
    expect(a.funnel.find((f) => f.tier === "all")!.impressions).toBeGreaterThan(20);
  });

  it("counts a visitor once, in the cohort of their first exposure ever", async () => {
    await t.db.shop.create({ data: { shop: SHOP, timezone: "UTC" } });
    await t.db.trigger.create({
      data: {
        id: "t1",
        shop: SHOP,
        name: "Exit",
        type: "exit_intent",
        enabled: true,
        holdoutPct: 10,
        salt: "s1",
        conditions: {},
        segment: {},
        content: {},
        frequencyCap: {},
      },
    });
    await storeEvents(t.db, [
      ev("early", "impression", "2026-02-27T12:00:00Z", { triggerId: "t1", variant: "treatment" }),
      ev("early", "impression", "2026-03-03T12:00:00Z", { triggerId: "t1", variant: "treatment" }),
      ev("new", "impression", "2026-03-03T12:00:00Z", { triggerId: "t1", variant: "treatment" }),
      ev("held", "control", "2026-03-04T12:00:00Z", { triggerId: "t1", variant: "control" }),
    ]);
    const a = await getAnalytics(t.db, SHOP, { from: new Date("2026-03-01T00:00:00Z"), to: new Date("2026-03-08T00:00:00Z") });
    const row = a.triggers.find((r) => r.id === "t1")!;
    expect(row.treatment.users).toBe(1); // "early" belongs to February's cohort
    expect(row.control.users).toBe(1);
    const feb = await getAnalytics(t.db, SHOP, { from: new Date("2026-02-20T00:00:00Z"), to: new Date("2026-03-01T00:00:00Z") });
    expect(feb.triggers.find((r) => r.id === "t1")!.treatment.users).toBe(1);
  });

  it("retention and redaction remove the aggregates derived from the events they remove", async () => {
    await t.db.shop.create({ data: { shop: SHOP, retentionDays: 30 } });
    const now = new Date("2026-04-15T12:00:00Z");
    await storeEvents(t.db, [
      ev("old", "impression", "2026-03-01T12:00:00Z", { triggerId: "t1", variant: "treatment" }),
      ev("recent", "impression", "2026-04-10T12:00:00Z", { triggerId: "t1", variant: "treatment" }),
    ]);
    await sweepRetention(t.db, now);
    expect((await exposures()).map((e) => e.visitorId)).toEqual(["recent"]);
    expect((await rollups()).map((r) => r.hour)).toEqual(["2026-04-10T12:00:00.000Z"]);

    await t.db.contact.create({ data: { shop: SHOP, email: "gone@example.com", visitorId: "recent" } });
    await redactCustomer(t.db, { shop: SHOP, customer: { email: "gone@example.com" } });
    expect(await exposures()).toEqual([]);
  });

  it("the migration's backfill computes the same aggregates from stored events as the live path", async () => {
    const rows: Row[] = [];
    const kinds = ["impression", "control", "click", "conversion", "page_view", "impression"];
    for (let i = 0; i < 300; i++) {
      const kind = kinds[(i * 5) % kinds.length];
      const shop = i % 11 === 0 ? OTHER : SHOP;
      const tier = i % 4 === 0 ? null : ["low", "mid", "high"][i % 3];
      rows.push(
        ev(
          `v${(i * 31) % 23}`,
          kind,
          new Date(Date.parse("2026-03-01T00:00:00Z") + ((i * 104_729) % (5 * 86_400_000))).toISOString(),
          {
            triggerId: kind === "page_view" ? null : `t${i % 3}`,
            variant: kind === "control" ? "control" : kind === "page_view" ? null : i % 9 === 0 ? null : "treatment",
            intentTier: tier,
          },
          shop,
        ),
      );
    }
    // Live: in batches of 7, in a shuffled order.
    const shuffled = [...rows].sort(
      (a, b) => ((a.visitorId.length * 7 + Number(a.visitorId.slice(1))) % 5) - ((b.visitorId.length * 7 + Number(b.visitorId.slice(1))) % 5),
    );
    for (let i = 0; i < shuffled.length; i += 7) await storeEvents(t.db, shuffled.slice(i, i + 7));
    const live = { exposures: [...(await exposures(SHOP)), ...(await exposures(OTHER))], rollups: await rollups() };

    // Backfill: drop the aggregates and run the migration's own backfill statements.
    await t.db.$transaction([t.db.exposure.deleteMany(), t.db.eventRollup.deleteMany()]);
    for (const statement of backfillStatements(t.dialect)) await t.db.$executeRawUnsafe(statement);
    const backfilled = { exposures: [...(await exposures(SHOP)), ...(await exposures(OTHER))], rollups: await rollups() };

    expect(live.exposures.length).toBeGreaterThan(20);
    expect(backfilled).toEqual(live);
  });
});

function backfillStatements(dialect: "sqlite" | "postgres"): string[] {
  const dir = path.resolve(import.meta.dirname, "../../..", dialect === "postgres" ? "prisma/postgres/migrations" : "prisma/migrations");
  const name = readdirSync(dir).find((d) => d.endsWith("_exposures_and_rollups"))!;
  const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
  return sql
    .slice(sql.indexOf("-- Backfill"))
    .split(/;\s*\n/)
    .map((s) => s.replace(/^--.*$/gm, "").trim())
    .filter(Boolean);
}
