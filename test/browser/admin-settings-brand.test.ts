/**
 * Settings → Email branding in real Chromium against the demo server: Shopify's brand (the demo's
 * mocked Storefront API) fills the placeholders and the sample; an override changes the sample
 * button, with text that stays readable on it, and is saved; a bad colour is refused by field.
 */
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_SHOP } from "~/demo/constants";
import { startDemoServer, type DemoServer } from "../support/demo-server";
import { BROWSER_USER_AGENT, launchChromium } from "../support/browser";

let demo: DemoServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
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
  context = await browser.newContext({ baseURL: demo.baseUrl, viewport: { width: 1280, height: 900 }, userAgent: BROWSER_USER_AGENT });
  page = await context.newPage();
  pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
});

afterEach(async () => {
  await context.close();
  expect(pageErrors).toEqual([]);
});

async function hydrated(locator: ReturnType<Page["locator"]>) {
  await expect.poll(() => locator.evaluate((el) => Object.keys(el).some((k) => k.startsWith("__reactProps$"))), { timeout: 15_000 }).toBe(true);
}

const saveBar = () => page.getByRole("region", { name: "Contextual save bar" });
const sample = () => page.getByTestId("brand-sample-button");
const styleOf = (prop: "backgroundColor" | "color") => sample().evaluate((el, p) => getComputedStyle(el)[p], prop);

describe("email branding in settings", () => {
  it("starts from Shopify's brand, previews an override with readable text, refuses a bad colour and saves a good one", async () => {
    await page.goto("/app/settings");
    const color = page.getByLabel("Brand colour");
    await hydrated(color);
    // Shopify's brand settings (the demo: #1f4d3a) are the placeholder and the sample's colour.
    expect(await color.getAttribute("placeholder")).toBe("#1f4d3a");
    expect(await styleOf("backgroundColor")).toBe("rgb(31, 77, 58)");
    expect(await styleOf("color")).toBe("rgb(255, 255, 255)");

    // A light override: the sample turns yellow with black text (white would be 1.7:1 there).
    await color.fill("#f4c430");
    await expect.poll(() => styleOf("backgroundColor")).toBe("rgb(244, 196, 48)");
    expect(await styleOf("color")).toBe("rgb(0, 0, 0)");

    // A bad colour is refused by field; nothing saved.
    await page.getByLabel("Accent colour").fill("green");
    await saveBar().getByRole("button", { name: "Save" }).click();
    await page.getByText("Accent colour: enter a colour such as #f4c430").first().waitFor({ timeout: 15_000 });
    expect((await demo.db.shop.findUniqueOrThrow({ where: { shop: DEMO_SHOP } })).brandColor).toBe("");

    // Fixed: saved for the shop.
    await page.getByLabel("Accent colour").fill("");
    await saveBar().getByRole("button", { name: "Save" }).click();
    await expect.poll(async () => (await demo.db.shop.findUniqueOrThrow({ where: { shop: DEMO_SHOP } })).brandColor, { timeout: 15_000 }).toBe("#f4c430");
  });
});
