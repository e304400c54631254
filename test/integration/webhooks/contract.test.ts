import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db.server";
import { createTestDb, type TestDb } from "../../support/db";
import { seedSession } from "../../support/shopify";
import { FIXTURE_VERSION, sampleBody } from "../../support/shopify-fixtures";
import { dueJobRunner } from "../../support/worker";

/**
 * Contract tests: Shopify's published sample payloads for API 2026-10 (test/fixtures/shopify/2026-10,
 * raw text with its 64-bit ids) delivered exactly as Shopify delivers them — signed body, Shopify's
 * headers, the subscription's path — and followed to their intended effect, not just to a 200.
 */
const dialect = process.env.TEST_DATABASE_URL ? "postgres" : "sqlite";
let t: TestDb;
let receiveWebhook: (db: Db, r: Request) => Promise<Response>;
let appDb: Db;
let runDue: (now: Date) => Promise<unknown>;

beforeAll(async () => {
  t = await createTestDb();
  runDue = await dueJobRunner(t);
  ({ receiveWebhook } = await import("~/services/webhooks/intake.server"));
  ({ default: appDb } = await import("~/db.server"));
});
afterAll(async () => {
  await t?.cleanup();
});

interface Delivery {
  topic: string;
  body: string;
  shop: string;
  /** Defaults: the topic's own route, topic header and a fresh webhook id, triggered now. */
  path?: string;
  topicHeader?: string;
  webhookId?: string;
  triggeredAt?: string | null;
}

/** A delivery as Shopify sends it: HMAC of the raw body, Shopify's headers. */
function shopifyDelivery(d: Delivery): Request {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "X-Shopify-Topic": d.topicHeader ?? d.topic,
    "X-Shopify-Hmac-Sha256": createHmac("sha256", process.env.SHOPIFY_API_SECRET!).update(d.body).digest("base64"),
    "X-Shopify-Shop-Domain": d.shop,
    "X-Shopify-API-Version": FIXTURE_VERSION,
    "X-Shopify-Webhook-Id": d.webhookId ?? randomUUID(),
    "X-Shopify-Event-Id": randomUUID(),
  };
  if (d.triggeredAt !== null) headers["X-Shopify-Triggered-At"] = d.triggeredAt ?? new Date().toISOString();
  return new Request(new URL(d.path ?? `/webhooks/${d.topic}`, process.env.SHOPIFY_APP_URL), { method: "POST", headers, body: d.body });
}

const deliver = (d: Delivery) => receiveWebhook(appDb, shopifyDelivery(d));
const outcomeOf = (webhookId: string) => t.db.webhookDelivery.findUniqueOrThrow({ where: { webhookId } });

/** The samples are dated 2021-12-31; recovery only starts for a checkout of today. */
const NOW_ISO = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
const SAMPLE_DATE = '"2021-12-31T19:00:00-05:00"';

async function installedShop(name: string) {
  const shop = `${name}.myshopify.com`;
  const { onShopInstalled } = await import("~/services/install.server");
  await seedSession(t.db, shop);
  await onShopInstalled(t.db, { shop });
  return shop;
}

async function enableCheckoutFlow(shop: string) {
  const flow = await t.db.recoveryFlow.findFirstOrThrow({ where: { shop, kind: "checkout" } });
  await t.db.recoveryFlow.update({ where: { id: flow.id }, data: { enabled: true, holdoutPct: 0 } });
}

