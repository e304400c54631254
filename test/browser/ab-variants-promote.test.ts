/**
 * Promoting a variant from the analytics page (issue 21), in real Chromium against the demo
 * server: a trigger runs a 50/50 test (published from the database as the app publishes it) with
 * exposures and orders in both arms; the merchant sees one row per arm with the verdict, clicks
 * Promote on B and confirms in App Bridge's modal; the action republishes the rules through the
 * demo's mocked Admin API, and new shoppers on the demo storefront then see B's headline, with no
 * arm on their events.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { triggerInputSchema } from "~/domain/triggers/schema";
import { buildShopConfig } from "~/services/publish.server";
import { startDemoServer, type DemoServer } from "../support/demo-server";
import { BROWSER_USER_AGENT, launchChromium, trackerReady, visitorId } from "../support/browser";

const DEMO_SHOP = "demo-shop.myshopify.com";
const NAME = "A/B: promote me";
const HEADLINE_A = "Variant A: free returns";
const HEADLINE_B = "Variant B: ships today";
const ARM_A = "prmaaaaa";
const ARM_B = "prmbbbbb";
/** visitors per arm, and how many of them ordered (B clearly better) */
const SEEDED = { [ARM_A]: { users: 60, orders: 3 }, [ARM_B]: { users: 60, orders: 12 } };
const KNOWN_OFFLINE = [/^https:\/\/cdn\.shopify\.com\/shopifycloud\/app-bridge\.js$/, /^http:\/\/127\.0\.0\.1:\d+\/favicon\.ico$/];

let demo: DemoServer;
let browser: Browser;
let triggerId = "";

