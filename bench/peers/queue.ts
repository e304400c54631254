/**
 * Our job queue beside pg-boss and graphile-worker (bench `peers` section), on the same
 * PostgreSQL database with the same worker count, each library as bench/peers/queues.ts sets it up:
 *
 * - no-op jobs, as bench/jobs.ts: 20,000 jobs added first, then 1 and 4 workers in this process,
 *   each with its own connection pool, drain them; jobs/s = jobs ÷ (time from the workers' start
 *   until every job is finished in the database: completions included). duplicates = jobs run more
 *   than once, lost = jobs never run. Median of three rounds.
 * - recovery steps, as bench/steps.ts with every step due at once: checkouts with an active
 *   FlowRun each and a due first-step job (a few per worker due first as warm-up, the rest 2 s
 *   later), drained by 4 worker processes running the app's step handler (MJML render, Message
 *   claim, SMTP to the bench's sink). steps/s = steps emailed ÷ (last arrival − the backlog's due
 *   time); duplicates = emails beyond one per step, lost = steps never emailed.
 *
 * Each run has a fresh schema; the no-op rounds rotate the order of the queues, the steps runs go
 * ours first.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { createTestDb } from "../../test/support/db";
import { benchJobs } from "../jobs";
import { cpuWindow, percentile, RUNTIME_FLAGS } from "../server";
import { benchSteps, seedCheckoutRuns, seedRecoveryShop, startSmtpSink } from "../steps";
import { addJobs, dropSchema, finishedJobs, installQueue, PEER_QUEUES, plainUrl, queueSettings, startPeerWorker, type PeerQueue } from "./queues";

const root = path.resolve(import.meta.dirname, "../..");
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function baseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url?.startsWith("postgres")) throw new Error("bench peers: the queue comparison needs PostgreSQL (TEST_DATABASE_URL)");
  return plainUrl(url);
}

/** `jobs` no-op jobs drained by `workers` workers of a peer queue in this process. */
export async function peerNoop(queue: PeerQueue, { jobs = 20_000, workers = 4 }: { jobs?: number; workers?: number } = {}) {
  const url = baseUrl();
  const schema = `peer_${queue.toLowerCase()}_${randomUUID().slice(0, 6)}`;
  await installQueue(queue, url, schema);
  const stops: Array<() => Promise<void>> = [];
  try {
    await addJobs(
      queue,
      url,
      schema,
      Array.from({ length: jobs }, (_, i) => ({ payload: { i } })),
    );
    const runs = new Map<number, number>();
    const handle = async (payloads: unknown[]) => {
      for (const p of payloads) {
        const i = (p as { i: number }).i;
        runs.set(i, (runs.get(i) ?? 0) + 1);
      }
      return payloads.map(() => true);
    };
    const started = performance.now();
    stops.push(...(await Promise.all(Array.from({ length: workers }, () => startPeerWorker(queue, { url, schema, kind: "noop" }, handle)))));
    // Until every job is finished in the database (its completion written), or nothing moved for 20 s.
    let finished = 0;
    let lastProgress = performance.now();
    while (finished < jobs && performance.now() - lastProgress < 20_000) {
      await pause(20);
      const now = await finishedJobs(queue, url, schema, jobs);
      if (now !== finished) lastProgress = performance.now();
      finished = now;
    }
    const seconds = (performance.now() - started) / 1000;
    await Promise.all(stops.splice(0).map((stop) => stop()));
    return {
      jobs,
      workers,
      jobsPerSec: Math.round(finished / seconds),
      seconds: +seconds.toFixed(2),
      duplicates: [...runs.values()].filter((n) => n > 1).length,
      lost: jobs - runs.size,
      unfinished: jobs - finished,
    };
  } finally {
    await Promise.all(stops.map((stop) => stop().catch(() => undefined)));
    await dropSchema(url, schema);
  }
}

type NoopRun = Awaited<ReturnType<typeof peerNoop>>;

/**
 * Our queue and each peer at 1 and 4 workers, 20,000 no-op jobs each: three rounds, the order of
 * the three queues rotating each round; the median run (by jobs/s) is the headline, duplicates,
 * losses and unfinished jobs of all three count, and every run's jobs/s is kept.
 */
