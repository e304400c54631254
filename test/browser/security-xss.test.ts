/**
 * XSS end to end in real Chromium against the demo server: hostile overlay copy typed into the
 * admin's trigger editor (name, headline, text, button text, link) and hostile product titles
 * must render as inert text in the admin's live preview, the triggers list and the storefront
 * overlay (shadow DOM, built tracker and overlay chunk, the Liquid block's inline JSON), and a
 * recovery email built from a checkout with hostile product titles must be inert in the admin's
 * email log and even when opened on its own. Every page has a dialog handler (alert/confirm/
 * prompt), and every payload also sets window.__xss: neither may ever fire.
 *
 * The overlay renderer alone (hostile spec → text) is covered in overlay-a11y.test.ts; this file
 * covers the whole path: admin → database → published metafield → storefront page → overlay.
 */
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isHoldout } from "~/domain/experiments/assign";
import { startDemoServer, type DemoServer } from "../support/demo-server";
import { BROWSER_USER_AGENT, launchChromium, trackerReady, visitorId } from "../support/browser";
import { createTestDb, type TestDb } from "../support/db";
import { seedSession, webhookRequest } from "../support/shopify";
import { at, checkoutPayload } from "../integration/webhooks/fixtures";

const DEMO_SHOP = "demo-shop.myshopify.com";
const EXIT_TRIGGER = "Exit intent: new visitors on product pages";

const P = {
  name: `<img src=x onerror="alert('name');window.__xss='name'">`,
  headline: `"><img src=x onerror="alert('headline');window.__xss='headline'">`,
  body: `</p><script>alert('body');window.__xss='body'</script><svg onload="window.__xss='svg'"></svg>`,
  button: `<img src=x onerror=alert('button')>`,
  url: "javascript:alert('url');window.__xss='url'",
  product: `<img src=x onerror="alert('product');window.__xss='product'">`,
  variant: `"><script>alert('variant');window.__xss='variant'</script>`,
};

let demo: DemoServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  demo = await startDemoServer();
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

interface Watched {
  page: Page;
  dialogs: string[];
  errors: string[];
}

/** A page whose dialogs are recorded (and dismissed) and whose uncaught errors are kept. */
async function watchedPage(options: { userAgent?: string } = {}): Promise<Watched> {
  const context = await browser.newContext({ baseURL: demo.baseUrl, viewport: { width: 1280, height: 900 }, ...options });
  contexts.push(context);
  await context.addInitScript(installActiveMarkupProbe);
  const page = await context.newPage();
  const w: Watched = { page, dialogs: [], errors: [] };
  page.on("dialog", (d) => {
    w.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on("pageerror", (e) => w.errors.push(e.message));
  return w;
}

/** Nothing ran: no dialog, no flag set, in the page or in any frame. */
async function expectInert(w: Watched) {
  expect(w.dialogs).toEqual([]);
  for (const frame of w.page.frames()) {
    const flag = await frame.evaluate(() => (window as unknown as { __xss?: unknown }).__xss).catch(() => undefined);
    expect(flag, `window.__xss in ${frame.url()}`).toBeUndefined();
  }
}

/** Installed in every page: what a shadow root (or document) holds that could run script. */
function installActiveMarkupProbe() {
  (window as unknown as { __active: (root: ParentNode) => unknown }).__active = (root) => {
    const all = Array.from(root.querySelectorAll("*"));
    return {
      scripts: all.filter((e) => e.tagName === "SCRIPT").length,
      handlers: all.flatMap((e) =>
        Array.from(e.attributes)
          .filter((a) => /^on/i.test(a.name))
          .map((a) => `${e.tagName}[${a.name}]`),
      ),
      jsUrls: all.flatMap((e) => ["href", "src", "action", "formaction"].map((n) => e.getAttribute(n) ?? "")).filter((v) => /^\s*javascript:/i.test(v)),
      svgs: all.filter((e) => e.tagName.toLowerCase() === "svg").length,
    };
  };
}
const NONE_ACTIVE = { scripts: 0, handlers: [], jsUrls: [], svgs: 0 };

/** Server HTML is clickable before React has hydrated it; wait until React owns the element. */
async function hydrated(locator: ReturnType<Page["locator"]>) {
  await expect.poll(() => locator.evaluate((el) => Object.keys(el).some((k) => k.startsWith("__reactProps$"))), { timeout: 15_000 }).toBe(true);
}

async function exitThroughTop(page: Page) {
  await page.mouse.move(600, 400);
  await page.waitForTimeout(700);
  await page.mouse.move(600, 120, { steps: 4 });
  await page.mouse.move(600, 5, { steps: 4 });
}

interface Config {
  t: Array<{ id: string; sa: string; ho: number; o: Record<string, unknown> }>;
}

/** A new storefront visitor outside the holdout of `triggerId`, on `path`. */
async function visitorOutsideHoldout(path: string, triggerId: string, prepare?: (w: Watched) => Promise<void>): Promise<Watched> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const w = await watchedPage();
    await prepare?.(w);
    await w.page.goto(path);
    await trackerReady(w.page);
    const config = JSON.parse((await w.page.locator("#intentful-config").textContent()) ?? "{}") as Config;
    const trigger = config.t.find((t) => t.id === triggerId);
    if (!trigger) throw new Error(`trigger ${triggerId} is not in the published config`);
    const vid = await visitorId(w.page);
    if (!isHoldout(trigger.sa, vid, trigger.ho)) return w;
    await contexts.pop()!.close();
  }
  throw new Error("every visitor landed in the holdout");
}

