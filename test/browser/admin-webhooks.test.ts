/**
 * Rejected webhook deliveries are impossible to miss, and downloads work as they must inside the
 * real admin — in real Chromium against the demo server, as a merchant meets them:
 * - a checkouts/update Shopify signed but we cannot read makes the home page's banner appear,
 *   naming the topic, the count and the reason, and the settings page lists the delivery;
 * - a customer data export downloads through fetch with the session token the App Bridge
 *   stand-in adds (a plain link would be a page load without a token in the real admin).
 */
import { createHmac, randomUUID } from "node:crypto";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SHOP } from "~/demo/constants";
import { startDemoServer, type DemoServer } from "../support/demo-server";
import { BROWSER_USER_AGENT, launchChromium } from "../support/browser";

/** The demo's public secret (app/env.server.ts): what its signed requests use. */
const DEMO_SECRET = "demo-api-secret-not-for-production";

let demo: DemoServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  demo = await startDemoServer();
  browser = await launchChromium();
  context = await browser.newContext({ baseURL: demo.baseUrl, viewport: { width: 1280, height: 900 }, userAgent: BROWSER_USER_AGENT, acceptDownloads: true });
  page = await context.newPage();
}, 180_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await demo?.stop();
});

async function deliver(topic: string, body: string) {
  return fetch(`${demo.baseUrl}/webhooks/${topic}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": topic,
      "X-Shopify-Hmac-Sha256": createHmac("sha256", DEMO_SECRET).update(body).digest("base64"),
      "X-Shopify-Shop-Domain": DEMO_SHOP,
      "X-Shopify-API-Version": "2026-10",
      "X-Shopify-Webhook-Id": randomUUID(),
      "X-Shopify-Triggered-At": new Date().toISOString(),
    },
    body,
  });
}

describe("webhook problems and downloads in the admin", () => {
  it("shows a banner on the home page after a delivery could not be read, and lists it in settings", async () => {
    await page.goto("/app");
    await page.getByRole("heading", { name: "App embed" }).waitFor();
    expect(await page.getByText("were not applied in the last 24 hours").count()).toBe(0);

    // GIVEN a signed checkouts/update whose total is not an amount
    const res = await deliver(
      "checkouts/update",
      JSON.stringify({ token: "bad-total", total_price: "free", line_items: [], updated_at: new Date().toISOString() }),
    );
    expect(res.status).toBe(200);

    // WHEN the merchant opens the home page THEN the banner says what, how many and why
    await page.goto("/app");
    const banner = page.getByText("Some of Shopify's notifications to Intentful were not applied in the last 24 hours");
    await banner.waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByText(/1 checkout update could not be read: total_price: must be a non-negative decimal amount/).count()).toBe(1);

    // AND the settings page lists the delivery with its outcome and reason
    await page.goto("/app/settings");
    await page.getByRole("heading", { name: "Webhook deliveries" }).waitFor({ timeout: 15_000 });
    expect(await page.getByText("Could not be read").first().isVisible()).toBe(true);
    expect(await page.getByText("total_price: must be a non-negative decimal amount").first().isVisible()).toBe(true);
  });

  it("downloads a customer data export through fetch with the session token", async () => {
    const exp = await demo.db.dataExport.create({
      data: { shop: DEMO_SHOP, email: "export-me@example.com", customerId: "603851970716743426", payload: { checkouts: [{ token: "123123123" }] } },
    });
    const authorized: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes(`/app/outbox/export/${exp.id}`)) authorized.push(r.headers()["authorization"] ?? "");
    });
    await page.goto("/app/outbox");
    const button = page.getByRole("button", { name: /Download the data export for export-me@example\.com/ });
    await button.waitFor({ timeout: 15_000 });
    await expect.poll(() => button.evaluate((el) => Object.keys(el).some((k) => k.startsWith("__reactProps$"))), { timeout: 15_000 }).toBe(true);
    const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
    expect(download.suggestedFilename()).toBe(`customer-data-${exp.id}.json`);
    const path = await download.path();
    const { readFileSync } = await import("node:fs");
    const content = JSON.parse(readFileSync(path, "utf8")) as { email: string; customerId: string };
    expect(content).toMatchObject({ email: "export-me@example.com", customerId: "603851970716743426" });
    expect(authorized).toHaveLength(1);
    expect(authorized[0]).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  });
});
