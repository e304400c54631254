/**
 * Starts the whole demo (storefront, admin, webhooks, app proxy, in-process worker) as a child
 * process for browser tests:
 *
 *   const demo = await startDemoServer();
 *   await page.goto(`${demo.baseUrl}/demo/`);
 *   await demo.db.webhookDelivery.findMany(...)   // the same database the server writes
 *   await demo.stop();
 *
 * - builds first when the build is older than the sources (under a lock, so parallel test
 *   files build once), then runs from a private copy of build/ and the extension's assets, so a
 *   rebuild by anyone else while the tests run cannot break the running server;
 * - a fresh, migrated database per server (SQLite file, or a PostgreSQL schema when
 *   TEST_DATABASE_URL is set) and a temp DEMO_STATE_FILE, seeded like `npm run demo`;
 * - a free port (retried if taken in between), ready once /healthz answers 200;
 * - the child exits on its own if the test process dies.
 *
 * This file is also the child's entry point (run with `node --import tsx`).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from "node:fs";
import { freePort } from "./net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Db } from "~/db.server";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SELF = fileURLToPath(import.meta.url);

export interface DemoServer {
  /** e.g. http://127.0.0.1:41234 (the storefront is at `${baseUrl}/demo/`) */
  baseUrl: string;
  port: number;
  databaseUrl: string;
  /** a client on the server's database (for assertions) */
  db: Db;
  stateFile: string;
  /** everything the server printed so far */
  logs(): string;
  stop(): Promise<void>;
}

export interface DemoServerOptions {
  /** "if-stale" (default) builds when sources are newer than the build; false never builds */
  build?: "if-stale" | "always" | false;
  /** extra environment for the server (e.g. LOG_LEVEL) */
  env?: Record<string, string>;
  /** ms to wait for /healthz (default 90 s: a cold build can take a while) */
  timeoutMs?: number;
  /** echo the server's output to this process's stdout */
  echo?: boolean;
  /** leave DEMO_STATE_FILE unset, so the server derives its mocked Shopify state file from its database, as `npm run demo` does */
  deriveStateFile?: boolean;
}

// ---- build ------------------------------------------------------------------------------------

function newest(p: string): number {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let max = 0;
  for (const e of readdirSync(p)) max = Math.max(max, newest(path.join(p, e)));
  return max;
}

function mtime(p: string): number {
  return existsSync(p) ? statSync(p).mtimeMs : 0;
}

export function buildIsStale(): { app: boolean; storefront: boolean } {
  const src = path.join(ROOT, "extensions/intentful/src");
  const assets = path.join(ROOT, "extensions/intentful/assets/intentful.js");
  const server = path.join(ROOT, "build/server/index.js");
  const sources = Math.max(newest(path.join(ROOT, "app")), newest(src), mtime(path.join(ROOT, "vite.config.ts")));
  return { app: mtime(server) < sources, storefront: mtime(assets) < Math.max(newest(src), newest(path.join(ROOT, "app/domain"))) };
}

const LOCK = path.join(os.tmpdir(), `intentful-build-${Buffer.from(ROOT).toString("base64url").slice(-24)}.lock`);

