/**
 * The embedded admin in real Chromium against the demo server (test/support/demo-server): the
 * App Bridge stand-in, switching a trigger off and on in the list and what the storefront then
 * receives, the editor's field errors and live preview, and axe on every admin page.
 */
import { readFileSync } from "node:fs";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startDemoServer, type DemoServer } from "../support/demo-server";
import { BROWSER_USER_AGENT, launchChromium } from "../support/browser";

// authenticate.admin answers 410 to user agents isbot() knows, HeadlessChrome among them; the
// merchant's admin is a regular browser.
const USER_AGENT = BROWSER_USER_AGENT;
const EXIT_TRIGGER = "Exit intent: new visitors on product pages";

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
  context = await browser.newContext({ baseURL: demo.baseUrl, viewport: { width: 1280, height: 900 }, userAgent: USER_AGENT });
  page = await context.newPage();
  pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
});

afterEach(async () => {
  await context.close();
  expect(pageErrors).toEqual([]);
});

/** The trigger ids in the config the storefront prints inline (the app embed's #intentful-config). */
async function storefrontTriggerIds(): Promise<string[]> {
  const res = await page.request.get("/demo/products/linen-shirt");
  expect(res.status()).toBe(200);
  const html = await res.text();
  const json = /<script[^>]*id="intentful-config"[^>]*>([\s\S]*?)<\/script>/.exec(html)?.[1];
  expect(json, "the product page prints the app embed's config").toBeTruthy();
  const config = JSON.parse(json!) as { t: Array<{ id: string }> };
  // the page shows what the metafield holds (the mocked Admin API's state)
  const metafield = JSON.parse(JSON.parse(readFileSync(demo.stateFile, "utf8")).metafields["intentful.config"].value);
  expect(config).toEqual(metafield);
  return config.t.map((t) => t.id);
}

/** Server HTML is clickable before React has hydrated it; wait until React owns the element. */
async function hydrated(locator: ReturnType<Page["locator"]>) {
  await expect.poll(() => locator.evaluate((el) => Object.keys(el).some((k) => k.startsWith("__reactProps$"))), { timeout: 15_000 }).toBe(true);
}

async function openTriggers() {
  await page.goto("/app");
  await expect.poll(() => page.url()).toContain("id_token=");
  await hydrated(page.getByRole("heading", { name: "Last 30 days" }));
  await page.getByRole("navigation", { name: "Intentful" }).getByRole("link", { name: "Triggers" }).click();
  await page.waitForURL(/\/app\/triggers$/);
  await hydrated(page.getByRole("switch", { name: `${EXIT_TRIGGER}: active` }));
}

async function criticalViolations(): Promise<string[]> {
  await page.addScriptTag({ path: "node_modules/axe-core/axe.min.js" });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(ctx: Document): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }
    ).axe;
    return (await axe.run(document)).violations;
  });
  return violations.filter((v) => v.impact === "critical").map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

describe("triggers list", () => {
  it("switches the exit-intent trigger off and on, and the storefront config follows", async () => {
    const trigger = await demo.db.trigger.findFirstOrThrow({ where: { name: EXIT_TRIGGER } });
    expect(trigger.enabled).toBe(true);
    expect(await storefrontTriggerIds()).toContain(trigger.id);

    await openTriggers();
    const toggle = page.getByRole("switch", { name: `${EXIT_TRIGGER}: active` });
    await expect.poll(() => toggle.getAttribute("aria-checked")).toBe("true");

    // WHEN the merchant switches it off
    await toggle.click();
    // THEN the switch flips (before the server answers), a toast confirms, and the storefront no longer gets it
    await expect.poll(() => toggle.getAttribute("aria-checked")).toBe("false");
    await page.getByRole("status").getByText(`${EXIT_TRIGGER} turned off`).waitFor();
    await expect.poll(storefrontTriggerIds).not.toContain(trigger.id);
    expect((await demo.db.trigger.findUniqueOrThrow({ where: { id: trigger.id } })).enabled).toBe(false);

    // WHEN switched on again, it is back
    await toggle.click();
    await page.getByRole("status").getByText(`${EXIT_TRIGGER} turned on`).waitFor();
    await expect.poll(storefrontTriggerIds).toContain(trigger.id);

    // AND a reload shows the saved state
    await page.reload();
    await hydrated(page.getByRole("switch", { name: `${EXIT_TRIGGER}: active` }));
    await expect.poll(() => page.getByRole("switch", { name: `${EXIT_TRIGGER}: active` }).getAttribute("aria-checked")).toBe("true");
  });
});

