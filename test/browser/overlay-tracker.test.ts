/**
 * The whole storefront path in real Chromium: the shipped Liquid block (rendered by the demo's
 * liquidjs shim) on a fake shop, the built tracker and overlay, Shopify's endpoints stubbed.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { renderAppEmbed } from "~/demo/liquid.server";
import { eventBatchSchema, type EventBatch } from "~/domain/events/schema";
import { isHoldout } from "~/domain/experiments/assign";
import { compileConfig, type TriggerRow } from "~/domain/triggers/compile";
import { triggerInputSchema, type TriggerFormInput } from "~/domain/triggers/schema";
import type { CompiledConfig } from "~/domain/triggers/types";
import { buildStorefront } from "../../scripts/build-storefront";
import { newStored } from "../../extensions/intentful/src/tracker/state";
import { launchChromium, trackerReady, visitorId, type TrackerStats } from "../support/browser";

let browser: Browser;
/** the built storefront bundles by file name (intentful.js, intentful-rules.js, intentful-overlay.js) */
let assets: Record<string, string>;

interface Shop {
  config: CompiledConfig;
  consent?: { analytics: boolean; marketing: boolean };
  cart: { item_count: number; total_price: number; items: unknown[]; attributes: Record<string, string> };
  requests: string[];
  batches: EventBatch[];
  errors: string[];
  origin: string;
}

function trigger(input: TriggerFormInput, id: string, salt = `salt-${id}`): TriggerRow {
  return { ...triggerInputSchema.parse(input), id, salt, enabled: true };
}

const exitRecs = trigger(
  {
    name: "Exit recommendations",
    type: "exit_intent",
    conditions: { pageTypes: ["product"] },
    content: { kind: "recommendations", headline: "Before you go", limit: 2 },
    holdoutPct: 0,
  },
  "recs",
);

const pageFor = (path: string) =>
  path.startsWith("/products/")
    ? { page_type: "product", product: { id: 7, handle: "wool-hat" } }
    : path.startsWith("/collections/")
      ? { page_type: "collection" }
      : { page_type: "index" };

/** A fake shop on a real local HTTP server (so beacons sent while a page unloads really arrive). */
/** A phone as Playwright's device list describes one (iPhone 13): a touch screen, a coarse pointer. */
const PHONE = {
  viewport: { width: 390, height: 664 },
  userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 15_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.0 Mobile/15E148 Safari/604.1",
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
};

