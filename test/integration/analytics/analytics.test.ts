import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Prisma } from "@prisma/client";
import { createTestDb, type TestDb } from "../../support/db";
import { adminRequest, seedSession } from "../../support/shopify";
import { analyticsToCsv, getAnalytics, getShopSummary, type Analytics, type ExperimentRow } from "~/services/analytics.server";
import { storeEvents } from "~/services/event-store.server";

/**
 * A small shop built by hand so every number can be checked: expected statistics come from
 * scipy (`ttest_ind_from_stats(..., equal_var=False)`, `chisquare`), see the comments.
 */
const SHOP = "shop-a.myshopify.com";
const OTHER = "shop-b.myshopify.com";
const FROM = new Date("2026-03-01T00:00:00Z");
const TO = new Date("2026-03-15T00:00:00Z");
const at = (iso: string) => new Date(iso);
const DAY = 86_400_000;

let t: TestDb;

function event(
  shop: string,
  visitorId: string,
  kind: string,
  occurredAt: string,
  extra: Partial<Prisma.EventCreateManyInput> = {},
): Prisma.EventCreateManyInput {
  return { shop, visitorId, kind, occurredAt: at(occurredAt), ...extra };
}

function order(
  shop: string,
  n: string,
  totalCents: number,
  occurredAt: string,
  fields: { source: "overlay" | "flow"; triggerId?: string; flowId?: string; visitorId?: string; variant: "treatment" | "control" },
): Prisma.AttributionCreateManyInput {
  return {
    shop,
    orderId: n,
    totalCents,
    occurredAt: at(occurredAt),
    key: `${n}:${fields.source}:${fields.triggerId ?? fields.flowId}`,
    ...fields,
  };
}