/** The storefront overlay's text and anything active in its shadow root. */
function overlayState(page: Page) {
  return page.evaluate(() => {
    const active = (window as unknown as { __active: (r: ParentNode) => unknown }).__active;
    const root = document.querySelector("intentful-overlay")!.shadowRoot!;
    return {
      headline: root.querySelector("h2")?.textContent ?? null,
      body: root.querySelector("h2 + p")?.textContent ?? null,
      titles: Array.from(root.querySelectorAll(".t")).map((e) => e.textContent),
      links: Array.from(root.querySelectorAll("a:not(.p)")).map((a) => ({ text: a.textContent, href: a.getAttribute("href") })),
      productLinks: Array.from(root.querySelectorAll("a.p")).map((a) => a.getAttribute("href")),
      buttons: Array.from(root.querySelectorAll("button")).map((b) => b.textContent),
      images: Array.from(root.querySelectorAll("img")).map((i) => i.getAttribute("src")),
      active: active(root),
    };
  });
}

describe("hostile overlay copy through the admin", () => {
  it("the editor's live preview and the triggers list show it as text; a javascript: link is refused; the saved copy is published as data", async () => {
    const trigger = await demo.db.trigger.findFirstOrThrow({ where: { shop: DEMO_SHOP, name: EXIT_TRIGGER } });
    const w = await watchedPage({ userAgent: BROWSER_USER_AGENT });
    const { page } = w;
    await page.goto(`/app/triggers/${trigger.id}`);
    const headline = page.getByLabel("Headline");
    await hydrated(headline);
    await page.getByLabel("Name").fill(P.name);
    await headline.fill(P.headline);
    await page.getByLabel("Text", { exact: true }).fill(P.body);
    await page.getByLabel("Button text").fill(P.button);

    // the live preview (the storefront's renderer, in a shadow root) shows the copy literally
    const preview = page.getByRole("region", { name: "Overlay preview" });
    await preview.getByText(P.headline, { exact: true }).waitFor();
    const inPreview = () =>
      page.evaluate(() => {
        const active = (window as unknown as { __active: (r: ParentNode) => unknown }).__active;
        const root = document.querySelector("[data-testid=overlay-preview-host]")!.shadowRoot!;
        return {
          headline: root.querySelector("h2")?.textContent,
          body: root.querySelector("h2 + p")?.textContent,
          buttons: Array.from(root.querySelectorAll("button, a.btn")).map((b) => b.textContent),
          hrefs: Array.from(root.querySelectorAll("a")).map((a) => a.getAttribute("href")),
          active: active(root),
        };
      });
    let state = await inPreview();
    expect(state).toMatchObject({ headline: P.headline, body: P.body, active: NONE_ACTIVE });

    // a message with a javascript: link: the preview neutralises it, the save is refused on the field
    await page.getByLabel("Overlay shows").selectOption("message");
    await page.getByLabel("Link").fill(P.url);
    await expect.poll(async () => (await inPreview()).buttons).toContain(P.button);
    state = await inPreview();
    expect(state.hrefs.every((h) => !/javascript:/i.test(h ?? ""))).toBe(true);
    expect(state.active).toEqual(NONE_ACTIVE);
    const saveBar = page.getByRole("region", { name: "Contextual save bar" });
    await saveBar.getByRole("button", { name: "Save" }).click();
    await page.getByText("Link must start with /").first().waitFor();
    expect((await demo.db.trigger.findUniqueOrThrow({ where: { id: trigger.id } })).name).toBe(EXIT_TRIGGER);

    // with a store link it saves, hostile copy and all
    await page.getByLabel("Link").fill("/collections/all");
    await saveBar.getByRole("button", { name: "Save" }).click();
    await expect.poll(async () => (await demo.db.trigger.findUniqueOrThrow({ where: { id: trigger.id } })).name, { timeout: 15_000 }).toBe(P.name);
    const stored = await demo.db.trigger.findUniqueOrThrow({ where: { id: trigger.id } });
    expect(stored.content).toMatchObject({ kind: "message", headline: P.headline, body: P.body, button: P.button, url: "/collections/all" });

    // the published metafield carries it as JSON data, and the storefront prints it inside its JSON script
    await expect
      .poll(() => {
        const config = JSON.parse(JSON.parse(readFileSync(demo.stateFile, "utf8")).metafields["intentful.config"].value) as Config;
        return config.t.find((t) => t.id === trigger.id)?.o.headline;
      })
      .toBe(P.headline);
    const html = await (await page.request.get("/demo/products/linen-shirt")).text();
    const inline = /<script type="application\/json" id="intentful-config">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
    expect(inline, "no raw markup inside the inline JSON").not.toMatch(/[<>]/);
    expect((JSON.parse(inline) as Config).t.find((t) => t.id === trigger.id)?.o).toMatchObject({ headline: P.headline, body: P.body, button: P.button });

    // the triggers list shows the hostile name as text
    await page.goto("/app/triggers");
    const link = page.getByRole("link", { name: P.name });
    await link.waitFor();
    expect(await link.textContent()).toContain(P.name);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __active: (r: ParentNode) => { handlers: string[] } }).__active(document).handlers)).toEqual([]);
    await expectInert(w);
    expect(w.errors).toEqual([]);
  }, 120_000);

  it("the storefront overlay shows the saved copy literally and runs none of it", async () => {
    const trigger = await demo.db.trigger.findFirstOrThrow({ where: { shop: DEMO_SHOP, name: P.name } });
    const w = await visitorOutsideHoldout("/demo/products/linen-shirt", trigger.id);
    await w.page.waitForTimeout(5200); // the template's minimum time on page
    await exitThroughTop(w.page);
    await w.page.locator("[role=dialog]").waitFor({ state: "visible" });
    await w.page.waitForTimeout(300);
    const state = await overlayState(w.page);
    expect(state.headline).toBe(P.headline);
    expect(state.body).toBe(P.body);
    expect(state.links).toContainEqual({ text: P.button, href: "/collections/all" });
    expect(state.active).toEqual(NONE_ACTIVE);
    // clicking the button with the hostile label runs nothing either
    await expectInert(w);
    expect(w.errors).toEqual([]);
  }, 120_000);
});

