import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../support/db";
import { attributeOrder } from "~/services/attribution.server";
import { ingestEventBatch } from "~/services/events.server";
import { storeEvents } from "~/services/event-store.server";
import { mergeArm } from "~/models/event.server";

/**
 * A/B arms through ingestion (issue 21): what the tracker posts (`arm` on an exposure's events)
 * lands on Event, Exposure (the first arm; "mixed" after another; "" for control), EventRollup
 * (keyed by arm) and Attribution (the exposure's arm, or the credited message's) — on SQLite and
 * PostgreSQL alike.
 */
const SHOP = "arms-shop.myshopify.com";
const OTHER = "arms-other.myshopify.com";
const T0 = Date.parse("2026-03-05T10:00:00Z");

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
    t.db.attribution.deleteMany(),
    t.db.order.deleteMany(),
    t.db.message.deleteMany(),
    t.db.flowRun.deleteMany(),
  ]);
});

/** One batch through the app proxy's ingest, as the tracker posts it. */
async function post(visitorId: string, events: Array<Record<string, unknown>>, shop = SHOP, at = T0) {
  const request = new Request("http://localhost/proxy/events", {
    method: "POST",
    headers: { "Content-Type": "text/plain;charset=UTF-8" },
    body: JSON.stringify({ v: 1, visitorId, sessionId: `s-${visitorId}`, events: events.map((e, i) => ({ at: at + i, ...e })) }),
  });
  return ingestEventBatch(t.db, request, shop, { now: new Date(at + 1_000), limiter: { take: () => ({ ok: true }) } as never });
}
const shown = (arm: string | undefined, tier = "mid") => ({ triggerId: "t1", variant: "treatment", tier, ...(arm ? { arm } : {}) });

async function exposure(visitorId: string, shop = SHOP) {
  const r = await t.db.exposure.findUnique({ where: { shop_triggerId_visitorId: { shop, triggerId: "t1", visitorId } } });
  return r && { variant: r.variant, arm: r.arm };
}