async function seed(db: TestDb["db"]) {
  await db.shop.create({ data: { shop: SHOP, timezone: "America/New_York", attributionWindowDays: 5 } });
  await db.shop.create({ data: { shop: OTHER } });
  const trigger = (id: string, shop: string, holdoutPct: number, name: string) => ({
    id,
    shop,
    name,
    type: "exit_intent",
    enabled: true,
    conditions: {},
    segment: {},
    content: {},
    frequencyCap: {},
    holdoutPct,
    salt: id,
  });
  await db.trigger.createMany({
    data: [trigger("t1", SHOP, 20, "Exit intent"), trigger("t2", SHOP, 10, "Broken split"), trigger("tb", OTHER, 10, "Shop B trigger")],
  });

  const T1 = { triggerId: "t1" };
  const events: Prisma.EventCreateManyInput[] = [
    // Treated visitors of t1. First exposures straddle the DST change in New York (2026-03-08 07:00Z).
    event(SHOP, "a1", "impression", "2026-03-02T15:00:00Z", { ...T1, variant: "treatment", intentTier: "high" }), // local 03-02
    event(SHOP, "a2", "impression", "2026-03-08T04:30:00Z", { ...T1, variant: "treatment", intentTier: "mid" }), // local 03-07 23:30 EST
    event(SHOP, "a3", "impression", "2026-03-09T02:00:00Z", { ...T1, variant: "treatment", intentTier: "low" }), // local 03-08 22:00 EDT
    event(SHOP, "a4", "impression", "2026-03-04T12:00:00Z", { ...T1, variant: "treatment", intentTier: "low" }),
    event(SHOP, "a5", "impression", "2026-03-04T12:00:00Z", { ...T1, variant: "treatment" }),
    event(SHOP, "a6", "impression", "2026-03-05T12:00:00Z", { ...T1, variant: "treatment", intentTier: "high" }),
    event(SHOP, "a6", "impression", "2026-03-06T12:00:00Z", { ...T1, variant: "treatment", intentTier: "high" }),
    event(SHOP, "a7", "impression", "2026-03-05T12:00:00Z", { ...T1, variant: "treatment", intentTier: "mid" }),
    event(SHOP, "a8", "impression", "2026-03-05T12:00:00Z", { ...T1, variant: "treatment", intentTier: "mid" }),
    event(SHOP, "a9", "impression", "2026-03-05T12:00:00Z", { ...T1, variant: "treatment", intentTier: "mid" }),
    event(SHOP, "a10", "impression", "2026-03-05T12:00:00Z", { ...T1, variant: "treatment", intentTier: "mid" }),
    event(SHOP, "a1", "click", "2026-03-02T15:01:00Z", { ...T1, variant: "treatment", intentTier: "high" }),
    event(SHOP, "a6", "click", "2026-03-05T12:01:00Z", { ...T1, variant: "treatment", intentTier: "high" }),
    event(SHOP, "a1", "conversion", "2026-03-02T15:02:00Z", { ...T1, variant: "treatment", intentTier: "high" }),
    event(SHOP, "a4", "dismiss", "2026-03-04T12:01:00Z", { ...T1, variant: "treatment", intentTier: "low" }),
    // Holdout of t1.
    ...["c1", "c2", "c3", "c4", "c5"].map((v) => event(SHOP, v, "control", "2026-03-03T12:00:00Z", { ...T1, variant: "control", intentTier: "mid" })),
    // Seen in both arms (holdout changed mid-test): left out of both.
    event(SHOP, "m1", "impression", "2026-03-03T12:00:00Z", { ...T1, variant: "treatment" }),
    event(SHOP, "m1", "control", "2026-03-04T12:00:00Z", { ...T1, variant: "control" }),
    // Outside the range: does not count.
    event(SHOP, "early", "impression", "2026-02-20T12:00:00Z", { ...T1, variant: "treatment" }),
    event(SHOP, "late", "impression", "2026-03-16T12:00:00Z", { ...T1, variant: "treatment" }),
    // Not overlay events.
    event(SHOP, "a1", "page_view", "2026-03-02T14:00:00Z"),
    event(SHOP, "a1", "cart_add", "2026-03-02T15:05:00Z", { valueCents: 2500 }),
  ];
  // t2: 50/50 observed against a configured 10 % holdout.
  for (let i = 0; i < 50; i++) {
    events.push(event(SHOP, `x${i}`, "impression", "2026-03-10T12:00:00Z", { triggerId: "t2", variant: "treatment", intentTier: "low" }));
    events.push(event(SHOP, `y${i}`, "control", "2026-03-10T12:00:00Z", { triggerId: "t2", variant: "control", intentTier: "low" }));
  }
  // Shop B reuses visitor ids and even shop A's trigger id: none of it may leak into shop A.
  for (const v of ["a1", "a2", "c1", "b1", "b2"]) {
    events.push(event(OTHER, v, "impression", "2026-03-05T12:00:00Z", { triggerId: "t1", variant: "treatment", intentTier: "high" }));
    events.push(event(OTHER, v, "click", "2026-03-05T12:01:00Z", { triggerId: "t1", variant: "treatment", intentTier: "high" }));
  }
  events.push(event(OTHER, "b9", "control", "2026-03-05T12:00:00Z", { triggerId: "tb", variant: "control" }));
  await storeEvents(db, events);

  await db.attribution.createMany({
    data: [
      order(SHOP, "o1", 10000, "2026-03-03T10:00:00Z", { source: "overlay", triggerId: "t1", visitorId: "a1", variant: "treatment" }),
      order(SHOP, "o2", 5000, "2026-03-09T10:00:00Z", { source: "overlay", triggerId: "t1", visitorId: "a2", variant: "treatment" }),
      order(SHOP, "o3", 3000, "2026-03-10T10:00:00Z", { source: "overlay", triggerId: "t1", visitorId: "a3", variant: "treatment" }),
      // Before a4's first exposure: not a conversion of the overlay.
      order(SHOP, "o4", 7000, "2026-03-04T11:00:00Z", { source: "overlay", triggerId: "t1", visitorId: "a4", variant: "treatment" }),
      // Six days after a5's first exposure, past the 5-day window.
      order(SHOP, "o5", 8000, "2026-03-10T12:00:01Z", { source: "overlay", triggerId: "t1", visitorId: "a5", variant: "treatment" }),
      // Within the window of a6's first exposure (second exposure does not reset it).
      order(SHOP, "o6", 2000, "2026-03-07T12:00:00Z", { source: "overlay", triggerId: "t1", visitorId: "a6", variant: "treatment" }),
      order(SHOP, "o7", 4000, "2026-03-05T12:00:00Z", { source: "overlay", triggerId: "t1", visitorId: "c1", variant: "control" }),
      // The mixed visitor's order is not counted anywhere.
      order(SHOP, "o8", 9000, "2026-03-05T12:00:00Z", { source: "overlay", triggerId: "t1", visitorId: "m1", variant: "treatment" }),
      // Shop B's orders for the same trigger id and visitor ids.
      order(OTHER, "o1", 99900, "2026-03-06T10:00:00Z", { source: "overlay", triggerId: "t1", visitorId: "a1", variant: "treatment" }),
      order(OTHER, "ob", 99900, "2026-03-06T10:00:00Z", { source: "overlay", triggerId: "t1", visitorId: "c1", variant: "treatment" }),
      // Flow orders.
      order(SHOP, "f1", 7000, "2026-03-03T10:00:00Z", { source: "flow", flowId: "flow1", variant: "treatment" }),
      order(SHOP, "f2", 5000, "2026-03-06T10:00:00Z", { source: "flow", flowId: "flow1", variant: "treatment" }),
      order(SHOP, "f3", 3000, "2026-03-12T10:00:00Z", { source: "flow", flowId: "flow1", variant: "treatment" }),
      order(OTHER, "fb", 50000, "2026-03-12T10:00:00Z", { source: "flow", flowId: "flow1", variant: "control" }),
    ],
  });

  await db.recoveryFlow.create({ data: { id: "flow1", shop: SHOP, name: "Checkout recovery", enabled: true, holdoutPct: 10 } });
  await db.recoveryFlow.create({ data: { id: "flowb", shop: OTHER, name: "B flow", enabled: true, holdoutPct: 10 } });
  const runs: Prisma.FlowRunCreateManyInput[] = [];
  for (let i = 0; i < 8; i++)
    runs.push({ shop: SHOP, flowId: "flow1", subjectKey: `r${i}`, holdout: false, startedAt: at(`2026-03-0${2 + (i % 5)}T10:00:00Z`) });
  runs.push({ shop: SHOP, flowId: "flow1", subjectKey: "h1", holdout: true, startedAt: at("2026-03-04T10:00:00Z") });
  runs.push({ shop: SHOP, flowId: "flow1", subjectKey: "h2", holdout: true, startedAt: at("2026-03-05T10:00:00Z") });
  runs.push({ shop: SHOP, flowId: "flow1", subjectKey: "old", holdout: false, startedAt: at("2026-02-01T10:00:00Z") });
  runs.push({ shop: OTHER, flowId: "flow1", subjectKey: "b1", holdout: true, startedAt: at("2026-03-04T10:00:00Z") });
  await db.flowRun.createMany({ data: runs });
  const message = (shop: string, i: number, kind = "recovery", sentAt: Date | null = at("2026-03-04T10:00:00Z")) => ({
    shop,
    idempotencyKey: `${shop}-${kind}-${i}`,
    flowId: "flow1",
    email: `s${i}@example.com`,
    kind,
    status: sentAt ? "sent" : "skipped",
    sentAt,
  });
  await db.message.createMany({
    data: [...[0, 1, 2, 3, 4].map((i) => message(SHOP, i)), message(SHOP, 5, "recovery", null), message(SHOP, 6, "test"), message(OTHER, 7)],
  });
}