export async function benchPeerNoop({ jobs = Number(process.env.BENCH_PEERS_JOBS ?? 20_000), rounds = Number(process.env.BENCH_PEERS_ROUNDS ?? 3) } = {}) {
  const ours = async (workers: number): Promise<NoopRun> => {
    const r = await benchJobs({ jobs, workers });
    return { jobs, workers, jobsPerSec: r.jobsPerSec, seconds: r.seconds, duplicates: r.duplicates, lost: r.lost, unfinished: 0 };
  };
  const queues = ["ours", ...PEER_QUEUES] as const;
  const runs = new Map<string, NoopRun[]>();
  for (let round = 0; round < rounds; round++) {
    for (const workers of [1, 4]) {
      for (let k = 0; k < queues.length; k++) {
        const q = queues[(k + round) % queues.length];
        const r = q === "ours" ? await ours(workers) : await peerNoop(q, { jobs, workers });
        runs.set(`${q}:${workers}`, [...(runs.get(`${q}:${workers}`) ?? []), r]);
      }
    }
  }
  const summary = (q: (typeof queues)[number], workers: number) => {
    const all = runs.get(`${q}:${workers}`)!;
    const median = [...all].sort((a, b) => a.jobsPerSec - b.jobsPerSec)[Math.floor(all.length / 2)];
    return {
      ...median,
      duplicates: all.reduce((n, r) => n + r.duplicates, 0),
      lost: all.reduce((n, r) => n + r.lost, 0),
      unfinished: all.reduce((n, r) => n + r.unfinished, 0),
      runs: all.map((r) => r.jobsPerSec),
    };
  };
  return Object.fromEntries(queues.map((q) => [q, { oneWorker: summary(q, 1), fourWorkers: summary(q, 4) }])) as Record<
    (typeof queues)[number],
    { oneWorker: ReturnType<typeof summary>; fourWorkers: ReturnType<typeof summary> }
  >;
}

interface PeerWorkerProcess {
  child: ChildProcess;
  ready: Promise<void>;
  logs(): string;
  stop(): Promise<void>;
}

/** bench/peers/queue-worker.ts as a child process, started as `npm run worker` is (bench/server.ts). */
function startPeerWorkerProcess(env: Record<string, string>): PeerWorkerProcess {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k, v]) => v !== undefined && !/^(VITEST|TEST_DATABASE_URL$|DATABASE_URL$|DEMO_|SMTP_URL$|EMAIL_FROM$)/.test(k)),
  ) as Record<string, string>;
  const child = spawn(process.execPath, [...RUNTIME_FLAGS, "--import", "tsx", path.join(root, "bench/peers/queue-worker.ts")], {
    cwd: root,
    env: { ...inherited, NODE_ENV: "production", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      const s = String(d);
      if (s.includes("peer worker ready")) resolve();
      if (!s.includes('"level":"info"')) output = (output + s).slice(-100_000);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`peer worker exited (${code}) before it started:\n${output.slice(-2000)}`)));
  });
  ready.catch(() => undefined);
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill("SIGKILL"), 15_000);
      child.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill("SIGTERM");
    });
  return { child, ready, logs: () => output, stop };
}

/**
 * Recovery steps through a peer queue: `steps` due at once after a warm-up of 5 per worker (as
 * bench/steps.ts with BENCH_STEPS_RATE=0), `workers` worker processes.
 */
