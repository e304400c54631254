/**
 * Shared bench plumbing: the built app as a child process, worker processes, load loops,
 * RSS sampling and CPU-profile summaries.
 *
 * This file is also the app server child's entry point (run with `node --import tsx`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { freePort } from "../test/support/net";

export { freePort };

/**
 * The V8 flags package.json's `start` and `worker` scripts run with, so the bench measures the
 * processes as deployed: a 32 MB young generation (Node's default is 16) halves scavenges for
 * the rendered emails and request bodies that die young (worker CPU per step 3.4 → 2.9 ms).
 */
export const RUNTIME_FLAGS = ["--max-semi-space-size=32"];
const root = path.resolve(import.meta.dirname, "..");
const SELF = fileURLToPath(import.meta.url);

export interface ChildOptions {
  /** write a V8 CPU profile (`node --cpu-prof`) into this directory when the child exits */
  cpuProfDir?: string;
}

export interface AppServer {
  baseUrl: string;
  child: ChildProcess;
  /** Date.now() when the child was spawned (≈ the start of its CPU profile) */
  spawnedAt: number;
  /** everything the child printed on stderr (last 100 KB) */
  logs(): string;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
let exitHook = false;
function track(child: ChildProcess) {
  children.add(child);
  child.once("exit", () => children.delete(child));
  if (!exitHook) {
    exitHook = true;
    process.once("exit", () => {
      for (const c of children) c.kill("SIGKILL");
    });
  }
}

function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/**
 * A private copy of build/ (test/support/demo-server.ts's snapshot, taken under its build
 * lock): someone rebuilding while the bench runs cannot change the server under it. Builds
 * first when the build is older than the sources, unless BENCH_NO_BUILD=1 (or
 * DEMO_SERVER_NO_BUILD=1) says to use the build as it is.
 */
async function buildSnapshot(): Promise<string> {
  const { ensureBuilt, snapshot } = await import("../test/support/demo-server");
  const skip = process.env.BENCH_NO_BUILD === "1" || process.env.DEMO_SERVER_NO_BUILD === "1";
  await ensureBuilt(skip ? false : "if-stale");
  const dir = mkdtempSync(path.join(os.tmpdir(), "intentful-bench-"));
  try {
    await snapshot(dir);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return dir;
}

/** The bench's environment minus what must not leak into an app process (databases, demo, mail). */
function childEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(VITEST|TEST_DATABASE_URL$|DATABASE_URL$|DEMO_|SMTP_URL$|EMAIL_FROM$)/.test(k)) env[k] = v;
  }
  return env;
}

/**
 * Starts the built app (server.ts, production mode, no in-process worker unless the env says
 * so) as a child process and waits for /healthz.
 */
