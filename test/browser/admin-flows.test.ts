/**
 * Deleting a recovery flow in real Chromium against the demo server: from the list and from the
 * editor, the confirmation is App Bridge's modal (the demo's stand-in draws `ui-modal`).
 * Cancel keeps the flow; Delete removes it from the database and from the page.
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

/** Server HTML is clickable before React has hydrated it; wait until React owns the element. */
async function hydrated(locator: ReturnType<Page["locator"]>) {
  await expect.poll(() => locator.evaluate((el) => Object.keys(el).some((k) => k.startsWith("__reactProps$"))), { timeout: 15_000 }).toBe(true);
}

async function flowNamed(name: string) {
  return demo.db.recoveryFlow.findFirst({ where: { shop: DEMO_SHOP, name } });
}

const dialog = () => page.getByRole("dialog", { name: "Delete flow?" });

async function seriousViolations(): Promise<string[]> {
  await page.addScriptTag({ path: "node_modules/axe-core/axe.min.js" });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(ctx: Document): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }
    ).axe;
    return (await axe.run(document)).violations;
  });
  return violations
    .filter((v) => v.impact === "critical" || v.impact === "serious")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

describe("deleting a flow", () => {
  it("from the list asks in App Bridge's modal: Cancel keeps it, Delete removes it", async () => {
    const name = "Cart reminder";
    const flow = await flowNamed(name);
    expect(flow, "the demo seeds a cart reminder flow").toBeTruthy();

    await page.goto("/app/flows");
    const deleteButton = page.getByRole("button", { name: `Delete ${name}` });
    await hydrated(deleteButton);

    // WHEN the merchant clicks Delete, THEN the modal asks, naming the flow (and nothing is deleted yet)
    await deleteButton.click();
    await dialog().waitFor();
    await dialog().getByText(`“${name}” will be deleted.`).waitFor();
    expect(await page.locator("ui-modal#delete-flow").evaluate((m) => (m as HTMLElement & { showing: boolean }).showing)).toBe(true);
    expect(await seriousViolations()).toEqual([]);
    expect(await flowNamed(name)).not.toBeNull();

    // Cancel closes it and keeps the flow
    await dialog().getByRole("button", { name: "Cancel" }).click();
    await dialog().waitFor({ state: "detached" });
    expect(await page.getByRole("link", { name, exact: true }).count()).toBe(1);
    expect(await demo.db.recoveryFlow.findUnique({ where: { id: flow!.id } })).not.toBeNull();

    // Delete in the modal deletes it
    await deleteButton.click();
    await dialog().getByRole("button", { name: "Delete", exact: true }).click();
    await dialog().waitFor({ state: "detached" });
    await page.getByRole("status").getByText("Flow deleted").waitFor();
    await expect.poll(() => demo.db.recoveryFlow.findUnique({ where: { id: flow!.id } })).toBeNull();
    expect(await page.getByRole("link", { name, exact: true }).count()).toBe(0);

    // and it stays gone
    await page.reload();
    await hydrated(page.getByRole("button", { name: "Delete Checkout recovery" }));
    expect(await page.getByRole("link", { name, exact: true }).count()).toBe(0);
  });

  it("from the editor asks in App Bridge's modal: Cancel stays, Delete removes it and returns to the list", async () => {
    const name = "Browse follow-up";
    const flow = await flowNamed(name);
    expect(flow, "the demo seeds a browse follow-up flow").toBeTruthy();

    await page.goto(`/app/flows/${flow!.id}`);
    await hydrated(page.getByLabel("Name"));
    const titleBarDelete = page.locator("ui-title-bar").first().getByRole("button", { name: "Delete", exact: true });

    await titleBarDelete.click();
    await dialog().getByText(`“${name}” will be deleted.`).waitFor();
    expect(await seriousViolations()).toEqual([]);

    // Cancel: the dialog closes, the editor stays, the flow is kept
    await dialog().getByRole("button", { name: "Cancel" }).click();
    await dialog().waitFor({ state: "detached" });
    expect(new URL(page.url()).pathname).toBe(`/app/flows/${flow!.id}`);
    expect(await demo.db.recoveryFlow.findUnique({ where: { id: flow!.id } })).not.toBeNull();

    // Escape closes it too, without deleting
    await titleBarDelete.click();
    await dialog().waitFor();
    await page.keyboard.press("Escape");
    await dialog().waitFor({ state: "detached" });
    expect(await demo.db.recoveryFlow.findUnique({ where: { id: flow!.id } })).not.toBeNull();

    // Delete: gone from the database, back on the list without it
    await titleBarDelete.click();
    await dialog().getByRole("button", { name: "Delete", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/app/flows");
    await expect.poll(() => demo.db.recoveryFlow.findUnique({ where: { id: flow!.id } })).toBeNull();
    await hydrated(page.getByRole("button", { name: "Delete Checkout recovery" }));
    expect(await page.getByRole("link", { name, exact: true }).count()).toBe(0);
  });
});

describe("the editor's email preview", () => {
  it("shows the shop's logo and products with their images, and the discount email's copy follows its offer", async () => {
    const flow = await demo.db.recoveryFlow.findFirst({ where: { shop: DEMO_SHOP, kind: "checkout" } });
    expect(flow, "the demo seeds a checkout flow").toBeTruthy();
    await page.goto(`/app/flows/${flow!.id}`);
    await hydrated(page.getByLabel("Name"));
    const email = page.frameLocator('iframe[title^="Email preview"]');
    // The brand kit from Shopify's brand settings (the demo's mocked Storefront API): logo with alt text.
    const logo = email.locator('img[alt="Demo Shop"]');
    await logo.waitFor();
    // The sample cart is the shop's own products, with images that load (not broken, not missing).
    const shirt = email.locator('img[alt="Linen Shirt"]');
    await shirt.waitFor();
    for (const img of [logo, shirt]) {
      await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0)).toBe(true);
    }
    // The discount email: its preview text filled in, and the recommendations with images.
    const row = await demo.db.recoveryStep.findFirst({ where: { flowId: flow!.id, position: 1 } });
    const res = await page.evaluate(
      async ({ id, step }) => {
        const body = new FormData();
        body.set("intent", "preview");
        body.set("stepIndex", "1");
        body.set("step", JSON.stringify({ ...step, discountPercent: 15 }));
        // Remix's data request for the route's action (the demo's App Bridge adds the session token)
        const r = await fetch(`/app/flows/${id}?_data=${encodeURIComponent("routes/app.flows.$id")}`, { method: "POST", body });
        return r.json();
      },
      {
        id: flow!.id,
        step: {
          delayMinutes: row!.delayMinutes,
          subject: row!.subject,
          preheader: row!.preheader,
          body: row!.body,
          discountPercent: 10,
          discountExpiryDays: row!.discountExpiryDays ?? undefined,
        },
      },
    );
    expect(res.preview.subject).toBe("Still thinking it over? Here is 15% off");
    expect(res.preview.preheader).toMatch(/^Your checkout is saved, and this code takes 15% off until \w+ \d+, \d{4}\.$/);
    expect(res.preview.html).not.toContain("10%");
    expect(res.preview.html).toMatch(/<img[^>]*width="150"/); // a recommended product's card
  });
});