export async function peerSteps(queue: PeerQueue, { steps = 3000, workers = 4 }: { steps?: number; workers?: number } = {}) {
  const t = await createTestDb();
  const url = plainUrl(t.url);
  const schema = `peer_${queue.toLowerCase()}_${randomUUID().slice(0, 6)}`;
  const sink = await startSmtpSink();
  const shop = `bench-peers-${randomUUID().slice(0, 6)}.myshopify.com`;
  const procs: PeerWorkerProcess[] = [];
  try {
    const flow = await seedRecoveryShop(t.db, shop);
    const step = flow.steps[0];
    if (step.discountPercent) throw new Error("bench: the first checkout step has a discount (it would call the Admin API)");
    await installQueue(queue, url, schema);
    for (let w = 0; w < workers; w++) {
      procs.push(
        startPeerWorkerProcess({
          PEER_QUEUE: queue,
          PEER_QUEUE_URL: url,
          PEER_QUEUE_SCHEMA: schema,
          DATABASE_URL: t.url,
          SHOPIFY_API_KEY: "bench-api-key",
          SHOPIFY_API_SECRET: "bench-api-secret-with-enough-bytes",
          SHOPIFY_APP_URL: "http://127.0.0.1:3000",
          SMTP_URL: sink.url,
          EMAIL_FROM: "recovery@bench-goods.test",
        }),
      );
    }
    await Promise.all(procs.map((p) => p.ready));

    const warm = workers * 5;
    const total = warm + steps;
    const { ids, email } = await seedCheckoutRuns(t.db, shop, flow.id, total);
    const t0 = Date.now() + 1000;
    const warmMs = 2000;
    const dueAt = (i: number) => (i < warm ? t0 : t0 + warmMs);
    await addJobs(
      queue,
      url,
      schema,
      ids.map((x, i) => ({ payload: { runId: x.run, stepId: step.id, position: step.position }, runAt: new Date(dueAt(i)) })),
    );
    let cpu: ReturnType<typeof cpuWindow> | undefined;
    const cpuMark = setTimeout(() => (cpu = cpuWindow({ workers: procs.map((p) => p.child.pid) }, { postgres: true })), Math.max(0, t0 + warmMs - Date.now()));
    // Until every step was emailed, or nothing arrived for 15 s after the backlog was due.
    const indexOf = new Map(Array.from({ length: total }, (_, i) => [email(i), i]));
    const unique = new Set<number>();
    let cursor = 0;
    let lastProgress = Date.now();
    for (;;) {
      await pause(250);
      if (sink.received.length > cursor) lastProgress = Date.now();
      for (; cursor < sink.received.length; cursor++) {
        const i = indexOf.get(sink.received[cursor].to);
        if (i !== undefined) unique.add(i);
      }
      if (unique.size >= total) break;
      if (Date.now() > t0 + warmMs && Date.now() - lastProgress > 15_000) break;
    }
    clearTimeout(cpuMark);
    const used = cpu?.().ms;
    await pause(1000); // a late duplicate would show up now
    await Promise.all(procs.map((p) => p.stop()));
    const first = new Map<number, number>();
    let duplicates = 0;
    for (const m of sink.received) {
      const i = indexOf.get(m.to);
      if (i === undefined) continue;
      if (first.has(i)) duplicates++;
      else first.set(i, m.at);
    }
    const late: number[] = [];
    let lastSent = 0;
    for (const [i, at] of first) {
      if (i < warm) continue;
      late.push(at - dueAt(i));
      lastSent = Math.max(lastSent, at);
    }
    late.sort((a, b) => a - b);
    const seconds = (lastSent - (t0 + warmMs)) / 1000;
    const emailed = Math.max(1, late.length);
    const logs = procs.map((p) => p.logs()).join("");
    return {
      workers,
      steps,
      stepsPerSec: seconds > 0 ? Math.round(late.length / seconds) : 0,
      seconds: +seconds.toFixed(2),
      duplicates,
      lost: total - first.size,
      lateP50Ms: Math.round(percentile(late, 0.5)),
      lateP99Ms: Math.round(percentile(late, 0.99)),
      workerCpuMsPerStep: used ? +(used.workers / emailed).toFixed(1) : undefined,
      postgresCpuMsPerStep: used ? +(used.postgres / emailed).toFixed(2) : undefined,
      warmUpSteps: warm,
      ...(/error|warn/i.test(logs) ? { workerLog: logs.slice(-1500) } : {}),
    };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await sink.close();
    await dropSchema(url, schema).catch(() => undefined);
    await t.cleanup();
  }
}

