/**
 * Issue 21, A/B variants in the admin's editors, in real Chromium against the demo server: the
 * trigger editor adds a variant B, edits its headline while the live preview follows the variant
 * picked (B's headline for B, A's for A), refuses a split that does not add up to 100 on the
 * traffic-share field, saves a 70/30 split and shows it again after a reload; the flow editor adds
 * a subject variant to an email and saves it.
 */
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startDemoServer, type DemoServer } from "../support/demo-server";
import { BROWSER_USER_AGENT, launchChromium } from "../support/browser";
import { DEMO_SHOP } from "~/demo/constants";
import { ARM_ID } from "~/domain/experiments/variants";

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

const saveBar = () => page.getByRole("region", { name: "Contextual save bar" });
const toast = (text: string) => page.getByRole("status").getByText(text).waitFor();

/** The message Polaris links to a field through aria-describedby. */
const fieldError = (locator: ReturnType<Page["locator"]>) =>
  locator.evaluate((el) =>
    (el.getAttribute("aria-describedby") ?? "")
      .split(" ")
      .map((id) => document.getElementById(id)?.textContent ?? "")
      .join(" "),
  );

/** axe's critical and serious findings on the page (the variants' controls included). */
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

describe("trigger editor: variants", () => {
  it("adds variant B, previews the variant picked, refuses a 70/40 split on its field, saves 70/30 and keeps it after a reload", async () => {
    const trigger = await demo.db.trigger.findFirstOrThrow({ where: { shop: DEMO_SHOP, name: EXIT_TRIGGER } });
    expect(trigger.variants).toBeNull();
    await page.goto(`/app/triggers/${trigger.id}`);
    const headline = page.getByLabel("Headline");
    await hydrated(headline);
    const preview = page.getByRole("region", { name: "Overlay preview" });
    await preview.getByText("Before you go").waitFor();

    // WHEN the merchant adds a variant: B, a copy of A, is the one edited and previewed
    await page.getByRole("button", { name: "Add variant" }).click();
    await page.getByRole("heading", { name: "Content: variant B" }).waitFor();
    await page.getByRole("heading", { name: "Preview: variant B" }).waitFor();
    expect(await headline.inputValue()).toBe("Before you go");
    await headline.fill("B: one more look?");
    await preview.getByText("B: one more look?").waitFor();
    expect(await preview.getByText("Before you go").count()).toBe(0);
    // side by side: each variant's headline in its summary
    await page.getByTestId("variant-A").getByText("Before you go").waitFor();
    await page.getByTestId("variant-B").getByText("B: one more look?").waitFor();
    expect(await seriousViolations()).toEqual([]);

    // picking A shows and edits A's content; the preview's own switcher picks B again
    await page.getByRole("button", { name: "Edit and preview variant A" }).click();
    await preview.getByText("Before you go").waitFor();
    expect(await preview.getByText("B: one more look?").count()).toBe(0);
    expect(await headline.inputValue()).toBe("Before you go");
    await page.getByRole("button", { name: "Preview variant B", exact: true }).click();
    await preview.getByText("B: one more look?").waitFor();
    expect(await headline.inputValue()).toBe("B: one more look?");

    // the split starts even; 70/40 is refused, with the message by the variants
    expect(await page.getByLabel("Traffic share of A").inputValue()).toBe("50");
    expect(await page.getByLabel("Traffic share of B").inputValue()).toBe("50");
    await page.getByLabel("Traffic share of A").fill("70");
    await page.getByLabel("Traffic share of B").fill("40");
    await saveBar().getByRole("button", { name: "Save" }).click();
    await page.getByTestId("trigger-variants").getByText("The variants' traffic shares add up to 110 %; make them add up to 100 %").waitFor();
    expect((await demo.db.trigger.findUniqueOrThrow({ where: { id: trigger.id } })).variants).toBeNull();

    // 70/30 saves: the arms, B's content and the start of the test are stored
    await page.getByLabel("Traffic share of B").fill("30");
    await saveBar().getByRole("button", { name: "Save" }).click();
    await toast("Trigger saved and live");
    await saveBar().waitFor({ state: "detached" });
    const stored = await demo.db.trigger.findUniqueOrThrow({ where: { id: trigger.id } });
    const arms = stored.variants as Array<{ id: string; weight: number; content?: { headline: string } }>;
    expect(arms.map((a) => a.weight)).toEqual([70, 30]);
    expect(arms.every((a) => ARM_ID.test(a.id))).toBe(true);
    expect(arms[0].content).toBeUndefined();
    expect(arms[1].content?.headline).toBe("B: one more look?");
    expect((stored.content as { headline: string }).headline).toBe("Before you go");
    expect(stored.testStartedAt).toBeInstanceOf(Date);
    expect(stored.autoPromote).toBe(false);

    // after a reload the variants are there as saved
    await page.reload();
    await hydrated(page.getByLabel("Headline"));
    await page.getByTestId("variant-B").getByText("B: one more look?").waitFor();
    expect(await page.getByLabel("Traffic share of A").inputValue()).toBe("70");
    expect(await page.getByLabel("Traffic share of B").inputValue()).toBe("30");
    await page
      .getByTestId("trigger-variants")
      .getByText(/^Comparing since .* UTC\./)
      .waitFor();
    await preview.getByText("Before you go").waitFor();
    await page.getByRole("button", { name: "Edit and preview variant B" }).click();
    await preview.getByText("B: one more look?").waitFor();

    // a field error of B's content sits on B's field
    await page.getByLabel("Headline").fill("");
    await saveBar().getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.getByLabel("Headline").getAttribute("aria-invalid"), { timeout: 15_000 }).toBe("true");
    expect(await fieldError(page.getByLabel("Headline"))).toContain("Enter a headline");
    await page.getByText("Variant B: Enter a headline").waitFor();
    await page.getByRole("button", { name: "Edit and preview variant A" }).click();
    expect(await page.getByLabel("Headline").getAttribute("aria-invalid")).not.toBe("true");
    await saveBar().getByRole("button", { name: "Discard" }).click();
    await saveBar().waitFor({ state: "detached" });
  });
});