async function openShop(
  config: CompiledConfig,
  opts: { consent?: Shop["consent"]; stored?: object; phone?: boolean; settings?: Record<string, unknown> } = {},
) {
  const shop: Shop = {
    config,
    consent: opts.consent,
    cart: { item_count: 0, total_price: 0, items: [], attributes: {} },
    requests: [],
    batches: [],
    errors: [],
    origin: "",
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url || "/", shop.origin);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    shop.requests.push(`${req.method} ${url.pathname}`);
    const send = (status: number, type: string, text = "") => {
      res.writeHead(status, { "content-type": type });
      res.end(text);
    };
    const json = (v: unknown) => send(200, "application/json", JSON.stringify(v));
    try {
      const asset = url.pathname.startsWith("/assets/") && assets[url.pathname.slice("/assets/".length)];
      if (asset) return send(200, "text/javascript", asset);
      if (url.pathname === "/apps/intentful/events") {
        shop.batches.push(eventBatchSchema.parse(JSON.parse(body)));
        return send(204, "text/plain");
      }
      if (url.pathname === "/recommendations/products.json")
        return json({
          products: [
            { id: 8, title: "Scarf", handle: "scarf", url: "/products/scarf", price: 3900, featured_image: null },
            { id: 9, title: "Gloves", handle: "gloves", url: "/products/gloves", price: 2900, featured_image: null },
          ],
        });
      if (url.pathname === "/cart.js") return json(shop.cart);
      if (url.pathname === "/cart/add.js") {
        shop.cart.item_count += 1;
        shop.cart.total_price += 4000;
        return json({ id: 1, quantity: 1 });
      }
      if (url.pathname === "/cart/update.js") {
        Object.assign(shop.cart.attributes, JSON.parse(body).attributes);
        return json(shop.cart);
      }
      if (url.pathname === "/favicon.ico") return send(204, "image/x-icon");
      const p = pageFor(url.pathname);
      const embed = await renderAppEmbed({
        config: shop.config,
        request: { page_type: p.page_type, locale: "en" },
        product: p.product,
        cart: shop.cart,
        shop: { permanent_domain: "shop-test.myshopify.com", currency: "USD" },
        country: "US",
        assetBaseUrl: `${shop.origin}/assets`,
        settings: opts.settings,
      });
      const privacy = shop.consent
        ? `customerPrivacy: { analyticsProcessingAllowed: () => ${shop.consent.analytics}, marketingAllowed: () => ${shop.consent.marketing} },`
        : "";
      send(
        200,
        "text/html; charset=utf-8",
        `<!doctype html><html lang="en"><head><title>Shop</title>
        <script>window.Shopify = { routes: { root: "/" }, locale: "en", country: "US", currency: { active: "USD" }, ${privacy} };</script>
        </head><body><h1>Page ${url.pathname}</h1><a id="next" href="/collections/all">Next</a>${embed}</body></html>`,
      );
    } catch (e) {
      shop.errors.push(`server: ${e}`);
      send(500, "text/plain");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  shop.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const context: BrowserContext = await browser.newContext(opts.phone ? PHONE : { viewport: { width: 1200, height: 800 } });
  if (opts.stored) await context.addInitScript((s) => localStorage.setItem("intentful", s), JSON.stringify(opts.stored));
  const page = await context.newPage();
  page.on("request", (r) => {
    if (!r.url().startsWith(shop.origin)) shop.errors.push(`third-party request: ${r.url()}`);
  });
  page.on("pageerror", (e) => shop.errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") shop.errors.push(m.text());
  });
  open.push(async () => {
    await context.close();
    await new Promise((r) => server.close(r));
  });
  return { shop, page };
}

const open: Array<() => Promise<void>> = [];

async function load(page: Page, shop: Shop, path: string) {
  await page.goto(shop.origin + path);
  await trackerReady(page);
}

/** Cursor rests in the page, then moves up and out through the top edge. */
async function exitThroughTop(page: Page) {
  await page.mouse.move(600, 400);
  await page.waitForTimeout(700);
  await page.mouse.move(600, 120, { steps: 4 });
  await page.mouse.move(600, 5, { steps: 4 });
}

const events = (shop: Shop) => shop.batches.flatMap((b) => b.events);

beforeAll(async () => {
  const built = await buildStorefront({ write: false });
  assets = Object.fromEntries(built.files.map((f) => [f.name, f.code]));
  browser = await launchChromium();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((close) => close()));
});

afterAll(async () => {
  await browser?.close();
});

