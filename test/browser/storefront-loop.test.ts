import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { isHoldout } from "~/domain/experiments/assign";
import { startDemoServer, type DemoServer } from "../support/demo-server";
import { launchChromium, trackerReady, visitorId } from "../support/browser";

/**
 * The shopper's side of the whole loop, in real Chromium against the demo storefront: the seeded
 * exit-intent trigger (product pages, new visitors, 10% holdout) and the cart reminder.
 */
let demo: DemoServer;
let browser: Browser;
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

beforeAll(async () => {
  demo = await startDemoServer();
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

interface Config {
  t: Array<{ id: string; sa: string; ho: number; o: { kind: string } }>;
}

async function exitThroughTop(page: Page) {
  await page.mouse.move(600, 400);
  await page.waitForTimeout(700);
  await page.mouse.move(600, 120, { steps: 4 });
  await page.mouse.move(600, 5, { steps: 4 });
}

/** A new visitor whose bucket is outside the holdout of the trigger of this content kind. */
async function newVisitorOutsideHoldout(path: string, kind: string): Promise<{ context: BrowserContext; page: Page; triggerId: string }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${demo.baseUrl}${path}`);
    await trackerReady(page);
    const config = JSON.parse((await page.locator("#intentful-config").textContent()) ?? "{}") as Config;
    const trigger = config.t.find((t) => t.o.kind === kind);
    if (!trigger) throw new Error(`no ${kind} trigger in the published config`);
    const vid = await visitorId(page);
    expect(vid).toBeTruthy();
    if (!isHoldout(trigger.sa, vid, trigger.ho)) return { context, page, triggerId: trigger.id };
    await context.close();
  }
  throw new Error("every visitor landed in the holdout");
}

describe("demo storefront with the app embed (real Chromium)", () => {
  it("shows the exit-intent overlay to a new visitor outside the holdout; Escape closes it; not again this session", async () => {
    const { context, page, triggerId } = await newVisitorOutsideHoldout("/demo/products/linen-shirt", "recommendations");
    await page.waitForTimeout(5200); // the template's minimum time on page
    await exitThroughTop(page);
    const dialog = page.locator("[role=dialog]");
    await dialog.waitFor({ state: "visible" });
    const axe = await page.evaluate(async (source) => {
      (0, eval)(source);
      const host = document.querySelector("intentful-overlay") ?? document.body;
      const result = await (window as unknown as { axe: { run: (n: Element) => Promise<{ violations: Array<{ id: string; impact: string }> }> } }).axe.run(
        host,
      );
      return result.violations.map((v) => ({ id: v.id, impact: v.impact }));
    }, axeSource);
    expect(axe.filter((v) => v.impact === "serious" || v.impact === "critical")).toEqual([]);
    await page.keyboard.press("Escape");
    await expect.poll(() => page.locator("[role=dialog]").count()).toBe(0);

    await page.goto(`${demo.baseUrl}/demo/products/canvas-tote`);
    await trackerReady(page);
    await page.waitForTimeout(5200);
    await exitThroughTop(page);
    await page.waitForTimeout(600);
    expect(await page.locator("[role=dialog]").count()).toBe(0);

    // The impression and the dismissal reached the app through the signed proxy, as events.
    await expect
      .poll(async () => demo.db.event.count({ where: { triggerId, kind: { in: ["impression", "dismiss"] } } }), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(2);
    await context.close();
  }, 120_000);

  it("sends the Ajax cart's token with a cart add, so carts/* webhooks find the shopper", async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${demo.baseUrl}/demo/products/ceramic-mug`);
    await trackerReady(page);
    const vid = await visitorId(page);
    // GIVEN a theme's Ajax add (the tracker's fetch wrapper sees it and reads /cart.js)
    const token = await page.evaluate(async () => {
      const product = await (await fetch("/demo/products/ceramic-mug.js")).json();
      await fetch("/demo/cart/add.js", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ id: product.variants[0].id, quantity: 1 }),
      });
      return (await (await fetch("/demo/cart.js")).json()).token as string;
    });
    await page.waitForTimeout(500);
    // WHEN the page is left (the tracker flushes its batch on pagehide)
    await page.goto(`${demo.baseUrl}/demo/`);
    // THEN the cart_add event stored for this visitor carries the cart's token, without "?key=…"
    await expect
      .poll(async () => (await demo.db.event.findFirst({ where: { visitorId: vid, kind: "cart_add" }, select: { cartToken: true } }))?.cartToken, {
        timeout: 10_000,
      })
      .toBe(token.split("?")[0]);
    await context.close();
  }, 60_000);

  it("lists the cart's items in the cart reminder when a shopper with a cart turns to leave", async () => {
    const { context, page } = await newVisitorOutsideHoldout("/demo/products/canvas-tote", "cart_reminder");
    await page.click("button[name=add]");
    await page.waitForURL(/\/demo\/cart/);
    await page.goto(`${demo.baseUrl}/demo/products/linen-shirt`);
    await trackerReady(page);
    await page.waitForTimeout(800);
    await exitThroughTop(page);
    const dialog = page.locator("[role=dialog]");
    await dialog.waitFor({ state: "visible" });
    await expect.poll(async () => (await dialog.textContent()) ?? "").toContain("Canvas Tote");
    await context.close();
  }, 120_000);

  it("sends no event without analytics consent", async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    const proxyRequests: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/apps/intentful")) proxyRequests.push(r.url());
    });
    await page.goto(`${demo.baseUrl}/demo/products/linen-shirt?consent=denied`);
    await trackerReady(page);
    await page.waitForTimeout(5200);
    await exitThroughTop(page);
    await page.waitForTimeout(500);
    await page.keyboard.press("Escape");
    await page.goto(`${demo.baseUrl}/demo/products/canvas-tote`);
    await trackerReady(page);
    await page.waitForTimeout(500);
    expect(proxyRequests).toEqual([]);
    expect(await page.evaluate(() => localStorage.getItem("intentful"))).toBeNull();
    await context.close();
  }, 120_000);
});
