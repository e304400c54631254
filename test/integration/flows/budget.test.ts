import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedSession, webhookRequest } from "../../support/shopify";
import { createTestDb, type TestDb } from "../../support/db";
import { dueJobRunner } from "../../support/worker";
import { at, checkoutPayload, notBefore } from "../webhooks/fixtures";

/**
 * One message budget across channels, on the worker's side: a recovery email waits the shop's
 * channel gap after an overlay was shown to the shopper (by the visitor id on the checkout, or
 * the one of a contact with the same email), holdout overlays do not count, and every wait is
 * counted on the run for analytics.
 */
const SHOP = "budget.myshopify.com";
let t: TestDb;
let runDue: (now: Date) => Promise<unknown>;

beforeAll(async () => {
  t = await createTestDb();
  runDue = await dueJobRunner(t);
  const { onShopInstalled } = await import("~/services/install.server");
  await seedSession(t.db, SHOP);
  await onShopInstalled(t.db, { shop: SHOP });
  await t.db.recoveryFlow.updateMany({ where: { shop: SHOP, kind: "checkout" }, data: { enabled: true, holdoutPct: 0 } });
});
afterAll(async () => {
  await t?.cleanup();
});

async function abandon(email: string, visitorId: string) {
  const { receiveWebhook } = await import("~/services/webhooks/intake.server");
  const { default: appDb } = await import("~/db.server");
  const checkout = checkoutPayload({ email, note_attributes: [{ name: "_intentful_vid", value: visitorId }] });
  expect((await receiveWebhook(appDb, webhookRequest("checkouts/create", checkout, { shop: SHOP }))).status).toBe(200);
  await runDue(notBefore(at(1)));
  return t.db.flowRun.findFirstOrThrow({ where: { shop: SHOP, email } });
}

async function shown(visitorId: string, when: Date, variant = "treatment") {
  await t.db.exposure.create({ data: { shop: SHOP, triggerId: "trigger-1", visitorId, variant, firstAt: when, lastAt: when } });
}

const sent = (email: string) => t.db.message.findMany({ where: { shop: SHOP, email, status: "sent" } });

describe(`message budget across channels (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"})`, () => {
  it("holds the first email until the channel gap after the overlay has passed, and counts the wait", async () => {
    const shop = await t.db.shop.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(shop.channelGapHours).toBe(4); // the default a new shop starts with
    const steps = await t.db.recoveryStep.findMany({ where: { flow: { shop: SHOP, kind: "checkout" } }, orderBy: { position: "asc" } });
    const run = await abandon("gap@example.com", "v-gap");
    // GIVEN an overlay shown to the shopper 30 minutes after they left the checkout
    await shown("v-gap", at(30));
    // WHEN the first step comes due THEN it waits until 4 hours after the overlay
    await runDue(at(steps[0].delayMinutes + 1));
    expect(await sent("gap@example.com")).toHaveLength(0);
    expect((await t.db.flowRun.findUniqueOrThrow({ where: { id: run.id } })).budgetHolds).toBe(1);
    await runDue(at(30 + 4 * 60 - 1));
    expect(await sent("gap@example.com")).toHaveLength(0);
    await runDue(at(30 + 4 * 60 + 1));
    expect(await sent("gap@example.com")).toHaveLength(1);
  });

  it("finds the overlay through a contact with the same email on another visitor id", async () => {
    await t.db.contact.create({ data: { shop: SHOP, email: "phone@example.com", visitorId: "v-phone", marketingConsent: true } });
    await abandon("phone@example.com", "v-laptop");
    await shown("v-phone", at(10));
    await runDue(at(61));
    expect(await sent("phone@example.com")).toHaveLength(0);
    await runDue(at(10 + 4 * 60 + 1));
    expect(await sent("phone@example.com")).toHaveLength(1);
  });

  it("does not hold an email for an overlay the shopper was held out of, nor when the shop turned the gap off", async () => {
    await abandon("control@example.com", "v-control");
    await shown("v-control", at(30), "control");
    await runDue(at(61));
    expect(await sent("control@example.com")).toHaveLength(1);

    await t.db.shop.update({ where: { shop: SHOP }, data: { channelGapHours: 0 } });
    try {
      await abandon("nogap@example.com", "v-nogap");
      await shown("v-nogap", at(30));
      await runDue(at(61));
      expect(await sent("nogap@example.com")).toHaveLength(1);
    } finally {
      await t.db.shop.update({ where: { shop: SHOP }, data: { channelGapHours: 4 } });
    }
  });

  it("shows the merchant what the budget held back, in analytics", async () => {
    const { getAnalytics } = await import("~/services/analytics.server");
    const { parseEventBatch, eventRows } = await import("~/services/events.server");
    const { storeEvents } = await import("~/services/event-store.server");
    // AND the storefront's side: two overlays the channel gap held back after a recovery email
    // (the tracker's `held` events, as the event schema accepts them), beside one that showed
    const now = Date.now();
    const parsed = parseEventBatch(
      JSON.stringify({
        v: 1,
        visitorId: "visitor-held",
        events: [
          { kind: "held", at: now - 60_000, triggerId: "trigger-1", tier: "high" },
          { kind: "held", at: now, triggerId: "trigger-2", tier: "mid" },
          { kind: "impression", at: now, triggerId: "trigger-1", variant: "treatment", tier: "mid" },
        ],
      }),
    );
    if (!parsed.ok) throw new Error(parsed.reason);
    await storeEvents(t.db, eventRows(SHOP, parsed.batch, new Date(now)));
    // a held event is never an exposure
    expect(await t.db.exposure.count({ where: { shop: SHOP, visitorId: "visitor-held" } })).toBe(1);
    expect(parseEventBatch(JSON.stringify({ v: 1, visitorId: "v", events: [{ kind: "held", at: now }] })).ok).toBe(false); // needs its trigger

    const analytics = await getAnalytics(t.db, SHOP, { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 86_400_000) });
    // the two emails above that waited for the gap, one each; none skipped; the two overlays held
    expect(analytics.budget).toEqual({ waits: 2, runsHeld: 2, skipped: 0, overlays: 2 });
  });
});
