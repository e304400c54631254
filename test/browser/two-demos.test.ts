/**
 * Two demos started side by side on two databases (as `DATABASE_URL=file:… npm run demo` twice)
 * share nothing of the mocked Shopify: each keeps its state (published triggers, discount codes,
 * customers) in a file beside its own database. The merchant switches a trigger off in one
 * admin; only that demo's storefront loses it.
 */
import { existsSync } from "node:fs";
import { type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BROWSER_USER_AGENT, launchChromium } from "../support/browser";
import { startDemoServer, type DemoServer } from "../support/demo-server";

const EXIT = "Exit intent: new visitors on product pages"; // the seeded exit-intent trigger
let a: DemoServer;
let b: DemoServer;
let browser: Browser;
const sqlite = !process.env.TEST_DATABASE_URL;

beforeAll(async () => {
  if (!sqlite) return; // the demo is SQLite; PostgreSQL URLs get a file each too (unit test)
  [a, b] = await Promise.all([startDemoServer({ deriveStateFile: true }), startDemoServer({ deriveStateFile: true })]);
  browser = await launchChromium();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await a?.stop();
  await b?.stop();
});

async function storefrontTriggers(demo: DemoServer): Promise<string[]> {
  const html = await (await fetch(`${demo.baseUrl}/demo/products/linen-shirt`)).text();
  const json = /<script[^>]*id="intentful-config"[^>]*>([\s\S]*?)<\/script>/.exec(html)?.[1];
  const config = json ? (JSON.parse(json) as { t: Array<{ id: string }> }) : { t: [] };
  const ids = config.t.map((t) => t.id);
  const names = await demo.db.trigger.findMany({ where: { id: { in: ids } }, select: { name: true } });
  return names.map((n) => n.name).sort();
}

describe.skipIf(!sqlite)("two demos side by side", () => {
  it("keep their mocked Shopify state apart", async () => {
    expect(a.stateFile).not.toBe(b.stateFile);
    await expect.poll(() => storefrontTriggers(a), { timeout: 30_000 }).toContain(EXIT);
    await expect.poll(() => storefrontTriggers(b), { timeout: 30_000 }).toContain(EXIT);
    expect(existsSync(a.stateFile) && existsSync(b.stateFile)).toBe(true);

    // The merchant of demo A switches the exit trigger off in A's admin.
    const page = await (await browser.newContext({ userAgent: BROWSER_USER_AGENT, viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${a.baseUrl}/app/triggers`);
    const toggle = page.getByRole("switch", { name: `${EXIT}: active` });
    for (let i = 0; i < 20 && (await toggle.getAttribute("aria-checked")) === "true"; i++) {
      await toggle.click();
      await page.waitForTimeout(500);
    }
    await page.context().close();

    await expect.poll(() => storefrontTriggers(a), { timeout: 30_000 }).not.toContain(EXIT);
    expect(await storefrontTriggers(b)).toContain(EXIT);
  }, 120_000);
});