beforeAll(async () => {
  demo = await startDemoServer();
  browser = await launchChromium();
  // GIVEN the shop's only trigger: a message on every page after a second, no holdout, under a
  // 50/50 test that began yesterday
  await demo.db.trigger.updateMany({ where: { shop: DEMO_SHOP }, data: { enabled: false } });
  await demo.db.shop.update({ where: { shop: DEMO_SHOP }, data: { overlaysPerSession: 5 } });
  const content = (headline: string) => ({ kind: "message", headline, body: "Thanks for stopping by." });
  const input = triggerInputSchema.parse({
    name: NAME,
    type: "page_engagement",
    conditions: { minSeconds: 1 },
    content: content(HEADLINE_A),
    frequencyCap: { perSession: 5 },
    holdoutPct: 0,
    variants: [
      { id: ARM_A, weight: 50 },
      { id: ARM_B, weight: 50, content: content(HEADLINE_B) },
    ],
  });
  const started = new Date(Date.now() - 86_400_000);
  const row = await demo.db.trigger.create({
    data: { ...input, shop: DEMO_SHOP, salt: "ab-promote-salt", enabled: true, variants: input.variants!, testStartedAt: started },
  });
  triggerId = row.id;
  const { config } = await buildShopConfig(demo.db, DEMO_SHOP);
  const state = JSON.parse(readFileSync(demo.stateFile, "utf8")) as { metafields: Record<string, { type: string; value: string }> };
  state.metafields["intentful.config"] = { type: "json", value: JSON.stringify(config) };
  writeFileSync(demo.stateFile, JSON.stringify(state));

  // and exposures in both arms since the start, with overlay-credited orders
  const at = new Date(started.getTime() + 3_600_000);
  for (const [arm, { users, orders }] of Object.entries(SEEDED)) {
    await demo.db.exposure.createMany({
      data: Array.from({ length: users }, (_, i) => ({
        shop: DEMO_SHOP,
        triggerId,
        visitorId: `${arm}-v${i}`,
        variant: "treatment",
        arm,
        firstAt: at,
        lastAt: at,
      })),
    });
    await demo.db.attribution.createMany({
      data: Array.from({ length: orders }, (_, i) => ({
        shop: DEMO_SHOP,
        orderId: `${arm}-o${i}`,
        totalCents: 5_000,
        source: "overlay",
        triggerId,
        visitorId: `${arm}-v${i}`,
        variant: "treatment",
        arm,
        key: `${arm}-o${i}:overlay:${triggerId}`,
        occurredAt: new Date(at.getTime() + 600_000),
      })),
    });
  }
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

async function hydrated(locator: ReturnType<Page["locator"]>) {
  await expect.poll(() => locator.evaluate((el) => Object.keys(el).some((k) => k.startsWith("__reactProps$"))), { timeout: 15_000 }).toBe(true);
}

/** axe's serious and critical findings on the page. */
async function seriousViolations(page: Page): Promise<string[]> {
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

describe("promoting a variant from analytics (real Chromium)", () => {
  it("shows one row per arm, promotes B after a confirmation, and new shoppers then see B", async () => {
    const context = await browser.newContext({ baseURL: demo.baseUrl, viewport: { width: 1280, height: 900 }, userAgent: BROWSER_USER_AGENT });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() !== "error") return;
      if (m.text().startsWith("Failed to load resource") && KNOWN_OFFLINE.some((r) => r.test(m.location().url))) return;
      errors.push(m.text());
    });
    await page.goto("/app/analytics");
    const promoteB = page.getByRole("button", { name: `Promote B of ${NAME}` });
    await hydrated(promoteB);

    // THEN one row per arm: its visitors and conversion rate, B's interval against A, the verdict
    const table = page.locator("table").filter({ has: page.getByRole("button", { name: `Promote A of ${NAME}` }) });
    const rows = table.locator("tbody tr");
    await expect.poll(() => rows.count()).toBe(2);
    const cells = async (i: number) => (await rows.nth(i).locator("th, td").allTextContents()).map((s) => s.trim());
    const [a, b] = [await cells(0), await cells(1)];
    expect(a.slice(0, 3)).toEqual(["Variant A50% of traffic", "60", `${((3 / 60) * 100).toFixed(2)}%`]);
    expect(b.slice(0, 3)).toEqual(["Variant B50% of traffic", "60", `${((12 / 60) * 100).toFixed(2)}%`]);
    expect(a[4]).toBe("Baseline");
    expect(b[4]).toMatch(/^\+300\.0% \(.+ to .+\)/);
    const verdict = (await page.locator(`[data-verdict="${triggerId}"]`).textContent()) ?? "";
    expect(verdict).toMatch(/^(Variant B is ahead of A by 300\.0%|No difference large enough to matter yet — about [\d,]+ more visitors)/);
    expect(await seriousViolations(page)).toEqual([]);

    // WHEN the merchant clicks Promote on B, App Bridge's modal asks first (nothing changes yet)
    await promoteB.click();
    const dialog = page.getByRole("dialog", { name: "Promote variant B?" });
    await dialog.waitFor();
    expect((await demo.db.trigger.findUniqueOrThrow({ where: { id: triggerId } })).testStartedAt).not.toBeNull();
    await dialog.getByRole("button", { name: "Promote", exact: true }).click();

    // THEN a banner says so, the test moves to Ended tests and B's content is the trigger's own
    await page.getByRole("status").filter({ hasText: "Variant B promoted" }).waitFor({ timeout: 15_000 });
    await page.getByRole("heading", { name: "Ended tests" }).waitFor();
    await expect.poll(() => page.getByRole("button", { name: `Promote B of ${NAME}` }).count()).toBe(0);
    const saved = await demo.db.trigger.findUniqueOrThrow({ where: { id: triggerId } });
    expect(saved).toMatchObject({ variants: null, testStartedAt: null, autoPromote: false });
    expect((saved.content as { headline: string }).headline).toBe(HEADLINE_B);
    const record = await demo.db.experimentRecord.findFirstOrThrow({ where: { triggerId } });
    expect(record).toMatchObject({ winner: ARM_B, how: "manual", shop: DEMO_SHOP });
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();

    // AND new shoppers on the storefront (the republished config) see B's headline, with no arm
    const published = JSON.parse(readFileSync(demo.stateFile, "utf8")) as { metafields: Record<string, { value: string }> };
    const config = JSON.parse(published.metafields["intentful.config"].value) as { t: Array<{ id: string; v?: unknown }> };
    expect(config.t.find((t) => t.id === triggerId)?.v).toBeUndefined();
    const shoppers: string[] = [];
    for (let i = 0; i < 3; i++) {
      const shopper = await browser.newContext({ viewport: { width: 1200, height: 800 } });
      const p = await shopper.newPage();
      await p.goto(`${demo.baseUrl}/demo/products/linen-shirt`);
      await trackerReady(p);
      await p.mouse.move(500, 400);
      const h = p.locator("intentful-overlay [role=dialog] h2");
      await h.waitFor({ state: "visible", timeout: 15_000 });
      expect(await h.textContent()).toBe(HEADLINE_B);
      shoppers.push(await visitorId(p));
      await p.keyboard.press("Escape");
      await p.goto(`${demo.baseUrl}/demo/`); // leaving flushes the events
      await shopper.close();
    }
    await expect
      .poll(async () => demo.db.event.count({ where: { shop: DEMO_SHOP, triggerId, visitorId: { in: shoppers }, kind: "impression" } }), { timeout: 10_000 })
      .toBe(3);
    const events = await demo.db.event.findMany({ where: { shop: DEMO_SHOP, triggerId, visitorId: { in: shoppers } }, select: { arm: true } });
    for (const e of events) expect(e.arm ?? "").toBe("");
    const exposures = await demo.db.exposure.findMany({
      where: { shop: DEMO_SHOP, triggerId, visitorId: { in: shoppers } },
      select: { arm: true, variant: true },
    });
    expect(exposures).toEqual(shoppers.map(() => ({ arm: "", variant: "treatment" })));
  }, 240_000);
});
