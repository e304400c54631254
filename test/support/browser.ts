import { chromium, type Browser, type Page } from "playwright-core";

/**
 * Debian's Chromium, as every browser test and bench drives it. Background networking off:
 * this machine has no internet, and Chromium's own connection attempts only add noise.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/** Shopify's library answers "HeadlessChrome" with 410 (bot protection): act as a desktop browser. */
export const BROWSER_USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

/** The tracker's own marks (extensions/intentful/src/tracker/boot.ts): -1 until each has happened. */
export type TrackerStats = { startMs: number; readyMs: number; stateMs: number };

const stats = (page: Page) => page.evaluate(() => ({ ...(window as unknown as { IntentfulTracker: TrackerStats }).IntentfulTracker }));

/** The storefront tracker has started and run its idle task after the page loaded. */
export async function trackerReady(page: Page): Promise<TrackerStats> {
  await page.waitForFunction(() => ((window as unknown as { IntentfulTracker?: TrackerStats }).IntentfulTracker?.readyMs ?? -1) >= 0);
  return stats(page);
}

/**
 * The visitor's id, once the tracker has loaded their state: as for a shopper, the first move
 * of the mouse brings it (a page nobody touches reads storage only as it is left).
 */
export async function visitorId(page: Page): Promise<string> {
  await trackerReady(page);
  await firstMove(page);
  return page.evaluate(() => JSON.parse(localStorage.getItem("intentful") ?? sessionStorage.getItem("intentful") ?? "{}").vid as string);
}

/** The shopper's first move of the mouse, and the tracker's marks once it has loaded their state. */
export async function firstMove(page: Page): Promise<TrackerStats> {
  await page.mouse.move(500 + Math.random() * 100, 400);
  await page.waitForFunction(() => ((window as unknown as { IntentfulTracker?: TrackerStats }).IntentfulTracker?.stateMs ?? -1) >= 0);
  return stats(page);
}