describe(`Shopify ${FIXTURE_VERSION} sample payloads, to their effect (${dialect})`, () => {
  it("checkouts/create without id and with 64-bit ids enrols a run; orders/create by checkout_token stops it; ids come back digit for digit", async () => {
    const shop = await installedShop("contract-recovery");
    await enableCheckoutFlow(shop);
    // GIVEN the published checkouts/create sample (no `id`; customer 603851970716743426), dated now
    const checkoutBody = sampleBody("checkouts/create", shop, [[SAMPLE_DATE, JSON.stringify(NOW_ISO)]]);
    expect(JSON.parse(checkoutBody)).not.toHaveProperty("id");
    const created = randomUUID();
    expect((await deliver({ topic: "checkouts/create", body: checkoutBody, shop, webhookId: created })).status).toBe(200);
    expect(await outcomeOf(created)).toMatchObject({ outcome: "accepted", reason: null });
    const checkout = await t.db.checkout.findUniqueOrThrow({ where: { shop_token: { shop, token: "123123123" } } });
    expect(checkout).toMatchObject({
      customerId: "603851970716743426",
      cartToken: "eeafa272cebfd4b22385bc4b645e762c",
      email: "example@email.com",
      totalCents: 42188,
      status: "open",
    });
    const lines = checkout.lineItems as Array<{ product_id: string; variant_id: string }>;
    expect(lines.map((l) => l.product_id)).toContain("632910392");

    // WHEN the worker takes the recovery.start job THEN a run is enrolled for this checkout
    await runDue(new Date(Date.now() + 1_000));
    const run = await t.db.flowRun.findFirstOrThrow({ where: { shop, checkoutId: checkout.id } });
    expect(run.status).toBe("active");

    // WHEN the published orders/create sample arrives for that checkout (no checkout_id; its
    // checkout_token, null in the sample, set to the checkout's token)
    const orderBody = sampleBody("orders/create", shop, [
      ['"checkout_token": null', '"checkout_token": "123123123"'],
      ['"cart_token": null', '"cart_token": "eeafa272cebfd4b22385bc4b645e762c"'],
      [SAMPLE_DATE, JSON.stringify(NOW_ISO)],
    ]);
    expect(orderBody).not.toContain('"checkout_id"');
    expect((await deliver({ topic: "orders/create", body: orderBody, shop })).status).toBe(200);
    // THEN the order is stored under its exact 64-bit id, and the run stops
    const order = await t.db.order.findUniqueOrThrow({ where: { shop_orderId: { shop, orderId: "820982911946154508" } } });
    expect(order).toMatchObject({ checkoutToken: "123123123", customerId: "115310627314723954", totalCents: 40495 });
    expect(await t.db.flowRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "stopped", stopReason: "purchased" });
    expect(await t.db.checkout.findUniqueOrThrow({ where: { id: checkout.id } })).toMatchObject({ status: "completed" });
    expect(await t.db.job.count({ where: { shop, kind: "order.attribute", dedupeKey: `order.attribute:${shop}:820982911946154508` } })).toBe(1);
  });

  it("checkouts/update applies a newer snapshot; checkouts/delete (id and cart_token only) marks the checkout deleted", async () => {
    const shop = await installedShop("contract-checkouts");
    const body = sampleBody("checkouts/create", shop, [[SAMPLE_DATE, JSON.stringify(NOW_ISO)]]);
    expect((await deliver({ topic: "checkouts/create", body, shop })).status).toBe(200);
    const later = new Date(Date.parse(NOW_ISO) + 60_000).toISOString();
    const update = sampleBody("checkouts/update", shop, [
      [SAMPLE_DATE, JSON.stringify(later)],
      ['"total_price": "421.88"', '"total_price": "199.00"'],
    ]);
    const updated = randomUUID();
    expect((await deliver({ topic: "checkouts/update", body: update, shop, webhookId: updated })).status).toBe(200);
    expect(await outcomeOf(updated)).toMatchObject({ outcome: "accepted" });
    expect(await t.db.checkout.findUniqueOrThrow({ where: { shop_token: { shop, token: "123123123" } } })).toMatchObject({ totalCents: 19900 });

    const deleted = sampleBody("checkouts/delete", shop);
    expect(deleted).toContain("981820079255243537");
    expect((await deliver({ topic: "checkouts/delete", body: deleted, shop })).status).toBe(200);
    expect(await t.db.checkout.findUniqueOrThrow({ where: { shop_token: { shop, token: "123123123" } } })).toMatchObject({ status: "deleted" });
  });

  it("carts/create and carts/update store the cart with its 64-bit line ids exact and queue the cart check once", async () => {
    const shop = await installedShop("contract-carts");
    for (const topic of ["carts/create", "carts/update"]) {
      const id = randomUUID();
      expect((await deliver({ topic, body: sampleBody(topic, shop), shop, webhookId: id })).status).toBe(200);
      expect((await outcomeOf(id)).outcome).toMatch(/^(accepted|stale)$/);
    }
    const cart = await t.db.cart.findUniqueOrThrow({ where: { shop_token: { shop, token: "exampleCartId" } } });
    const lines = cart.lineItems as Array<{ variant_id: string; product_id: string }>;
    expect(lines[0]).toMatchObject({ variant_id: "704912205188288575", product_id: "788032119674292922" });
    expect(await t.db.job.count({ where: { shop, kind: "recovery.cart" } })).toBe(1);
  });

  it("app/scopes_update stores the granted scopes on the shop's sessions", async () => {
    const shop = await installedShop("contract-scopes");
    expect((await deliver({ topic: "app/scopes_update", body: sampleBody("app/scopes_update", shop), shop })).status).toBe(200);
    expect((await t.db.session.findFirstOrThrow({ where: { shop } })).scope).toBe("read_products,write_products");
  });

  it("customers/data_request writes an export of what is stored about the customer", async () => {
    const shop = await installedShop("contract-export");
    const checkout = sampleBody("checkouts/create", shop, [
      [SAMPLE_DATE, JSON.stringify(NOW_ISO)],
      ['"email": "example@email.com"', '"email": "john@example.com"'],
    ]);
    await deliver({ topic: "checkouts/create", body: checkout, shop });
    expect((await deliver({ topic: "customers/data_request", body: sampleBody("customers/data_request", shop), shop })).status).toBe(200);
    await runDue(new Date(Date.now() + 1_000));
    const exported = await t.db.dataExport.findFirstOrThrow({ where: { shop, email: "john@example.com" } });
    expect(JSON.stringify(exported.payload)).toContain("123123123");
  });

  it("customers/redact erases the customer's checkouts", async () => {
    const shop = await installedShop("contract-redact");
    const checkout = sampleBody("checkouts/create", shop, [
      [SAMPLE_DATE, JSON.stringify(NOW_ISO)],
      ['"email": "example@email.com"', '"email": "john@example.com"'],
    ]);
    await deliver({ topic: "checkouts/create", body: checkout, shop });
    expect(await t.db.checkout.count({ where: { shop, email: "john@example.com" } })).toBe(1);
    expect((await deliver({ topic: "customers/redact", body: sampleBody("customers/redact", shop), shop })).status).toBe(200);
    await runDue(new Date(Date.now() + 1_000));
    expect(await t.db.checkout.count({ where: { shop, email: "john@example.com" } })).toBe(0);
  });

  it("app/uninstalled (the sample's null domains standing for the shop's own) ends the sessions; shop/redact then erases the shop", async () => {
    const shop = await installedShop("contract-uninstall");
    // The published sample names no shop (myshopify_domain and domain are null placeholders):
    // a destructive topic must name its shop in the signed body, so it is rejected as it stands.
    const verbatim = randomUUID();
    expect((await deliver({ topic: "app/uninstalled", body: sampleBody("app/uninstalled", shop), shop, webhookId: verbatim })).status).toBe(200);
    expect(await outcomeOf(verbatim)).toMatchObject({ outcome: "rejected" });
    expect(await t.db.session.count({ where: { shop } })).toBe(1);

    const uninstall = sampleBody("app/uninstalled", shop, [['"myshopify_domain": null', `"myshopify_domain": "${shop}"`]]);
    expect((await deliver({ topic: "app/uninstalled", body: uninstall, shop })).status).toBe(200);
    expect(await t.db.session.count({ where: { shop } })).toBe(0);
    expect((await t.db.shop.findUniqueOrThrow({ where: { shop } })).uninstalledAt).not.toBeNull();

    expect((await deliver({ topic: "shop/redact", body: sampleBody("shop/redact", shop), shop })).status).toBe(200);
    await runDue(new Date(Date.now() + 1_000));
    expect(await t.db.shop.count({ where: { shop } })).toBe(0);
    expect(await t.db.recoveryFlow.count({ where: { shop } })).toBe(0);
  });
});

