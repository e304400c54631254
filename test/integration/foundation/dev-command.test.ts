import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../support/net";

/**
 * `shopify app dev` runs shopify.web.toml's `dev` command. It must run what production runs: the
 * app AND the job worker (publishing, recovery emails) — Remix's `vite:dev` alone skips server.ts
 * and so the worker. The command is read from the TOML and its entry point run as the CLI would,
 * with the environment the CLI sets (SHOPIFY_API_KEY, SHOPIFY_API_SECRET, SHOPIFY_APP_URL, PORT).
 */
const root = path.resolve(import.meta.dirname, "../../..");
const dir = mkdtempSync(path.join(os.tmpdir(), "intentful-dev-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function devCommand(): string {
  const toml = readFileSync(path.join(root, "shopify.web.toml"), "utf8");
  const m = /^dev\s*=\s*"([^"]+)"/m.exec(toml);
  if (!m) throw new Error("shopify.web.toml has no dev command");
  return m[1];
}

describe("npm run dev (shopify app dev)", () => {
  it("starts the Vite dev server and a job worker, and stops both on SIGTERM", async () => {
    const command = devCommand();
    const m = /^npx tsx (\S+)$/.exec(command);
    expect(m, `dev command "${command}" runs a TypeScript entry point`).not.toBeNull();
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", path.join(root, m![1])], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: "development",
        SHOPIFY_API_KEY: "dev-test-key",
        SHOPIFY_API_SECRET: "dev-test-secret-with-enough-bytes",
        SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
        PORT: String(port),
        DATABASE_URL: `file:${path.join(dir, "dev.sqlite")}`,
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      await expect.poll(() => output, { timeout: 60_000, interval: 250 }).toMatch(/"msg":"worker started"/);
      await expect
        .poll(
          async () =>
            await fetch(`http://127.0.0.1:${port}/healthz`).then(
              (r) => r.status,
              () => 0,
            ),
          { timeout: 90_000, interval: 500 },
        )
        .toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    // Both children are gone: nothing answers on the port any more.
    expect(
      await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.status,
        () => 0,
      ),
    ).toBe(0);
  }, 180_000);
});
