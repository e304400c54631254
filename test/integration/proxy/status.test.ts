/**
 * GET /apps/intentful/status through the app proxy (proxy.status.ts): what the tracker learns
 * once a session about a shopper the app may have emailed — when the last recovery email went
 * out (the channel gap holds overlays back, clicked or not) and which average-order threshold
 * of the shop's triggers their past orders meet. Real database (SQLite file or PostgreSQL),
 * requests signed the way Shopify signs app proxy requests.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loader, action } from "~/routes/proxy.status";
import { eventRateLimiter } from "~/services/rate-limit.server";
import { signProxyParams } from "../../support/shopify";
import { installTestDb, type ProxyTestDb } from "./helpers";

let t: ProxyTestDb;
const SHOP = "shop-a.myshopify.com";
const OTHER = "shop-b.myshopify.com";

beforeAll(async () => {
  t = await installTestDb();
});
afterAll(async () => {
  await t.cleanup();
});
beforeEach(async () => {
  eventRateLimiter().clear();
  for (const model of ["message", "order", "checkout", "cart", "contact", "trigger"] as const)
    await (t.db[model] as { deleteMany: (a: object) => Promise<unknown> }).deleteMany({});
});

function statusRequest(query: Record<string, string>, { shop = SHOP, customerId = "", forge = false, method = "GET" } = {}): Request {
  const params: Record<string, string> = {
    ...query,
    shop,
    logged_in_customer_id: customerId,
    path_prefix: "/apps/intentful",
    timestamp: String(Math.floor(Date.now() / 1000)),
  };
  const url = new URL("/proxy/status", process.env.SHOPIFY_APP_URL);
  for (const [k, v] of Object.entries({ ...params, signature: forge ? "0".repeat(64) : signProxyParams(params) })) url.searchParams.set(k, v);
  return new Request(url, { method });
}
const ask = async (vid: string, options?: Parameters<typeof statusRequest>[1]) => {
  const response = await loader({ request: statusRequest({ v: vid }, options), params: {}, context: {} });
  expect(response.status).toBe(200);
  expect(response.headers.get("Cache-Control")).toBe("private, no-store");
  return (await response.json()) as { em: number; ao: number };
};

const sentAt = new Date("2026-12-01T10:00:00Z");
async function trigger(shop: string, name: string, minAovCents: number, enabled = true) {
  await t.db.trigger.create({
    data: {
      shop,
      name,
      type: "exit_intent",
      enabled,
      salt: name,
      conditions: {},
      segment: minAovCents ? { minAovCents } : {},
      content: { kind: "message", headline: name },
      frequencyCap: {},
    },
  });
}
async function order(shop: string, orderId: string, totalCents: number, who: { email?: string; customerId?: string }) {
  await t.db.order.create({ data: { shop, orderId, totalCents, orderedAt: new Date("2026-11-01T00:00:00Z"), ...who } });
}
async function message(shop: string, email: string, at: Date, extra: { kind?: string; status?: string } = {}) {
  await t.db.message.create({
    data: {
      shop,
      email,
      idempotencyKey: `${shop}:${email}:${at.getTime()}:${extra.kind ?? "r"}:${extra.status ?? "s"}`,
      kind: extra.kind ?? "recovery",
      status: extra.status ?? "sent",
      sentAt: at,
    },
  });
}

describe(`app proxy status (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"})`, () => {
  it("knows nothing of a visitor the app never tied to an email", async () => {
    await message(SHOP, "someone@example.com", sentAt);
    expect(await ask("visitor-unknown")).toEqual({ em: 0, ao: 0 });
  });

  it("tells a shopper who gave their email here when they were last sent a recovery email, and the threshold their orders meet", async () => {
    // GIVEN a visitor who signed up through an overlay, was emailed twice, and ordered twice (avg 60.00)
    await t.db.contact.create({ data: { shop: SHOP, email: "ana@example.com", visitorId: "visitor-ana" } });
    await message(SHOP, "ana@example.com", new Date(sentAt.getTime() - 86_400_000));
    await message(SHOP, "ana@example.com", sentAt);
    // not recovery emails sent: the confirmation, a failed send
    await message(SHOP, "ana@example.com", new Date(sentAt.getTime() + 3_600_000), { kind: "confirmation" });
    await message(SHOP, "ana@example.com", new Date(sentAt.getTime() + 7_200_000), { status: "failed" });
    await order(SHOP, "1001", 4000, { email: "ana@example.com" });
    await order(SHOP, "1002", 8000, { email: "ana@example.com" });
    // AND the shop's triggers: "average order at least" 50.00 and 80.00, one of 30.00 switched off
    await trigger(SHOP, "aov-50", 5000);
    await trigger(SHOP, "aov-80", 8000);
    await trigger(SHOP, "aov-30-off", 3000, false);
    await trigger(SHOP, "anyone", 0);
    // THEN the answer is the last recovery email's time and the highest threshold met — not the average
    expect(await ask("visitor-ana")).toEqual({ em: sentAt.getTime(), ao: 5000 });
  });

  it("finds a shopper through the checkout of their cart, and a logged-in customer through the signed customer id", async () => {
    await t.db.cart.create({ data: { shop: SHOP, token: "cart-bo", visitorId: "visitor-bo", lineItems: [], shopifyUpdatedAt: sentAt } });
    await t.db.checkout.create({
      data: { shop: SHOP, token: "co-bo", cartToken: "cart-bo", email: "bo@example.com", lineItems: [], shopifyUpdatedAt: sentAt },
    });
    await message(SHOP, "bo@example.com", sentAt);
    expect((await ask("visitor-bo")).em).toBe(sentAt.getTime());

    // a logged-in customer (Shopify's numeric id in the proxy; the contact holds the Admin API's GID)
    await t.db.contact.create({ data: { shop: SHOP, email: "cy@example.com", customerId: "gid://shopify/Customer/207119551" } });
    await message(SHOP, "cy@example.com", sentAt);
    await order(SHOP, "2001", 12_000, { customerId: "207119551" });
    await trigger(SHOP, "aov-100", 10_000);
    expect(await ask("visitor-on-a-new-device", { customerId: "207119551" })).toEqual({ em: sentAt.getTime(), ao: 10_000 });
    // without the signed customer id, the same new device is a stranger
    expect(await ask("visitor-on-a-new-device")).toEqual({ em: 0, ao: 0 });
  });

  it("answers from the asking shop's data only", async () => {
    await t.db.contact.create({ data: { shop: OTHER, email: "dee@example.com", visitorId: "visitor-dee" } });
    await message(OTHER, "dee@example.com", sentAt);
    await order(OTHER, "3001", 50_000, { email: "dee@example.com" });
    await trigger(OTHER, "aov-10", 1000);
    await trigger(SHOP, "aov-10", 1000);
    expect(await ask("visitor-dee")).toEqual({ em: 0, ao: 0 });
    expect(await ask("visitor-dee", { shop: OTHER })).toEqual({ em: sentAt.getTime(), ao: 1000 });
  });

  it("refuses what is not a signed GET with a visitor id, with a reason", async () => {
    const forged = await loader({ request: statusRequest({ v: "visitor-1" }, { forge: true }), params: {}, context: {} });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: string }).error).toMatch(/signature/);
    const missing = await loader({ request: statusRequest({}), params: {}, context: {} });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toMatch(/visitor id/);
    const bad = await loader({ request: statusRequest({ v: "<script>" }), params: {}, context: {} });
    expect(bad.status).toBe(400);
    const post = action();
    expect(post.status).toBe(405);
    expect(post.headers.get("Allow")).toBe("GET");
  });
});
