import { chromium, type Browser } from "playwright-core";

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