describe(`one signed body replayed with other headers changes nothing and is recorded (${dialect})`, () => {
  const refusals = (shop: string) => t.db.webhookDelivery.findMany({ where: { shop, outcome: "refused" } });

  it("refuses a carts/update body sent with X-Shopify-Topic shop/redact or app/uninstalled", async () => {
    const shop = await installedShop("replay-topic");
    const body = sampleBody("carts/update", shop);
    for (const topicHeader of ["shop/redact", "app/uninstalled"]) {
      const res = await deliver({ topic: "carts/update", topicHeader, body, shop });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("does not match this subscription (carts/update)");
    }
    // AND the same body at the shop/redact route, with that route's topic, names no shop: rejected
    const atRedact = randomUUID();
    expect((await deliver({ topic: "shop/redact", body, shop, webhookId: atRedact })).status).toBe(200);
    expect(await outcomeOf(atRedact)).toMatchObject({ outcome: "rejected" });
    await runDue(new Date(Date.now() + 1_000));
    // THEN nothing happened to the shop
    expect(await t.db.session.count({ where: { shop } })).toBe(1);
    expect(await t.db.shop.findUniqueOrThrow({ where: { shop } })).toMatchObject({ uninstalledAt: null });
    expect(await t.db.cart.count({ where: { shop } })).toBe(0);
    expect(await t.db.job.count({ where: { shop } })).toBe(0);
    const refused = await refusals(shop);
    expect(refused).toHaveLength(2);
    expect(refused.every((r) => r.webhookId.startsWith("refused:") && r.topic === "carts/update")).toBe(true);
  });

  it("refuses a shop/redact body for one shop sent with another shop's header", async () => {
    const victim = await installedShop("replay-victim");
    const body = sampleBody("shop/redact", "replay-owner.myshopify.com");
    const res = await deliver({ topic: "shop/redact", body, shop: victim });
    expect(res.status).toBe(400);
    await runDue(new Date(Date.now() + 1_000));
    expect(await t.db.shop.count({ where: { shop: victim } })).toBe(1);
    expect(await t.db.job.count({ where: { shop: victim } })).toBe(0);
    const [refused] = await refusals(victim);
    expect(refused.reason).toBe(`payload names replay-owner.myshopify.com, not the delivery's shop ${victim}`);
  });

  it("refuses a shop header that is not a *.myshopify.com domain, and stores no such shop", async () => {
    const body = sampleBody("carts/update", "evil.example.com");
    const res = await deliver({ topic: "carts/update", body, shop: "evil.example.com" });
    expect(res.status).toBe(400);
    expect(await t.db.cart.count({ where: { shop: "evil.example.com" } })).toBe(0);
    expect(await t.db.webhookDelivery.count({ where: { shop: "evil.example.com" } })).toBe(0);
    const recorded = await t.db.webhookDelivery.findMany({ where: { shop: "invalid-shop-header", outcome: "refused" } });
    expect(recorded.some((r) => r.reason?.includes('"evil.example.com" is not a *.myshopify.com domain'))).toBe(true);
  });

  it("refuses customers/redact and customers/data_request bodies naming another shop", async () => {
    const shop = await installedShop("replay-foreign");
    for (const topic of ["customers/redact", "customers/data_request"]) {
      const res = await deliver({ topic, body: sampleBody(topic, "someone-else.myshopify.com"), shop });
      expect(res.status).toBe(400);
    }
    expect(await t.db.job.count({ where: { shop } })).toBe(0);
    expect(await refusals(shop)).toHaveLength(2);
  });

  it("records and does not act on a destructive delivery first triggered a month ago, or with no trigger time", async () => {
    const shop = await installedShop("replay-stale");
    const body = sampleBody("app/uninstalled", shop, [['"myshopify_domain": null', `"myshopify_domain": "${shop}"`]]);
    const monthAgo = randomUUID();
    const old = new Date(Date.now() - 30 * 86_400_000).toISOString();
    expect((await deliver({ topic: "app/uninstalled", body, shop, webhookId: monthAgo, triggeredAt: old })).status).toBe(200);
    expect(await outcomeOf(monthAgo)).toMatchObject({ outcome: "expired" });
    expect((await outcomeOf(monthAgo)).reason).toContain("past Shopify's retry window");
    const undated = randomUUID();
    expect((await deliver({ topic: "app/uninstalled", body, shop, webhookId: undated, triggeredAt: null })).status).toBe(200);
    expect(await outcomeOf(undated)).toMatchObject({ outcome: "expired" });
    expect(await t.db.session.count({ where: { shop } })).toBe(1);
    expect(await t.db.shop.findUniqueOrThrow({ where: { shop } })).toMatchObject({ uninstalledAt: null });
    // AND a retry inside the window (triggered 3 hours ago) is acted on
    const retry = new Date(Date.now() - 3 * 3_600_000).toISOString();
    expect((await deliver({ topic: "app/uninstalled", body, shop, triggeredAt: retry })).status).toBe(200);
    expect(await t.db.session.count({ where: { shop } })).toBe(0);
  });

  it("does not erase an installed shop on a replayed shop/redact", async () => {
    const shop = await installedShop("replay-installed");
    const id = randomUUID();
    expect((await deliver({ topic: "shop/redact", body: sampleBody("shop/redact", shop), shop, webhookId: id })).status).toBe(200);
    expect(await outcomeOf(id)).toMatchObject({ outcome: "refused" });
    await runDue(new Date(Date.now() + 1_000));
    expect(await t.db.shop.count({ where: { shop } })).toBe(1);
  });
});
