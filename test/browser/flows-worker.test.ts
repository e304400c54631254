/**
 * Every flow the admin offers, end to end as its people meet it (issue 19), in real Chromium
 * against the demo server, with emails going to a real SMTP peer:
 *
 * - the merchant switches the cart reminder and the browse follow-up on in the admin (the demo
 *   has checkout recovery on), and the "First-visit sign-up" overlay that makes shoppers known;
 * - shoppers sign up through that overlay on the demo storefront, then do what each flow is for
 *   (check out and leave; add to cart and leave; view a product twice) — or the opposite (order;
 *   order; add to cart);
 * - a separate worker process, as `npm run worker -- --once --now <after the delay>` runs it,
 *   sends exactly one email to each shopper a flow is for, and none to the others; then step 2
 *   of checkout recovery, with its unique discount code created through the demo's mocked Admin
 *   API from that separate process.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isHoldout } from "~/domain/experiments/assign";
import { DEMO_SHOP } from "~/demo/constants";
import { startSmtpPeer, type SmtpPeer } from "../integration/email/smtp-peer";
import { BROWSER_USER_AGENT, launchChromium, trackerReady, visitorId } from "../support/browser";
import { startDemoServer, type DemoServer } from "../support/demo-server";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SIGN_UP = "First-visit sign-up";
let demo: DemoServer;
let peer: SmtpPeer;
let browser: Browser;
const t0 = Date.now();

beforeAll(async () => {
  peer = await startSmtpPeer();
  demo = await startDemoServer({ env: { SMTP_URL: peer.url } });
  browser = await launchChromium();
  // The merchant: no holdouts for these checks (set on each flow's and trigger's page), then the
  // switches in the admin: the cart reminder, the browse follow-up and the sign-up overlay.
  await demo.db.recoveryFlow.updateMany({ where: { shop: DEMO_SHOP }, data: { holdoutPct: 0 } });
  await demo.db.trigger.updateMany({ where: { shop: DEMO_SHOP, name: SIGN_UP }, data: { holdoutPct: 0 } });
  const admin = await (await browser.newContext({ userAgent: BROWSER_USER_AGENT, viewport: { width: 1280, height: 900 } })).newPage();
  await merchantSwitchesOn(admin, "/app/flows", "Cart reminder");
  await merchantSwitchesOn(admin, "/app/flows", "Browse follow-up");
  await merchantSwitchesOn(admin, "/app/triggers", SIGN_UP);
  await admin.context().close();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  await peer?.close();
});

/** `npm run worker -- --once --now <now>` beside the demo: its own process, the demo's database, mock state and URL. */
async function worker(now: Date) {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    // what the worker adopts from the demo's runtime file beside an SQLite demo (test/readme covers
    // that path); here set outright, so the same test runs on PostgreSQL
    NODE_ENV: "development",
    DEMO_MODE: "1",
    DATABASE_URL: demo.databaseUrl,
    DEMO_STATE_FILE: demo.stateFile,
    SHOPIFY_APP_URL: demo.baseUrl,
    SMTP_URL: peer.url,
    LOG_LEVEL: "error",
  } as unknown as NodeJS.ProcessEnv;
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", path.join(ROOT, "scripts/worker.ts"), "--once", "--now", now.toISOString()],
    { cwd: ROOT, env, timeout: 120_000 },
  );
  const summary = JSON.parse(stdout.trim().split("\n").pop()!) as { failed: number };
  expect(summary.failed, stderr).toBe(0);
  return summary;
}

const mailTo = (email: string) => peer.received.filter((m) => m.to.includes(email));
/** recovery emails only (not the sign-up's confirmation) */
const recoveryMailTo = (email: string) => mailTo(email).filter((m) => !/^Subject: Confirm your subscription/m.test(m.raw));

async function merchantSwitchesOn(page: Page, list: string, name: string) {
  await page.goto(`${demo.baseUrl}${list}`);
  const toggle = page.getByRole("switch", { name: new RegExp(`^${name}: `) });
  await toggle.waitFor();
  // A click before React hydrated the page does nothing: click until the switch reads on.
  for (let attempt = 0; attempt < 20 && (await toggle.getAttribute("aria-checked")) !== "true"; attempt++) {
    await toggle.click();
    await page.waitForTimeout(500);
  }
  if ((await toggle.getAttribute("aria-checked")) !== "true") throw new Error(`${name} did not switch on`);
  // the switch's request has been answered: saved (and, for a trigger, published)
  const saved = () =>
    list === "/app/flows"
      ? demo.db.recoveryFlow.count({ where: { shop: DEMO_SHOP, name, enabled: true } })
      : demo.db.trigger.count({ where: { shop: DEMO_SHOP, name, enabled: true } });
  for (let i = 0; i < 60 && (await saved()) === 0; i++) await page.waitForTimeout(250);
  if ((await saved()) === 0) throw new Error(`${name} was not saved as on`);
  await page.waitForLoadState("networkidle");
}