describe("flow editor: variants", () => {
  it("adds a subject variant to an email, previews it and saves it", async () => {
    const flow = await demo.db.recoveryFlow.findFirstOrThrow({
      where: { shop: DEMO_SHOP, kind: "checkout" },
      include: { steps: { orderBy: { position: "asc" } } },
    });
    const stepIds = flow.steps.map((s) => s.id);
    await page.goto(`/app/flows/${flow.id}`);
    await hydrated(page.getByLabel("Name"));

    await page.getByRole("button", { name: "Add variant to Email 1" }).click();
    const variants = page.getByTestId("step-0-variants");
    await variants.waitFor();
    await page.getByRole("heading", { name: "Preview: Email 1, variant B" }).waitFor();
    const subject = page.getByLabel("Subject").first();
    expect(await subject.inputValue()).toBe(flow.steps[0].subject);
    await subject.fill("B: your cart is still here");
    await page.locator('iframe[title="Email preview: B: your cart is still here"]').waitFor();
    await variants.getByText("B: your cart is still here").waitFor();
    expect(await seriousViolations()).toEqual([]);

    // A keeps its own subject
    await page.getByRole("button", { name: "Edit and preview variant A of Email 1" }).click();
    await expect.poll(() => subject.inputValue()).toBe(flow.steps[0].subject);

    await saveBar().getByRole("button", { name: "Save" }).click();
    await toast("Flow saved");
    await saveBar().waitFor({ state: "detached" });
    const saved = await demo.db.recoveryFlow.findUniqueOrThrow({ where: { id: flow.id }, include: { steps: { orderBy: { position: "asc" } } } });
    // the steps keep their ids (the arm salt), the first runs a 50/50 test with B's subject
    expect(saved.steps.map((s) => s.id)).toEqual(stepIds);
    const arms = saved.steps[0].variants as Array<{ id: string; weight: number; step?: { subject: string } }>;
    expect(arms.map((a) => a.weight)).toEqual([50, 50]);
    expect(arms[1].step?.subject).toBe("B: your cart is still here");
    expect(saved.steps[0].subject).toBe(flow.steps[0].subject);
    expect(saved.steps[0].testStartedAt).toBeInstanceOf(Date);
    expect(saved.steps[1]?.variants ?? null).toBeNull();

    // after a reload B is there
    await page.reload();
    await hydrated(page.getByLabel("Name"));
    await page.getByTestId("step-0-variants").getByText("B: your cart is still here").waitFor();
    await page
      .getByTestId("step-0-variants")
      .getByText(/Comparing since .* UTC\./)
      .waitFor();
  });
});