/** Ours (bench/steps.ts, all due at once) and each peer, `workers` worker processes each. */
export async function benchPeerSteps({ steps = Number(process.env.BENCH_PEERS_STEPS ?? 3000), workers = Number(process.env.BENCH_STEPS_WORKERS ?? 4) } = {}) {
  const r = await benchSteps({ steps, workers, rate: 0 });
  const ours = {
    workers,
    steps,
    stepsPerSec: r.stepsPerSec,
    seconds: r.seconds,
    duplicates: r.duplicates,
    lost: r.lost,
    lateP50Ms: r.lateP50Ms,
    lateP99Ms: r.lateP99Ms,
    workerCpuMsPerStep: r.workerCpuMsPerStep,
    postgresCpuMsPerStep: r.postgresCpuMsPerStep,
    warmUpSteps: r.warmUpSteps,
  };
  const out: Record<"ours" | PeerQueue, Omit<Awaited<ReturnType<typeof peerSteps>>, "workerLog"> & { workerLog?: string }> = { ours } as never;
  for (const q of PEER_QUEUES) out[q] = await peerSteps(q, { steps, workers });
  return out;
}

/** The queue part of the peers section: no-op jobs and recovery steps, ratios and settings. */
export async function benchPeerQueue() {
  const started = performance.now();
  const noop = await benchPeerNoop();
  const steps = await benchPeerSteps();
  const best = (pick: (q: "ours" | PeerQueue) => number) => {
    const peer = PEER_QUEUES.reduce((a, b) => (pick(b) > pick(a) ? b : a));
    return { peer, ratio: pick(peer) ? +(pick("ours") / pick(peer)).toFixed(2) : null };
  };
  const ratios = {
    noopOneWorker: best((q) => noop[q].oneWorker.jobsPerSec),
    noopFourWorkers: best((q) => noop[q].fourWorkers.jobsPerSec),
    steps: best((q) => steps[q].stepsPerSec),
  };
  const side = (q: PeerQueue) => ({
    /** no-op jobs/s with 4 workers (the headline; 1 worker below) */
    jobsPerSec: noop[q].fourWorkers.jobsPerSec,
    stepsPerSec: steps[q].stepsPerSec,
    duplicates: noop[q].oneWorker.duplicates + noop[q].fourWorkers.duplicates + steps[q].duplicates,
    lost: noop[q].oneWorker.lost + noop[q].fourWorkers.lost + steps[q].lost,
    settings: { noop: queueSettings(q, "noop"), steps: queueSettings(q, "steps") },
    noop: noop[q],
    steps: steps[q],
  });
  const wins = Object.entries(ratios)
    .filter(([, r]) => r.ratio !== null && r.ratio < 1)
    .map(
      ([k, r]) =>
        `${r.peer} beats ours on ${k} (ours ÷ ${r.peer} = ${r.ratio}${r.ratio! >= 0.9 ? ": within 10 %, about this machine's run-to-run spread" : ""})`,
    );
  return {
    ours: {
      jobsPerSec: noop.ours.fourWorkers.jobsPerSec,
      stepsPerSec: steps.ours.stepsPerSec,
      duplicates: noop.ours.oneWorker.duplicates + noop.ours.fourWorkers.duplicates + steps.ours.duplicates,
      lost: noop.ours.oneWorker.lost + noop.ours.fourWorkers.lost + steps.ours.lost,
      noop: noop.ours,
      steps: steps.ours,
    },
    pgBoss: side("pgBoss"),
    graphileWorker: side("graphileWorker"),
    /** ours ÷ the best peer at the same worker count: no-op jobs with 4 workers (headline) */
    ratio: ratios.noopFourWorkers.ratio,
    ratios,
    peerWins: wins,
    seconds: Math.round((performance.now() - started) / 1000),
  };
}

if (process.argv[1] && import.meta.url === (await import("node:url")).pathToFileURL(process.argv[1]).href) {
  const what = process.argv[2];
  const r = what === "noop" ? await benchPeerNoop() : what === "steps" ? await benchPeerSteps() : await benchPeerQueue();
  console.log(JSON.stringify(r, null, 1));
  process.exit(0);
}
