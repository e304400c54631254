/**
 * The README's first run, typed verbatim on a fresh clone (issue 16), as a new developer, a
 * shopper and a merchant meet it:
 *
 * 1. `git clone` of this repository's committed HEAD into a temporary folder;
 * 2. the quick-start line from the README's "Quick start" block (`npm install && npm run demo`),
 *    run by bash in the clone with nothing of this repository's environment but Node and npm's
 *    cache — on a free port instead of 3000, so a worker that fell back to 3000 would show;
 * 3. every "Then open" address answers as the README says, and the README's curl line gets past
 *    the bot filter;
 * 4. the demo storefront carries the seeded triggers (published through the mocked Admin API);
 * 5. a shopper checks out with an email in real Chromium and leaves;
 * 6. the README's worker line, verbatim, in the clone, with no DEMO_MODE, DATABASE_URL or PORT;
 * 7. the merchant opens the email log in real Chromium (a desktop User-Agent) and finds the
 *    recovery email, whose links all name the demo's port; no stray `prisma/dev.sqlite`.
 *
 * Slow (a real `npm install`, a first build): run by `npm run test:readme` in CI, once, on
 * Node 22 — not by `npm test`. It tests what is committed, not uncommitted edits.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BROWSER_USER_AGENT, launchChromium } from "../support/browser";
import { freePort } from "../support/net";

const ROOT = path.resolve(import.meta.dirname, "../..");
const README = readFileSync(path.join(ROOT, "README.md"), "utf8");
const SHOP = "demo-shop.myshopify.com";
const MINUTE = 60_000;

/** The README's own lines, so the test follows the README rather than a copy of it. */
export function readmeCommands(markdown: string) {
  const quick = markdown.split(/^## Quick start.*$/m)[1]?.split(/^## /m)[0] ?? "";
  const quickStart = /```sh\n([^\n]+)\n```/.exec(quick)?.[1]?.trim();
  const worker = /`(npm run worker [^`]+)`/.exec(quick)?.[1];
  const curl = /`(curl -A "[^"]+")/.exec(quick)?.[1];
  const open = [...quick.matchAll(/<(http:\/\/localhost:3000\/[^>]*)>/g)].map((m) => m[1]);
  if (!quickStart || !worker || !curl || open.length < 3)
    throw new Error(`README: quick start not found (${JSON.stringify({ quickStart, worker, curl, open })})`);
  return { quickStart, worker, curlUserAgent: /-A "([^"]+)"/.exec(curl)![1], open };
}

const commands = readmeCommands(README);
let dir: string;
let clone: string;
let port: number;
let base: string;
let demo: ChildProcess | undefined;
let output = "";
let browser: Browser;

/** What a fresh machine's shell has: Node and npm (and their cache), not this repository's settings. */
function freshEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = ["PATH", "HOME", "LANG", "TMPDIR", "USER", "npm_config_cache", "npm_config_nodedir", "CHROMIUM_PATH"];
  const env: Record<string, string> = {};
  for (const k of keep) if (process.env[k]) env[k] = process.env[k]!;
  // not the folders `npm run` put on this process's PATH (node_modules/.bin, npm's node-gyp-bin);
  // the Node on PATH stays, wherever it lives (CI's Node 22 sits under a node_modules folder)
  env.PATH = (env.PATH ?? "")
    .split(":")
    .filter((p) => !/node_modules\/\.bin$|node-gyp-bin$/.test(p))
    .join(":");
  return { ...env, ...extra } as NodeJS.ProcessEnv;
}

function tail(text: string, n = 4000) {
  return text.length > n ? `…${text.slice(-n)}` : text;
}

