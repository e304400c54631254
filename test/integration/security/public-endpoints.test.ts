/**
 * The app's public entry points refuse forged requests, at the route (the module Remix runs):
 * - every webhooks.* route (read from app/routes at collection time): a wrong or missing HMAC →
 *   401/400, nothing stored (the intake service's own per-topic check is in
 *   test/integration/webhooks/recovery.test.ts, "webhook intake");
 * - app proxy routes: proxy.events is covered by test/integration/proxy/events.test.ts (forged
 *   signature, tampered parameters, stale and future timestamps); any other proxy.* route gets a
 *   forged-signature check here;
 * - r.$messageId (email click tracking): a forged link signature → 404, no click recorded, and the
 *   redirect target always comes from the database;
 * - unsubscribe: forged, tampered or malformed tokens → 400 on GET and POST, nobody unsubscribed;
 *   the page never echoes the token as markup.
 */
import { createHmac, randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../support/db";
import { seedSession, signProxyParams, webhookRequest } from "../../support/shopify";

const SHOP = "shop-a.myshopify.com";
const ROUTES_DIR = path.resolve(import.meta.dirname, "../../../app/routes");
const routeIds = readdirSync(ROUTES_DIR)
  .filter((f) => /\.(tsx?|jsx?)$/.test(f))
  .map((f) => f.replace(/\.(tsx?|jsx?)$/, ""));
const WEBHOOK_ROUTES = routeIds.filter((id) => id.startsWith("webhooks."));
/** Proxy routes with their refusal tests elsewhere. */
const PROXY_COVERED: Record<string, string> = { "proxy.events": "test/integration/proxy/events.test.ts" };
const PROXY_ROUTES = routeIds.filter((id) => id === "proxy" || id.startsWith("proxy."));

type RouteFn = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<unknown>;
interface RouteModule {
  loader?: RouteFn;
  action?: RouteFn;
}

let t: TestDb;
const load = (id: string) =>
  import(
    path.join(
      ROUTES_DIR,
      readdirSync(ROUTES_DIR).find((f) => f.replace(/\.(tsx?|jsx?)$/, "") === id)!,
    )
  ) as Promise<RouteModule>;

async function call(fn: RouteFn | undefined, request: Request, params: Record<string, string> = {}): Promise<Response> {
  expect(fn, "the route exports this handler").toBeTypeOf("function");
  try {
    const r = await fn!({ request, params, context: {} });
    return r instanceof Response ? r : Response.json(r);
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
}

beforeAll(async () => {
  t = await createTestDb();
  process.env.DATABASE_URL = t.url;
  await seedSession(t.db, SHOP);
});

afterAll(async () => {
  await t?.cleanup();
});

/** Webhook topic from the route id: webhooks.customers.data_request → customers/data_request. */
const topicOf = (id: string) => id.replace(/^webhooks\./, "").replace(".", "/");

describe("webhook routes verify the HMAC", () => {
  it("finds the webhook routes", () => {
    expect(WEBHOOK_ROUTES).toEqual(
      expect.arrayContaining(["webhooks.orders.create", "webhooks.checkouts.create", "webhooks.customers.redact", "webhooks.shop.redact"]),
    );
  });

  it.each(WEBHOOK_ROUTES)("%s: 401 to a body signed with another secret, 401 to a tampered body, 400 to no signature; stores nothing", async (id) => {
    const route = await load(id);
    const topic = topicOf(id);
    const payload = { id: 1, email: "victim@example.com", shop_domain: SHOP, customer: { id: 1, email: "victim@example.com" } };
    const before = { deliveries: await t.db.webhookDelivery.count(), jobs: await t.db.job.count(), checkouts: await t.db.checkout.count() };

    const forged = await call(route.action, webhookRequest(topic, payload, { shop: SHOP, secretOverride: "an-attacker-chosen-secret-of-32-bytes" }));
    expect(forged.status).toBe(401);

    // a genuine signature over another body
    const genuine = webhookRequest(topic, payload, { shop: SHOP });
    const tampered = new Request(genuine.url, { method: "POST", headers: genuine.headers, body: JSON.stringify({ ...payload, id: 2 }) });
    expect((await call(route.action, tampered)).status).toBe(401);

    const unsigned = webhookRequest(topic, payload, { shop: SHOP });
    unsigned.headers.delete("X-Shopify-Hmac-Sha256");
    expect([400, 401]).toContain((await call(route.action, unsigned)).status);

    expect({ deliveries: await t.db.webhookDelivery.count(), jobs: await t.db.job.count(), checkouts: await t.db.checkout.count() }).toEqual(before);
  });

  it("control: a correctly signed delivery on the same route is accepted and recorded", async () => {
    const route = await load("webhooks.checkouts.create");
    const webhookId = randomUUID();
    const now = new Date().toISOString();
    const payload = {
      id: 77,
      token: `ck_${randomUUID().slice(0, 8)}`,
      email: "ok@example.com",
      line_items: [],
      total_price: "0.00",
      currency: "USD",
      created_at: now,
      updated_at: now,
    };
    const res = await call(route.action, webhookRequest("checkouts/create", payload, { shop: SHOP, webhookId }));
    expect(res.status).toBe(200);
    expect(await t.db.webhookDelivery.count({ where: { webhookId } })).toBe(1);
  });
});

describe("app proxy routes verify Shopify's signature", () => {
  it("every proxy route has refusal tests (events: test/integration/proxy/events.test.ts)", () => {
    expect(PROXY_ROUTES).toContain("proxy.events");
  });

  const uncovered = PROXY_ROUTES.filter((id) => !PROXY_COVERED[id]);
  it.each(uncovered.length ? uncovered : ["(none)"])("%s refuses a forged signature", async (id) => {
    if (id === "(none)") return; // every proxy route is covered by its own test file (see PROXY_COVERED)
    const route = await load(id);
    const params = { shop: SHOP, logged_in_customer_id: "", path_prefix: "/apps/intentful", timestamp: String(Math.floor(Date.now() / 1000)) };
    const url = new URL(`/${id.replace(/\./g, "/")}`, process.env.SHOPIFY_APP_URL);
    for (const [k, v] of Object.entries({ ...params, signature: signProxyParams(params, "an-attacker-chosen-secret-of-32-bytes") })) url.searchParams.set(k, v);
    for (const fn of [route.loader, route.action].filter(Boolean)) {
      const res = await call(fn, new Request(url, { method: fn === route.action ? "POST" : "GET", body: fn === route.action ? "{}" : undefined }));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });
});

describe("r.$messageId (email click tracking)", () => {
  let route: RouteModule;
  let messageId: string;
  const RECOVERY_URL = "https://shop-a.myshopify.com/checkouts/abc/recover?key=k1";

  beforeAll(async () => {
    route = await load("r.$messageId");
    const flow = await t.db.recoveryFlow.create({ data: { shop: SHOP, name: "Checkout recovery", kind: "checkout" } });
    const checkout = await t.db.checkout.create({
      data: { shop: SHOP, token: `tok-${randomUUID()}`, lineItems: [], shopifyUpdatedAt: new Date(), abandonedCheckoutUrl: RECOVERY_URL },
    });
    const run = await t.db.flowRun.create({
      data: { shop: SHOP, flowId: flow.id, subjectKey: `checkout:${checkout.id}`, checkoutId: checkout.id, email: "clicker@example.com" },
    });
    const message = await t.db.message.create({
      data: { shop: SHOP, idempotencyKey: `click-${randomUUID()}`, flowRunId: run.id, email: "clicker@example.com", status: "sent" },
    });
    messageId = message.id;
  });

  const clickedAt = async () => (await t.db.message.findUniqueOrThrow({ where: { id: messageId } })).clickedAt;
  const get = (id: string, query: string) => call(route.loader, new Request(`${process.env.SHOPIFY_APP_URL}/r/${id}${query}`), { messageId: id });

  it("answers 404 to a missing, forged, truncated or another message's signature, and records no click", async () => {
    const { linkSignature } = await import("~/services/mail.server");
    const good = linkSignature(messageId);
    const forgedWithOtherSecret = createHmac("sha256", "an-attacker-chosen-secret-of-32-bytes").update(`link:${messageId}`).digest("base64url").slice(0, 22);
    for (const query of ["", "?s=", `?s=${forgedWithOtherSecret}`, `?s=${good.slice(0, 21)}`, `?s=${good}x`, `?s=${linkSignature("another-message")}`]) {
      const res = await get(messageId, query);
      expect(res.status, query).toBe(404);
      expect(res.headers.get("Location")).toBeNull();
    }
    expect(await clickedAt()).toBeNull();
  });

  it("with the real signature, records the click and redirects to the stored recovery URL, ignoring any target in the query", async () => {
    const { linkSignature } = await import("~/services/mail.server");
    const res = await get(messageId, `?s=${linkSignature(messageId)}&url=https://evil.example&redirect=https://evil.example&Location=https://evil.example`);
    expect(res.status).toBe(302);
    // the stored URL, tagged so the storefront and the merchant's analytics see an email visit
    const location = new URL(res.headers.get("Location")!);
    expect(`${location.origin}${location.pathname}`).toBe(RECOVERY_URL.split("?")[0]);
    expect(Object.fromEntries(location.searchParams)).toEqual({ key: "k1", utm_source: "intentful", utm_medium: "email", utm_campaign: "recovery" });
    expect(await clickedAt()).not.toBeNull();
  });
});

describe("unsubscribe", () => {
  let route: RouteModule;
  const EMAIL = "subscriber@example.com";
  let sign: typeof import("~/services/email/unsubscribe-token.server").signUnsubscribeToken;
  let flowRunId: string;

  beforeAll(async () => {
    route = await load("unsubscribe");
    ({ signUnsubscribeToken: sign } = await import("~/services/email/unsubscribe-token.server"));
    const flow = await t.db.recoveryFlow.findFirstOrThrow({ where: { shop: SHOP } });
    flowRunId = (await t.db.flowRun.create({ data: { shop: SHOP, flowId: flow.id, subjectKey: `checkout:unsub-${randomUUID()}`, email: EMAIL } })).id;
  });

  const req = (token: string, method = "GET") => new Request(`${process.env.SHOPIFY_APP_URL}/unsubscribe?token=${encodeURIComponent(token)}`, { method });
  const unsubscribed = async () => (await t.db.suppression.count({ where: { shop: SHOP, email: EMAIL } })) > 0;
  const runStatus = async () => (await t.db.flowRun.findUniqueOrThrow({ where: { id: flowRunId } })).status;

  const forgedTokens = (): Array<[string, string]> => {
    const real = sign({ shop: SHOP, email: EMAIL }, process.env.SHOPIFY_API_SECRET!);
    const [, mac] = real.split(".");
    const otherPayload = Buffer.from(JSON.stringify({ s: SHOP, e: "someone.else@example.com" })).toString("base64url");
    return [
      ["signed with another secret", sign({ shop: SHOP, email: EMAIL }, "an-attacker-chosen-secret-of-32-bytes")],
      ["another address under a real signature", `${otherPayload}.${mac}`],
      ["without a signature", real.split(".")[0]],
      ["with an empty signature", `${real.split(".")[0]}.`],
      ["malformed", "not.a.token"],
      ["empty", ""],
      ["markup", `"><script>alert(1)</script>.x`],
    ];
  };

  it("refuses forged, tampered and malformed tokens with 400 on GET and POST, and unsubscribes nobody", async () => {
    for (const [name, token] of forgedTokens()) {
      for (const method of ["GET", "POST"]) {
        const res = await call(method === "GET" ? route.loader : route.action, req(token, method));
        expect(res.status, `${method} ${name}`).toBe(400);
        const html = await res.text();
        expect(html).not.toContain("<script>");
        expect(html).not.toContain("<form");
      }
    }
    expect(await unsubscribed()).toBe(false);
    expect(await t.db.suppression.count()).toBe(0);
    expect(await runStatus()).toBe("active");
  });

  it("control: GET with the real token only asks (mail scanners follow links); POST unsubscribes and stops the flow", async () => {
    const token = sign({ shop: SHOP, email: EMAIL }, process.env.SHOPIFY_API_SECRET!);
    const page = await call(route.loader, req(token));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<form");
    expect(await unsubscribed()).toBe(false);
    const done = await call(route.action, req(token, "POST"));
    expect(done.status).toBe(200);
    expect(await unsubscribed()).toBe(true);
    expect(await runStatus()).toBe("stopped");
  });
});