export async function startAppServer(env: Record<string, string>, options: ChildOptions = {}): Promise<AppServer> {
  const dir = await buildSnapshot();
  const port = await freePort();
  // BENCH_CHILD_NODE_ARGS: extra node flags for the server (e.g. "--perf-basic-prof-only-functions"
  // for `perf record`, "--trace-gc" with BENCH_CHILD_STDOUT=1 to see its output).
  const nodeArgs = [
    ...(options.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfDir}`] : []),
    ...(process.env.BENCH_CHILD_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
  ];
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, [...nodeArgs, ...RUNTIME_FLAGS, "--import", "tsx", SELF], {
    // cwd = the repository, so tsx finds tsconfig.json (the "~/" paths); the child then moves
    // into the snapshot, where server.ts reads build/ relative to the working directory.
    cwd: root,
    env: {
      ...childEnv(),
      PORT: String(port),
      WORKER_IN_PROCESS: "0",
      LOG_LEVEL: "error",
      NODE_ENV: "production",
      ...env,
      BENCH_APP_CHILD: "1",
      BENCH_RUNTIME_DIR: dir,
      BENCH_PARENT_PID: String(process.pid),
    },
    stdio: ["ignore", process.env.BENCH_CHILD_STDOUT ? "inherit" : "ignore", "pipe"],
  });
  track(child);
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += String(d);
    if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  for (;;) {
    if (child.exitCode !== null) {
      cleanup();
      throw new Error(`server exited: ${stderr.slice(-2000)}`);
    }
    try {
      const r = await fetch(`${baseUrl}/healthz`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await stopChild(child, 1000);
      cleanup();
      throw new Error(`server did not start: ${stderr.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseUrl,
    child,
    spawnedAt,
    logs: () => stderr,
    stop: async () => {
      await stopChild(child);
      cleanup();
    },
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  spawnedAt: number;
  /** resolves once the worker logged "worker started" */
  ready: Promise<void>;
  logs(): string;
  stop(): Promise<void>;
}

/** `npm run worker` (scripts/worker.ts) as a child process, polling forever. */
export function startWorkerProcess(env: Record<string, string>, options: ChildOptions = {}): WorkerProcess {
  const nodeArgs = [
    ...(options.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfDir}`] : []),
    ...(process.env.BENCH_CHILD_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
  ];
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, [...nodeArgs, ...RUNTIME_FLAGS, "--import", "tsx", path.join(root, "scripts/worker.ts")], {
    cwd: root,
    // LOG_LEVEL info (the production default): "worker started" tells us it is polling.
    env: { ...childEnv(), NODE_ENV: "production", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  track(child);
  let output = "";
  let started = false;
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      const s = String(d);
      if (!started && s.includes('"worker started"')) {
        started = true;
        resolve();
      }
      // Keep warnings and errors (stderr) and the start line; drop per-email info lines.
      if (!s.includes('"level":"info"')) output = (output + s).slice(-100_000);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      if (!started) reject(new Error(`worker exited (${code}) before it started:\n${output.slice(-2000)}`));
    });
  });
  ready.catch(() => undefined);
  return { child, spawnedAt, ready, logs: () => output, stop: () => stopChild(child) };
}

/** The resident set size of a process in KB (/proc/<pid>/status VmRSS), or undefined once it is gone. */
export function rssKb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU ms the whole machine spent busy, all cores: wall time × cores − idle − iowait
 * (/proc/stat). Idle time is measured exactly on a tickless kernel; the busy counters (user,
 * system, …) are sampled at each tick, and on this VM they read below the server process's own
 * CPU (its exact sum_exec_runtime) under the webhook bench's bursty half load (0.30 against
 * 0.38 ms per delivery); the idle-based figure read 0.79, above server + PostgreSQL + load
 * generator (0.72), as it must.
 */
export function machineCpuMs(): number {
  const [, , , idle, iowait] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  return performance.now() * os.availableParallelism() - (idle + iowait) * 10;
}

/**
 * CPU ms of the local PostgreSQL server: the postmaster and its live backends, plus the backends
 * that already exited (the postmaster's cutime/cstime). undefined when no postmaster is found.
 */
export function postgresCpuMs(): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() !== "postgres") continue;
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const parent = readFileSync(`/proc/${fields[1]}/comm`, "utf8").trim();
      if (parent === "postgres") continue; // a backend: counted through its postmaster
      // fields[13] and fields[14] are cutime and cstime (fields 16 and 17).
      return (cpuMs(Number(entry)) ?? 0) + (Number(fields[13]) + Number(fields[14])) * 10;
    } catch {
      // gone in between
    }
  }
  return undefined;
}

/**
 * CPU time (user + system) a process and its live descendants (cluster workers) have used so
 * far, in ms (/proc/<pid>/stat, 100 ticks/s). Unlike rates, CPU per unit of work hardly changes
 * when other processes share the cores.
 */
export function cpuMs(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  const stats = new Map<number, { ppid: number; ms: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // fields[0] is field 3 (state): ppid is field 4, utime and stime are fields 14 and 15.
      stats.set(Number(entry), { ppid: Number(fields[1]), ms: (Number(fields[11]) + Number(fields[12])) * 10 });
    } catch {
      // gone in between
    }
  }
  if (!stats.has(pid)) return undefined;
  const inTree = (p: number): boolean => {
    for (let i = 0; i < 64 && p > 1; i++) {
      if (p === pid) return true;
      p = stats.get(p)?.ppid ?? 0;
    }
    return false;
  };
  let total = 0;
  for (const [p, s] of stats) if (inTree(p)) total += s.ms;
  return total;
}

export const median = (xs: number[]) => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Nearest-rank percentile of an ascending-sorted array. */
export const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] : 0;

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
export async function openLoop(
  rate: number,
  seconds: number,
  send: (i: number) => Promise<Response | { status: number }>,
  options: { lag?: boolean } = {},
): Promise<LoadResult & { okIds: number[]; sendLagP99Ms?: number }> {
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  const okIds: number[] = [];
  let errors = 0;
  const start = performance.now();
  const inflight: Promise<void>[] = [];
  const trace: Array<[number, number]> | undefined = process.env.BENCH_TRACE ? [] : undefined;
  // options.lag: how late each request left against its due time. A load generator that cannot
  // keep its schedule (its own CPU, or the event loop busy with answers) offers less than it says,
  // and the latency it measures from the late start hides the wait.
  const lags: number[] | undefined = options.lag ? [] : undefined;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    lags?.push(t0 - due);
    inflight.push(
      send(i)
        .then(async (res) => {
          // A fetch Response is read to its end; a bare status means the sender already did.
          if (res instanceof Response) await res.arrayBuffer();
          latencies.push(performance.now() - t0);
          trace?.push([Math.round(t0 - start), +(performance.now() - t0).toFixed(1)]);
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
  // BENCH_TRACE=file: every request's start (ms into the run) and latency, to see when the slow ones happened.
  if (trace) writeFileSync(process.env.BENCH_TRACE!, JSON.stringify(trace));
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
    ...(lags
      ? {
          sendLagP99Ms: +Math.max(
            0,
            percentile(
              lags.sort((a, b) => a - b),
              0.99,
            ),
          ).toFixed(2),
        }
      : {}),
  };
}

/**
 * A cheap HTTP/1.1 load generator (webhooks, and the capacity section's event batches). Shopify
 * delivers from many hosts over many connections: the load generator keeps up to 64
 * keep-alive connections, one request at a time on each, so a multi-process server
 * (node:cluster balances connections, not requests) sees its load spread the way production
 * traffic would spread it. The generator shares the two cores with the server and the database,
 * so it is as cheap as it can be: each request is serialised ahead of time and written to a plain
 * socket, and only the status line and framing of the answer are read (node:http's client cost
 * ~1.1 ms of CPU per request here, undici's ~0.85).
 */
export function rawHttpClient(baseUrl: string) {
  const { hostname, port } = new URL(baseUrl);
  const idle: Connection[] = [];
  const waiting: Array<() => void> = [];
  let open = 0;
  const MAX = 64;
  type Connection = { socket: net.Socket; pending?: { resolve: (s: { status: number }) => void; reject: (e: Error) => void }; buffer: Buffer };
  const connect = (): Connection => {
    const c: Connection = { socket: net.connect(Number(port), hostname), buffer: Buffer.alloc(0) };
    c.socket.setNoDelay(true);
    c.socket.on("data", (chunk) => {
      c.buffer = c.buffer.length ? Buffer.concat([c.buffer, chunk]) : chunk;
      const status = answered(c.buffer);
      if (status === undefined) return;
      c.buffer = Buffer.alloc(0);
      const p = c.pending!;
      c.pending = undefined;
      release(c);
      p.resolve({ status });
    });
    const fail = (error: Error) => {
      open--;
      c.pending?.reject(error);
      c.pending = undefined;
      const i = idle.indexOf(c);
      if (i >= 0) idle.splice(i, 1);
    };
    c.socket.on("error", fail);
    c.socket.on("close", () => fail(new Error("connection closed")));
    open++;
    return c;
  };
  const release = (c: Connection) => {
    idle.push(c);
    waiting.shift()?.();
  };
  const acquire = async (): Promise<Connection> => {
    for (;;) {
      const c = idle.pop();
      if (c) return c;
      if (open < MAX) return connect();
      await new Promise<void>((r) => waiting.push(r));
    }
  };
  return {
    request: (path: string, headers: Record<string, string>, body: string): Buffer => {
      const head = [
        `POST ${path} HTTP/1.1`,
        `host: ${hostname}:${port}`,
        `content-length: ${Buffer.byteLength(body)}`,
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ];
      return Buffer.from(`${head.join("\r\n")}\r\n\r\n${body}`);
    },
    send: async (bytes: Buffer): Promise<{ status: number }> => {
      const c = await acquire();
      return new Promise((resolve, reject) => {
        c.pending = { resolve, reject };
        c.socket.write(bytes);
      });
    },
    close: () => {
      for (const c of idle) c.socket.destroy();
    },
  };
}

/** The status of a complete HTTP/1.1 answer in `buf`, or undefined while more is to come. */
function answered(buf: Buffer): number | undefined {
  const end = buf.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const head = buf.toString("latin1", 0, end);
  const status = Number(head.slice(9, 12));
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) return buf.length >= end + 4 + Number(length[1]) ? status : undefined;
  // Chunked: complete at the last chunk (the search from `end` also finds an empty body's).
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) return buf.indexOf("\r\n0\r\n\r\n", end) >= 0 ? status : undefined;
  return status;
}

/**
 * CPU used from now until the returned function is called, in ms: each named group of processes
 * (with their live descendants), PostgreSQL when asked (all backends, exited ones included), this
 * process (`self`: the load generator, or the SMTP sink) and the whole machine, with the wall time
 * in between. Divided by units of work this is the sections' "CPU per unit"; divided by the wall
 * time it says which resource was busy.
 */
export function cpuWindow(groups: Record<string, Array<number | undefined>>, { postgres = false }: { postgres?: boolean } = {}) {
  const sum = (pids: Array<number | undefined>) => pids.reduce<number>((s, p) => s + (cpuMs(p) ?? NaN), 0);
  const before: Record<string, number> = Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, sum(pids)]));
  const postgresBefore = postgres ? (postgresCpuMs() ?? NaN) : NaN;
  const self = process.cpuUsage();
  const machine = machineCpuMs();
  const wall = performance.now();
  return () => {
    const used = process.cpuUsage(self);
    return {
      wallMs: performance.now() - wall,
      ms: {
        ...Object.fromEntries(Object.entries(groups).map(([k, pids]) => [k, sum(pids) - (before[k] ?? NaN)])),
        ...(postgres ? { postgres: (postgresCpuMs() ?? NaN) - postgresBefore } : {}),
        self: (used.user + used.system) / 1000,
        machine: machineCpuMs() - machine,
      } as Record<string, number>,
    };
  };
}

export interface ClosedLoopResult {
  concurrency: number;
  seconds: number;
  sent: number;
  /** responses by status ("network" for a failed request) */
  statuses: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Closed-loop load: `concurrency` virtual clients, each sending its next request as soon as
 * the previous one is answered, for `seconds`. Measures what the server sustains.
 */
export async function closedLoop(
  concurrency: number,
  seconds: number,
  send: (i: number) => Promise<Response>,
  onResponse?: (i: number, status: number) => void,
): Promise<ClosedLoopResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const i = next++;
        const t0 = performance.now();
        let status: string;
        try {
          const res = await send(i);
          await res.arrayBuffer();
          status = String(res.status);
          onResponse?.(i, res.status);
        } catch {
          status = "network";
          onResponse?.(i, 0);
        }
        latencies.push(performance.now() - t0);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
    seconds: +((performance.now() - start) / 1000).toFixed(2),
    sent: next,
    statuses,
    p50Ms: +percentile(latencies, 0.5).toFixed(2),
    p99Ms: +percentile(latencies, 0.99).toFixed(2),
  };
}

// ---- CPU profiles ------------------------------------------------------------------------------

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Where a frame's code lives: an npm package, our sources, the app bundle, or V8/Node itself. */
function categoryOf(url: string, fn: string): string {
  if (!url) return fn.startsWith("(") ? fn : "(native: V8 builtins, I/O)";
  if (url.startsWith("wasm://")) return "wasm (Prisma query compiler)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    const pkg = rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
    return pkg === ".prisma" ? "@prisma/client (generated)" : pkg;
  }
  if (url.startsWith("node:")) return "node: internals (http, streams, net)";
  const rel = url.replace(/^file:\/\//, "");
  if (/\/build\/server\//.test(rel)) return "app bundle (build/server)";
  const inRepo = rel.startsWith(root) ? path.relative(root, rel) : rel;
  const m = /^(app\/[^/]+(?:\/[^/]+)?|scripts|server\.ts)/.exec(inRepo);
  return m ? m[1] : inRepo;
}

export interface ProfileSummary {
  file: string;
  /** the summarised window: profile time from `fromMs` on */
  fromMs: number;
  windowMs: number;
  /** busy = not "(idle)" */
  busyPct: number;
  /** self time by where the code lives, % of busy (non-idle) time */
  byCategory: Array<{ category: string; pct: number; ms: number }>;
  /** the functions with the most self time */
  topFunctions: Array<{ fn: string; where: string; pct: number; ms: number }>;
  /** our code (app bundle and app/ sources) by inclusive time: what each step costs with its callees */
  appInclusive: Array<{ fn: string; where: string; pct: number; ms: number }>;
}

/**
 * Summarises the newest .cpuprofile in `dir`: self time by package and by function, and the
 * inclusive time of our own functions, counting only samples from `fromMs` after the profile
 * started (to leave start-up out).
 */
export function summariseCpuProfile(dir: string, { top = 15, fromMs = 0 }: { top?: number; fromMs?: number } = {}): ProfileSummary | undefined {
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .sort();
  if (!files.length) return undefined;
  const file = path.join(dir, files[files.length - 1]);
  const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const selfUs = new Map<number, number>();
  let clock = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    clock += profile.timeDeltas[i] ?? 0;
    if (clock < fromMs * 1000) continue;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const totalUs = [...selfUs.values()].reduce((s, n) => s + n, 0) || 1;
  const byCat = new Map<string, number>();
  const byFn = new Map<string, { fn: string; where: string; us: number }>();
  const inclusive = new Map<string, { fn: string; where: string; us: number }>();
  const whereOf = (n: ProfileNode) => {
    const { url, lineNumber, functionName } = n.callFrame;
    const cat = categoryOf(url, functionName);
    return url ? `${cat}${url.includes("node_modules") || url.startsWith("node:") ? `:${path.basename(url)}` : ""}:${lineNumber + 1}` : cat;
  };
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const n = nodes.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === "(idle)") idleUs += us;
    const cat = categoryOf(url, functionName);
    byCat.set(cat, (byCat.get(cat) ?? 0) + us);
    const key = `${functionName}|${url}|${lineNumber}`;
    const e = byFn.get(key) ?? { fn: functionName || "(anonymous)", where: whereOf(n), us: 0 };
    e.us += us;
    byFn.set(key, e);
    // Inclusive time of our own functions: walk up the stack, counting each function once.
    const seen = new Set<string>();
    for (let p: number | undefined = id; p !== undefined; p = parent.get(p)) {
      const f = nodes.get(p)!;
      const c = categoryOf(f.callFrame.url, f.callFrame.functionName);
      if (!(c.startsWith("app bundle") || c.startsWith("app/")) || !f.callFrame.functionName) continue;
      const k = `${f.callFrame.functionName}|${f.callFrame.url}|${f.callFrame.lineNumber}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const e2 = inclusive.get(k) ?? { fn: f.callFrame.functionName, where: whereOf(f), us: 0 };
      e2.us += us;
      inclusive.set(k, e2);
    }
  }
  const busyUs = totalUs - idleUs || 1;
  const pct = (us: number) => +((100 * us) / busyUs).toFixed(1);
  const rows = (m: Map<string, { fn: string; where: string; us: number }>) =>
    [...m.values()]
      .filter((e) => e.fn !== "(idle)")
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({ fn: e.fn, where: e.where, pct: pct(e.us), ms: Math.round(e.us / 1000) }));
  return {
    file,
    fromMs,
    windowMs: Math.round(totalUs / 1000),
    busyPct: +((100 * (totalUs - idleUs)) / totalUs).toFixed(1),
    byCategory: [...byCat.entries()]
      .filter(([c]) => c !== "(idle)")
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([category, us]) => ({ category, pct: pct(us), ms: Math.round(us / 1000) })),
    topFunctions: rows(byFn),
    appInclusive: rows(inclusive),
  };
}

