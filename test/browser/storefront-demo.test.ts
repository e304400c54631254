/**
 * The demo storefront in real Chromium against the real demo server (test/support/demo-server):
 * browsing, the Ajax cart, checkout and order webhooks reaching the app, the app proxy, consent.
 */
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startDemoServer, type DemoServer } from "../support/demo-server";
import { launchChromium } from "../support/browser";

let demo: DemoServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let requests: string[];
let pageErrors: string[];

beforeAll(async () => {
  demo = await startDemoServer();
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

beforeEach(async () => {
  context = await browser.newContext({ baseURL: demo.baseUrl, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  requests = [];
  pageErrors = [];
  page.on("request", (r) => requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
  page.on("pageerror", (e) => pageErrors.push(e.message));
});

afterEach(async () => {
  await context.close();
  expect(pageErrors).toEqual([]);
});

const cartJs = (p: Page) =>
  p.evaluate(async () => (await fetch(`${(window as unknown as W).Shopify.routes.root}cart.js`)).json()) as Promise<{
    token: string;
    item_count: number;
    total_price: number;
    attributes: Record<string, string>;
    items: Array<{ handle: string; quantity: number; product_id: number; variant_id: number; price: number }>;
  }>;

async function webhookRows(topic: string, minCount = 1) {
  // The server answers the shopper after delivery, but poll briefly so the assertion is not racy.
  for (let i = 0; i < 50; i++) {
    const rows = await demo.db.webhookDelivery.findMany({ where: { topic }, orderBy: { receivedAt: "asc" } });
    if (rows.length >= minCount) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
  return demo.db.webhookDelivery.findMany({ where: { topic } });
}

/** The storefront globals as these tests use them (the page's `window.Shopify`). */
interface ShopifyGlobal {
  shop: string;
  routes: { root: string };
  customerPrivacy: {
    analyticsProcessingAllowed(): boolean;
    marketingAllowed(): boolean;
    currentVisitorConsent(): Record<string, string>;
    setTrackingConsent(consent: Record<string, boolean>, cb: () => void): void;
  };
}
type W = { Shopify: ShopifyGlobal };

describe("demo storefront", () => {
  it("links from the home page to a product page with a product form, price and image", async () => {
    // GIVEN the home page
    await page.goto("/demo/");
    expect(await page.title()).toContain("Demo Shop");
    // WHEN the shopper opens the first product
    const link = page.locator('a[href^="/demo/products/"]').first();
    const href = await link.getAttribute("href");
    await link.click();
    // THEN the product page has what a theme's product page has
    await page.waitForURL(`**${href}`);
    await expect(page.locator("h1.product__title").textContent()).resolves.toBeTruthy();
    expect(await page.locator('form[action="/demo/cart/add"] [name="id"]').count()).toBe(1);
    expect(await page.locator(".product .price").textContent()).toMatch(/\$\d+\.\d\d/);
    expect(await page.locator(".product__media img").getAttribute("src")).toMatch(/^\/demo\/images\/.+\.svg$/);
    expect(await page.evaluate(() => (window as unknown as W).Shopify.routes.root)).toBe("/demo/");
    // and the shipped app embed is on the page with the published config
    const config = await page.locator("#intentful-config").textContent();
    expect(JSON.parse(config!)).toMatchObject({ v: 1 });
  });

  it("adds to cart with the product form, and cart.js shows the item", async () => {
    // GIVEN a product page
    await page.goto("/demo/products/canvas-tote");
    // WHEN the shopper clicks Add to cart
    await page.locator("button[name=add]").click();
    // THEN they land on the cart with the item, and the header counts it
    await page.waitForURL("**/demo/cart");
    expect(await page.locator(".cart-item").count()).toBe(1);
    expect(await page.locator("#cart-icon-bubble [data-cart-count]").textContent()).toBe("1");
    const cart = await cartJs(page);
    expect(cart.item_count).toBe(1);
    expect(cart.items[0]).toMatchObject({ handle: "canvas-tote", quantity: 1, price: 3200 });
    expect(cart.token).toMatch(/^[A-Za-z0-9]+\?key=[a-f0-9]{32}$/);
  });

  it("implements the Ajax cart API: add.js, change.js, update.js with attributes", async () => {
    await page.goto("/demo/products/ceramic-mug");
    const result = await page.evaluate(async () => {
      const post = (url: string, body: unknown) =>
        fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }).then(async (r) => ({
          status: r.status,
          body: await r.json(),
        }));
      const product = await (await fetch("/demo/products/ceramic-mug.js")).json();
      const add = await post("/demo/cart/add.js", { items: [{ id: product.variants[0].id, quantity: 2, properties: { Engraving: "Hi" } }] });
      const change = await post("/demo/cart/change.js", { id: add.body.items[0].key, quantity: 3 });
      const update = await post("/demo/cart/update.js", { attributes: { _intentful_vid: "v-test" } });
      const soldOut = await post("/demo/cart/add.js", { id: 45012345670080, quantity: 1 });
      const recs = await (await fetch(`/demo/recommendations/products.json?product_id=${product.id}&limit=2&intent=complementary`)).json();
      return { add, change, update, soldOut, recs };
    });
    expect(result.add.status).toBe(200);
    expect(result.add.body.items[0]).toMatchObject({ quantity: 2, properties: { Engraving: "Hi" } });
    expect(result.change.body).toMatchObject({ item_count: 3, total_price: 3 * 2400 });
    expect(result.update.body.attributes).toEqual({ _intentful_vid: "v-test" });
    expect(result.soldOut).toMatchObject({ status: 422, body: { message: "Cart Error" } });
    expect(result.recs.products.map((p: { handle: string }) => p.handle)).toEqual(["scented-candle"]);
  });

  it("sends checkouts/create on Continue and orders/create on Place order, then empties the cart", async () => {
    // GIVEN a cart with a visitor id attribute (analytics declined, so the tracker itself writes none)
    await page.goto("/demo/products/leather-wallet?consent=denied");
    await page.locator("button[name=add]").click();
    await page.waitForURL("**/demo/cart");
    await page.evaluate(() =>
      fetch("/demo/cart/update.js", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ attributes: { _intentful_vid: "vid-checkout" } }),
      }),
    );
    const { token } = await cartJs(page);
    // WHEN the shopper checks out and enters an email
    await page.locator("#checkout").click();
    await page.waitForURL(/\/demo\/checkout\/[a-f0-9]{32}$/);
    const checkoutToken = page.url().split("/").pop()!;
    await page.locator("#email").fill("Wallet.Buyer@example.com");
    await page.locator("input[name=accepts_marketing]").check();
    await page.locator("#continue").click();
    await page.locator("#place-order").waitFor();
    // THEN the app received a signed checkouts/create and stored the checkout
    const created = await webhookRows("checkouts/create");
    expect(created.map((r) => r.outcome)).not.toContain("rejected");
    const checkout = await demo.db.checkout.findFirst({ where: { token: checkoutToken } });
    expect(checkout).toMatchObject({ cartToken: token.split("?")[0], totalCents: 5400, visitorId: "vid-checkout", acceptsMarketing: true });
    expect(checkout!.abandonedCheckoutUrl).toBe(`${demo.baseUrl}/demo/checkout/${checkoutToken}`);
    // WHEN they place the order
    await page.locator("#place-order").click();
    await page.waitForURL(/thank_you$/);
    expect(await page.locator("h1").textContent()).toContain("Thank you");
    // THEN orders/create arrived with the checkout and cart tokens, and the cart is empty
    await webhookRows("orders/create");
    const order = await demo.db.order.findFirst({ where: { checkoutToken } });
    expect(order).toMatchObject({ cartToken: token.split("?")[0], totalCents: 5400, email: "wallet.buyer@example.com" });
    await page.goto("/demo/");
    expect(await page.locator("#cart-icon-bubble [data-cart-count]").count()).toBe(0);
    const after = await cartJs(page);
    expect(after.item_count).toBe(0);
    expect(after.token).not.toBe(token);
    const log = (await (await fetch(`${demo.baseUrl}/demo/webhooks.json`)).json()) as { deliveries: Array<{ topic: string; status: number }> };
    for (const topic of ["carts/create", "checkouts/create", "orders/create"]) {
      expect(log.deliveries.find((d) => d.topic === topic)?.status).toBe(200);
    }
  });

  it("makes no request to the app proxy while pages load", async () => {
    for (const path of ["/demo/", "/demo/products/linen-shirt", "/demo/collections/all", "/demo/cart"]) {
      await page.goto(path, { waitUntil: "load" });
      await page.waitForTimeout(300);
    }
    expect(requests.filter((r) => r.includes("/demo/apps/"))).toEqual([]);
    expect(requests).toContain("GET /demo/ext/intentful.js");
  });

  it("forwards /demo/apps/intentful/events to the app proxy, signed, and the batch is stored", async () => {
    await page.goto("/demo/");
    const sent = await page.evaluate(() =>
      navigator.sendBeacon(
        "/demo/apps/intentful/events",
        new Blob([JSON.stringify({ v: 1, visitorId: "beacon-visitor", events: [{ kind: "page_view", at: Date.now() }] })], { type: "application/json" }),
      ),
    );
    expect(sent).toBe(true);
    let rows: Array<{ shop: string; kind: string }> = [];
    for (let i = 0; i < 50 && !rows.length; i++) {
      rows = await demo.db.event.findMany({ where: { visitorId: "beacon-visitor" }, select: { shop: true, kind: true } });
      if (!rows.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(rows).toEqual([{ shop: "demo-shop.myshopify.com", kind: "page_view" }]);
  });

  it("follows ?consent= through the Customer Privacy API and remembers it", async () => {
    await page.goto("/demo/?consent=denied");
    expect(await page.evaluate(() => (window as unknown as W).Shopify.customerPrivacy.analyticsProcessingAllowed())).toBe(false);
    await page.goto("/demo/collections/all");
    expect(await page.evaluate(() => (window as unknown as W).Shopify.customerPrivacy.currentVisitorConsent())).toMatchObject({
      analytics: "no",
      marketing: "no",
    });
    // WHEN the visitor accepts in a banner
    const detail = await page.evaluate(
      () =>
        new Promise((resolve) => {
          document.addEventListener("visitorConsentCollected", (e) => resolve((e as CustomEvent).detail), { once: true });
          (window as unknown as W).Shopify.customerPrivacy.setTrackingConsent({ analytics: true, marketing: false }, () => {});
        }),
    );
    expect(detail).toMatchObject({ analyticsAllowed: true, marketingAllowed: false });
    await page.goto("/demo/");
    expect(
      await page.evaluate(() => [
        (window as unknown as W).Shopify.customerPrivacy.analyticsProcessingAllowed(),
        (window as unknown as W).Shopify.customerPrivacy.marketingAllowed(),
      ]),
    ).toEqual([true, false]);
  });

  it("leaves the app embed out with ?embed=off", async () => {
    await page.goto("/demo/products/linen-shirt?embed=off");
    expect(await page.locator("#intentful-config").count()).toBe(0);
    expect(requests).not.toContain("GET /demo/ext/intentful.js");
  });
});
