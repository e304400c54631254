/**
 * Every template of the gallery as a shopper sees it on the demo storefront, in real Chromium at
 * a desktop and a phone width: drawn by the built overlay bundle (`IntentfulOverlay.show`, the
 * tracker's own entry) from the template's compiled trigger and the page's real embed context,
 * with the demo's real cart, recommendations and product endpoints behind it. Each is compared
 * with a committed baseline (test/support/screenshots.ts) and checked by axe. The clock is fixed
 * so a countdown reads the same on every run; motion is reduced so nothing is mid-animation.
 */
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { compileTrigger } from "~/domain/triggers/compile";
import { TEMPLATE_KEYS, triggerTemplates, type TemplateKey } from "~/domain/triggers/templates";
import type { CompiledTrigger } from "~/domain/triggers/types";
import { BROWSER_USER_AGENT, launchChromium } from "../support/browser";
import { startDemoServer, type DemoServer } from "../support/demo-server";
import { compareScreenshot } from "../support/screenshots";
import en from "../../extensions/intentful/locales/en.default.json";

let demo: DemoServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];

export const VIEWPORTS = {
  desktop: { width: 1024, height: 700 },
  mobile: { width: 390, height: 760 },
} as const;
export const FIXED_NOW = new Date("2026-11-20T12:00:00Z");

