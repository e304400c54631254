/**
 * The analytics page's time-series chart in real Chromium against the demo server: Polaris Viz
 * draws it in the browser only (the server sends an empty box of the same height), it shows
 * treatment and holdout for the chosen trigger or flow, the numbers agree with the page's data
 * table, nothing logs an error, the layout does not shift and axe finds nothing serious.
 *
 * Data goes in the way production gets it: exposures as storefront event batches through the
 * demo's app proxy, credited orders as Attribution rows (what orders/create leaves behind).
 */
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_SHOP } from "~/demo/constants";
import { startDemoServer, type DemoServer } from "../support/demo-server";
import { BROWSER_USER_AGENT, launchChromium } from "../support/browser";

const EXIT_TRIGGER = "Exit intent: new visitors on product pages";
const CHART = '[data-chart="time-series"]';
const DAY = 86_400_000;
const KNOWN_OFFLINE = [/^https:\/\/cdn\.shopify\.com\/shopifycloud\/app-bridge\.js$/, /^http:\/\/127\.0\.0\.1:\d+\/favicon\.ico$/];

let demo: DemoServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];
let consoleErrors: string[];

/**
 * Two days of exposures of the exit-intent trigger (at 17:00 UTC, midday in the demo shop's
 * New York), and which of those visitors ordered. Rates below are computed from this, not typed.
 */
const dayA = new Date(Math.floor(Date.now() / DAY) * DAY - 3 * DAY + 17 * 3_600_000);
const dayB = new Date(dayA.getTime() + DAY);
const SEED = [
  { at: dayA, arm: "treatment", visitors: ["ta1", "ta2", "ta3", "ta4"], ordered: ["ta1"] },
  { at: dayA, arm: "control", visitors: ["ca1", "ca2"], ordered: [] },
  { at: dayB, arm: "treatment", visitors: ["tb1", "tb2", "tb3", "tb4"], ordered: ["tb1", "tb2"] },
  { at: dayB, arm: "control", visitors: ["cb1", "cb2", "cb3"], ordered: ["cb2"] },
] as const;

const pct = (n: number, digits = 1) => `${(n * 100).toFixed(digits)}%`;
/** Cumulative conversion rate per arm at the end of day B: everyone exposed so far. */
function finalRate(arm: "treatment" | "control"): number {
  const rows = SEED.filter((s) => s.arm === arm);
  return rows.reduce((n, s) => n + s.ordered.length, 0) / rows.reduce((n, s) => n + s.visitors.length, 0);
}
const expectedFinal = (arm: "treatment" | "control") => pct(finalRate(arm));

async function seedAnalytics() {
  const trigger = await demo.db.trigger.findFirstOrThrow({ where: { shop: DEMO_SHOP, name: EXIT_TRIGGER } });
  for (const s of SEED) {
    for (const visitorId of s.visitors) {
      const kind = s.arm === "treatment" ? "impression" : "control";
      const res = await fetch(`${demo.baseUrl}/demo/apps/intentful/events`, {
        method: "POST",
        headers: { "Content-Type": "text/plain;charset=UTF-8", "User-Agent": BROWSER_USER_AGENT },
        body: JSON.stringify({ v: 1, visitorId, events: [{ kind, at: s.at.getTime(), triggerId: trigger.id, variant: s.arm, tier: "mid" }] }),
      });
      expect(res.status, await res.text()).toBe(204);
    }
    await demo.db.attribution.createMany({
      data: s.ordered.map((visitorId) => ({
        shop: DEMO_SHOP,
        orderId: `order-${visitorId}`,
        totalCents: 4_000,
        source: "overlay",
        triggerId: trigger.id,
        visitorId,
        variant: s.arm,
        key: `order-${visitorId}:overlay:${trigger.id}`,
        occurredAt: new Date(s.at.getTime() + 3_600_000),
      })),
    });
  }
  const stored = await demo.db.event.count({ where: { shop: DEMO_SHOP, triggerId: trigger.id } });
  expect(stored).toBe(SEED.reduce((n, s) => n + s.visitors.length, 0));
}