/** Prints a profile summary compactly (for the console, beside the table). */
export function formatProfile(title: string, s: ProfileSummary): string {
  const lines = [
    `${title}: ${s.windowMs} ms profiled, ${s.busyPct}% busy (${path.relative(root, s.file)}); shares below are of busy time`,
    "  self time by where the code lives:",
  ];
  for (const c of s.byCategory) lines.push(`    ${String(c.pct).padStart(5)}%  ${c.category}`);
  lines.push("  top functions (self):");
  for (const f of s.topFunctions) lines.push(`    ${String(f.pct).padStart(5)}%  ${f.fn}  ${f.where}`);
  lines.push("  our code (inclusive):");
  for (const f of s.appInclusive) lines.push(`    ${String(f.pct).padStart(5)}%  ${f.fn}  ${f.where}`);
  return lines.join("\n");
}

/** A directory for CPU profiles when BENCH_CPU_PROF=1 (bench/results/profiles/<name>), else undefined. */
export function profileDir(name: string): string | undefined {
  if (process.env.BENCH_CPU_PROF !== "1") return undefined;
  const dir = path.join(root, "bench/results/profiles", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

// ---- child entry -------------------------------------------------------------------------------

async function boot() {
  const parent = Number(process.env.BENCH_PARENT_PID);
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      process.exit(0); // the bench is gone
    }
  }, 2000).unref();
  process.chdir(process.env.BENCH_RUNTIME_DIR!);
  // The peers section's routes (bench/peers/routes.ts), in this child only: added to the build's
  // route table before server.ts makes its request handler from it.
  if (process.env.INTENTFUL_BENCH_PEERS === "1") {
    const { addPeerRoutes } = await import("./peers/routes");
    await addPeerRoutes(await import(pathToFileURL(path.resolve("build/server/index.js")).href));
  }
  // WEB_CONCURRENCY > 1: node:cluster forks re-run this entry and serve the same port.
  const { startCluster } = await import("../server");
  await startCluster({ port: Number(process.env.PORT) });
}

if (process.env.BENCH_APP_CHILD === "1" && process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  boot().catch((error) => {
    process.stderr.write(`bench server child failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