beforeAll(async () => {
  demo = await startDemoServer();
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

afterEach(async () => {
  await context?.close();
  expect(pageErrors).toEqual([]);
});

/** The template as the storefront gets it from the app-data metafield. */
export function compiledTemplate(key: TemplateKey): CompiledTrigger {
  const t = triggerTemplates[key];
  const r = compileTrigger({ ...t, id: `tpl-${key}`, salt: key, enabled: true });
  if (!r.ok) throw new Error(`template ${key} does not compile: ${JSON.stringify(r.errors)}`);
  return r.trigger;
}

/** axe's serious and critical findings on the page, the overlay's shadow DOM included. */
export async function axeFindings(p: Page): Promise<string[]> {
  await p.addScriptTag({ path: "node_modules/axe-core/axe.min.js" });
  const violations = await p.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(ctx: Document): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: unknown[] }> }> }> };
      }
    ).axe;
    return (await axe.run(document)).violations;
  });
  return violations
    .filter((v) => v.impact === "critical" || v.impact === "serious")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(", ")}`);
}

async function openProductPage(viewport: (typeof VIEWPORTS)[keyof typeof VIEWPORTS], clock: "fixed" | "running" = "fixed") {
  context = await browser.newContext({ baseURL: demo.baseUrl, viewport, userAgent: BROWSER_USER_AGENT, reducedMotion: "reduce" });
  page = await context.newPage();
  pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  // Only the overlay shows here: the page-load tracker (and the demo's own triggers) stay out.
  await context.route("**/intentful.js*", (r) => r.abort());
  if (clock == "fixed") await page.clock.setFixedTime(FIXED_NOW);
  else await page.clock.install({ time: FIXED_NOW });
  const cart = await page.request.post("/demo/cart/add.js", { data: { items: [{ id: await variantOf("canvas-tote"), quantity: 1 }] } });
  expect(cart.status()).toBe(200);
  await page.goto("/demo/products/linen-shirt");
}

async function variantOf(handle: string): Promise<number> {
  const r = await context.request.get(`/demo/products/${handle}.js`);
  return ((await r.json()) as { variants: Array<{ id: number }> }).variants[0].id;
}

/** Shows the trigger through the overlay bundle as the tracker would; resolves once it is on screen with its images loaded. */
async function show(trigger: CompiledTrigger, history: Record<string, unknown> = {}) {
  await page.evaluate(
    async ([trigger, history]: [CompiledTrigger, Record<string, unknown>]) => {
      const ctx = JSON.parse(document.getElementById("intentful-ctx")!.textContent!);
      await new Promise<void>((resolve, reject) => {
        const s = document.createElement("script");
        s.src = ctx.overlay;
        s.onload = () => resolve();
        s.onerror = () => reject(new Error("overlay bundle did not load"));
        document.head.append(s);
      });
      const events: unknown[] = ((window as unknown as { __events: unknown[] }).__events = []);
      const host = {
        s: { rv: ["ceramic-mug", "wool-beanie", "canvas-tote", "linen-shirt"], h: history, sx: [] },
        base: { triggerId: trigger.id, tier: "high", variant: "treatment" },
        track(e: unknown) {
          events.push(e);
        },
        save() {},
        flush() {},
        closed() {},
      };
      (window as unknown as { __host: unknown }).__host = host;
      (window as unknown as { IntentfulOverlay: { show: Function } }).IntentfulOverlay.show(trigger, ctx, host);
    },
    [trigger, history] as [CompiledTrigger, Record<string, unknown>],
  );
  const dialog = page.locator("intentful-overlay [role=dialog]");
  await dialog.waitFor({ state: "visible", timeout: 5000 });
  await page.waitForFunction(() =>
    Array.from(document.querySelector("intentful-overlay")!.shadowRoot!.querySelectorAll("img")).every((i) => i.complete && i.naturalWidth > 0),
  );
  return dialog;
}

describe("the template gallery on the storefront", () => {
  for (const [device, viewport] of Object.entries(VIEWPORTS)) {
    it.each(TEMPLATE_KEYS)(`${device}: %s matches its baseline and axe finds nothing serious`, async (key) => {
      await openProductPage(viewport);
      const dialog = await show(compiledTemplate(key));
      // the overlay fits the screen: nothing of it lies outside the viewport
      const box = (await dialog.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
      expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
      const shot = compareScreenshot(`storefront-${key}-${device}`, await page.screenshot());
      expect(shot.diffRatio).toBeLessThanOrEqual(0.002);
      expect(await axeFindings(page)).toEqual([]);
    });
  }
});

const cartJs = () =>
  page.evaluate(async () => (await fetch("/demo/cart.js")).json()) as Promise<{ item_count: number; items: Array<{ handle: string; quantity: number }> }>;
const events = () => page.evaluate(() => (window as unknown as { __events: Array<{ kind: string }> }).__events.map((e) => e.kind));

describe("what the shopper can do in them", () => {
  it("adds a recommended product to the cart through the storefront's /cart/add.js, and the cart has it", async () => {
    await openProductPage(VIEWPORTS.desktop);
    expect((await cartJs()).item_count).toBe(1);
    await page.evaluate(() => document.addEventListener("cart:refresh", () => ((window as unknown as { __refreshed: number }).__refreshed = 1)));
    const dialog = await show(compiledTemplate("exit_intent_recommendations"));
    const add = dialog.getByRole("button", { name: "Add to cart: Wool Beanie" });
    await add.click();
    await expect.poll(() => add.innerText()).toBe("Added to cart");
    const cart = await cartJs();
    expect(cart.item_count).toBe(2);
    expect(cart.items.map((i) => i.handle).sort()).toEqual(["canvas-tote", "wool-beanie"]);
    expect(await page.evaluate(() => (window as unknown as { __refreshed?: number }).__refreshed)).toBe(1);
    expect(await events()).toContain("click");
    // the overlay stays open: the shopper may add another or go to the cart
    await expect.poll(() => dialog.getByRole("link", { name: "View cart" }).isVisible()).toBe(true);
  });

  it("counts an offer down from the shopper's first sight of it, across pages, and withdraws it at zero", async () => {
    await openProductPage(VIEWPORTS.desktop, "running");
    const trigger = compiledTemplate("exit_offer");
    const countdown = () => page.locator("intentful-overlay [role=timer]").textContent();
    await show(trigger);
    expect(await countdown()).toBe("Ends in 15:00");
    await page.clock.runFor(61_000);
    expect(await countdown()).toBe("Ends in 13:59");
    // another page a minute later: the clock runs from the first sight, it does not restart
    const later = async (ms: number) => {
      page = await context.newPage();
      page.on("pageerror", (e) => pageErrors.push(e.message));
      await page.clock.install({ time: FIXED_NOW.getTime() + ms });
      await page.goto("/demo/products/linen-shirt");
    };
    await later(61_000);
    await show(trigger);
    const [, mm, ss] = /^Ends in (\d+):(\d\d)$/.exec((await countdown()) ?? "")!;
    const left = Number(mm) * 60 + Number(ss);
    expect(left).toBeGreaterThan(13 * 60 + 50);
    expect(left).toBeLessThanOrEqual(14 * 60); // not 15:00 again
    await page.clock.runFor(14 * 60_000);
    expect(await page.locator("intentful-overlay [role=dialog]").textContent()).toContain("This offer has expired.");
    expect(await page.locator("intentful-overlay [role=dialog]").textContent()).not.toContain("Show my code");
    // once over, the offer no longer shows at all
    await later(16 * 60_000);
    await show(trigger).catch(() => null);
    expect(await page.locator("intentful-overlay [role=dialog]").count()).toBe(0);
    expect(await events()).not.toContain("impression");
  });

  it("leaves a teaser tab after the shopper closes an offer; it reopens it, counted in the frequency cap, until the cap is spent", async () => {
    await openProductPage(VIEWPORTS.desktop);
    const trigger = compiledTemplate("exit_offer"); // 3 per session
    await show(trigger, { [trigger.id]: { s: 1, ts: [FIXED_NOW.getTime()] } });
    await page.keyboard.press("Escape");
    const tab = page.locator("intentful-teaser").getByRole("button", { name: "10% off" });
    await tab.click();
    await page.locator("intentful-overlay [role=dialog]").waitFor();
    const history = () => page.evaluate(() => (window as unknown as { __host: { s: { h: Record<string, { s: number }> } } }).__host.s.h);
    expect((await history())[trigger.id].s).toBe(2);
    await page.locator("intentful-overlay").getByRole("button", { name: "Close" }).click();
    await tab.click();
    expect((await history())[trigger.id].s).toBe(3);
    await page.keyboard.press("Escape");
    // the third showing spent the cap: no tab now
    await page.waitForTimeout(200);
    expect(await page.locator("intentful-teaser").count()).toBe(0);
    expect((await events()).filter((k) => k == "impression").length).toBe(3);
  });

  it("asks the two-step question first: no closes it as a dismissal, yes opens the form with the email field focused", async () => {
    await openProductPage(VIEWPORTS.mobile);
    const trigger = compiledTemplate("two_step_capture");
    let dialog = await show(trigger);
    expect(await dialog.locator("input[type=email]").count()).toBe(0);
    await dialog.getByRole("button", { name: "No, thanks" }).click();
    await expect.poll(() => page.locator("intentful-overlay").count()).toBe(0);
    expect(await events()).toContain("dismiss");
    dialog = await show(trigger);
    await dialog.getByRole("button", { name: "Yes, please" }).click();
    expect(await page.evaluate(() => document.querySelector("intentful-overlay")!.shadowRoot!.activeElement?.getAttribute("type"))).toBe("email");
    expect(await axeFindings(page)).toEqual([]);
  });
});

/**
 * The same templates as the admin's preview draws them: the built overlay bundle's
 * `mountOverlay` in preview mode (no fetches, no focus moves), with sample products and cart, in
 * a box the size of the editor's desktop stage and in a phone-sized viewport (the editor's
 * 375 px phone frame).
 */
describe("the template gallery in the admin's preview", () => {
  const STAGES = { desktop: { width: 640, height: 560 }, mobile: { width: 375, height: 667 } } as const;
  for (const [device, viewport] of Object.entries(STAGES)) {
    it.each(TEMPLATE_KEYS)(`${device}: %s matches its baseline and axe finds nothing serious`, async (key) => {
      context = await browser.newContext({ viewport, reducedMotion: "reduce" });
      page = await context.newPage();
      pageErrors = [];
      page.on("pageerror", (e) => pageErrors.push(e.message));
      await page.clock.setFixedTime(FIXED_NOW);
      await page.setContent(
        `<!doctype html><html lang="en"><head><title>Preview</title></head><body style="margin:0"><main><div id="stage" style="position:relative;width:100%;height:${viewport.height}px;background:#f1f1f1"></div></main></body></html>`,
      );
      await page.addScriptTag({ path: "extensions/intentful/assets/intentful-overlay.js" });
      const image = (h: string) => `${demo.baseUrl}/demo/images/${h}.svg`;
      const products = ["wool-beanie", "ceramic-mug", "canvas-tote", "cotton-socks"].map((h, i) => ({
        title: h.replace(/-/g, " ").replace(/\b\w/g, (c) => c.toUpperCase()),
        url: "#",
        price: 1800 + 600 * i,
        image: image(h),
        variantId: i + 1,
      }));
      const cart = { items: [{ ...products[2], quantity: 1 }], itemCount: 1, total: 3200 };
      await page.evaluate(
        ([content, products, cart, strings]) => {
          const host = document.createElement("div");
          host.style.cssText = "position:absolute;inset:0";
          document.getElementById("stage")!.append(host);
          (window as unknown as { IntentfulOverlay: { mountOverlay: Function } }).IntentfulOverlay.mountOverlay(
            host,
            {
              triggerId: "preview",
              layout: content.layout && content.layout !== "default" ? content.layout : "modal",
              content,
              theme: { bg: "#ffffff", fg: "#1a1a1a", btn: "#1a1a1a", btnFg: "#ffffff", radius: 8, font: "", image: "", reducedMotion: true },
              strings,
              locale: "en",
              currency: "USD",
              root: "/",
              data: { products, cart },
            },
            { preview: true },
          );
        },
        [compiledTemplate(key).o, products, cart, en.intentful] as const,
      );
      const dialog = page.locator("#stage [role=dialog]");
      await dialog.waitFor({ state: "visible", timeout: 5000 });
      await page.waitForFunction(() =>
        Array.from(document.querySelector("#stage > div")!.shadowRoot!.querySelectorAll("img")).every((i) => i.complete && i.naturalWidth > 0),
      );
      const box = (await dialog.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
      const shot = compareScreenshot(`preview-${key}-${device}`, await page.screenshot());
      expect(shot.diffRatio).toBeLessThanOrEqual(0.002);
      expect(await axeFindings(page)).toEqual([]);
    });
  }
});