beforeAll(async () => {
  demo = await startDemoServer();
  browser = await launchChromium();
  await seedAnalytics();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

beforeEach(async () => {
  context = await browser.newContext({ baseURL: demo.baseUrl, viewport: { width: 1280, height: 900 }, userAgent: BROWSER_USER_AGENT });
  page = await context.newPage();
  pageErrors = [];
  consoleErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    // Offline, two requests fail on every admin page whatever it shows: App Bridge from Shopify's
    // CDN (requested although the demo swaps in its stand-in) and the demo's missing favicon.
    if (m.text().startsWith("Failed to load resource") && KNOWN_OFFLINE.some((r) => r.test(m.location().url))) return;
    consoleErrors.push(`${m.text()} (${m.location().url})`);
  });
});

afterEach(async () => {
  await context.close();
  expect(pageErrors).toEqual([]);
  expect(consoleErrors).toEqual([]);
});

/** Server HTML is clickable before React has hydrated it; wait until React owns the element. */
async function hydrated(locator: ReturnType<Page["locator"]>) {
  await expect.poll(() => locator.evaluate((el) => Object.keys(el).some((k) => k.startsWith("__reactProps$"))), { timeout: 15_000 }).toBe(true);
}

/** Polaris Viz's accessible rows inside its <svg role="table">: series name → cell texts. */
async function chartRows(): Promise<Record<string, string[]>> {
  return page.locator(`${CHART} svg[role="table"]`).evaluate((svg) => {
    const out: Record<string, string[]> = {};
    for (const row of svg.querySelectorAll('[role="row"]')) {
      const name = row.querySelector('[role="rowheader"]')?.textContent ?? "";
      if (name) out[name] = [...row.querySelectorAll('[role="cell"]')].map((c) => c.textContent ?? "");
    }
    return out;
  });
}

/** The page's own data table ("Show the numbers"): column heading → cell texts, "—" as "". */
async function tableColumns(): Promise<Record<string, string[]>> {
  return page.locator("figure table").evaluate((table) => {
    const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent ?? "");
    const out: Record<string, string[]> = {};
    heads.slice(1).forEach((h, i) => {
      out[h] = [...table.querySelectorAll("tbody tr")].map((tr) => {
        const text = tr.querySelectorAll("td")[i]?.textContent ?? "";
        return text === "—" ? "" : text;
      });
    });
    return out;
  });
}

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

