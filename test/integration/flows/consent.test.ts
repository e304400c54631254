import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMockAdminApi } from "~/demo/mock-admin.server";
import { readDemoState, updateDemoState } from "~/demo/shopify-state.server";
import { createTestDb, type TestDb } from "../../support/db";
import { seedSession } from "../../support/shopify";
import { dueJobRunner } from "../../support/worker";
import { shopperEvents } from "../../support/ingest";

/**
 * Consent a bystander cannot forge (issue 15): storefront sign-ups through the real ingest, the
 * worker's real handlers and the library's real Admin client (answered by the demo's mock):
 * - a capture for someone whose Shopify customer UNSUBSCRIBED leaves them unsubscribed and sends
 *   them nothing (double opt-in: no confirmation; single opt-in: no re-subscribe, no reminders);
 * - double opt-in sends exactly one confirmation and nothing else until its link is followed;
 *   then CONFIRMED_OPT_IN in Shopify, the consent evidence on the contact, and the flows start;
 * - a capture never moves an existing contact to another visitor.
 */
const SHOP = "consent.myshopify.com";
const dir = mkdtempSync(path.join(os.tmpdir(), "intentful-consent-"));
process.env.DEMO_STATE_FILE = path.join(dir, "state.json");
const mock = startMockAdminApi(); // before the library loads
let t: TestDb;
let runDue: (now: Date) => Promise<unknown>;
let send: (visitorId: string, events: Array<Record<string, unknown>>) => Promise<void>;
let clock: () => number;

beforeAll(async () => {
  t = await createTestDb();
  runDue = await dueJobRunner(t);
  ({ send, now: clock } = await shopperEvents(t.db, SHOP, runDue));
  await seedSession(t.db, SHOP);
  const { onShopInstalled } = await import("~/services/install.server");
  await onShopInstalled(t.db, { shop: SHOP });
  await t.db.recoveryFlow.updateMany({
    where: { shop: SHOP, kind: { in: ["cart", "browse"] } },
    data: { enabled: true, holdoutPct: 0, audience: "any_email" },
  });
});
afterAll(async () => {
  mock.close();
  await t?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await t.db.shop.update({ where: { shop: SHOP }, data: { optIn: "double" } });
});

const capture = (email: string, triggerId?: string) => ({ kind: "email_capture", email, marketingConsent: true, ...(triggerId ? { triggerId } : {}) });
const view = (productId: string) => ({ kind: "product_view", productId });
const messagesTo = (email: string) => t.db.message.findMany({ where: { shop: SHOP, email } });
const runsOf = (visitorId: string) => t.db.flowRun.findMany({ where: { shop: SHOP, visitorId } });
const customer = (email: string) => readDemoState().customers.find((c) => c.email === email);
function unsubscribedCustomer(email: string) {
  updateDemoState((s) => void s.customers.push({ id: `gid://shopify/Customer/${Date.now()}`, email, emailMarketingConsent: "UNSUBSCRIBED", tags: [] }));
}