async function waitForHealthz(deadline: number) {
  for (;;) {
    if (demo?.exitCode !== null) throw new Error(`the quick start exited with ${demo?.exitCode}:\n${tail(output)}`);
    const res = await fetch(`${base}/healthz`).catch(() => undefined);
    if (res?.status === 200) return res.json();
    if (Date.now() > deadline) throw new Error(`no /healthz after the quick start:\n${tail(output)}`);
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

function openDb() {
  return new Database(path.join(clone, "prisma/demo.sqlite"), { readonly: true, fileMustExist: true });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "intentful-readme-"));
  clone = path.join(dir, "intentful");
  execFileSync("git", ["clone", "--quiet", ROOT, clone], { stdio: "pipe" });
  port = await freePort();
  base = `http://localhost:${port}`;
  demo = spawn("bash", ["-c", commands.quickStart], { cwd: clone, env: freshEnv({ PORT: String(port) }), detached: true, stdio: ["ignore", "pipe", "pipe"] });
  demo.stdout!.on("data", (b: Buffer) => (output += b.toString()));
  demo.stderr!.on("data", (b: Buffer) => (output += b.toString()));
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (demo?.pid && demo.exitCode === null) {
    try {
      process.kill(-demo.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
    await new Promise((r) => setTimeout(r, 1_500));
    try {
      process.kill(-demo.pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }
  if (dir && !process.env.KEEP_README_CLONE) rmSync(dir, { recursive: true, force: true });
});

describe("the README's quick start, verbatim, on a fresh clone", () => {
  it(
    "installs, starts the demo and answers on every address the README lists",
    async () => {
      expect(commands.quickStart).toBe("npm install && npm run demo");
      expect(await waitForHealthz(Date.now() + 25 * MINUTE)).toEqual({ ok: true, db: "ok" });
      expect(output).not.toMatch(/EBADENGINE|External error|gyp ERR/);
      const page = await (await browser.newContext({ userAgent: BROWSER_USER_AGENT })).newPage();
      for (const url of commands.open) {
        const res = await page.goto(url.replace("http://localhost:3000", base));
        expect(res?.status(), url).toBe(200);
      }
      // The README's curl line gets past the Shopify library's bot filter (a bare curl does not).
      const bot = await fetch(`${base}/app`, { headers: { "User-Agent": "curl/8.5.0" }, redirect: "manual" });
      expect(bot.status).toBe(410);
      const curl = await fetch(`${base}/app`, { headers: { "User-Agent": commands.curlUserAgent }, redirect: "manual" });
      expect(curl.status).not.toBe(410);
      expect(curl.status).toBeLessThan(400);
      await page.context().close();
    },
    30 * MINUTE,
  );

  it(
    "publishes the seeded triggers to the demo storefront",
    async () => {
      const db = openDb();
      const enabled = db.prepare('SELECT id, type, holdoutPct FROM "Trigger" WHERE shop = ? AND enabled = 1 ORDER BY id').all(SHOP) as Array<{
        id: string;
        type: string;
        holdoutPct: number;
      }>;
      db.close();
      expect(enabled.length).toBeGreaterThanOrEqual(2);
      let ids: string[] = [];
      let config: { t: Array<{ id: string; ty: string; ho: number; s: { visitor?: string } }> } | undefined;
      for (let i = 0; i < 60 && ids.length < enabled.length; i++) {
        const html = await (await fetch(`${base}/demo/products/leather-wallet`)).text();
        const json = /<script[^>]*id="intentful-config"[^>]*>([\s\S]*?)<\/script>/.exec(html)?.[1];
        config = json ? JSON.parse(json) : undefined;
        ids = (config?.t ?? []).map((t) => t.id).sort();
        if (ids.length < enabled.length) await new Promise((r) => setTimeout(r, 1_000));
      }
      expect(ids, tail(output)).toEqual(enabled.map((t) => t.id));
      // "an exit-intent trigger (product pages, new visitors, 10% holdout)"
      expect(config!.t.find((t) => t.ty === "exit_intent" && t.ho === 10 && t.s.visitor === "new")).toBeTruthy();
    },
    2 * MINUTE,
  );

  it(
    "a shopper's abandoned checkout is emailed by the README's worker line, into the demo's email log, with the demo's port",
    async () => {
      // The shopper: a product, the cart, checkout with an email, then gone.
      const shopper = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await shopper.newPage();
      await page.goto(`${base}/demo/products/leather-wallet`);
      await page.locator("button[name=add]").click();
      await page.waitForURL("**/demo/cart");
      await page.locator("#checkout").click();
      await page.waitForURL(/\/demo\/checkout\/[a-f0-9]{32}$/);
      const email = `readme.${Date.now()}@example.com`;
      await page.locator("#email").fill(email);
      await page.locator("input[name=accepts_marketing]").check();
      await page.locator("#continue").click();
      await page.locator("#place-order").waitFor();
      await shopper.close();

      // The demo's own worker enrols the checkout in its flow; the first email is an hour away.
      const db = openDb();
      try {
        let runs = 0;
        for (let i = 0; i < 120 && runs === 0; i++) {
          runs = (db.prepare('SELECT COUNT(*) AS n FROM "FlowRun" WHERE shop = ? AND email = ?').get(SHOP, email) as { n: number }).n;
          if (runs === 0) await new Promise((r) => setTimeout(r, 500));
        }
        expect(runs, tail(output)).toBe(1);
      } finally {
        db.close();
      }

      // The developer: the README's worker line, verbatim, in the clone, nothing set.
      const worker = execFileSync("bash", ["-c", commands.worker], {
        cwd: clone,
        env: freshEnv(),
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 5 * MINUTE,
      });
      expect(JSON.parse(worker.trim().split("\n").pop()!)).toMatchObject({ failed: 0 });
      expect(existsSync(path.join(clone, "prisma/dev.sqlite")), "no stray dev.sqlite").toBe(false);

      // The merchant: the email log in the embedded admin, then the message.
      const merchant = await browser.newContext({ userAgent: BROWSER_USER_AGENT, viewport: { width: 1280, height: 900 } });
      const admin = await merchant.newPage();
      await admin.goto(`${base}/app/outbox`);
      const row = admin.locator("tr", { hasText: email }).first();
      await row.waitFor({ timeout: 30_000 });
      await row.getByRole("link").first().click();
      const frame = admin.frameLocator('iframe[title="Email preview"]');
      await frame.locator("a[href]").first().waitFor({ timeout: 30_000 });
      const hrefs = await frame.locator("a[href]").evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute("href") ?? ""));
      const web = hrefs.filter((h) => /^https?:/.test(h));
      expect(web.length).toBeGreaterThan(0);
      for (const href of web) expect(href.startsWith(`${base}/`), href).toBe(true);
      await merchant.close();
    },
    10 * MINUTE,
  );
});