describe("analytics chart", () => {
  it("server-renders an empty box of the chart's size, with the numbers already in the data table", async () => {
    // JavaScript off: what the server sent, and all a shopper without scripts gets.
    const noJs = await browser.newContext({ baseURL: demo.baseUrl, userAgent: BROWSER_USER_AGENT, javaScriptEnabled: false });
    try {
      const ssr = await noJs.newPage();
      const res = await ssr.goto("/app/analytics");
      expect(res?.status()).toBe(200);
      expect(ssr.url()).toContain("id_token=");
      const box = await ssr.locator(CHART).evaluate((el) => ({ children: el.children.length, height: el.getBoundingClientRect().height }));
      expect(box).toEqual({ children: 0, height: 300 });
      // the text alternative does not wait for JavaScript
      await ssr.getByText("Show the numbers").click();
      const table = ssr.locator("figure table");
      await table.waitFor();
      expect(await table.locator("tbody tr").last().locator("td").allTextContents()).toEqual([expectedFinal("treatment"), expectedFinal("control")]);
    } finally {
      await noJs.close();
    }
  });

  it("draws treatment and holdout with Polaris Viz, matching the data table, without errors or layout shift", async () => {
    // Tall enough that the whole page is in view: shifts below the fold would not count.
    await page.setViewportSize({ width: 1280, height: 2600 });
    await page.addInitScript(() => {
      const w = window as unknown as { __cls: number };
      w.__cls = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as Array<PerformanceEntry & { value: number; hadRecentInput: boolean }>) {
          if (!e.hadRecentInput) w.__cls += e.value;
        }
      }).observe({ type: "layout-shift", buffered: true });
    });
    await page.goto("/app/analytics");
    await expect.poll(() => page.url()).toContain("id_token=");
    const svg = page.locator(`${CHART} svg[role="table"]`);
    await svg.waitFor({ timeout: 20_000 });

    // the box keeps its server height once the chart is in it
    expect(await page.locator(CHART).evaluate((el) => el.getBoundingClientRect().height)).toBe(300);
    // Polaris Viz's stylesheet is linked and applies (its container class sets position and font size)
    const container = await page
      .locator(`${CHART} [class*="ChartContainer"]`)
      .first()
      .evaluate((el) => {
        const style = getComputedStyle(el);
        return { position: style.position, fontSize: style.fontSize };
      });
    expect(container).toEqual({ position: "relative", fontSize: "12px" });

    // one row per series, named, with a value per day; the same numbers as the page's table
    const rows = await chartRows();
    expect(Object.keys(rows)).toEqual(["Treatment", "Holdout"]);
    const table = await tableColumns();
    expect(rows).toEqual(table);
    expect(rows.Treatment.at(-1)).toBe(expectedFinal("treatment"));
    expect(rows.Holdout.at(-1)).toBe(expectedFinal("control"));
    expect(rows.Treatment.filter(Boolean).length).toBeGreaterThanOrEqual(2);

    // drawn: a line per series in its colour (Polaris Viz paints lines through gradients), the
    // holdout dashed, and a legend naming both
    const drawn = await svg.evaluate((el) => ({
      html: el.innerHTML.toLowerCase(),
      dashed: [...el.querySelectorAll("path")].filter((p) => p.style.strokeDasharray.replace(/\s/g, "") === "6,4").length,
    }));
    expect(drawn.html).toContain('stop-color="#2c6ecb"');
    expect(drawn.html).toContain('stop-color="#8a6116"');
    expect(drawn.dashed).toBe(1);
    const legend = page.locator(`${CHART} [role="list"]`);
    expect(
      (await legend.innerText())
        .split("\n")
        .map((t) => t.trim())
        .filter(Boolean),
    ).toEqual(["Treatment", "Holdout"]);

    // a picture for sighted users: hidden from assistive technology and out of the tab order
    // (the figure's name, description and data table carry the content)
    expect(await svg.evaluate((el) => el.closest('[aria-hidden="true"]')?.closest("[data-chart]") != null)).toBe(true);
    const tabbable = await page
      .locator(CHART)
      .evaluate((el) => [...el.querySelectorAll<HTMLElement>("a[href], button, [tabindex]")].filter((e) => e.tabIndex >= 0).length);
    expect(tabbable).toBe(0);

    // the figure is named and described for assistive technology
    const figure = page.getByRole("figure", { name: /All overlays: cumulative conversion rate, treatment vs holdout/ });
    expect(await figure.count()).toBe(1);
    const description = await figure.evaluate((el) => document.getElementById(el.getAttribute("aria-describedby") ?? "")?.textContent);
    expect(description).toContain(`treatment ${pct(finalRate("treatment"), 2)}, holdout ${pct(finalRate("control"), 2)}`);

    const { bottom } = await page.locator("figure table").evaluate((el) => el.closest("details")!.getBoundingClientRect());
    expect(bottom).toBeLessThan(2600);
    const cls = await page.evaluate(() => (window as unknown as { __cls: number }).__cls);
    console.info(`analytics page cumulative layout shift: ${cls.toFixed(4)}`);
    // Without the fixed-height box the chart pushes the table down: 0.0096 here (measured).
    expect(cls).toBeLessThan(0.001);
  });

  it("follows the selected trigger or flow", async () => {
    await page.goto("/app/analytics");
    const select = page.getByLabel("Show");
    await hydrated(select);
    await page.locator(`${CHART} svg[role="table"]`).waitFor({ timeout: 20_000 });
    const all = await chartRows();

    // the exit-intent trigger holds all the data: the same lines
    await select.selectOption({ label: `Trigger: ${EXIT_TRIGGER}` });
    await page.getByRole("figure", { name: new RegExp(`^${EXIT_TRIGGER}: cumulative conversion rate`) }).waitFor();
    await page.locator(`${CHART} svg[role="table"]`).waitFor();
    expect(await chartRows()).toEqual(all);

    // a flow without runs: no chart, a sentence saying so (in the box and in the figure's description)
    await select.selectOption({ label: "Flow: Checkout recovery" });
    await page.locator(CHART).getByText("No exposures in this range yet.").waitFor();
    expect(await page.locator(`${CHART} svg`).count()).toBe(0);
    const figure = page.getByRole("figure", { name: /^Checkout recovery: cumulative conversion rate/ });
    expect(await figure.evaluate((el) => document.getElementById(el.getAttribute("aria-describedby") ?? "")?.textContent)).toBe(
      "No exposures in this range yet.",
    );

    // and back
    await select.selectOption({ label: "All overlays" });
    await page.locator(`${CHART} svg[role="table"]`).waitFor();
    expect(await chartRows()).toEqual(all);
  });

  it("draws after a client-side navigation too, and axe finds no serious or critical violation", async () => {
    await page.goto("/app");
    await hydrated(page.getByRole("heading", { name: "Last 30 days" }));
    await page.getByRole("navigation", { name: "Intentful" }).getByRole("link", { name: "Analytics" }).click();
    await page.waitForURL(/\/app\/analytics/);
    await page.locator(`${CHART} svg[role="table"]`).waitFor({ timeout: 20_000 });
    expect((await chartRows()).Treatment.at(-1)).toBe(expectedFinal("treatment"));
    expect(await seriousViolations()).toEqual([]);
  });
});