const row = (rows: ExperimentRow[], id: string) => {
  const r = rows.find((x) => x.id === id);
  if (!r) throw new Error(`no row ${id}`);
  return r;
};

beforeAll(async () => {
  t = await createTestDb();
  process.env.DATABASE_URL = t.url;
  await seed(t.db);
});
afterAll(async () => {
  await t?.cleanup();
});

describe(`analytics (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"})`, () => {
  let fixed: Analytics;
  beforeAll(async () => {
    fixed = await getAnalytics(t.db, SHOP, { from: FROM, to: TO });
  });

  it("counts distinct exposed visitors per arm and leaves out visitors seen in both", () => {
    const t1 = row(fixed.triggers, "t1");
    expect(t1.treatment.users).toBe(10);
    expect(t1.control.users).toBe(5);
    expect(t1.mixedUsers).toBe(1);
  });

  it("credits only orders after the first exposure and inside the attribution window", () => {
    const t1 = row(fixed.triggers, "t1");
    expect(t1.treatment.conversions).toBe(4); // a1, a2, a3, a6 — not a4 (before), not a5 (after the window)
    expect(t1.treatment.revenueCents).toBe(20000);
    expect(t1.control.conversions).toBe(1);
    expect(t1.control.revenueCents).toBe(4000);
    expect(t1.treatment.conversionRate).toBeCloseTo(0.4, 12);
    expect(t1.treatment.revenuePerUserCents).toBeCloseTo(2000, 9);
    // Per-visitor revenue [10000, 5000, 3000, 2000, 0×6]: sample variance from sum and sum of squares.
    expect(t1.treatment.revenueVariance).toBeCloseTo(10888888.888888888, 4);
    expect(t1.control.revenueVariance).toBeCloseTo(3200000, 4);
  });

  it("computes the lift and its interval as Welch's t-test does (scipy)", () => {
    const { conversion, revenue } = row(fixed.triggers, "t1");
    // scipy: ttest_ind_from_stats(0.4, sqrt(.4*.6*10/9), 10, 0.2, sqrt(.2*.8*5/4), 5, equal_var=False) → p 0.45786
    expect(conversion.absoluteLift).toBeCloseTo(0.2, 12);
    expect(conversion.relativeLift).toBeCloseTo(1, 12);
    expect(conversion.pValue).toBeCloseTo(0.45786227208136, 6);
    expect(conversion.ci[0]).toBeCloseTo(-0.3814262823803389, 6);
    expect(conversion.ci[1]).toBeCloseTo(0.7814262823803388, 6);
    expect(conversion.relativeCi[0]).toBeCloseTo(-3.8645612884394316, 5);
    expect(conversion.relativeCi[1]).toBeCloseTo(5.864561288439432, 5);
    expect(conversion.status).toBe("not_enough_data");
    expect(conversion.visitorsStillNeeded).toBeGreaterThan(0);
    // Revenue per visitor: 2000 vs 800 cents → p 0.37835, CI [-1645.91, 4045.91].
    expect(revenue.absoluteLift).toBeCloseTo(1200, 9);
    expect(revenue.pValue).toBeCloseTo(0.3783468816712512, 6);
    expect(revenue.ci[0]).toBeCloseTo(-1645.9107944060738, 3);
    expect(revenue.ci[1]).toBeCloseTo(4045.910794406074, 3);
  });

  it("reports incremental conversions and revenue over the holdout", () => {
    const t1 = row(fixed.triggers, "t1");
    expect(t1.incrementalConversions).toBeCloseTo(2, 12); // (0.4 − 0.2) × 10
    expect(t1.incrementalRevenueCents).toBeCloseTo(12000, 9); // (2000 − 800) × 10
  });

  it("flags a sample-ratio mismatch when the split is far from the configured holdout", () => {
    const t1 = row(fixed.triggers, "t1");
    const t2 = row(fixed.triggers, "t2");
    // scipy: chisquare([10, 5], [12, 3]) → p 0.19671; chisquare([50, 50], [90, 10]) → p 1.48e-40
    expect(t1.srm.mismatch).toBe(false);
    expect(t1.srm.pValue).toBeCloseTo(0.1967056024589432, 8);
    expect(t2.srm.mismatch).toBe(true);
    expect(t2.srm.pValue).toBeLessThan(1e-30);
    expect(t2.srm.expectedControlShare).toBe(0.1);
    expect(t2.srm.observedControlShare).toBe(0.5);
  });

  it("buckets first exposures by the shop's local day across a DST change", () => {
    const daily = row(fixed.triggers, "t1").daily;
    expect(daily[0].date).toBe("2026-02-28"); // 2026-03-01T00:00Z is still Feb 28 in New York
    expect(daily[daily.length - 1].date).toBe("2026-03-14");
    const on = (date: string) => daily.find((d) => d.date === date)!;
    expect(on("2026-03-02")).toMatchObject({ treatmentUsers: 1, treatmentConversions: 1, treatmentRevenueCents: 10000 });
    expect(on("2026-03-07")).toMatchObject({ treatmentUsers: 1, treatmentConversions: 1 }); // a2 at 04:30Z, EST
    expect(on("2026-03-08")).toMatchObject({ treatmentUsers: 1, treatmentConversions: 1 }); // a3 at 02:00Z on the 9th, EDT
    expect(on("2026-03-03")).toMatchObject({ controlUsers: 5, controlConversions: 1, controlRevenueCents: 4000 });
    const total = daily.reduce((s, d) => s + d.treatmentUsers, 0);
    expect(total).toBe(10);
    expect(fixed.series.reduce((s, d) => s + d.treatmentUsers, 0)).toBe(10 + 50);
    expect(fixed.series.reduce((s, d) => s + d.flowRuns, 0)).toBe(8);
    expect(fixed.series.reduce((s, d) => s + d.recoveredRevenueCents, 0)).toBe(15000);
  });

  it("counts the funnel by intent tier, treatment events only", () => {
    const tier = (name: string) => fixed.funnel.find((f) => f.tier === name)!;
    expect(tier("high")).toEqual({ tier: "high", impressions: 3, clicks: 2, conversions: 1 });
    expect(tier("mid")).toEqual({ tier: "mid", impressions: 5, clicks: 0, conversions: 0 });
    expect(tier("low")).toEqual({ tier: "low", impressions: 2 + 50, clicks: 0, conversions: 0 });
    expect(tier("unknown")).toEqual({ tier: "unknown", impressions: 2, clicks: 0, conversions: 0 }); // a5 and m1
    expect(tier("all")).toEqual({ tier: "all", impressions: 62, clicks: 2, conversions: 1 });
  });

  it("compares flow runs with their holdout and sums what they recovered", () => {
    const flow = row(fixed.flows, "flow1");
    expect(flow.treatment).toMatchObject({ users: 8, conversions: 3, orders: 3, revenueCents: 15000 });
    expect(flow.control).toMatchObject({ users: 2, conversions: 0, revenueCents: 0 });
    expect(flow.messagesSent).toBe(5); // sent, in range, not test sends, this shop only
    expect(flow.incrementalConversions).toBeCloseTo(3, 12);
    expect(flow.srm.mismatch).toBe(false);
    expect(fixed.flows.map((f) => f.id)).toEqual(["flow1"]);
  });

  it("states the attribution window and the shop's zone and currency", () => {
    expect(fixed.attributionWindowDays).toBe(5);
    expect(fixed.timezone).toBe("America/New_York");
    expect(fixed.currency).toBe("USD");
    expect(fixed.sequential).toBe(false);
  });

  it("sequential intervals keep the estimate and are wider than fixed ones", async () => {
    const seq = await getAnalytics(t.db, SHOP, { from: FROM, to: TO, sequential: true });
    const a = row(fixed.triggers, "t1").conversion;
    const b = row(seq.triggers, "t1").conversion;
    expect(seq.sequential).toBe(true);
    expect(b.absoluteLift).toBeCloseTo(a.absoluteLift, 12);
    expect(b.ci[1] - b.ci[0]).toBeGreaterThan(a.ci[1] - a.ci[0]);
  });

  it("keeps shops apart: shop B sees only its own rows", async () => {
    const b = await getAnalytics(t.db, OTHER, { from: FROM, to: TO });
    expect(b.triggers.map((r) => r.id).sort()).toEqual(["t1", "tb"]);
    const t1 = row(b.triggers, "t1");
    expect(t1.name).toBe("Deleted trigger"); // shop A's trigger is not shop B's
    expect(t1.treatment.users).toBe(5);
    expect(t1.treatment.conversions).toBe(2);
    expect(t1.treatment.revenueCents).toBe(199800);
    expect(row(b.triggers, "tb").control.users).toBe(1);
    expect(b.funnel.find((f) => f.tier === "all")).toMatchObject({ impressions: 5, clicks: 5 });
    expect(b.flows.map((f) => f.id).sort()).toEqual(["flow1", "flowb"]);
    expect(row(b.flows, "flow1")).toMatchObject({ exists: false, messagesSent: 1 });
    expect(row(b.flows, "flow1").control).toMatchObject({ users: 1, conversions: 1, revenueCents: 50000 });
  });

  it("summarises incremental and recovered results for the home page", async () => {
    const summary = await getShopSummary(t.db, SHOP, { from: FROM, to: TO });
    expect(summary.overlays).toMatchObject({
      exposedVisitors: 60,
      holdoutVisitors: 55,
      attributedOrders: 4,
      attributedRevenueCents: 20000,
    });
    expect(summary.overlays.incrementalConversions).toBeCloseTo(2, 12); // t1: 2, t2: 0
    expect(summary.overlays.incrementalRevenueCents).toBeCloseTo(12000, 6);
    expect(summary.flows).toMatchObject({ runs: 8, holdoutRuns: 2, messagesSent: 5, recoveredCheckouts: 3, recoveredRevenueCents: 15000 });
    expect(summary.flows.incrementalConversions).toBeCloseTo(3, 12);
    expect(summary.funnel).toEqual({ impressions: 62, clicks: 2, conversions: 1 });
    expect(summary.attributionWindowDays).toBe(5);
  });

  it("quotes CSV fields and defuses names a spreadsheet would run as a formula", () => {
    const csv = analyticsToCsv({ ...fixed, triggers: [{ ...row(fixed.triggers, "t1"), name: '=HYPERLINK("x"), now' }], flows: [] });
    const [header, line] = csv.trim().split("\r\n");
    expect(header.split(",")).toHaveLength(line.match(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)!.length);
    expect(line).toContain(`"'=HYPERLINK(""x""), now"`);
  });

  it("rejects a range that ends before it starts", async () => {
    await expect(getAnalytics(t.db, SHOP, { from: TO, to: FROM })).rejects.toThrow(RangeError);
    await expect(getAnalytics(t.db, SHOP, { from: FROM, to: new Date(FROM.getTime() + 500 * DAY) })).rejects.toThrow(RangeError);
  });
});