async function withBuildLock<T>(fn: () => T): Promise<T> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // Someone else is building; a lock older than 5 minutes belongs to a dead process.
      if (Date.now() - mtime(LOCK) > 5 * 60_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`demo-server: timed out waiting for the build lock ${LOCK}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

function run(args: string[]) {
  execFileSync(process.execPath, args, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NODE_ENV: "production" },
    maxBuffer: 64 * 1024 * 1024,
  });
}

export async function ensureBuilt(mode: DemoServerOptions["build"] = "if-stale"): Promise<void> {
  if (mode === false) return;
  await withBuildLock(() => {
    const stale = mode === "always" ? { app: true, storefront: true } : buildIsStale();
    try {
      if (stale.storefront) run([path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "scripts/build-storefront.ts"]);
      if (stale.app || stale.storefront) run([path.join(ROOT, "node_modules/@remix-run/dev/dist/cli.js"), "vite:build"]);
    } catch (error) {
      // A failed build leaves the previous one in place. With "if-stale" (sources being edited
      // while tests run) carry on with it, loudly; with no build at all there is nothing to run.
      const detail = (error as { stderr?: Buffer }).stderr?.toString().slice(-2000) ?? String(error);
      if (mode === "always" || !existsSync(path.join(ROOT, "build/server/index.js"))) {
        throw new Error(`demo-server: the build failed:\n${detail}`);
      }
      process.stderr.write(`demo-server: the build failed; using the previous build.\n${detail}\n`);
    }
  });
}

/**
 * A private copy of what the server reads at runtime, so concurrent rebuilds cannot disturb it
 * (also used by test/support/app-process.ts).
 */
export async function snapshot(dir: string): Promise<void> {
  await withBuildLock(() => {
    cpSync(path.join(ROOT, "build"), path.join(dir, "build"), { recursive: true });
    for (const sub of ["assets", "blocks", "locales"]) {
      const from = path.join(ROOT, "extensions/intentful", sub);
      if (existsSync(from)) cpSync(from, path.join(dir, "extensions/intentful", sub), { recursive: true });
    }
  });
  if (!existsSync(path.join(dir, "build/server/index.js"))) {
    throw new Error("demo-server: build/server/index.js is missing (run `npx remix vite:build`)");
  }
  cpSync(path.join(ROOT, "package.json"), path.join(dir, "package.json"));
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
}

// ---- start / stop ---------------------------------------------------------------------------------

async function waitHealthy(url: string, child: ChildProcess, deadline: number, logs: () => string): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`demo-server: the server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${logs().slice(-4000)}`);
    }
    try {
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`demo-server: /healthz did not answer 200 in time:\n${logs().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

const running = new Set<ChildProcess>();
let exitHook = false;

export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  await ensureBuilt(options.build ?? (process.env.DEMO_SERVER_NO_BUILD === "1" ? false : "if-stale"));
  const { createTestDb } = await import("./db");
  const testDb = await createTestDb();
  const dir = mkdtempSync(path.join(os.tmpdir(), "intentful-demo-"));
  const { demoStateFile } = await import("../../app/demo/shopify-state.server");
  const stateFile = options.deriveStateFile ? demoStateFile({ DATABASE_URL: testDb.url } as unknown as NodeJS.ProcessEnv) : path.join(dir, "demo-shopify.json");
  const cleanup = async () => {
    await testDb.cleanup().catch(() => undefined);
    if (options.deriveStateFile) rmSync(stateFile, { force: true });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await snapshot(dir);
  } catch (error) {
    await cleanup();
    throw error;
  }
  if (!exitHook) {
    exitHook = true;
    process.once("exit", () => {
      for (const c of running) c.kill("SIGKILL");
    });
  }

  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    let output = "";
    const env = { NODE_ENV: "development" } as NodeJS.ProcessEnv;
    for (const [k, v] of Object.entries(process.env)) {
      // The demo refuses real credentials; the test runner's own test credentials must not leak in.
      if (v !== undefined && !/^(SHOPIFY_|DATABASE_URL$|DEMO_|VITEST|TEST_DATABASE_URL$)/.test(k)) env[k] = v;
    }
    Object.assign(env, {
      NODE_ENV: "development",
      DEMO_MODE: "1",
      PORT: String(port),
      SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: testDb.url,
      ...(options.deriveStateFile ? {} : { DEMO_STATE_FILE: stateFile }),
      INTENTFUL_DEMO_CHILD: "1",
      INTENTFUL_DEMO_RUNTIME_DIR: dir,
      INTENTFUL_DEMO_PARENT_PID: String(process.pid),
      LOG_LEVEL: "info",
      ...options.env,
    });
    const child = spawn(process.execPath, ["--import", "tsx", SELF], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    running.add(child);
    const append = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > 2_000_000) output = output.slice(-1_000_000);
      if (options.echo) process.stdout.write(chunk);
    };
    child.stdout!.on("data", append);
    child.stderr!.on("data", append);
    child.once("exit", () => running.delete(child));
    const baseUrl = `http://127.0.0.1:${port}`;
    try {
      await waitHealthy(baseUrl, child, deadline, () => output);
      return {
        baseUrl,
        port,
        databaseUrl: testDb.url,
        db: testDb.db,
        stateFile,
        logs: () => output,
        async stop() {
          await stopChild(child);
          await cleanup();
        },
      };
    } catch (error) {
      lastError = error;
      await stopChild(child, 1000);
      if (!/EADDRINUSE/.test(output)) break;
    }
  }
  await cleanup();
  throw lastError;
}

// ---- child entry ---------------------------------------------------------------------------------

async function boot() {
  const parent = Number(process.env.INTENTFUL_DEMO_PARENT_PID);
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      process.exit(0); // the test process is gone
    }
  }, 2000).unref();
  const { assertEnvOrExit } = await import("../../app/env.server");
  assertEnvOrExit();
  const { startMockAdminApi } = await import("../../app/demo/mock-admin.server");
  startMockAdminApi();
  const { getDb } = await import("../../app/db.server");
  const { seedDemo } = await import("../../app/demo/seed.server");
  await seedDemo(getDb());
  // server.ts reads build/ and the extension's assets relative to the working directory.
  process.chdir(process.env.INTENTFUL_DEMO_RUNTIME_DIR!);
  const { startServer } = await import("../../server");
  const server = await startServer({ port: Number(process.env.PORT) });
  server.on("error", (error) => {
    process.stderr.write(`demo-server child: ${error.message}\n`);
    process.exit(1);
  });
}

if (process.env.INTENTFUL_DEMO_CHILD === "1" && process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  boot().catch((error) => {
    process.stderr.write(`demo-server child failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
