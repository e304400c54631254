import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db.server";
import type { AdminGraphql } from "~/services/admin-graphql.server";
import { createTestDb, type TestDb } from "../../support/db";
import { seedSession, webhookRequest } from "../../support/shopify";
import { at, checkoutPayload } from "../webhooks/fixtures";

/**
 * Issue 20 item 3 end to end: a checkout's discount email, sent by the worker, drawn with the
 * shop's brand kit (Settings' colour over Shopify's, Shopify's logo), with products others bought
 * or viewed with the shopper's (this shop's counts only), and copy that follows the step's 15 %.
 */
const SHOP = "shop-a.myshopify.com";
const OTHER = "shop-b.myshopify.com";
const FRESH = "shop-c.myshopify.com";

let t: TestDb;
let appDb: Db;
let send: (now: Date) => Promise<unknown>;
let recommendations: typeof import("~/services/email/recommendations.server");
let receiveWebhook: (db: Db, r: Request) => Promise<Response>;
const storefrontCalls: string[] = [];

const json = (data: unknown) => new Response(JSON.stringify({ data }), { headers: { "Content-Type": "application/json" } });
const admin: AdminGraphql = {
  graphql: async () => json({ discountCodeBasicCreate: { codeDiscountNode: { id: "gid://shopify/DiscountCodeNode/1" }, userErrors: [] } }),
};
const storefront: AdminGraphql = {
  graphql: async (query, options) => {
    if (query.includes("IntentfulShopBrand")) {
      storefrontCalls.push("brand");
      return json({
        shop: {
          brand: {
            logo: { image: { url: "https://cdn.shopify.com/s/files/read-by-worker.png" } },
            colors: { primary: [{ background: "#7a1f5c", foreground: "#ffffff" }], secondary: [] },
          },
        },
      });
    }
    storefrontCalls.push(String(options?.variables?.productId ?? ""));
    return json({
      productRecommendations: [
        {
          title: "Shopify Pick",
          handle: "shopify-pick",
          onlineStoreUrl: null,
          featuredImage: { url: "https://cdn.shopify.com/pick.png" },
          priceRange: { minVariantPrice: { amount: "15.00" } },
        },
      ],
    });
  },
};

const li = (productId: number, title: string, price: number, image: string | null = null) => ({
  title,
  quantity: 1,
  price,
  product_id: String(productId),
  variant_id: String(productId * 10),
  image_url: image,
});

/** The installed checkout flow, its discount email only, switched on without holdout. */
async function discountEmailOnly(shop: string, percent: number) {
  const flow = await t.db.recoveryFlow.findFirstOrThrow({ where: { shop, kind: "checkout" } });
  await t.db.recoveryStep.deleteMany({ where: { flowId: flow.id, position: 0 } });
  await t.db.recoveryStep.updateMany({ where: { flowId: flow.id, position: 1 }, data: { discountPercent: percent } });
  await t.db.recoveryFlow.update({ where: { id: flow.id }, data: { enabled: true, holdoutPct: 0 } });
}

async function completedCheckout(shop: string, token: string, items: unknown[]) {
  await t.db.checkout.create({ data: { shop, token, lineItems: items as never, status: "completed", completedAt: at(-60), shopifyUpdatedAt: at(-60) } });
}

beforeAll(async () => {
  t = await createTestDb();
  process.env.DATABASE_URL = t.url;
  delete process.env.SMTP_URL; // the outbox: the Message row keeps what was sent
  ({ receiveWebhook } = await import("~/services/webhooks/intake.server"));
  ({ default: appDb } = await import("~/db.server"));
  recommendations = await import("~/services/email/recommendations.server");
  recommendations.clearRecommendationCache();
  const { drainDue } = await import("~/services/jobs.server");
  const { jobHandlers } = await import("~/services/job-handlers.server");
  const { recoveryHandlers } = await import("~/services/recovery.server");
  const { onShopInstalled } = await import("~/services/install.server");
  const handlers = { ...jobHandlers(), ...recoveryHandlers(t.db, { admin: async () => admin, storefront: async () => storefront }) };
  send = (now) => drainDue({ db: t.db, handlers, now: () => now });
  await seedSession(t.db, SHOP);
  await onShopInstalled(t.db, { shop: SHOP });
  await t.db.shop.create({ data: { shop: OTHER } });
  // The merchant's colour in Settings; Shopify's brand (as last read) has a logo and another colour.
  await t.db.shop.update({
    where: { shop: SHOP },
    data: {
      brandColor: "#0b5d3b",
      shopifyBrand: { logoUrl: "https://cdn.shopify.com/s/files/acme-logo.png", primaryColor: "#123456", accentColor: "#f4c430" },
      shopifyBrandAt: new Date(),
    },
  });
  // The checkout flow's discount email only, its offer changed from the template's 10 % to 15 %.
  await discountEmailOnly(SHOP, 15);
  // A shop nobody opened Settings or a flow of: its brand was never read.
  await seedSession(t.db, FRESH);
  await onShopInstalled(t.db, { shop: FRESH });
  await discountEmailOnly(FRESH, 20);

  // Bought together with the Linen Shirt (product 1): the beanie twice, the socks once.
  await completedCheckout(SHOP, "done1", [li(1, "Linen Shirt", 3900), li(3, "Wool Beanie", 2400, "https://cdn.shopify.com/beanie.png")]);
  await completedCheckout(SHOP, "done2", [li(1, "Linen Shirt", 3900), li(3, "Wool Beanie", 2400, "https://cdn.shopify.com/beanie.png")]);
  await completedCheckout(SHOP, "done3", [li(1, "Linen Shirt", 3900), li(4, "Cotton Socks", 1200)]);
  // Another shop's shoppers buy a hat with their product 1, often: never recommended here.
  for (let i = 0; i < 5; i++) await completedCheckout(OTHER, `other${i}`, [li(1, "Shirt", 3900), li(9, "Other Shop Hat", 900)]);
  // Viewed together: visitors who looked at the tote (product 2) also looked at the mug (product 5),
  // which is known from a cart.
  await t.db.cart.create({ data: { shop: SHOP, token: "cart5", lineItems: [li(5, "Ceramic Mug", 1800)] as never, shopifyUpdatedAt: at(-30) } });
  for (const visitorId of ["v1", "v2"]) {
    for (const productId of ["2", "5"]) {
      await t.db.event.create({ data: { shop: SHOP, visitorId, kind: "product_view", productId, occurredAt: at(-20) } });
    }
  }
});