describe("analytics routes", () => {
  const now = new Date("2026-03-15T00:00:00Z");
  let analyticsRoute: typeof import("~/routes/app.analytics");
  let csvRoute: typeof import("~/routes/app.analytics.csv");

  beforeAll(async () => {
    // The page asks for "the last N days": pin the clock so they are the seeded days.
    vi.useFakeTimers({ toFake: ["Date"], now, shouldAdvanceTime: true });
    await seedSession(t.db, SHOP);
    await seedSession(t.db, OTHER);
    analyticsRoute = await import("~/routes/app.analytics");
    csvRoute = await import("~/routes/app.analytics.csv");
  });
  afterAll(() => {
    vi.useRealTimers();
  });

  const args = (path: string, shop: string) => ({ request: adminRequest(path, { shop }), params: {}, context: {} });

  it("loads the page data for the session's shop and range", async () => {
    const data = await analyticsRoute.loader(args("/app/analytics?days=30", SHOP));
    expect(data.days).toBe(30);
    expect(data.analytics.attributionWindowDays).toBe(5);
    expect(data.analytics.triggers.map((r) => r.id)).toEqual(expect.arrayContaining(["t1", "t2"]));
    expect(data.analytics.triggers.some((r) => r.id === "tb")).toBe(false);
  });

  it("falls back to 30 days for an unknown range", async () => {
    const data = await analyticsRoute.loader(args("/app/analytics?days=12", SHOP));
    expect(data.days).toBe(30);
  });

  it("exports a CSV with a header row and one row per trigger and flow", async () => {
    const res = await csvRoute.loader(args("/app/analytics/csv?days=30", SHOP));
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/csv/);
    expect(res.headers.get("Content-Disposition")).toMatch(/^attachment; filename="intentful-analytics-.*\.csv"$/);
    const lines = (await res.text()).trim().split("\r\n");
    const header = lines[0].split(",");
    expect(header.slice(0, 4)).toEqual(["type", "id", "name", "enabled"]);
    expect(header).toContain("treatment_conversion_rate");
    expect(header).toContain("srm_mismatch");
    const rows = lines.slice(1);
    // Shop A: 2 triggers with data + the flow.
    expect(rows).toHaveLength(3);
    expect(rows.filter((l) => l.startsWith("trigger,"))).toHaveLength(2);
    expect(rows.filter((l) => l.startsWith("flow,"))).toHaveLength(1);
    const t1 = rows.find((l) => l.startsWith("trigger,t1,"))!.split(",");
    const col = (name: string) => t1[header.indexOf(name)];
    // The page's 30 days reach back to Feb 13, so the Feb 20 exposure counts here.
    expect(col("treatment_users")).toBe("11");
    expect(col("control_users")).toBe("5");
    expect(col("treatment_conversions")).toBe("4");
    expect(col("srm_mismatch")).toBe("false");
  });

  it("keeps the CSV to the session's shop", async () => {
    const res = await csvRoute.loader(args("/app/analytics/csv?days=30", OTHER));
    const body = await res.text();
    expect(body).not.toContain("Exit intent");
    expect(body).toContain("Shop B trigger");
  });
});
