import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "../test/support/net";

export { freePort };
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");

/** Starts the built app (server.ts) as a child process and waits for /healthz. */
export async function startAppServer(env: Record<string, string>): Promise<{ baseUrl: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "server.ts")], {
    cwd: root,
    env: { ...process.env, PORT: String(port), WORKER_IN_PROCESS: "0", LOG_LEVEL: "error", NODE_ENV: "production", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += String(d)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${stderr.slice(-2000)}`);
    try {
      const r = await fetch(`${baseUrl}/healthz`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`server did not start: ${stderr.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseUrl,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}

export interface LoadResult {
  offeredRps: number;
  seconds: number;
  sent: number;
  ok: number;
  errors: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Open-loop load at a fixed offered rate: request i starts at i/rate seconds whatever the
 * responses do (so a slow server shows up as latency, not as a lower offered rate).
 */
export async function openLoop(rate: number, seconds: number, send: (i: number) => Promise<Response>): Promise<LoadResult & { okIds: number[] }> {
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  const okIds: number[] = [];
  let errors = 0;
  const start = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    inflight.push(
      send(i)
        .then(async (res) => {
          await res.arrayBuffer();
          latencies.push(performance.now() - t0);
          if (res.status >= 200 && res.status < 300) okIds.push(i);
          else errors++;
        })
        .catch(() => {
          errors++;
        }),
    );
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : 0);
  return {
    offeredRps: rate,
    seconds: +elapsed.toFixed(2),
    sent: total,
    ok: okIds.length,
    errors,
    rps: Math.round(okIds.length / elapsed),
    p50Ms: +pct(0.5).toFixed(2),
    p99Ms: +pct(0.99).toFixed(2),
    okIds,
  };
}
