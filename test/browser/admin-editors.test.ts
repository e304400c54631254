/**
 * The save paths of the admin's editors in real Chromium against the demo server (the field
 * errors of a trigger are in admin-triggers.test.ts): a trigger saved through App Bridge's save
 * bar takes the values the server stored; a recovery flow saves, shows the server's field errors
 * on their fields, discards, previews its emails as they change, adds and removes one, and sends
 * a test (the demo has no mail server: outbox).
 */
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_SHOP } from "~/demo/constants";
import { startDemoServer, type DemoServer } from "../support/demo-server";
import { BROWSER_USER_AGENT, launchChromium } from "../support/browser";

const FLOW = "Checkout recovery";
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

const storedFlow = () =>
  demo.db.recoveryFlow.findFirstOrThrow({ where: { shop: DEMO_SHOP, kind: "checkout" }, include: { steps: { orderBy: { position: "asc" } } } });

async function openEditor() {
  const flow = await storedFlow();
  await page.goto(`/app/flows/${flow.id}`);
  await hydrated(page.getByLabel("Name"));
  return flow;
}

const saveBar = () => page.getByRole("region", { name: "Contextual save bar" });
const toast = (text: string) => page.getByRole("status").getByText(text).waitFor();
const subject = (i: number) => page.getByLabel("Subject").nth(i);

describe("trigger editor", () => {
  it("saves through the save bar and shows the values as stored", async () => {
    const trigger = await demo.db.trigger.findFirstOrThrow({ where: { shop: DEMO_SHOP, name: EXIT_TRIGGER } });
    await page.goto(`/app/triggers/${trigger.id}`);
    const headline = page.getByLabel("Headline");
    await hydrated(headline);
    expect(await saveBar().count()).toBe(0);

    await headline.fill("Saved by the test");
    await page.getByLabel("Countries").fill(" us,ca ");
    await saveBar().getByRole("button", { name: "Save" }).click();

    // THEN a toast confirms, the form shows what the server stored, and nothing is left unsaved
    await toast("Trigger saved and live");
    await expect.poll(() => page.getByLabel("Countries").inputValue()).toBe("US, CA");
    await saveBar().waitFor({ state: "detached" });
    const stored = await demo.db.trigger.findUniqueOrThrow({ where: { id: trigger.id } });
    expect(stored.content).toMatchObject({ headline: "Saved by the test" });
    expect(stored.segment).toMatchObject({ countries: ["US", "CA"] });
  });
});

describe("flow editor", () => {
  it("saves through the save bar, shows the server's field errors on their fields, and Discard puts the saved flow back", async () => {
    const flow = await openEditor();
    expect(flow.name).toBe(FLOW);
    expect(await saveBar().count()).toBe(0);

    // WHEN the merchant renames the flow and saves
    await page.getByLabel("Name").fill(`${FLOW} (edited)`);
    await saveBar().waitFor();
    await saveBar().getByRole("button", { name: "Save" }).click();
    // THEN a toast confirms, the save bar closes and the name is stored
    await toast("Flow saved");
    await saveBar().waitFor({ state: "detached" });
    expect((await storedFlow()).name).toBe(`${FLOW} (edited)`);

    // WHEN the first email's subject is emptied and saved
    const stored = (await storedFlow()).steps[0].subject;
    await subject(0).fill("");
    await saveBar().getByRole("button", { name: "Save" }).click();
    // THEN nothing is saved, the banner counts the field and the message sits on it
    await page.getByText("1 field needs attention").waitFor();
    await page.getByText("They are marked below.").waitFor();
    await expect.poll(() => subject(0).getAttribute("aria-invalid")).toBe("true");
    await toast("Some fields need attention.");
    expect((await storedFlow()).steps[0].subject).toBe(stored);

    // Discard: the saved subject is back, the errors and the save bar are gone
    await saveBar().getByRole("button", { name: "Discard" }).click();
    await expect.poll(() => subject(0).inputValue()).toBe(stored);
    await saveBar().waitFor({ state: "detached" });
    expect(await page.getByText("1 field needs attention").count()).toBe(0);
    expect(await subject(0).getAttribute("aria-invalid")).not.toBe("true");
  });

  it("re-renders the preview as the subject changes, previews an added email, and goes back when it is removed", async () => {
    const flow = await openEditor();
    const count = flow.steps.length;
    const preview = () => page.getByRole("heading", { name: /^Preview: Email \d+$/ });
    expect(await preview().textContent()).toBe("Preview: Email 1");

    await subject(0).fill("A subject typed in the test");
    await page.locator('iframe[title="Email preview: A subject typed in the test"]').waitFor();

    // an added email comes after the last; previewing it shows that it needs a subject first
    await page.getByRole("button", { name: "Add email" }).click();
    await page.getByRole("heading", { name: `Email ${count + 1}`, exact: true }).waitFor();
    await page.getByRole("button", { name: `Preview Email ${count + 1}` }).click();
    await expect.poll(() => preview().textContent()).toBe(`Preview: Email ${count + 1}`);
    await page.getByText("Fix the highlighted fields to update the preview.").waitFor();

    // removing it previews the one before
    await page.getByRole("button", { name: `Remove Email ${count + 1}` }).click();
    await expect.poll(() => preview().textContent()).toBe(`Preview: Email ${count}`);
    expect(await page.getByRole("heading", { name: `Email ${count + 1}`, exact: true }).count()).toBe(0);

    // Discard: the stored subject again, and nothing was saved
    await saveBar().getByRole("button", { name: "Discard" }).click();
    await expect.poll(() => subject(0).inputValue()).toBe(flow.steps[0].subject);
    expect((await storedFlow()).steps).toHaveLength(count);
  });

  it("sends a test of the previewed email: a bad address is marked on the field, a good one lands in the outbox", async () => {
    await openEditor();
    const to = page.getByLabel("Send a test to");
    await to.fill("not-an-address");
    await page.getByRole("button", { name: "Send test" }).click();
    await expect.poll(() => to.getAttribute("aria-invalid"), { timeout: 15_000 }).toBe("true");
    await toast("Enter a valid email address");

    await to.fill("merchant@example.com");
    await page.getByRole("button", { name: "Send test" }).click();
    await toast("No mail server is set up (SMTP_URL), so the test email was saved to the outbox.");
    await expect.poll(() => to.getAttribute("aria-invalid"), { timeout: 15_000 }).not.toBe("true");
    // a test is not a change to the flow
    expect(await saveBar().count()).toBe(0);
  });
});