describe(`A/B arms in ingestion (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"})`, () => {
  it("stores each event's arm, and refuses a malformed one with a reason (400, nothing stored)", async () => {
    expect(await post("v1", [{ kind: "impression", ...shown("arma0000") }, { kind: "click", ...shown("arma0000") }, { kind: "page_view" }])).toMatchObject({
      ok: true,
      stored: 3,
    });
    const events = await t.db.event.findMany({ where: { shop: SHOP }, orderBy: { occurredAt: "asc" }, select: { kind: true, arm: true } });
    expect(events).toEqual([
      { kind: "impression", arm: "arma0000" },
      { kind: "click", arm: "arma0000" },
      { kind: "page_view", arm: null },
    ]);
    const bad = await post("v2", [{ kind: "impression", ...shown("Not An Arm!") }]);
    expect(bad).toMatchObject({ ok: false, status: 400 });
    expect(bad.ok === false && bad.reason).toMatch(/arm/);
    expect(await t.db.event.count({ where: { visitorId: "v2" } })).toBe(0);
  });

  it("Exposure.arm: the first treatment arm, '' for control and without a test, 'mixed' after another arm — in one batch and across batches", async () => {
    // v1: arm A, again arm A on a later page (another batch): stays A
    await post("v1", [{ kind: "impression", ...shown("arma0000") }]);
    await post("v1", [{ kind: "impression", ...shown("arma0000") }], SHOP, T0 + 60_000);
    // v2: arm B, then arm A in a later batch (the split changed): mixed, for good
    await post("v2", [{ kind: "impression", ...shown("armb0000") }]);
    await post("v2", [{ kind: "impression", ...shown("arma0000") }], SHOP, T0 + 60_000);
    await post("v2", [{ kind: "impression", ...shown("armb0000") }], SHOP, T0 + 120_000);
    // v3: two arms within one batch
    await post("v3", [
      { kind: "impression", ...shown("arma0000") },
      { kind: "impression", ...shown("armc0000") },
    ]);
    // v4: the holdout (control): no arm
    await post("v4", [{ kind: "control", triggerId: "t1", variant: "control", tier: "low" }]);
    // v5: shown before the test started (no arm), then in arm B: takes B (analytics compares on first exposure since the start)
    await post("v5", [{ kind: "impression", ...shown(undefined) }]);
    await post("v5", [{ kind: "impression", ...shown("armb0000") }], SHOP, T0 + 60_000);
    // v6: arm B, then the test ended (no arm): stays B
    await post("v6", [{ kind: "impression", ...shown("armb0000") }]);
    await post("v6", [{ kind: "impression", ...shown(undefined) }], SHOP, T0 + 60_000);
    // v7: control then a treatment in arm A (the holdout changed): variant mixed, arm A
    await post("v7", [{ kind: "control", triggerId: "t1", variant: "control", tier: "low" }]);
    await post("v7", [{ kind: "impression", ...shown("arma0000") }], SHOP, T0 + 60_000);
    // the same visitor id in another shop keeps its own row
    await post("v1", [{ kind: "impression", ...shown("armb0000") }], OTHER);

    expect(await exposure("v1")).toEqual({ variant: "treatment", arm: "arma0000" });
    expect(await exposure("v2")).toEqual({ variant: "treatment", arm: "mixed" });
    expect(await exposure("v3")).toEqual({ variant: "treatment", arm: "mixed" });
    expect(await exposure("v4")).toEqual({ variant: "control", arm: "" });
    expect(await exposure("v5")).toEqual({ variant: "treatment", arm: "armb0000" });
    expect(await exposure("v6")).toEqual({ variant: "treatment", arm: "armb0000" });
    expect(await exposure("v7")).toEqual({ variant: "mixed", arm: "arma0000" });
    expect(await exposure("v1", OTHER)).toEqual({ variant: "treatment", arm: "armb0000" });
  });

  it("the upsert's SQL merges arms as mergeArm does, whatever the order of the batches", async () => {
    const arms = ["", "arma0000", "armb0000"];
    const sequences: string[][] = [];
    for (const a of arms) for (const b of arms) for (const c of arms) sequences.push([a, b, c]);
    for (const [i, seq] of sequences.entries()) {
      // each exposure its own batch (the SQL's ON CONFLICT merges them)
      for (const [j, arm] of seq.entries())
        await storeEvents(t.db, [
          {
            shop: SHOP,
            visitorId: `seq${i}`,
            kind: "impression",
            triggerId: "t1",
            variant: "treatment",
            arm: arm || null,
            occurredAt: new Date(T0 + j * 1000),
          },
        ]);
      // and all in one batch (the merge in memory)
      await storeEvents(
        t.db,
        seq.map((arm, j) => ({
          shop: OTHER,
          visitorId: `seq${i}`,
          kind: "impression",
          triggerId: "t1",
          variant: "treatment",
          arm: arm || null,
          occurredAt: new Date(T0 + j * 1000),
        })),
      );
    }
    for (const [i, seq] of sequences.entries()) {
      const want = seq.reduce(mergeArm, "");
      expect((await exposure(`seq${i}`))?.arm, seq.join(",")).toBe(want);
      expect((await exposure(`seq${i}`, OTHER))?.arm, seq.join(",")).toBe(want);
    }
    expect(["", "arma0000", "armb0000", "mixed"].map((s) => mergeArm(s, "armb0000"))).toEqual(["armb0000", "mixed", "armb0000", "mixed"]);
  });

  it("rolls events up by arm: impressions, clicks and conversions per arm; control with no arm", async () => {
    for (let i = 0; i < 3; i++)
      await post(`a${i}`, [{ kind: "impression", ...shown("arma0000") }, ...(i === 0 ? [{ kind: "click", ...shown("arma0000") }] : [])]);
    for (let i = 0; i < 2; i++)
      await post(`b${i}`, [
        { kind: "impression", ...shown("armb0000") },
        { kind: "click", ...shown("armb0000") },
      ]);
    await post("b0", [{ kind: "conversion", triggerId: "t1", arm: "armb0000", valueCents: 1200 }], SHOP, T0 + 5_000);
    await post("c0", [{ kind: "control", triggerId: "t1", variant: "control", tier: "mid" }]);
    const rows = await t.db.eventRollup.findMany({ where: { shop: SHOP }, select: { kind: true, variant: true, arm: true, events: true } });
    const byKey = Object.fromEntries(rows.map((r) => [`${r.kind}/${r.variant}/${r.arm}`, r.events]));
    expect(byKey).toEqual({
      "impression/treatment/arma0000": 3,
      "click/treatment/arma0000": 1,
      "impression/treatment/armb0000": 2,
      "click/treatment/armb0000": 2,
      "conversion//armb0000": 1,
      "control/control/": 1,
    });
  });

  it("credits an overlay order with the exposure's arm ('mixed' when the visitor saw two; '' for control) and a flow order with its message's arm", async () => {
    const orderedAt = new Date(T0 + 3_600_000);
    // overlay: v1 saw arm B; v2 saw B then A (mixed); v3 was held out
    await post("v1", [{ kind: "impression", ...shown("armb0000") }]);
    await post("v2", [{ kind: "impression", ...shown("armb0000") }]);
    await post("v2", [{ kind: "impression", ...shown("arma0000") }], SHOP, T0 + 60_000);
    await post("v3", [{ kind: "control", triggerId: "t1", variant: "control", tier: "low" }]);
    // flow: run r1's step under test sent arm "armc0000"; run r2's message has no arm (no test)
    await t.db.flowRun.createMany({
      data: [
        { id: "r1", shop: SHOP, flowId: "f1", subjectKey: "k1", email: "one@example.com", startedAt: new Date(T0) },
        { id: "r2", shop: SHOP, flowId: "f1", subjectKey: "k2", email: "two@example.com", startedAt: new Date(T0) },
      ],
    });
    await t.db.message.createMany({
      data: [
        {
          shop: SHOP,
          idempotencyKey: "m1",
          flowId: "f1",
          flowRunId: "r1",
          stepId: "s1",
          arm: "armc0000",
          email: "one@example.com",
          status: "sent",
          sentAt: new Date(T0 + 1_000),
        },
        {
          shop: SHOP,
          idempotencyKey: "m2",
          flowId: "f1",
          flowRunId: "r2",
          stepId: "s1",
          email: "two@example.com",
          status: "sent",
          sentAt: new Date(T0 + 1_000),
        },
      ],
    });
    const orders = [
      { orderId: "o1", visitorId: "v1" },
      { orderId: "o2", visitorId: "v2" },
      { orderId: "o3", visitorId: "v3" },
      { orderId: "o4", email: "one@example.com" },
      { orderId: "o5", email: "two@example.com" },
    ];
    for (const o of orders) {
      await t.db.order.create({ data: { shop: SHOP, totalCents: 5000, orderedAt, ...o } });
      await attributeOrder(t.db, { shop: SHOP, orderId: o.orderId });
    }
    const credited = await t.db.attribution.findMany({
      where: { shop: SHOP },
      orderBy: { orderId: "asc" },
      select: { orderId: true, source: true, variant: true, arm: true },
    });
    expect(credited).toEqual([
      { orderId: "o1", source: "overlay", variant: "treatment", arm: "armb0000" },
      { orderId: "o2", source: "overlay", variant: "treatment", arm: "mixed" },
      { orderId: "o3", source: "overlay", variant: "control", arm: "" },
      { orderId: "o4", source: "flow", variant: "treatment", arm: "armc0000" },
      { orderId: "o5", source: "flow", variant: "treatment", arm: "" },
    ]);
  });
});
