import * as chromeLauncher from "chrome-launcher";
import lighthouse, { defaultConfig, desktopConfig } from "lighthouse";
import { startDemoServer } from "../test/support/demo-server";
import { median } from "./server";

/**
 * Lighthouse performance of the demo product page without and with the app embed
 * (`?embed=off` leaves the block out; see docs/decisions/050-demo-storefront.md), in Debian's
 * Chromium, performance category only, simulated throttling (Lantern):
 * - desktop (the headline figures): desktopDense4G — 40 ms RTT, 10 Mbit/s, CPU ×1 — on a
 *   1350×940 screen with a desktop Chrome user agent;
 * - mobile (extra, more sensitive: desktop scores sit at 100): Lighthouse's default — slow 4G,
 *   150 ms RTT, 1.6 Mbit/s, CPU ×4 — on a Moto G Power screen.
 * Runs alternate off/on after one discarded warm-up pair; each run gets a fresh Chromium.
 * delta = withoutApp − withApp (score ×100, medians); the issue allows at most 2.
 */
const METRICS = {
  fcpMs: "first-contentful-paint",
  lcpMs: "largest-contentful-paint",
  tbtMs: "total-blocking-time",
  cls: "cumulative-layout-shift",
  siMs: "speed-index",
} as const;

type Metrics = Record<keyof typeof METRICS, number>;

type Preset = "desktop" | "mobile";
const CONFIGS = { desktop: desktopConfig, mobile: defaultConfig };

async function audit(url: string, preset: Preset): Promise<{ score: number; metrics: Metrics; throttling: unknown; userAgent: string }> {
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    logLevel: "error",
  });
  try {
    const result = await lighthouse(url, { port: chrome.port, output: "json", logLevel: "error", onlyCategories: ["performance"] }, CONFIGS[preset]);
    if (!result) throw new Error("lighthouse returned no result");
    const { lhr } = result;
    if (lhr.runtimeError) throw new Error(`lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    const score = lhr.categories.performance.score;
    if (score == null) throw new Error(`lighthouse: no performance score (${lhr.runWarnings.join("; ")})`);
    const metrics = Object.fromEntries(
      Object.entries(METRICS).map(([k, id]) => {
        const v = lhr.audits[id]?.numericValue ?? NaN;
        return [k, k === "cls" ? +v.toFixed(4) : Math.round(v)];
      }),
    ) as Metrics;
    return { score: Math.round(score * 100), metrics, throttling: lhr.configSettings.throttling, userAgent: lhr.environment.networkUserAgent };
  } finally {
    chrome.kill();
  }
}

type Audit = Awaited<ReturnType<typeof audit>>;

async function compare(urls: { withoutApp: string; withApp: string }, preset: Preset, runs: number) {
  await audit(urls.withoutApp, preset); // warm-up: server JIT, Chromium's disk caches
  await audit(urls.withApp, preset);
  const samples: Record<"withoutApp" | "withApp", Audit[]> = { withoutApp: [], withApp: [] };
  for (let i = 0; i < runs; i++) {
    samples.withoutApp.push(await audit(urls.withoutApp, preset));
    samples.withApp.push(await audit(urls.withApp, preset));
  }
  const summary = (xs: Audit[]) => ({
    score: median(xs.map((x) => x.score)),
    metrics: Object.fromEntries(Object.keys(METRICS).map((k) => [k, median(xs.map((x) => x.metrics[k as keyof Metrics]))])),
  });
  const off = summary(samples.withoutApp);
  const on = summary(samples.withApp);
  return {
    withoutApp: off.score,
    withApp: on.score,
    delta: off.score - on.score,
    preset,
    throttling: samples.withApp[0].throttling,
    userAgent: samples.withApp[0].userAgent,
    runs,
    scores: { withoutApp: samples.withoutApp.map((s) => s.score), withApp: samples.withApp.map((s) => s.score) },
    metrics: { withoutApp: off.metrics, withApp: on.metrics },
  };
}

export async function benchLighthouse({ runs = Number(process.env.BENCH_LIGHTHOUSE_RUNS ?? 3) }: { runs?: number } = {}) {
  const demo = await startDemoServer({ env: { LOG_LEVEL: "warn" } });
  try {
    const page = `${demo.baseUrl}/demo/products/linen-shirt`;
    const urls = { withoutApp: `${page}?embed=off`, withApp: page };
    // The page must really differ: the embed's tracker script is there only with the app.
    const html = { off: await (await fetch(urls.withoutApp)).text(), on: await (await fetch(urls.withApp)).text() };
    const tracker = /<script[^>]+intentful\.js/;
    if (tracker.test(html.off) || html.off.includes('id="intentful-config"')) throw new Error("bench: ?embed=off still renders the app embed");
    if (!tracker.test(html.on)) throw new Error("bench: the product page renders without the app embed");

    const desktop = await compare(urls, "desktop", runs);
    const mobile = process.env.BENCH_LIGHTHOUSE_MOBILE === "0" ? undefined : await compare(urls, "mobile", runs);
    return { ...desktop, page: "/demo/products/linen-shirt (without the app: ?embed=off)", ...(mobile ? { mobile } : {}) };
  } finally {
    await demo.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchLighthouse(), null, 2));
  process.exit(0);
}
