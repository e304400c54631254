/**
 * The production app as real child processes, for fault and multi-instance tests:
 *
 *   const web = await startAppServer({ databaseUrl, env: { WORKER_IN_PROCESS: "0" } });
 *   await fetch(`${web.baseUrl}/webhooks/checkouts/create`, …);
 *   const worker = await startWorkerProcess({ databaseUrl, env: { SMTP_URL } });
 *   worker.kill("SIGKILL");
 *
 * Unlike test/support/demo-server.ts these are not the demo: no seed, no mocked Admin API, the
 * test's own Shopify credentials (so test/support/shopify.ts signs for them), and the database
 * is the caller's (several processes may share one). The web process runs server.ts on a
 * private copy of build/ (built first if stale); the worker runs scripts/worker.ts from source
 * with tsx, exactly as `npm run worker` does.
 *
 * This file is also the web child's entry point (run with `node --import tsx`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ensureBuilt, snapshot } from "./demo-server";
import { freePort } from "./net";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SELF = fileURLToPath(import.meta.url);
const WATCHDOG = path.join(ROOT, "test/support/child-watchdog.ts");

export interface ChildHandle {
  child: ChildProcess;
  pid: number;
  /** everything the process printed so far */
  logs(): string;
  /** resolves once a line of output matches */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM (graceful) with a SIGKILL fallback; resolves when the process is gone */
  stop(graceMs?: number): Promise<void>;
  /** sends the signal and resolves when the process is gone */
  kill(signal?: NodeJS.Signals): Promise<void>;
  readonly exited: boolean;
}

export interface AppServer extends ChildHandle {
  baseUrl: string;
  port: number;
}

const running = new Set<ChildProcess>();
let exitHook = false;

/** The test's environment minus what must not leak into an app process, plus `extra`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(VITEST|TEST_DATABASE_URL$|DATABASE_URL$|DEMO_|NODE_ENV$|SMTP_URL$|WORKER_)/.test(k)) env[k] = v;
  }
  return { ...env, NODE_ENV: "production", INTENTFUL_PARENT_PID: String(process.pid), LOG_LEVEL: "info", ...extra };
}

function track(child: ChildProcess, echo: boolean): ChildHandle {
  if (!exitHook) {
    exitHook = true;
    process.once("exit", () => {
      for (const c of running) c.kill("SIGKILL");
    });
  }
  running.add(child);
  let output = "";
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
    if (echo) process.stdout.write(chunk);
    for (const l of listeners) l();
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("exit", () => {
    running.delete(child);
    for (const l of listeners) l();
  });
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const handle: ChildHandle = {
    child,
    pid: child.pid!,
    logs: () => output,
    get exited() {
      return exited();
    },
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = output.split("\n").find((l) => pattern.test(l));
          if (line !== undefined) {
            cleanup();
            resolve(line);
          } else if (exited()) {
            cleanup();
            reject(new Error(`process ${child.pid} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${output.slice(-3000)}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`process ${child.pid} did not print ${pattern} within ${timeoutMs} ms:\n${output.slice(-3000)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async kill(signal = "SIGKILL") {
      if (exited()) return;
      child.kill(signal);
      await gone;
    },
    async stop(graceMs = 5000) {
      if (exited()) return;
      const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
      child.kill("SIGTERM");
      await gone;
      clearTimeout(t);
    },
  };
  return handle;
}

export interface WorkerOptions {
  databaseUrl: string;
  /** extra environment, e.g. SMTP_URL, WORKER_LEASE_MS, WORKER_POLL_MS */
  env?: Record<string, string>;
  /** arguments for scripts/worker.ts (e.g. ["--once"]) */
  args?: string[];
  /** modules preloaded with --import (absolute paths), e.g. a fake of an external API */
  preload?: string[];
  echo?: boolean;
  /** wait for "worker started" (default true unless args are given) */
  waitReady?: boolean;
}