describe("hostile data the admin would refuse, reaching the storefront anyway", () => {
  it("a tampered metafield with a javascript: link stays inert, even when clicked", async () => {
    // GIVEN the published config with the message's link swapped for javascript: (the schema
    // refuses it, so only a tampered metafield could carry it)
    const trigger = await demo.db.trigger.findFirstOrThrow({ where: { shop: DEMO_SHOP, name: P.name } });
    const state = JSON.parse(readFileSync(demo.stateFile, "utf8")) as { metafields: Record<string, { value: string }> };
    const config = JSON.parse(state.metafields["intentful.config"].value) as Config;
    const entry = config.t.find((t) => t.id === trigger.id)!;
    entry.o = { ...entry.o, url: P.url };
    state.metafields["intentful.config"].value = JSON.stringify(config);
    writeFileSync(demo.stateFile, JSON.stringify(state));

    const w = await visitorOutsideHoldout("/demo/products/linen-shirt", trigger.id);
    await w.page.waitForTimeout(5200);
    await exitThroughTop(w.page);
    await w.page.locator("[role=dialog]").waitFor({ state: "visible" });
    const shown = await overlayState(w.page);
    expect(shown.links).toContainEqual({ text: P.button, href: "#" });
    expect(shown.active).toEqual(NONE_ACTIVE);
    // the shopper clicks it
    await w.page.locator("intentful-overlay a.btn").click();
    await w.page.waitForTimeout(300);
    await expectInert(w);
  }, 120_000);

  it("the cart reminder lists hostile product titles, links and images as text / inert URLs", async () => {
    const cartTrigger = await demo.db.trigger.findFirstOrThrow({ where: { shop: DEMO_SHOP, template: "exit_intent_cart_reminder" } });
    // the shop's cart.js answers with hostile line items (what a product title can hold in Shopify)
    const hostileCart = {
      token: "c1",
      item_count: 2,
      total_price: 5400,
      currency: "USD",
      attributes: {},
      items: [
        {
          id: 1,
          title: P.product,
          product_title: P.product,
          handle: "x",
          url: P.url,
          image: "javascript:alert('img')",
          quantity: 1,
          final_line_price: 3900,
          price: 3900,
        },
        {
          id: 2,
          title: P.variant,
          product_title: P.variant,
          handle: "y",
          url: `/products/y" onmouseover="window.__xss='attr'`,
          image: `x" onerror="window.__xss='img'`,
          quantity: 1,
          final_line_price: 1500,
          price: 1500,
        },
      ],
    };
    const w = await visitorOutsideHoldout("/demo/products/canvas-tote", cartTrigger.id, async ({ page }) => {
      await page.route(/\/demo\/cart\.js(\?.*)?$/, async (route) => {
        if (route.request().method() !== "GET") return route.continue();
        await route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(hostileCart) });
      });
    });
    await w.page.click("button[name=add]");
    await w.page.waitForURL(/\/demo\/cart/);
    await w.page.goto("/demo/products/linen-shirt");
    await trackerReady(w.page);
    await w.page.waitForTimeout(800);
    await exitThroughTop(w.page);
    await w.page.locator("[role=dialog]").waitFor({ state: "visible" });
    await expect.poll(async () => (await overlayState(w.page)).titles.length).toBeGreaterThan(0);
    const shown = await overlayState(w.page);
    expect(shown.titles).toEqual(expect.arrayContaining([P.product, P.variant]));
    // a javascript: URL and a URL with an attribute break-out attempt (whitespace) both become "#"
    expect(shown.productLinks).toEqual(["#", "#"]);
    expect(shown.images.every((src) => !/^javascript:/i.test(src ?? ""))).toBe(true);
    expect(shown.active).toEqual(NONE_ACTIVE);
    for (const a of await w.page.locator("intentful-overlay a.p").all()) await a.hover();
    await w.page.waitForTimeout(300);
    await expectInert(w);
  }, 120_000);
});