afterAll(async () => {
  await t?.cleanup();
});

describe(`a recovery email a brand would send (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"})`, () => {
  it("counts what was bought and viewed together in this shop only, best first, then tops up from Shopify", async () => {
    recommendations.clearRecommendationCache();
    const own = await recommendations.recommendProducts(t.db, SHOP, { productIds: ["1"], limit: 2 });
    expect(own.map((p) => p.title)).toEqual(["Wool Beanie", "Cotton Socks"]);
    const withViews = await recommendations.recommendProducts(t.db, SHOP, { productIds: ["1", "2"], limit: 3 });
    expect(withViews.map((p) => p.title)).toEqual(["Wool Beanie", "Cotton Socks", "Ceramic Mug"]);
    const toppedUp = await recommendations.recommendProducts(t.db, SHOP, { productIds: ["4"], limit: 3 }, { storefront: async () => storefront });
    expect(toppedUp.map((p) => p.title)).toEqual(["Linen Shirt", "Shopify Pick"]);
    expect(toppedUp[1].url).toBe(`https://${SHOP}/products/shopify-pick`);
    expect(storefrontCalls).toContain("gid://shopify/Product/4");
    const other = await recommendations.recommendProducts(t.db, OTHER, { productIds: ["1"] });
    expect(other.map((p) => p.title)).toEqual(["Other Shop Hat"]);
  });

  it("sends the discount email with the logo, the brand colour, the recommendations and 15% everywhere", async () => {
    recommendations.clearRecommendationCache();
    const checkout = checkoutPayload({ email: "brand@example.com" });
    expect((await receiveWebhook(appDb, webhookRequest("checkouts/create", checkout, { shop: SHOP }))).status).toBe(200);
    await send(at(5));
    await send(at(24 * 60 + 5));
    const message = await t.db.message.findFirstOrThrow({ where: { shop: SHOP, email: "brand@example.com" } });
    expect(message.status).toBe("sent");
    expect(message.subject).toBe("Still thinking it over? Here is 15% off");
    expect(message.html).toMatch(/<img[^>]*src="https:\/\/cdn\.shopify\.com\/s\/files\/acme-logo\.png"/);
    expect(message.html).toMatch(/bgcolor="#0b5d3b"/);
    expect(message.html).not.toContain("#123456");
    expect(message.html).toContain("this code takes 15% off until");
    for (const part of [message.html!, message.text!]) {
      expect(part).toContain("save 15%");
      expect(part).not.toContain("10%");
      expect(part).toContain("Wool Beanie");
      expect(part).toContain("Cotton Socks");
      expect(part).not.toContain("Other Shop Hat");
    }
    // The cart's own products are not recommended back to the shopper.
    expect(message.text!.split("You may also like")[1]).not.toContain("Linen Shirt");
  });

  it("reads the brand of a shop whose brand was never read, once, before its first email", async () => {
    storefrontCalls.length = 0;
    const checkout = checkoutPayload({ email: "fresh@example.com", abandoned_checkout_url: `https://${FRESH}/checkouts/x/recover` });
    expect((await receiveWebhook(appDb, webhookRequest("checkouts/create", checkout, { shop: FRESH }))).status).toBe(200);
    await send(at(5));
    await send(at(24 * 60 + 5));
    const message = await t.db.message.findFirstOrThrow({ where: { shop: FRESH, email: "fresh@example.com" } });
    expect(message.subject).toBe("Still thinking it over? Here is 20% off");
    expect(message.html).toContain('src="https://cdn.shopify.com/s/files/read-by-worker.png"');
    expect(message.html).toMatch(/bgcolor="#7a1f5c"/);
    expect(storefrontCalls.filter((c) => c === "brand")).toHaveLength(1);
    const row = await t.db.shop.findUniqueOrThrow({ where: { shop: FRESH } });
    expect(row.shopifyBrandAt).not.toBeNull();
  });
});