/**
 * Issue 20, "analytics that read right": the range and interval toggles show which is chosen,
 * no interval stands beside "Not enough data", each headline card's subtitle is about its own
 * figure, and a chart of rates that are all 0 gets a small axis. A second trigger, the cart
 * reminder, has visitors 45 days ago (in the 90-day range only, so the 30-day page the tests above
 * read is unchanged), at its 10% holdout and without an order: nothing to tell yet.
 */
describe("analytics that read right", () => {
  const RANGES = ["Last 7 days", "Last 30 days", "Last 90 days"];
  const INTERVALS = ["Safe to check daily", "Fixed horizon"];
  let quietTrigger: string;

  beforeAll(async () => {
    const trigger = await demo.db.trigger.findFirstOrThrow({ where: { shop: DEMO_SHOP, template: "exit_intent_cart_reminder" } });
    expect(trigger.holdoutPct).toBe(10);
    quietTrigger = trigger.name;
    const at = new Date(Math.floor(Date.now() / DAY) * DAY - 45 * DAY + 17 * 3_600_000);
    await demo.db.exposure.createMany({
      data: Array.from({ length: 10 }, (_, i) => ({
        shop: DEMO_SHOP,
        triggerId: trigger.id,
        visitorId: `quiet-${i}`,
        variant: i === 0 ? "control" : "treatment",
        tier: "mid",
        firstAt: at,
        lastAt: at,
      })),
    });
  });

  /** Each toggle's aria-pressed, by its name. */
  async function pressed(names: string[]): Promise<Record<string, string | null>> {
    const out: Record<string, string | null> = {};
    for (const name of names) out[name] = await page.getByRole("button", { name, exact: true }).getAttribute("aria-pressed");
    return out;
  }
  const only = (names: string[], chosen: string) => Object.fromEntries(names.map((n) => [n, n === chosen ? "true" : "false"]));

  /** The texts of the experiment tables' rows (overlays and flows). */
  const tableRows = () => page.locator("table tbody tr").allInnerTexts();

  it("shows the chosen range and interval as pressed toggle buttons, and moves the choice on click", async () => {
    await page.goto("/app/analytics");
    await expect.poll(() => page.url()).toContain("id_token=");
    expect(await pressed(RANGES)).toEqual(only(RANGES, "Last 30 days"));
    expect(await pressed(INTERVALS)).toEqual(only(INTERVALS, "Safe to check daily"));
    // buttons, not links: nothing to follow without the page's script
    expect(await page.getByRole("link", { name: /^Last \d+ days$/ }).count()).toBe(0);

    const ninety = page.getByRole("button", { name: "Last 90 days", exact: true });
    await hydrated(ninety);
    await ninety.click();
    await page.waitForURL(/[?&]days=90(&|$)/);
    await expect.poll(() => pressed(RANGES)).toEqual(only(RANGES, "Last 90 days"));
    expect(await pressed(INTERVALS)).toEqual(only(INTERVALS, "Safe to check daily"));
    // the range now reaches the cart reminder's visitors
    await page.locator("table tbody tr", { hasText: quietTrigger }).waitFor();

    await page.getByRole("button", { name: "Fixed horizon", exact: true }).click();
    await page.waitForURL(/[?&]intervals=fixed(&|$)/);
    expect(new URL(page.url()).searchParams.get("days")).toBe("90");
    await expect.poll(() => pressed(INTERVALS)).toEqual(only(INTERVALS, "Fixed horizon"));
    expect(await pressed(RANGES)).toEqual(only(RANGES, "Last 90 days"));
    await page.getByText("Fixed-horizon intervals: decide once").waitFor();

    await page.getByRole("button", { name: "Last 7 days", exact: true }).click();
    await page.waitForURL(/[?&]days=7(&|$)/);
    await expect.poll(() => pressed(RANGES)).toEqual(only(RANGES, "Last 7 days"));
    expect(await pressed(INTERVALS)).toEqual(only(INTERVALS, "Fixed horizon"));
  });

  it("shows no interval beside a verdict of not enough data", async () => {
    for (const search of ["?days=30", "?days=90", "?days=90&intervals=fixed"]) {
      await page.goto(`/app/analytics${search}`);
      await expect.poll(() => page.url()).toContain("id_token=");
      const rows = await tableRows();
      // the cart reminder: 9 visitors against 1 held out, no order in either group
      const quiet = rows.filter((r) => r.includes(quietTrigger));
      const undecided = rows.filter((r) => r.includes("Not enough data") || r.includes("Check the split"));
      if (search !== "?days=30") {
        expect(quiet).toHaveLength(1);
        expect(quiet[0]).toContain("Not enough data");
        expect(quiet[0]).toContain("0.00 pp (0.0%)"); // the point estimate stays
      }
      expect(undecided.length, search).toBeGreaterThan(0);
      for (const row of undecided) expect(row, search).not.toContain("95% CI");
    }
  });

  it("subtitles the recovered revenue with what it counts: orders credited to flow emails", async () => {
    await page.goto("/app/analytics");
    await expect.poll(() => page.url()).toContain("id_token=");
    const card = page.getByRole("heading", { name: "Recovered revenue", exact: true }).locator("xpath=..");
    const note = (await card.innerText()).split("\n").at(-1);
    expect(note).toBe("From 0 orders credited to flow emails");
    expect(await page.locator("body").innerText()).not.toMatch(/visitors saw overlays/);
  });

  it("draws a chart of rates that are all 0 on a 0–1% axis, not 0–1000%", async () => {
    await page.goto("/app/analytics?days=90");
    const select = page.getByLabel("Show");
    await hydrated(select);
    await select.selectOption({ label: `Trigger: ${quietTrigger}` });
    const escaped = quietTrigger.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    await page.getByRole("figure", { name: new RegExp(`^${escaped}: cumulative conversion rate`) }).waitFor();
    const svg = page.locator(`${CHART} svg[role="table"]`);
    await svg.waitFor({ timeout: 20_000 });
    /** The y-axis labels, bottom to top (the axis' <text>s outside the accessible rows). */
    const axis = () =>
      svg.evaluate((el) =>
        [...el.querySelectorAll("text")]
          .filter((t) => !t.closest('[role="row"]') && /^-?[\d.,]+%$/.test(t.textContent ?? ""))
          .map((t) => ({ label: t.textContent ?? "", y: t.getBoundingClientRect().y }))
          .sort((a, b) => b.y - a.y)
          .map((t) => t.label),
      );
    await expect.poll(axis, { timeout: 10_000 }).toContain("1.0%");
    const labels = await axis();
    expect(labels[0]).toBe("0.0%");
    expect(labels.at(-1)).toBe("1.0%");
    expect(new Set(labels).size).toBe(labels.length);

    // and with conversions the axis follows the data: the exit-intent trigger tops out at 37.5%
    await select.selectOption({ label: `Trigger: ${EXIT_TRIGGER}` });
    await expect.poll(async () => (await axis()).at(-1), { timeout: 10_000 }).toMatch(/^(40|50)\.0%$/);
  });
});