describe(`consent (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"})`, () => {
  it("a forged capture for a customer who unsubscribed sends them nothing and leaves them unsubscribed (double opt-in)", async () => {
    unsubscribedCustomer("victim@example.com");
    await send("v-attacker", [capture("victim@example.com")]);
    await send("v-attacker", [view("p1")]);
    await send("v-attacker", [view("p1")]);
    expect(await messagesTo("victim@example.com")).toEqual([]);
    expect(customer("victim@example.com")?.emailMarketingConsent).toBe("UNSUBSCRIBED");
    expect(await t.db.contact.findUniqueOrThrow({ where: { shop_email: { shop: SHOP, email: "victim@example.com" } } })).toMatchObject({
      marketingConsent: false,
      consentStatus: "refused",
    });
    expect(await runsOf("v-attacker")).toEqual([]);
  });

  it("on single opt-in too: the customer stays unsubscribed and no reminder starts", async () => {
    await t.db.shop.update({ where: { shop: SHOP }, data: { optIn: "single" } });
    unsubscribedCustomer("victim2@example.com");
    await send("v-attacker-2", [capture("victim2@example.com")]);
    await runDue(new Date(clock() + 60_000)); // the contact.sync
    expect(customer("victim2@example.com")?.emailMarketingConsent).toBe("UNSUBSCRIBED");
    expect(await t.db.contact.findUniqueOrThrow({ where: { shop_email: { shop: SHOP, email: "victim2@example.com" } } })).toMatchObject({
      marketingConsent: false,
      consentStatus: "refused",
    });
    await send("v-attacker-2", [view("p2")]);
    await send("v-attacker-2", [view("p2")]);
    expect(await runsOf("v-attacker-2")).toEqual([]);
    expect(await messagesTo("victim2@example.com")).toEqual([]);
  });

  it("double opt-in: exactly one confirmation, nothing else until it is followed; then confirmed opt-in, evidence, and the flows start", async () => {
    const trigger = await t.db.trigger.findFirstOrThrow({ where: { shop: SHOP, template: "first_visit_offer" } });
    await send("v-ann", [capture("ann@example.com", trigger.id)]);
    await send("v-ann", [capture("Ann@Example.com", trigger.id)]); // typed again
    await send("v-ann", [view("p3")]);
    await send("v-ann", [view("p3")]);
    const before = await messagesTo("ann@example.com");
    expect(before.map((m) => [m.kind, m.status])).toEqual([["confirmation", "sent"]]);
    expect(await runsOf("v-ann")).toEqual([]); // no browse reminder before the confirmation
    expect(customer("ann@example.com")).toBeUndefined(); // nothing in Shopify yet
    const pending = await t.db.contact.findUniqueOrThrow({ where: { shop_email: { shop: SHOP, email: "ann@example.com" } } });
    expect(pending).toMatchObject({ consentStatus: "pending", marketingConsent: false, consentSource: `storefront overlay "${trigger.name}" (${trigger.id})` });
    expect(pending.consentText).toBeTruthy();
    expect(pending.confirmSentAt).not.toBeNull();

    // The owner follows the link: GET shows a button (mail scanners follow GETs), POST confirms.
    const link = /href="([^"]*\/confirm\?token=[^"]+)"/.exec(before[0].html ?? "")?.[1]?.replace(/&amp;/g, "&");
    expect(link).toBeTruthy();
    const route = await import("~/routes/confirm");
    const get = await route.loader({ request: new Request(link!), params: {}, context: {} });
    expect(get.status).toBe(200);
    expect(await t.db.contact.findUniqueOrThrow({ where: { id: pending.id } })).toMatchObject({ consentStatus: "pending" });
    const forged = await route.action({
      request: new Request(link!.replace(/token=[^.]+\./, "token=eyJzIjoiY29uc2VudC5teXNob3BpZnkuY29tIiwiZSI6Im1hbGxvcnlAZXhhbXBsZS5jb20ifQ.")),
      params: {},
      context: {},
    });
    expect(forged.status).toBe(400);
    const post = await route.action({ request: new Request(link!, { method: "POST" }), params: {}, context: {} });
    expect(post.status).toBe(200);
    const confirmed = await t.db.contact.findUniqueOrThrow({ where: { id: pending.id } });
    expect(confirmed).toMatchObject({ consentStatus: "confirmed", consentLevel: "CONFIRMED_OPT_IN", marketingConsent: true });
    expect(confirmed.consentAt).not.toBeNull();
    await runDue(new Date(clock() + 60_000)); // the sync, and the flow checks the confirmation queued
    expect(customer("ann@example.com")).toMatchObject({ emailMarketingConsent: "SUBSCRIBED", marketingOptInLevel: "CONFIRMED_OPT_IN" });
    expect((await runsOf("v-ann")).map((r) => r.email)).toEqual(["ann@example.com"]); // the browse follow-up
    expect((await messagesTo("ann@example.com")).filter((m) => m.kind === "confirmation")).toHaveLength(1);
  });

  it("never moves an existing contact to another visitor", async () => {
    await send("v-owner", [capture("owner@example.com")]);
    await send("v-stranger", [capture("owner@example.com")]);
    expect(await t.db.contact.findUniqueOrThrow({ where: { shop_email: { shop: SHOP, email: "owner@example.com" } } })).toMatchObject({ visitorId: "v-owner" });
    await send("v-stranger", [view("p4")]);
    await send("v-stranger", [view("p4")]);
    expect(await runsOf("v-stranger")).toEqual([]);
  });
});
