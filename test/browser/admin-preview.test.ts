/**
 * Issue 20, preview fidelity, in real Chromium against the demo server: the trigger editor's
 * preview draws the overlay in the live theme's app embed look (the demo's mocked Admin API
 * answers with a settings_data.json whose embed has non-default colours), says where that look
 * came from, stays in view while the merchant scrolls the form, shows a phone in a 375 px frame,
 * and on a narrow screen sits behind a "Show preview" toggle.
 */
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startDemoServer, type DemoServer } from "../support/demo-server";
import { BROWSER_USER_AGENT, launchChromium } from "../support/browser";
import { DEMO_SHOP } from "~/demo/constants";

const EXIT_TRIGGER = "Exit intent: new visitors on product pages";

let demo: DemoServer;
let browser: Browser;
let context: BrowserContext | undefined;
let pageErrors: string[] = [];

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
  context = undefined;
  expect(pageErrors).toEqual([]);
});

async function openEditor(viewport = { width: 1280, height: 800 }): Promise<Page> {
  context = await browser.newContext({ baseURL: demo.baseUrl, viewport, userAgent: BROWSER_USER_AGENT });
  const page = await context.newPage();
  pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  const trigger = await demo.db.trigger.findFirstOrThrow({ where: { shop: DEMO_SHOP, name: EXIT_TRIGGER } });
  await page.goto(`/app/triggers/${trigger.id}`);
  const headline = page.getByLabel("Headline");
  await expect.poll(() => headline.evaluate((el) => Object.keys(el).some((k) => k.startsWith("__reactProps$"))), { timeout: 15_000 }).toBe(true);
  return page;
}

/** The drawn dialog's computed look, inside the renderer's shadow root on `host`. */
function readLook(host: Element) {
  const root = host.shadowRoot!;
  const d = root.querySelector(".d") as HTMLElement;
  const w = root.querySelector(".w") as HTMLElement;
  const cs = getComputedStyle(d);
  const btn = root.querySelector(".btn") as HTMLElement | null;
  return {
    layout: w.className,
    background: cs.backgroundColor,
    color: cs.color,
    radius: cs.borderTopLeftRadius,
    button: btn ? getComputedStyle(btn).backgroundColor : null,
    width: d.getBoundingClientRect().width,
    viewport: host.ownerDocument.defaultView!.innerWidth,
  };
}

describe("the trigger editor's preview", () => {
  it("draws the overlay in the live theme's app embed colours, position and radius, and says so", async () => {
    const page = await openEditor();
    const preview = page.getByRole("region", { name: "Overlay preview" });
    await preview.getByText("Before you go").waitFor();
    const look = await page.getByTestId("overlay-preview-host").evaluate(readLook);
    // the fixture's embed: #1f2a44 on #f7f3e8, #e9b949 buttons, 16 px corners, corner slide-in
    expect(look).toMatchObject({ background: "rgb(31, 42, 68)", color: "rgb(247, 243, 232)", radius: "16px" });
    const panel = page.getByTestId("trigger-preview");
    await panel.getByText("Colours and position from your live theme's app embed settings (Dawn).").waitFor();
    await page.getByText("Corner slide-in (theme setting)").waitFor();
    expect(await panel.getByText(/^Colou?rs and fonts follow the app embed's settings/).count()).toBe(0);
  });

  it("stays in view while the merchant scrolls the form down to the audience card", async () => {
    const page = await openEditor();
    const preview = page.getByRole("region", { name: "Overlay preview" });
    await preview.getByText("Before you go").waitFor();
    await page.getByRole("heading", { name: "Audience" }).scrollIntoViewIfNeeded();
    await page.mouse.wheel(0, 400);
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(300);
    // the drawn overlay's top is on screen (the region exists in the old editor too)
    const box = (await preview.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + 40).toBeLessThan(page.viewportSize()!.height);
  });

  it("shows a phone: a 375 px wide frame in which the overlay lays out as on a phone", async () => {
    const page = await openEditor();
    await page.getByRole("region", { name: "Overlay preview" }).getByText("Before you go").waitFor();
    await page.getByRole("button", { name: "Mobile", exact: true }).click();
    const frame = page.locator("[data-testid=overlay-preview-phone]");
    await frame.waitFor();
    expect(await frame.evaluate((el) => (el as HTMLIFrameElement).clientWidth)).toBe(375);
    await page.frameLocator("[data-testid=overlay-preview-phone]").getByText("Before you go").waitFor();
    const look = await page.frameLocator("[data-testid=overlay-preview-phone]").getByTestId("overlay-preview-phone-host").evaluate(readLook);
    expect(look.viewport).toBe(375);
    expect(look.background).toBe("rgb(31, 42, 68)");
    // the slide-in spans the phone less 8 px each side (the stylesheet's max-width: 600px rule)
    expect(look.layout).toContain("slide_in");
    expect(look.width).toBe(375 - 16);
  });

  it("sits behind a Show preview toggle on a narrow screen, which pins it in view", async () => {
    const page = await openEditor({ width: 600, height: 800 });
    const panel = page.getByTestId("trigger-preview");
    expect(await panel.isVisible()).toBe(false);
    await page.getByRole("button", { name: "Show preview" }).click();
    await panel.getByText("Before you go").waitFor();
    const box = (await panel.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(800);
    await page.getByRole("button", { name: "Hide preview" }).click();
    await expect.poll(() => panel.isVisible()).toBe(false);
  });
});