/**
 * A new shopper who signs up through the overlay (consent ticked), on a product page; retried
 * with another visitor when the sign-up trigger's holdout keeps the overlay from them.
 */
async function knownShopper(email: string, handle: string): Promise<{ context: BrowserContext; page: Page; vid: string }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${demo.baseUrl}/demo/products/${handle}`);
    await trackerReady(page);
    const config = JSON.parse((await page.locator("#intentful-config").textContent()) ?? "{}") as { t: Array<{ sa: string; ho: number; o: { kind: string } }> };
    const trigger = config.t.find((t) => t.o.kind === "email_capture");
    if (!trigger) throw new Error("the sign-up trigger is not on the storefront");
    const vid = await visitorId(page);
    if (isHoldout(trigger.sa, vid, trigger.ho)) {
      await context.close();
      continue;
    }
    await page.mouse.wheel(0, 4000);
    const dialog = page.locator("[role=dialog]");
    await dialog.getByLabel(/email/i).first().waitFor({ timeout: 20_000 });
    await dialog.locator("input[type=email]").fill(email);
    await dialog.locator("input[name=consent]").check();
    await dialog.locator("button[type=submit]").click();
    await dialog.getByRole("status").first().waitFor();
    await expect.poll(() => demo.db.contact.count({ where: { shop: DEMO_SHOP, email } }), { timeout: 15_000 }).toBe(1);
    // Double opt-in (the default): the confirmation email comes (through the SMTP peer); they follow it.
    await expect.poll(() => mailTo(email).length, { timeout: 20_000 }).toBe(1);
    const confirmation = await demo.db.message.findFirstOrThrow({ where: { shop: DEMO_SHOP, email, kind: "confirmation" } });
    const link = /href="([^"]*\/confirm\?token=[^"]+)"/.exec(confirmation.html ?? "")?.[1]?.replace(/&amp;/g, "&");
    const inbox = await context.newPage();
    await inbox.goto(link!);
    await inbox.getByRole("button", { name: "Yes, subscribe me" }).click();
    await inbox.getByRole("heading", { name: "You're subscribed" }).waitFor();
    await inbox.close();
    await expect
      .poll(async () => (await demo.db.contact.findFirst({ where: { shop: DEMO_SHOP, email } }))?.consentStatus, { timeout: 10_000 })
      .toBe("confirmed");
    return { context, page, vid };
  }
  throw new Error("every visitor landed in the sign-up trigger's holdout");
}

async function addToCart(page: Page, handle: string) {
  await page.goto(`${demo.baseUrl}/demo/products/${handle}`);
  await trackerReady(page);
  await page.locator("button[name=add]").click();
  await page.waitForURL("**/demo/cart");
  await trackerReady(page);
  await page.waitForTimeout(1_000); // a shopper looks at their cart
}

async function checkOut(page: Page, email: string, placeOrder: boolean) {
  await page.locator("#checkout").click();
  await page.waitForURL(/\/demo\/checkout\/[a-f0-9]{32}$/);
  await page.locator("#email").fill(email);
  await page.locator("input[name=accepts_marketing]").check();
  await page.locator("#continue").click();
  await page.locator("#place-order").waitFor();
  if (placeOrder) {
    await page.locator("#place-order").click();
    await page.waitForURL(/thank_you$/);
  }
}

const runsOf = async (email: string, kind: string) =>
  demo.db.flowRun.findMany({
    where: {
      shop: DEMO_SHOP,
      email,
      flowId: { in: (await demo.db.recoveryFlow.findMany({ where: { shop: DEMO_SHOP, kind }, select: { id: true } })).map((f) => f.id) },
    },
  });

describe("every flow the admin offers, through the demo storefront and a separate worker", () => {
  it(
    "sends one email per flow to the shopper it is for, none to the one who did the opposite, then step 2 with a unique code",
    async () => {
      const id = Date.now().toString(36);
      const who = {
        checkout: `leaves.checkout.${id}@example.com`,
        checkoutOrders: `orders.checkout.${id}@example.com`,
        cart: `leaves.cart.${id}@example.com`,
        cartOrders: `orders.cart.${id}@example.com`,
        browse: `browses.${id}@example.com`,
        browseAdds: `browses.adds.${id}@example.com`,
      };

      // Checkout recovery: one leaves at the payment step, one pays.
      for (const [email, pays] of [
        [who.checkout, false],
        [who.checkoutOrders, true],
      ] as const) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await addToCart(page, "leather-wallet");
        await checkOut(page, email, pays);
        await context.close();
      }
      // Cart reminder: known shoppers with a cart; one leaves it, one orders.
      for (const [email, orders] of [
        [who.cart, false],
        [who.cartOrders, true],
      ] as const) {
        const { context, page } = await knownShopper(email, "canvas-tote");
        await addToCart(page, "canvas-tote");
        if (orders) await checkOut(page, email, true);
        await page.goto(`${demo.baseUrl}/demo/`); // leaves (the tracker flushes on pagehide)
        await context.close();
      }
      // Browse follow-up: known shoppers view a product twice; one then adds it to the cart.
      for (const [email, adds] of [
        [who.browse, false],
        [who.browseAdds, true],
      ] as const) {
        const { context, page } = await knownShopper(email, "linen-shirt");
        await page.goto(`${demo.baseUrl}/demo/`);
        await page.goto(`${demo.baseUrl}/demo/products/ceramic-mug`);
        await trackerReady(page);
        await page.goto(`${demo.baseUrl}/demo/products/ceramic-mug`);
        await trackerReady(page);
        if (adds) await addToCart(page, "ceramic-mug");
        await page.goto(`${demo.baseUrl}/demo/`);
        await context.close();
      }

      // Every run the flows should start has started (the demo's own worker runs the start jobs).
      await expect.poll(async () => (await runsOf(who.checkout, "checkout")).length, { timeout: 30_000 }).toBe(1);
      await expect.poll(async () => (await runsOf(who.cart, "cart")).length, { timeout: 30_000 }).toBe(1);
      await expect.poll(async () => (await runsOf(who.browse, "browse")).length, { timeout: 30_000 }).toBe(1);
      await expect.poll(async () => (await runsOf(who.cartOrders, "cart")).filter((r) => r.status === "active").length, { timeout: 30_000 }).toBe(0);

      // WHEN the worker runs, as the README's line, after every first step's delay (4 h is the longest)
      const flows = await demo.db.recoveryFlow.findMany({ where: { shop: DEMO_SHOP }, include: { steps: { orderBy: { position: "asc" } } } });
      const first = Math.max(...flows.map((f) => f.steps[0]?.delayMinutes ?? 0));
      await worker(new Date(t0 + first * 60_000 + 10 * 60_000));

      // THEN exactly one email to each shopper a flow is for, from that flow, through SMTP; none to the others
      const kindOf = new Map(flows.map((f) => [f.id, f.kind]));
      const sent = async (email: string) => {
        const rows = await demo.db.message.findMany({ where: { shop: DEMO_SHOP, email, status: "sent", kind: "recovery" }, orderBy: { createdAt: "asc" } });
        expect(recoveryMailTo(email), `SMTP messages to ${email}`).toHaveLength(rows.length);
        return rows.map((r) => kindOf.get(r.flowId ?? ""));
      };
      expect(await sent(who.checkout)).toEqual(["checkout"]);
      expect(await sent(who.cart)).toEqual(["cart"]);
      expect(await sent(who.browse)).toEqual(["browse"]);
      expect(await sent(who.checkoutOrders)).toEqual([]);
      expect(await sent(who.cartOrders)).toEqual([]);
      expect(await sent(who.browseAdds)).not.toContain("browse");

      // AND step 2 of checkout recovery, from the separate worker, carries a unique code the mocked Admin API created
      const checkoutFlow = flows.find((f) => f.kind === "checkout")!;
      expect(checkoutFlow.steps[1]?.discountPercent).toBeGreaterThan(0);
      await worker(new Date(t0 + checkoutFlow.steps[1].delayMinutes * 60_000 + 10 * 60_000));
      const mails = mailTo(who.checkout);
      expect(mails).toHaveLength(2);
      const message = await demo.db.message.findFirstOrThrow({ where: { shop: DEMO_SHOP, email: who.checkout, discountCode: { not: null } } });
      expect(message.discountCode).toMatch(/^[A-Z0-9-]{6,}$/);
      expect(mails[1].raw).toContain(message.discountCode!);
      expect(JSON.stringify(JSON.parse(await (await import("node:fs/promises")).readFile(demo.stateFile, "utf8")))).toContain(message.discountCode!);
      expect(mailTo(who.checkoutOrders)).toHaveLength(0);
    },
    8 * 60_000,
  );
});

describe("one message budget across overlays and emails", () => {
  it(
    "holds a cart email for the channel gap after an overlay; a shopper the email brings back sees no overlay",
    async () => {
      const gapHours = (await demo.db.shop.findUniqueOrThrow({ where: { shop: DEMO_SHOP } })).channelGapHours;
      expect(gapHours).toBe(4);
      // GIVEN a shopper shown the sign-up overlay, who then leaves a cart
      const email = `budget.${Date.now().toString(36)}@example.com`;
      const shownAt = Date.now();
      const { context, page } = await knownShopper(email, "canvas-tote");
      await addToCart(page, "canvas-tote");
      await page.goto(`${demo.baseUrl}/demo/`);
      await context.close();
      await expect.poll(async () => (await runsOf(email, "cart")).length, { timeout: 30_000 }).toBe(1);
      const flow = await demo.db.recoveryFlow.findFirstOrThrow({ where: { shop: DEMO_SHOP, kind: "cart" }, include: { steps: true } });
      const delay = flow.steps[0].delayMinutes;
      expect(delay * 60_000).toBeLessThan(gapHours * 3_600_000); // the email is due inside the gap

      // WHEN its delay has passed THEN the email waits, and the wait is counted
      await worker(new Date(shownAt + (delay + 5) * 60_000));
      expect(recoveryMailTo(email)).toHaveLength(0);
      expect((await runsOf(email, "cart"))[0].budgetHolds).toBe(1);
      // AND it goes out once the gap after the overlay has passed
      await worker(new Date(shownAt + gapHours * 3_600_000 + 5 * 60_000));
      expect(recoveryMailTo(email)).toHaveLength(1);

      // The opposite order: the email's button brings a shopper (another device: a fresh browser) to the store.
      const message = await demo.db.message.findFirstOrThrow({ where: { shop: DEMO_SHOP, email, status: "sent", kind: "recovery" } });
      const link = /href="([^"]*\/r\/[^"]+)"/.exec(message.html ?? "")?.[1]?.replace(/&amp;/g, "&");
      expect(link, "the email's button goes through the click link").toBeTruthy();
      expect(link!.startsWith(`${demo.baseUrl}/r/`)).toBe(true);
      const exitOverlay = async (via: string) => {
        for (let attempt = 0; attempt < 20; attempt++) {
          const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
          const page = await context.newPage();
          await page.goto(via);
          await trackerReady(page);
          await page.goto(`${demo.baseUrl}/demo/products/linen-shirt`);
          await trackerReady(page);
          const config = JSON.parse((await page.locator("#intentful-config").textContent()) ?? "{}") as {
            g: { cg?: number };
            t: Array<{ sa: string; ho: number; o: { kind: string } }>;
          };
          expect(config.g.cg).toBe(gapHours);
          const trigger = config.t.find((t) => t.o.kind === "recommendations")!;
          const vid = await visitorId(page);
          if (isHoldout(trigger.sa, vid, trigger.ho)) {
            await context.close();
            continue;
          }
          await page.waitForTimeout(5_200); // the template's minimum time on page
          await page.mouse.move(600, 400);
          await page.waitForTimeout(700);
          await page.mouse.move(600, 120, { steps: 4 });
          await page.mouse.move(600, 5, { steps: 4 });
          await page.waitForTimeout(1_000);
          const shown = (await page.locator("[role=dialog]").count()) > 0;
          await context.close();
          return shown;
        }
        throw new Error("every visitor landed in the holdout");
      };
      const landed = await fetch(link!, { redirect: "manual" });
      expect(landed.status).toBe(302);
      expect(landed.headers.get("Location")).toBe(`${demo.baseUrl}/demo/cart?utm_source=intentful&utm_medium=email&utm_campaign=recovery`);
      // a visitor who came another way sees the exit overlay; the one the email brought does not
      expect(await exitOverlay(`${demo.baseUrl}/demo/cart`)).toBe(true);
      expect(await exitOverlay(link!)).toBe(false);
    },
    5 * 60_000,
  );

  it(
    "a shopper who was emailed and comes back without clicking sees no overlay either, and the merchant sees it counted",
    async () => {
      const gapHours = (await demo.db.shop.findUniqueOrThrow({ where: { shop: DEMO_SHOP } })).channelGapHours;
      // GIVEN a shopper who signed up, left a cart, and got the cart reminder (after the gap)
      const email = `returns.${Date.now().toString(36)}@example.com`;
      const shownAt = Date.now();
      const { context, page, vid } = await knownShopper(email, "canvas-tote");
      await addToCart(page, "canvas-tote");
      await page.goto(`${demo.baseUrl}/demo/`);
      await trackerReady(page);
      await expect.poll(async () => (await runsOf(email, "cart")).length, { timeout: 30_000 }).toBe(1);
      await worker(new Date(shownAt + gapHours * 3_600_000 + 5 * 60_000));
      expect(recoveryMailTo(email)).toHaveLength(1);

      // WHEN they come back later in the same browser, typing the shop's address (no email link):
      // the stored session is made an hour old (on a page without the tracker, which would save its
      // own copy when left), so this is a new session's first page
      await page.close();
      const later = await context.newPage();
      await later.goto(`${demo.baseUrl}/healthz`);
      await later.evaluate(() => {
        const s = JSON.parse(localStorage.getItem("intentful")!);
        s.last -= 3_600_000;
        localStorage.setItem("intentful", JSON.stringify(s));
      });
      const status = later.waitForResponse((r) => r.url().includes("/apps/intentful/status?v="));
      await later.goto(`${demo.baseUrl}/demo/products/linen-shirt`);
      await visitorId(later); // the shopper moves: the state loads, the status is asked
      const answer = (await (await status).json()) as { em: number };
      const sentAt = (await demo.db.message.findFirstOrThrow({ where: { shop: DEMO_SHOP, email, kind: "recovery", status: "sent" } })).sentAt!;
      expect(answer.em).toBe(sentAt.getTime());
      // AND turn to leave after the exit overlay's minimum time on the page
      await later.waitForTimeout(5_200);
      await later.mouse.move(600, 400);
      await later.waitForTimeout(700);
      await later.mouse.move(600, 120, { steps: 4 });
      await later.mouse.move(600, 5, { steps: 4 });
      await later.waitForTimeout(1_000);
      // THEN no overlay shows, and the one held back is counted (sent when the page is left)
      expect(await later.locator("[role=dialog]").count()).toBe(0);
      await later.goto(`${demo.baseUrl}/demo/`);
      await expect.poll(() => demo.db.event.count({ where: { shop: DEMO_SHOP, visitorId: vid, kind: "held" } }), { timeout: 15_000 }).toBe(1);
      await context.close();

      // AND the merchant sees it on the analytics page, beside the emails the budget held
      const admin = await (await browser.newContext({ userAgent: BROWSER_USER_AGENT, viewport: { width: 1280, height: 900 } })).newPage();
      await admin.goto(`${demo.baseUrl}/app/analytics`);
      await admin.getByText(/Held back by the message budget: .*overlays? not shown right after a recovery email/).waitFor({ timeout: 20_000 });
      await admin.context().close();
    },
    5 * 60_000,
  );
});

describe("the browse-abandonment overlay (recently viewed) on the storefront", () => {
  it(
    "shows what the shopper viewed when they turn to leave a product they viewed twice",
    async () => {
      await demo.db.trigger.updateMany({ where: { shop: DEMO_SHOP, name: "Browse abandonment" }, data: { holdoutPct: 0 } });
      const admin = await (await browser.newContext({ userAgent: BROWSER_USER_AGENT, viewport: { width: 1280, height: 900 } })).newPage();
      await merchantSwitchesOn(admin, "/app/triggers", "Browse abandonment");
      await admin.context().close();

      const leaveAfterViewing = async (handles: string[]) => {
        const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
        const page = await context.newPage();
        for (const handle of handles) {
          await page.goto(`${demo.baseUrl}/demo/products/${handle}`);
          await trackerReady(page);
        }
        // turns to leave within the recommendations overlay's 5 s minimum, so this is the one that fits
        await page.waitForTimeout(800);
        await page.mouse.move(600, 400);
        await page.mouse.move(600, 120, { steps: 4 });
        await page.mouse.move(600, 5, { steps: 4 });
        const dialog = page.locator("[role=dialog]");
        await dialog.waitFor({ state: "visible", timeout: 10_000 });
        await expect.poll(async () => dialog.locator("a[href*='/products/']").count(), { timeout: 10_000 }).toBeGreaterThan(0);
        const text = (await dialog.textContent()) ?? "";
        await context.close();
        return text;
      };
      // another product viewed before: it is listed, the one on screen is not
      const two = await leaveAfterViewing(["canvas-tote", "linen-shirt", "linen-shirt"]);
      expect(two).toContain("Still thinking it over?");
      expect(two).toContain("Canvas Tote");
      expect(two).not.toContain("Linen Shirt");
      // only this product viewed (twice): it is the one listed
      const one = await leaveAfterViewing(["ceramic-mug", "ceramic-mug"]);
      expect(one).toContain("Ceramic Mug");
    },
    3 * 60_000,
  );
});