describe("storefront tracker (built, real Chromium)", () => {
  it("makes no request at page load beyond its own script, and exposes its start-up timings", async () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ ...exitRecs, id: `t${i}`, priority: i }));
    const { shop, page } = await openShop(compileConfig(rows, { overlaysPerSession: 2 }));
    await load(page, shop, "/products/wool-hat");
    await page.waitForTimeout(1500);
    expect(shop.requests.filter((r) => !r.endsWith("/favicon.ico"))).toEqual(["GET /products/wool-hat", "GET /assets/intentful.js"]);
    // Best of five page loads: the budget is about the code, not a busy shared machine.
    const runs: TrackerStats[] = [];
    for (let i = 0; i < 5; i++) {
      if (i) await page.goto(shop.origin + "/products/wool-hat");
      runs.push(await trackerReady(page));
    }
    const best = runs.reduce((a, b) => (a.startMs + a.readyMs <= b.startMs + b.readyMs ? a : b));
    console.info(`tracker start-up (50 triggers): ${runs.map((r) => `${r.startMs.toFixed(1)} + ${r.readyMs.toFixed(1)} ms`).join(", ")}`);
    // Speed is a bench figure, not a test assertion: only check the timings are reported.
    expect(Number.isFinite(best.startMs + best.readyMs)).toBe(true);
    expect(shop.errors).toEqual([]);
  });

  it("shows recommendations on exit intent, then reports impression and dismissal in one beacon", async () => {
    const { shop, page } = await openShop(compileConfig([exitRecs], { overlaysPerSession: 2 }));
    await load(page, shop, "/products/wool-hat");
    await exitThroughTop(page);
    const dialog = page.locator("[role=dialog]");
    await dialog.waitFor({ state: "visible" });
    expect(await dialog.locator("h2").textContent()).toBe("Before you go");
    expect(await dialog.locator(".t").allTextContents()).toEqual(["Scarf", "Gloves"]);
    expect(shop.requests).toContain("GET /recommendations/products.json");
    await page.keyboard.press("Escape");
    await expect.poll(() => page.locator("[role=dialog]").count()).toBe(0);
    expect(shop.batches).toEqual([]);

    await page.click("#next");
    await expect.poll(() => events(shop).length).toBeGreaterThanOrEqual(2);
    expect(events(shop).slice(0, 2)).toEqual([
      expect.objectContaining({ kind: "impression", triggerId: "recs", variant: "treatment", tier: "low" }),
      expect.objectContaining({ kind: "dismiss", triggerId: "recs", variant: "treatment" }),
    ]);
    expect(shop.requests.every((r) => !r.includes("cart/update"))).toBe(true);
    expect(shop.errors).toEqual([]);
  });

  it("does not fire again on the next page once dismissed (per-session cap)", async () => {
    const { shop, page } = await openShop(compileConfig([exitRecs], { overlaysPerSession: 5 }));
    await load(page, shop, "/products/wool-hat");
    await exitThroughTop(page);
    await page.locator("[role=dialog]").waitFor({ state: "visible" });
    await page.keyboard.press("Escape");
    await load(page, shop, "/products/wool-hat");
    await exitThroughTop(page);
    await page.waitForTimeout(500);
    expect(await page.locator("[role=dialog]").count()).toBe(0);
  });

  it("shows nothing to a holdout visitor and logs a control event", async () => {
    const held = trigger({ ...exitRecs, holdoutPct: 50 } as TriggerFormInput, "held", "salt-held");
    const vid = Array.from({ length: 100 }, (_, i) => `visitor${i}`).find((v) => isHoldout("salt-held", v, 50))!;
    const stored = { ...newStored(Date.now()), vid };
    const { shop, page } = await openShop(compileConfig([held], { overlaysPerSession: 2 }), { stored });
    await load(page, shop, "/products/wool-hat");
    await exitThroughTop(page);
    await page.waitForTimeout(500);
    expect(await page.locator("[role=dialog]").count()).toBe(0);
    expect(shop.requests).not.toContain("GET /assets/intentful-overlay.js");
    await page.click("#next");
    await expect.poll(() => events(shop).length).toBeGreaterThan(0);
    expect(shop.batches[0].visitorId).toBe(vid);
    expect(events(shop)[0]).toMatchObject({ kind: "control", triggerId: "held", variant: "control" });
  });

  it("without analytics consent keeps state in sessionStorage and sends nothing; without marketing consent shows no offer", async () => {
    const offer = trigger(
      {
        name: "Offer",
        type: "exit_intent",
        content: { kind: "discount_reveal", headline: "10% off", code: "SAVE10" },
        holdoutPct: 0,
        priority: 9,
      },
      "offer",
    );
    const help = trigger({ name: "Help", type: "exit_intent", content: { kind: "message", headline: "Free returns" }, holdoutPct: 0 }, "help");
    const { shop, page } = await openShop(compileConfig([offer, help], { overlaysPerSession: 2 }), {
      consent: { analytics: false, marketing: false },
    });
    await load(page, shop, "/");
    await exitThroughTop(page);
    await page.locator("[role=dialog]").waitFor({ state: "visible" });
    expect(await page.locator("[role=dialog] h2").textContent()).toBe("Free returns");
    const storage = await page.evaluate(() => [localStorage.getItem("intentful"), !!sessionStorage.getItem("intentful")]);
    expect(storage).toEqual([null, true]);
    await page.keyboard.press("Escape");
    await page.click("#next");
    await page.waitForTimeout(300);
    expect(shop.batches).toEqual([]);
    expect(shop.requests.some((r) => r.includes("/apps/intentful"))).toBe(false);
  });

  it("notices an Ajax cart add, fires the cart trigger and writes the visitor id to the cart", async () => {
    const nudge = trigger(
      {
        name: "Nudge",
        type: "cart_change",
        conditions: { minCartItems: 1, maxCartCents: 5000 },
        content: { kind: "message", headline: "Almost free shipping", layout: "bar" },
        holdoutPct: 0,
      },
      "nudge",
    );
    const { shop, page } = await openShop(compileConfig([nudge], { overlaysPerSession: 2 }), {
      consent: { analytics: true, marketing: true },
    });
    await load(page, shop, "/products/wool-hat");
    expect(shop.requests.filter((r) => r.includes("/cart"))).toEqual([]);
    await page.evaluate(() =>
      fetch("/cart/add.js", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ items: [{ id: 1, quantity: 1 }] }),
      }),
    );
    await page.locator("[role=dialog]").waitFor({ state: "visible" });
    expect(await page.locator("[role=dialog] h2").textContent()).toBe("Almost free shipping");
    await expect.poll(() => shop.cart.attributes._intentful_vid).toMatch(/^[a-z0-9]+$/);
    expect(shop.requests.filter((r) => r.includes("/cart"))).toEqual(["POST /cart/add.js", "GET /cart.js", "POST /cart/update.js"]);
    expect(shop.errors).toEqual([]);
  });

  it("loads the rules bundle on the shopper's first action, not at page load (issue 18)", async () => {
    const { shop, page } = await openShop(compileConfig([exitRecs], { overlaysPerSession: 2 }));
    await load(page, shop, "/products/wool-hat");
    await page.waitForTimeout(1200);
    expect(shop.requests).not.toContain("GET /assets/intentful-rules.js");
    await page.mouse.move(400, 400);
    await expect.poll(() => shop.requests.filter((r) => r === "GET /assets/intentful-rules.js").length).toBe(1);
    await page.mouse.move(420, 380);
    await page.waitForTimeout(300);
    expect(shop.requests.filter((r) => r === "GET /assets/intentful-rules.js")).toHaveLength(1);
    expect(shop.errors).toEqual([]);
  });

  it("reads the visitor's storage only on first need; a page nobody touches is still counted, as it is left (issue 18)", async () => {
    const { shop, page } = await openShop(compileConfig([exitRecs], { overlaysPerSession: 2 }));
    await load(page, shop, "/products/wool-hat");
    await page.waitForTimeout(1200);
    expect((await trackerReady(page)).stateMs).toBe(-1);
    // the shopper leaves without touching the page (pagehide loads, counts and saves the state)
    await page.goto(shop.origin + "/");
    expect((await trackerReady(page)).stateMs).toBe(-1);
    expect(await visitorId(page)).toMatch(/^[a-z0-9]+$/);
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem("intentful")!) as { pg: number; n: number; pv: Record<string, number> });
    expect(stored).toMatchObject({ pg: 2, n: 1 });
    expect(Object.values(stored.pv)).toEqual([1]);
    expect(shop.errors).toEqual([]);
  });

  it("shows a time-based trigger to a shopper who never touches the page: the rules load shortly before its moment", async () => {
    const welcome = trigger(
      {
        name: "Welcome",
        type: "page_engagement",
        conditions: { minSeconds: 3 },
        content: { kind: "message", headline: "Welcome in" },
        holdoutPct: 0,
      },
      "welcome",
    );
    const { shop, page } = await openShop(compileConfig([welcome], { overlaysPerSession: 2 }));
    await load(page, shop, "/");
    // pf = 3 s: loaded from 1 s on (two seconds early), not at page load
    expect(shop.requests).not.toContain("GET /assets/intentful-rules.js");
    const dialog = page.locator("[role=dialog]");
    await dialog.waitFor({ state: "visible", timeout: 6000 });
    expect(await dialog.locator("h2").textContent()).toBe("Welcome in");
    const shownAt = await page.evaluate(() => performance.now());
    expect(shownAt).toBeGreaterThanOrEqual(3000);
    expect(shop.requests).toContain("GET /assets/intentful-rules.js");
    expect(shop.errors).toEqual([]);
  });

  // The device class comes with the rules bundle (issue 18: the page-load tracker does not touch
  // the user agent, a media query or the screen); only the merchant's mobile switch-off reads them at load.
  it("tells a phone from a desktop with the rules bundle, and keeps off phones when the merchant switched mobile off", async () => {
    const phones = trigger(
      {
        name: "Phones only",
        type: "page_engagement",
        conditions: { minSeconds: 1 },
        segment: { devices: ["mobile"] },
        content: { kind: "message", headline: "Hello, phone" },
        holdoutPct: 0,
      },
      "phones",
    );
    const config = compileConfig([phones], { overlaysPerSession: 2 });
    const phone = await openShop(config, { phone: true });
    await load(phone.page, phone.shop, "/");
    await phone.page.locator("[role=dialog]").waitFor({ state: "visible", timeout: 6000 });
    expect(await phone.page.locator("[role=dialog] h2").textContent()).toBe("Hello, phone");
    expect(phone.shop.errors).toEqual([]);

    const desktop = await openShop(config);
    await load(desktop.page, desktop.shop, "/");
    await expect.poll(() => desktop.shop.requests).toContain("GET /assets/intentful-rules.js");
    await desktop.page.waitForTimeout(1500);
    expect(await desktop.page.locator("[role=dialog]").count()).toBe(0);
    expect(desktop.shop.errors).toEqual([]);

    // Mobile switched off in the theme editor: nothing starts on the phone, the desktop is unchanged.
    const off = await openShop(compileConfig([exitRecs, phones], { overlaysPerSession: 2 }), { phone: true, settings: { show_on_mobile: false } });
    await off.page.goto(off.shop.origin + "/products/wool-hat");
    await off.page.touchscreen.tap(100, 300);
    await off.page.waitForTimeout(1500);
    expect(await off.page.evaluate(() => "IntentfulTracker" in window)).toBe(false);
    expect(off.shop.requests.filter((r) => r.startsWith("GET /assets/"))).toEqual(["GET /assets/intentful.js"]);
    expect(await off.page.evaluate(() => localStorage.getItem("intentful") ?? sessionStorage.getItem("intentful"))).toBeNull();
    const offDesktop = await openShop(compileConfig([exitRecs], { overlaysPerSession: 2 }), { settings: { show_on_mobile: false } });
    await load(offDesktop.page, offDesktop.shop, "/products/wool-hat");
    await exitThroughTop(offDesktop.page);
    await offDesktop.page.locator("[role=dialog]").waitFor({ state: "visible", timeout: 5000 });
    expect([off.shop.errors, offDesktop.shop.errors]).toEqual([[], []]);
  });

  it("never loads the rules once the session's overlays are spent", async () => {
    const spent = { ...newStored(Date.now()), n: 1, last: Date.now(), h: { recs: { s: 2, ts: [Date.now()] } }, sx: ["recs"], exp: true };
    const { shop, page } = await openShop(compileConfig([exitRecs], { overlaysPerSession: 2 }), { stored: spent });
    await load(page, shop, "/products/wool-hat");
    await exitThroughTop(page);
    await page.waitForTimeout(500);
    expect(shop.requests).not.toContain("GET /assets/intentful-rules.js");
    expect(await page.locator("[role=dialog]").count()).toBe(0);
    expect(shop.errors).toEqual([]);
  });
});
