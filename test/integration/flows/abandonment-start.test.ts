import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedSession, webhookRequest } from "../../support/shopify";
import { installTestDb, type ProxyTestDb } from "../proxy/helpers";
import { dueJobRunner } from "../../support/worker";
import { shopperEvents } from "../../support/ingest";

/**
 * The cart reminder and the browse follow-up start for the shopper they are for, from what the
 * storefront and Shopify really send: event batches through the app proxy's ingest (the tracker's
 * `cart_add` carries the Ajax cart token, "?key=…" included) and carts/* webhooks keyed by the
 * bare token; the jobs they queue run through the worker's handlers.
 */
const SHOP = "abandon.myshopify.com";
let t: ProxyTestDb;
let send: (visitorId: string, events: Array<Record<string, unknown>>) => Promise<void>;
let runDue: (now: Date) => Promise<unknown>;

beforeAll(async () => {
  t = await installTestDb();
  runDue = await dueJobRunner(t);
  ({ send } = await shopperEvents(t.db, SHOP, runDue));
  const { onShopInstalled } = await import("~/services/install.server");
  await seedSession(t.db, SHOP);
  await onShopInstalled(t.db, { shop: SHOP });
  await t.db.recoveryFlow.updateMany({ where: { shop: SHOP, kind: { in: ["cart", "browse"] } }, data: { enabled: true, holdoutPct: 0 } });
  // the flows' starts, not the opt-in (consent.test.ts): a capture with consent counts at once
  await t.db.shop.update({ where: { shop: SHOP }, data: { optIn: "single" } });
});
afterAll(async () => {
  await t?.cleanup();
});

async function runsFor(kind: string, visitorId: string) {
  const flows = await t.db.recoveryFlow.findMany({ where: { shop: SHOP, kind }, select: { id: true } });
  return t.db.flowRun.findMany({ where: { shop: SHOP, visitorId, flowId: { in: flows.map((f) => f.id) } } });
}
const capture = (email: string) => ({ kind: "email_capture", email, marketingConsent: true });

describe(`browse follow-up (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"})`, () => {
  it("starts on the second view of a product by a known shopper, in a later batch, once", async () => {
    await send("v-browse-1", [capture("browser1@example.com")]);
    await send("v-browse-1", [{ kind: "product_view", productId: "111" }]);
    expect(await runsFor("browse", "v-browse-1")).toHaveLength(0);
    await send("v-browse-1", [{ kind: "product_view", productId: "111" }]);
    expect(await runsFor("browse", "v-browse-1")).toHaveLength(1);
    await send("v-browse-1", [{ kind: "product_view", productId: "111" }]);
    expect(await runsFor("browse", "v-browse-1")).toHaveLength(1);
  });

  it("starts when a shopper who viewed a product twice gives their email afterwards", async () => {
    await send("v-browse-2", [{ kind: "product_view", productId: "222" }]);
    await send("v-browse-2", [{ kind: "product_view", productId: "222" }]);
    expect(await runsFor("browse", "v-browse-2")).toHaveLength(0);
    await send("v-browse-2", [capture("browser2@example.com")]);
    const runs = await runsFor("browse", "v-browse-2");
    expect(runs).toHaveLength(1);
    expect(runs[0].email).toBe("browser2@example.com");
  });

  it("does not start for a shopper who added to cart after viewing", async () => {
    await send("v-browse-3", [capture("browser3@example.com")]);
    await send("v-browse-3", [
      { kind: "product_view", productId: "333" },
      { kind: "cart_add", productId: "333" },
    ]);
    await send("v-browse-3", [{ kind: "product_view", productId: "333" }]);
    expect(await runsFor("browse", "v-browse-3")).toHaveLength(0);
  });
});