describe("recovery email with hostile product titles", () => {
  let t: TestDb;
  let html = "";

  beforeAll(async () => {
    // The real pipeline in this process, on its own database: signed webhook → intake → worker → outbox.
    t = await createTestDb();
    process.env.DATABASE_URL = t.url;
    const shop = "shop-a.myshopify.com";
    await seedSession(t.db, shop);
    const { onShopInstalled } = await import("~/services/install.server");
    await onShopInstalled(t.db, { shop });
    const flow = await t.db.recoveryFlow.findFirstOrThrow({ where: { shop, kind: "checkout" } });
    await t.db.recoveryStep.deleteMany({ where: { flowId: flow.id, position: { gt: 0 } } });
    await t.db.recoveryFlow.update({ where: { id: flow.id }, data: { enabled: true, holdoutPct: 0 } });
    const { receiveWebhook } = await import("~/services/webhooks/intake.server");
    const { default: appDb } = await import("~/db.server");
    const email = `xss-${randomUUID().slice(0, 8)}@example.com`;
    const payload = checkoutPayload({
      email,
      line_items: [
        { title: P.product, variant_title: P.variant, quantity: 1, price: "39.00", variant_id: 11, product_id: 1, sku: "X1" },
        {
          title: `Tote</mj-text><mj-raw><script>window.__xss='mjml'</script></mj-raw>`,
          variant_title: null,
          quantity: 1,
          price: "20.00",
          variant_id: 22,
          product_id: 2,
          sku: "X2",
        },
      ],
    });
    expect((await receiveWebhook(appDb, webhookRequest("checkouts/create", payload, { shop }))).status).toBe(200);
    const [{ drainDue }, { jobHandlers }] = await Promise.all([import("~/services/jobs.server"), import("~/services/job-handlers.server")]);
    for (const minutes of [65, 66]) await drainDue({ db: t.db, handlers: jobHandlers(), now: () => at(minutes) });
    const message = await t.db.message.findFirstOrThrow({ where: { shop, email } });
    expect(message.html).toBeTruthy();
    html = message.html!;
  }, 120_000);

  afterAll(async () => {
    await t?.cleanup();
  });

  it("opened on its own (scripts allowed), it shows the titles as text and runs nothing", async () => {
    const w = await watchedPage();
    await w.page.setContent(html, { waitUntil: "load" });
    await w.page.waitForTimeout(300);
    const text = await w.page.evaluate(() => document.body.innerText);
    expect(text).toContain(P.product);
    expect(text).toContain(P.variant);
    expect(text).toContain("</mj-raw>");
    const active = await w.page.evaluate(() => (window as unknown as { __active: (r: ParentNode) => unknown }).__active(document));
    // MJML's own output has no script and no handlers; what the shopper's titles added is text
    expect(active).toMatchObject({ scripts: 0, handlers: [], jsUrls: [] });
    await expectInert(w);
  });

  it("the admin's email log shows it in a sandboxed frame, inert", async () => {
    const message = await demo.db.message.create({
      data: {
        shop: DEMO_SHOP,
        idempotencyKey: `xss-${randomUUID()}`,
        email: "xss.shopper@example.com",
        subject: P.headline,
        html,
        text: P.product,
        status: "sent",
        sentAt: new Date(),
      },
    });
    const w = await watchedPage({ userAgent: BROWSER_USER_AGENT });
    await w.page.goto(`/app/outbox/${message.id}`);
    const frame = w.page.frameLocator('iframe[title="Email preview"]');
    await frame.getByText(P.product).first().waitFor();
    expect(await w.page.locator('iframe[title="Email preview"]').getAttribute("sandbox")).toBe("");
    // the subject (a page title here) is text too
    await w.page.getByText(P.headline).first().waitFor();
    await w.page.waitForTimeout(300);
    await expectInert(w);
  }, 60_000);
});