describe("template gallery", () => {
  it("draws every template with the storefront's overlay code and sample products, and Use creates a trigger from it", async () => {
    await openTriggers();
    await page.getByRole("button", { name: "Create trigger" }).first().click();
    const modal = page.getByRole("dialog", { name: "Create a trigger from a template" });
    await modal.waitFor();
    const thumbs = modal.locator(".if-template-thumb");
    await expect.poll(() => thumbs.count()).toBe(9);
    // each thumbnail is the real overlay (a dialog in a shadow root) with its template's headline
    const headlines = await thumbs.evaluateAll((els) =>
      els.map((el) => el.firstElementChild?.firstElementChild?.shadowRoot?.querySelector("h2")?.textContent ?? ""),
    );
    expect(headlines).toContain("Wait, take 10% with you");
    expect(headlines).toContain("You're close to free shipping");
    expect(headlines.every(Boolean)).toBe(true);
    // the recommendations thumbnail shows a full grid of sample products, their images loaded
    const recs = modal.getByRole("img", { name: "Preview: Recommendations on exit" });
    await recs.scrollIntoViewIfNeeded(); // the product images load lazily, as on the storefront
    await expect
      .poll(() =>
        recs
          .first()
          .evaluate(
            (el) =>
              Array.from(el.firstElementChild!.firstElementChild!.shadowRoot!.querySelectorAll("li img")).filter(
                (i) => (i as HTMLImageElement).naturalWidth > 0,
              ).length,
          ),
      )
      .toBe(4);
    // installing seeds every template (switched off); Use adds one more, once
    const named = () => demo.db.trigger.count({ where: { name: "Two-step sign-up" } });
    const before = await named();
    await modal.getByRole("button", { name: "Use template: Two-step sign-up" }).click();
    await expect.poll(named).toBe(before + 1);
    await page.waitForTimeout(500);
    expect(await named()).toBe(before + 1);
  });
});

describe("trigger editor", () => {
  it("shows field-level errors from the shared schema and keeps the changes unsaved", async () => {
    await openTriggers();
    await page.getByRole("link", { name: EXIT_TRIGGER }).click();
    await page.waitForURL(/\/app\/triggers\/[^/]+$/);
    const headline = page.getByLabel("Headline");
    await hydrated(headline);
    await headline.fill("");
    await page.getByLabel("Scroll depth").fill("150");

    const saveBar = page.getByRole("region", { name: "Contextual save bar" });
    await saveBar.getByRole("button", { name: "Save" }).click();

    await page.getByText("There are 2 errors with this trigger").waitFor();
    // each message sits on its field (Polaris links it with aria-describedby)
    await expect.poll(() => headline.getAttribute("aria-invalid")).toBe("true");
    const headlineError = await headline.evaluate((el) =>
      (el.getAttribute("aria-describedby") ?? "")
        .split(" ")
        .map((id) => document.getElementById(id)?.textContent ?? "")
        .join(" "),
    );
    expect(headlineError).toContain("Enter a headline");
    const scroll = page.getByLabel("Scroll depth");
    expect(await scroll.getAttribute("aria-invalid")).toBe("true");
    await page.getByText("Scroll depth must be at most 100").first().waitFor();
    // the save bar stays: nothing was saved
    expect(await saveBar.isVisible()).toBe(true);
    const stored = await demo.db.trigger.findFirstOrThrow({ where: { name: EXIT_TRIGGER } });
    expect((stored.content as { headline: string }).headline).not.toBe("");
  });

  it("draws the overlay preview with the storefront's renderer and follows the form as the merchant types", async () => {
    await openTriggers();
    await page.getByRole("link", { name: EXIT_TRIGGER }).click();
    await page.waitForURL(/\/app\/triggers\/[^/]+$/);
    const preview = page.getByRole("region", { name: "Overlay preview" });
    await preview.getByText("Before you go").waitFor();

    await page.getByLabel("Headline").fill("Wait, 10% off today");
    await preview.getByText("Wait, 10% off today").waitFor();
    expect(await preview.getByText("Before you go").count()).toBe(0);

    // the content kind changes what the overlay shows
    await page.getByLabel("Overlay shows").selectOption("discount_reveal");
    await page.getByLabel("Discount code", { exact: true }).fill("SAVE10");
    await preview.getByText("Wait, 10% off today").waitFor();

    // Discard puts the stored trigger back, in the form and in the preview
    await page.getByRole("region", { name: "Contextual save bar" }).getByRole("button", { name: "Discard" }).click();
    await preview.getByText("Before you go").waitFor();
  });
});

describe("accessibility", () => {
  it("axe finds no critical violation on home, the triggers list, the trigger editor and settings", async () => {
    const found: Record<string, string[]> = {};
    await page.goto("/app");
    await hydrated(page.getByRole("heading", { name: "Last 30 days" }));
    found.home = await criticalViolations();

    await page.getByRole("navigation", { name: "Intentful" }).getByRole("link", { name: "Triggers" }).click();
    await page.getByRole("switch", { name: `${EXIT_TRIGGER}: active` }).waitFor();
    found.triggers = await criticalViolations();

    await page.getByRole("link", { name: EXIT_TRIGGER }).click();
    await page.getByRole("region", { name: "Overlay preview" }).getByText("Before you go").waitFor();
    found.editor = await criticalViolations();

    await page.getByRole("navigation", { name: "Intentful" }).getByRole("link", { name: "Settings" }).click();
    await page.getByLabel("Sender email").waitFor();
    found.settings = await criticalViolations();

    expect(found).toEqual({ home: [], triggers: [], editor: [], settings: [] });
  });
});
