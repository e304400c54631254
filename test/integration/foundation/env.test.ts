import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv } from "~/env.server";

const root = path.resolve(import.meta.dirname, "../../..");

describe("environment validation", () => {
  it("names every wrong or missing variable", () => {
    const result = parseEnv({ SHOPIFY_APP_URL: "not a url", DATABASE_URL: "mysql://x", PORT: "99999" });
    expect(result.ok).toBe(false);
    const text = !result.ok ? result.problems.join("\n") : "";
    expect(text).toMatch(/SHOPIFY_API_KEY/);
    expect(text).toMatch(/SHOPIFY_API_SECRET/);
    expect(text).toMatch(/SHOPIFY_APP_URL/);
    expect(text).toMatch(/DATABASE_URL/);
    expect(text).toMatch(/PORT/);
  });

  it("gives the demo its defaults", () => {
    const result = parseEnv({ DEMO_MODE: "1" });
    expect(result.ok && result.env.DATABASE_URL).toBe("file:./prisma/demo.sqlite");
  });

  it("refuses demo mode in production", () => {
    const result = parseEnv({ DEMO_MODE: "1", NODE_ENV: "production" });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.join()).toMatch(/DEMO_MODE must not be set when NODE_ENV=production/);
  });

  it("refuses demo mode when real credentials are configured", () => {
    const result = parseEnv({ DEMO_MODE: "1", SHOPIFY_API_KEY: "real", SHOPIFY_API_SECRET: "shpss_real_secret" });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.join()).toMatch(/real Shopify credentials/);
  });

  it("ends start-up with a readable message, not a stack trace", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "scripts/worker.ts"), "--once"], {
      cwd: root,
      env: { PATH: process.env.PATH, DATABASE_URL: "mysql://nope", SHOPIFY_API_KEY: "k" } as unknown as NodeJS.ProcessEnv,
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("Intentful cannot start");
    expect(run.stderr).toContain("SHOPIFY_API_SECRET");
    expect(run.stderr).toContain("DATABASE_URL");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