/** `scripts/worker.ts` as a child process on `databaseUrl`. */
export async function startWorkerProcess(options: WorkerOptions): Promise<ChildHandle> {
  const args = ["--import", "tsx", "--import", WATCHDOG];
  for (const p of options.preload ?? []) args.push("--import", pathToFileURL(p).href);
  args.push(path.join(ROOT, "scripts/worker.ts"), ...(options.args ?? []));
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: childEnv({ NODE_ENV: "production", DATABASE_URL: options.databaseUrl, PG_POOL_MAX: "4", ...options.env }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const handle = track(child, options.echo ?? false);
  if (options.waitReady ?? !options.args?.length) await handle.waitFor(/"msg":"worker started"/, 60_000);
  return handle;
}

export interface AppServerOptions {
  databaseUrl: string;
  env?: Record<string, string>;
  /** see ensureBuilt (default "if-stale"; DEMO_SERVER_NO_BUILD=1 → never) */
  build?: "if-stale" | "always" | false;
  timeoutMs?: number;
  echo?: boolean;
  /** check /healthz before returning (default true; false when the database is down on purpose) */
  waitHealthy?: boolean;
}

let runtimeDir: Promise<string> | undefined;

/** One private copy of build/ for every app server this test file starts. */
function runtime(build: AppServerOptions["build"]): Promise<string> {
  runtimeDir ??= (async () => {
    await ensureBuilt(build ?? (process.env.DEMO_SERVER_NO_BUILD === "1" ? false : "if-stale"));
    const dir = mkdtempSync(path.join(os.tmpdir(), "intentful-app-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    await snapshot(dir);
    return dir;
  })();
  runtimeDir.catch(() => {
    runtimeDir = undefined;
  });
  return runtimeDir;
}

/** server.ts (the production HTTP server) as a child process on `databaseUrl`, on a free port. */
export async function startAppServer(options: AppServerOptions): Promise<AppServer> {
  const dir = await runtime(options.build);
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, ["--import", "tsx", "--import", WATCHDOG, SELF], {
      cwd: ROOT,
      env: childEnv({
        NODE_ENV: "production",
        PORT: String(port),
        SHOPIFY_APP_URL: baseUrl,
        DATABASE_URL: options.databaseUrl,
        PG_POOL_MAX: "4",
        INTENTFUL_APP_CHILD: "1",
        INTENTFUL_APP_RUNTIME_DIR: dir,
        ...options.env,
      }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const handle = track(child, options.echo ?? false);
    try {
      await waitListening(baseUrl, handle, deadline, options.waitHealthy ?? true);
      return Object.assign(handle, { baseUrl, port }) as AppServer;
    } catch (error) {
      lastError = error;
      await handle.kill("SIGKILL");
      if (!/EADDRINUSE/.test(handle.logs())) break;
    }
  }
  throw lastError;
}

/** Until /healthz answers (200 when `healthy`, any status otherwise: the database may be down on purpose). */
async function waitListening(url: string, handle: ChildHandle, deadline: number, healthy: boolean) {
  for (;;) {
    if (handle.exited) throw new Error(`app server exited before it was ready:\n${handle.logs().slice(-3000)}`);
    try {
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200 || !healthy) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`app server: /healthz did not answer 200 in time:\n${handle.logs().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** POSTs a Request built by test/support/shopify.ts (webhookRequest…) to a running server. */
export async function sendTo(baseUrl: string, request: Request): Promise<Response> {
  const url = new URL(request.url);
  return fetch(new URL(url.pathname + url.search, baseUrl), {
    method: request.method,
    headers: request.headers,
    body: request.method === "GET" ? undefined : await request.text(),
  });
}

// ---- child entry ---------------------------------------------------------------------------------

async function boot() {
  // server.ts reads build/ relative to the working directory; tsx has read tsconfig by now.
  process.chdir(process.env.INTENTFUL_APP_RUNTIME_DIR!);
  const { startServer } = await import("../../server");
  const server = await startServer({ port: Number(process.env.PORT) });
  server.on("error", (error) => {
    process.stderr.write(`app child: ${error.message}\n`);
    process.exit(1);
  });
}

if (process.env.INTENTFUL_APP_CHILD === "1" && process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  boot().catch((error) => {
    process.stderr.write(`app child failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
