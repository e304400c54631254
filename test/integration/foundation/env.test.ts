import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv, workerTuning } from "~/env.server";

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

  it("reads the tuning knobs with the rest, with one set of defaults for the worker in and out of the web process", () => {
    const result = parseEnv({ DEMO_MODE: "1" });
    expect(
      result.ok && [result.env.WORKER_POLL_MS, result.env.WORKER_BATCH_SIZE, result.env.WORKER_LEASE_MS, result.env.PG_POOL_MAX, result.env.WEB_CONCURRENCY],
    ).toEqual([500, 50, 60_000, 10, 1]);
    expect(result.ok && result.env.WORKER_CONCURRENCY).toBeUndefined();
    const bad = parseEnv({ DEMO_MODE: "1", WORKER_POLL_MS: "fast", PG_POOL_MAX: "0", WEB_CONCURRENCY: "2.5", WORKER_BATCH_SIZE: "" });
    expect(!bad.ok && bad.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^WORKER_POLL_MS /), expect.stringMatching(/^PG_POOL_MAX /), expect.stringMatching(/^WEB_CONCURRENCY /)]),
    );
    expect(!bad.ok && bad.problems.join()).not.toMatch(/WORKER_BATCH_SIZE/); // empty: the default
    const before = { ...process.env };
    try {
      delete process.env.WORKER_CONCURRENCY;
      process.env.WORKER_POLL_MS = "200";
      expect(workerTuning("postgres")).toEqual({ leaseMs: 60_000, pollMs: 200, batchSize: 50, concurrency: 4 });
      expect(workerTuning("sqlite").concurrency).toBe(1);
      process.env.WORKER_CONCURRENCY = "3";
      expect(workerTuning("sqlite").concurrency).toBe(3);
    } finally {
      process.env = before;
    }
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

  it("refuses the public demo secret and a short secret outside demo mode", () => {
    const base = { SHOPIFY_API_KEY: "k", SHOPIFY_APP_URL: "https://app.example.com", DATABASE_URL: "file:./x.sqlite" };
    const demoSecret = parseEnv({ ...base, SHOPIFY_API_SECRET: "demo-api-secret-not-for-production" });
    expect(demoSecret.ok).toBe(false);
    expect(!demoSecret.ok && demoSecret.problems.join()).toMatch(/SHOPIFY_API_SECRET is the public demo secret/);
    const short = parseEnv({ ...base, SHOPIFY_API_SECRET: "x" });
    expect(short.ok).toBe(false);
    expect(!short.ok && short.problems.join()).toMatch(/SHOPIFY_API_SECRET is 1 characters long: an app's client secret has at least 32/);
    expect(parseEnv({ ...base, SHOPIFY_API_SECRET: "shpss_0123456789abcdef0123456789abcdef" }).ok).toBe(true);
  });

  it("stops npm start with the demo secret, in one readable message", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "scripts/worker.ts"), "--once"], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: "file:./prisma/never.sqlite",
        SHOPIFY_API_KEY: "k",
        SHOPIFY_API_SECRET: "demo-api-secret-not-for-production",
        SHOPIFY_APP_URL: "https://app.example.com",
      } as unknown as NodeJS.ProcessEnv,
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("SHOPIFY_API_SECRET is the public demo secret");
    expect(run.stderr).not.toMatch(/\n\s+at /);
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