describe(`cart reminder (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"})`, () => {
  it("starts for a known shopper's cart found through the token the tracker sent, and an order for the cart stops it", async () => {
    const token = "hWN1cartToken0123456789";
    await send("v-cart-1", [capture("carter@example.com")]);
    // The tracker's cart_add after /cart.js: the Ajax token carries "?key=…"; the webhook's does not.
    await send("v-cart-1", [{ kind: "cart_add", productId: "444", valueCents: 2_000, cartToken: `${token}?key=0123456789abcdef0123456789abcdef` }]);
    const { receiveWebhook } = await import("~/services/webhooks/intake.server");
    const { default: appDb } = await import("~/db.server");
    const cart = {
      id: token,
      token,
      line_items: [{ title: "Tote", quantity: 1, price: "20.00", variant_id: 1, product_id: 444 }],
      note: null,
      updated_at: new Date().toISOString(),
      created_at: new Date().toISOString(),
    };
    expect((await receiveWebhook(appDb, webhookRequest("carts/update", cart, { shop: SHOP }))).status).toBe(200);
    await runDue(new Date(Date.now() + 1_000));
    const [run] = await runsFor("cart", "v-cart-1");
    expect(run).toMatchObject({ status: "active", email: "carter@example.com", cartToken: token });

    const order = {
      id: 7001,
      name: "#7001",
      email: "carter@example.com",
      cart_token: token,
      checkout_token: null,
      total_price: "20.00",
      currency: "USD",
      created_at: new Date().toISOString(),
      note_attributes: [],
      line_items: [],
    };
    expect((await receiveWebhook(appDb, webhookRequest("orders/create", order, { shop: SHOP }))).status).toBe(200);
    expect(await t.db.flowRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "stopped", stopReason: "purchased" });
  });

  it("starts when the tracker's cart add arrives after Shopify's carts/create, as it usually does", async () => {
    const { receiveWebhook } = await import("~/services/webhooks/intake.server");
    const { default: appDb } = await import("~/db.server");
    const token = "lateTieCartToken0123456";
    await send("v-cart-3", [capture("late.tie@example.com")]);
    const cart = {
      id: token,
      token,
      line_items: [{ title: "Lamp", quantity: 1, price: "30.00", variant_id: 2, product_id: 666 }],
      note: null,
      updated_at: new Date().toISOString(),
      created_at: new Date().toISOString(),
    };
    expect((await receiveWebhook(appDb, webhookRequest("carts/create", cart, { shop: SHOP }))).status).toBe(200);
    await runDue(new Date(Date.now() + 1_000));
    expect(await runsFor("cart", "v-cart-3")).toHaveLength(0); // nothing ties the cart to the shopper yet
    await send("v-cart-3", [{ kind: "cart_add", productId: "666", valueCents: 3_000, cartToken: `${token}?key=00112233445566778899aabbccddeeff` }]);
    const runs = await runsFor("cart", "v-cart-3");
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "active", email: "late.tie@example.com", cartToken: token });
    // the next batch with the same cart starts nothing more
    await send("v-cart-3", [{ kind: "cart_add", productId: "666", cartToken: token }]);
    expect(await runsFor("cart", "v-cart-3")).toHaveLength(1);
  });

  it("starts when a shopper whose cart was tied earlier gives their email afterwards", async () => {
    const { receiveWebhook } = await import("~/services/webhooks/intake.server");
    const { default: appDb } = await import("~/db.server");
    const token = "emailLaterCartToken0123";
    await send("v-cart-4", [{ kind: "cart_add", productId: "777", cartToken: token }]);
    const cart = { id: token, token, line_items: [{ title: "Rug", quantity: 1, price: "80.00" }], note: null, updated_at: new Date().toISOString() };
    expect((await receiveWebhook(appDb, webhookRequest("carts/update", cart, { shop: SHOP }))).status).toBe(200);
    await runDue(new Date(Date.now() + 1_000));
    expect(await runsFor("cart", "v-cart-4")).toHaveLength(0);
    await send("v-cart-4", [capture("email.later@example.com")]);
    expect(await runsFor("cart", "v-cart-4")).toHaveLength(1);
  });

  it("does not start when the tie arrives after the shopper checked out or ordered", async () => {
    const { receiveWebhook } = await import("~/services/webhooks/intake.server");
    const { default: appDb } = await import("~/db.server");
    for (const [vid, token, via] of [
      ["v-cart-5", "orderedCartToken0123456", "order"],
      ["v-cart-6", "checkedOutCartToken0123", "checkout"],
    ] as const) {
      await send(vid, [capture(`${vid}@example.com`)]);
      const cart = { id: token, token, line_items: [{ title: "Vase", quantity: 1, price: "40.00" }], note: null, updated_at: new Date().toISOString() };
      expect((await receiveWebhook(appDb, webhookRequest("carts/create", cart, { shop: SHOP }))).status).toBe(200);
      if (via === "order") {
        const order = {
          id: 7100 + vid.length,
          name: "#7100",
          email: `${vid}@example.com`,
          cart_token: token,
          checkout_token: null,
          total_price: "40.00",
          currency: "USD",
          created_at: new Date().toISOString(),
          note_attributes: [],
          line_items: [],
        };
        expect((await receiveWebhook(appDb, webhookRequest("orders/create", order, { shop: SHOP }))).status).toBe(200);
      } else {
        const checkout = {
          token: `co-${token}`,
          cart_token: token,
          email: null,
          line_items: [],
          total_price: "40.00",
          updated_at: new Date().toISOString(),
          created_at: new Date().toISOString(),
        };
        expect((await receiveWebhook(appDb, webhookRequest("checkouts/create", checkout, { shop: SHOP }))).status).toBe(200);
      }
      await runDue(new Date(Date.now() + 1_000));
      await send(vid, [{ kind: "cart_add", productId: "888", cartToken: token }]);
      expect(await runsFor("cart", vid), via).toHaveLength(0);
    }
  });

  it("does not start for a cart nobody known is tied to", async () => {
    const { receiveWebhook } = await import("~/services/webhooks/intake.server");
    const { default: appDb } = await import("~/db.server");
    const token = "anonCartToken0123456789";
    await send("v-cart-2", [{ kind: "cart_add", productId: "555", cartToken: token }]);
    const cart = { id: token, token, line_items: [{ title: "Mug", quantity: 1, price: "12.00" }], note: null, updated_at: new Date().toISOString() };
    expect((await receiveWebhook(appDb, webhookRequest("carts/update", cart, { shop: SHOP }))).status).toBe(200);
    await runDue(new Date(Date.now() + 1_000));
    expect(await t.db.flowRun.count({ where: { shop: SHOP, cartToken: token } })).toBe(0);
  });
});
