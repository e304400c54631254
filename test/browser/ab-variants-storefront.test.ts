/**
 * A/B variants on the demo storefront in real Chromium (issue 21): a trigger with two variants
 * (different headlines) saved in the database, compiled as the app publishes it, shown by the
 * built tracker, rules and overlay bundles. A shopper keeps their variant across pages and
 * sessions (the same visitor id, a new session), every event of the exposure carries it to the
 * app proxy and the Exposure row records it, and fresh shoppers land in both.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pickArm } from "~/domain/experiments/assign";
import { triggerInputSchema } from "~/domain/triggers/schema";
import { buildShopConfig } from "~/services/publish.server";
import { startDemoServer, type DemoServer } from "../support/demo-server";
import { launchChromium, trackerReady, visitorId } from "../support/browser";

const DEMO_SHOP = "demo-shop.myshopify.com";
const ARMS = [
  { id: "armaaaaa", weight: 50, headline: "Variant A: free returns" },
  { id: "armbbbbb", weight: 50, headline: "Variant B: ships today" },
];
const SALT = "ab-variants-browser-salt";
let triggerId = "";

let demo: DemoServer;
let browser: Browser;

beforeAll(async () => {
  demo = await startDemoServer();
  browser = await launchChromium();
  // GIVEN the shop's only trigger: a message on every page after a second, up to 5 times a
  // session, no holdout, under a 50/50 test whose variant B has its own headline
  await demo.db.trigger.updateMany({ where: { shop: DEMO_SHOP }, data: { enabled: false } });
  await demo.db.shop.update({ where: { shop: DEMO_SHOP }, data: { overlaysPerSession: 5 } });
  const input = triggerInputSchema.parse({
    name: "A/B: welcome message",
    type: "page_engagement",
    conditions: { minSeconds: 1 },
    content: { kind: "message", headline: ARMS[0].headline, body: "Thanks for stopping by." },
    frequencyCap: { perSession: 5 },
    holdoutPct: 0,
    variants: [
      { id: ARMS[0].id, weight: ARMS[0].weight },
      { id: ARMS[1].id, weight: ARMS[1].weight, content: { kind: "message", headline: ARMS[1].headline, body: "Thanks for stopping by." } },
    ],
  });
  const row = await demo.db.trigger.create({
    data: { ...input, shop: DEMO_SHOP, salt: SALT, enabled: true, variants: input.variants!, testStartedAt: new Date() },
  });
  triggerId = row.id;
  // published as the app publishes it: compiled from the database into the app-data metafield
  // (the mocked Admin API's state, which the demo's Liquid reads on every page)
  const { config, skipped } = await buildShopConfig(demo.db, DEMO_SHOP);
  expect(skipped).toEqual([]);
  expect(config.t.map((t) => [t.id, t.v?.map((a) => a.k)])).toEqual([[triggerId, ARMS.map((a) => a.id)]]);
  const state = JSON.parse(readFileSync(demo.stateFile, "utf8")) as { metafields: Record<string, { type: string; value: string }> };
  state.metafields["intentful.config"] = { type: "json", value: JSON.stringify(config) };
  writeFileSync(demo.stateFile, JSON.stringify(state));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

const newContext = (storageState?: Awaited<ReturnType<BrowserContext["storageState"]>>) =>
  browser.newContext({ viewport: { width: 1200, height: 800 }, ...(storageState ? { storageState } : {}) });

/** Opens `path`, waits for the overlay and returns its headline; Escape closes it. */
async function headlineOn(page: Page, path: string): Promise<string> {
  await page.goto(`${demo.baseUrl}${path}`);
  await trackerReady(page);
  await page.mouse.move(500, 400);
  const h = page.locator("intentful-overlay [role=dialog] h2");
  await h.waitFor({ state: "visible", timeout: 15_000 });
  const text = (await h.textContent()) ?? "";
  await page.keyboard.press("Escape");
  await expect.poll(() => page.locator("intentful-overlay [role=dialog]").count()).toBe(0);
  return text;
}

const armOfHeadline = (headline: string) => ARMS.find((a) => a.headline === headline)?.id;

async function storedEvents(vid: string) {
  return demo.db.event.findMany({
    where: { shop: DEMO_SHOP, visitorId: vid, triggerId },
    orderBy: { occurredAt: "asc" },
    select: { kind: true, arm: true, sessionId: true },
  });
}

describe("A/B variants on the demo storefront (real Chromium)", () => {
  it("a shopper keeps their variant across pages and into a later session, and every event of it carries the arm", async () => {
    const context = await newContext();
    const page = await context.newPage();
    const first = await headlineOn(page, "/demo/products/linen-shirt");
    const vid = await visitorId(page);
    const arm = armOfHeadline(first);
    // the variant shown is the one the shared assignment gives this visitor id
    expect(arm).toBe(
      ARMS[
        pickArm(
          SALT,
          vid,
          ARMS.map((a) => a.weight),
        )
      ].id,
    );
    // another page, the same session: the same variant
    expect(await headlineOn(page, "/demo/products/canvas-tote")).toBe(first);
    expect(await headlineOn(page, "/demo/collections/all")).toBe(first);
    await page.goto(`${demo.baseUrl}/demo/`); // leaving the page flushes its events
    await expect.poll(async () => (await storedEvents(vid)).filter((e) => e.kind === "dismiss").length, { timeout: 10_000 }).toBe(3);

    // a later session: the same browser storage (visitor id), 31 minutes of absence
    const saved = await context.storageState();
    await context.close();
    for (const origin of saved.origins)
      for (const item of origin.localStorage)
        if (item.name === "intentful") {
          const s = JSON.parse(item.value) as { vid: string; last: number };
          expect(s.vid).toBe(vid);
          s.last -= 31 * 60_000;
          item.value = JSON.stringify(s);
        }
    const later = await newContext(saved);
    const page2 = await later.newPage();
    expect(await headlineOn(page2, "/demo/products/ceramic-mug")).toBe(first);
    expect(await visitorId(page2)).toBe(vid);
    await page2.goto(`${demo.baseUrl}/demo/`);
    await expect.poll(async () => (await storedEvents(vid)).filter((e) => e.kind === "impression").length, { timeout: 10_000 }).toBe(4);
    await later.close();

    // THEN every impression and dismissal, in both sessions, reached the app with the arm shown
    const events = await storedEvents(vid);
    expect(new Set(events.map((e) => e.sessionId)).size).toBe(2);
    expect(events.filter((e) => e.kind === "impression" || e.kind === "dismiss").length).toBe(8);
    for (const e of events) expect(e, e.kind).toMatchObject({ arm });
    // and the visitor's exposure is in that arm
    const exposure = await demo.db.exposure.findUnique({ where: { shop_triggerId_visitorId: { shop: DEMO_SHOP, triggerId, visitorId: vid } } });
    expect(exposure).toMatchObject({ variant: "treatment", arm });
  }, 180_000);

  it("fresh shoppers land in both variants, each in the one the assignment gives them", async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 12 && seen.size < ARMS.length; i++) {
      const context = await newContext();
      const page = await context.newPage();
      const headline = await headlineOn(page, "/demo/products/linen-shirt");
      const vid = await visitorId(page);
      const arm = armOfHeadline(headline);
      expect(arm).toBe(
        ARMS[
          pickArm(
            SALT,
            vid,
            ARMS.map((a) => a.weight),
          )
        ].id,
      );
      seen.add(arm!);
      await context.close();
    }
    expect([...seen].sort()).toEqual(ARMS.map((a) => a.id));
  }, 180_000);
});
