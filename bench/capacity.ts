/**
 * `npm run bench capacity`: how much each intake path holds, not only whether it holds a fixed
 * load (issue 18). For webhook intake (SQLite and PostgreSQL), storefront event ingest
 * (PostgreSQL) and recovery steps (PostgreSQL, 4 worker processes, the real SMTP sink) the
 * offered rate is stepped up, open loop, until the section's limit is crossed, and the highest
 * rate that held is reported with the CPU per unit of work at that rate and every step tried.
 *
 * Search: start at the fixed-load section's rate (webhooks 500/s, steps 600/s; events 350
 * batches/s ≈ issue 7's 5,000 events/s), multiply by BENCH_CAPACITY_FACTOR (1.5) while steps
 * hold, then bisect BENCH_CAPACITY_BISECTIONS (2) times between the last rate that held and the
 * first that failed (if the first step fails, divide until one holds, then bisect). At most
 * BENCH_CAPACITY_MAX_STEPS (8) steps per path. Each step offers its rate for
 * BENCH_CAPACITY_STEP_WARMUP_SECONDS (2, not timed: the ramp from the previous rate) and then
 * BENCH_CAPACITY_SECONDS (10, measured). One server (or set of workers) serves every step of a
 * path, after a warm-up of BENCH_CAPACITY_WARMUP_SECONDS (10) at the starting rate (40 % of it for
 * steps, as the jobs section), kept apart as `warmUp`.
 *
 * A step holds when its p99 is within the limit (webhooks 20 ms: BENCH_CAPACITY_WEBHOOKS_P99_MS;
 * events 100 ms: BENCH_CAPACITY_EVENTS_P99_MS; steps' lateness 1,000 ms:
 * BENCH_CAPACITY_JOBS_LATE_P99_MS), nothing failed or was lost or duplicated (warm part
 * included), the load generator sent on time (its own lateness p99 within the latency limit: a
 * late generator offers less than it says and hides the wait from the latency it measures), and
 * the achieved rate is at least BENCH_CAPACITY_MIN_ACHIEVED (0.9) of the offered one (HTTP paths;
 * for steps lateness is the test).
 *
 * BENCH_CAPACITY_ONLY=webhooks.sqlite,jobs.postgres runs a subset (development).
 */
import os from "node:os";
import { BROWSER_USER_AGENT } from "../test/support/browser";
import { makeBatchFactory, signedProxyQuery, startEventsRig, visitorAddress } from "./events";
import { cpuWindow, openLoop, rawHttpClient } from "./server";
import { startStepsRig } from "./steps";
import { cpuPerUnit, startWebhookRig } from "./webhooks";

const num = (name: string, fallback: number) => {
  const v = process.env[name];
  return v === undefined || v === "" ? fallback : Number(v);
};

export const capacitySettings = () => ({
  stepSeconds: num("BENCH_CAPACITY_SECONDS", 10),
  stepWarmUpSeconds: num("BENCH_CAPACITY_STEP_WARMUP_SECONDS", 2),
  warmUpSeconds: num("BENCH_CAPACITY_WARMUP_SECONDS", 10),
  factor: num("BENCH_CAPACITY_FACTOR", 1.5),
  bisections: num("BENCH_CAPACITY_BISECTIONS", 2),
  maxSteps: num("BENCH_CAPACITY_MAX_STEPS", 8),
  minAchieved: num("BENCH_CAPACITY_MIN_ACHIEVED", 0.9),
});
type Settings = ReturnType<typeof capacitySettings>;

/** Which of the four paths to run (BENCH_CAPACITY_ONLY, comma-separated; all by default). */
export const capacityWanted = (path: string) => {
  const only = process.env.BENCH_CAPACITY_ONLY?.split(",").map((s) => s.trim());
  return !only?.length || only.includes(path) || only.includes(path.split(".")[0]);
};

/** What a probe measured at one offered rate, before the verdict. */
export interface Probe {
  /** offered per second (deliveries, batches, steps) */
  offered: number;
  /** answered 2xx (steps: emailed) per second over the measured window */
  achieved: number;
  p50Ms: number;
  /** p99 latency (steps: p99 lateness = arrival at the SMTP server − due time) */
  p99Ms: number;
  errors: number;
  lost: number;
  duplicates: number;
  /** p99 of how late the load generator sent against the schedule (HTTP paths) */
  sendLagP99Ms?: number;
  /** CPU ms per unit of work during the measured window, by process */
  cpuMsPerUnit: Record<string, number | undefined>;
  /** busy share during the measured window: % of one core per process, `machine` % of all cores */
  busyPct: Record<string, number>;
  [k: string]: unknown;
}

export type Step = Probe & { verdict: "held" | "failed"; reasons?: string[] };

/** Rounds to two significant digits (750, 1100, 1700, 2500): readable rates. */
const nice = (x: number, digits = 2) => {
  if (x <= 0) return 0;
  const scale = 10 ** Math.max(0, Math.floor(Math.log10(x)) + 1 - digits);
  return Math.max(1, Math.round(x / scale) * scale);
};
const fmt = (x: number) => x.toLocaleString("en-US");

function judge(p: Probe, limitMs: number, minAchieved: number): string[] {
  const reasons: string[] = [];
  if (p.p99Ms > limitMs) reasons.push(`p99 ${p.p99Ms} ms > ${limitMs} ms`);
  if (p.errors) reasons.push(`${p.errors} errors`);
  if (p.lost) reasons.push(`${p.lost} lost`);
  if (p.duplicates) reasons.push(`${p.duplicates} duplicates`);
  if (p.sendLagP99Ms !== undefined && p.sendLagP99Ms > limitMs) reasons.push(`load generator late (send lag p99 ${p.sendLagP99Ms} ms)`);
  if (p.achieved < minAchieved * p.offered) reasons.push(`achieved ${fmt(p.achieved)}/s < ${minAchieved} × offered`);
  return reasons;
}

/**
 * Steps the offered rate (see the module comment) and returns every step with its verdict, the
 * highest rate that held below every rate that failed, and the lowest rate that failed.
 */
export async function searchCapacity(
  label: string,
  { start, limitMs, settings: s, minAchieved = s.minAchieved }: { start: number; limitMs: number; settings: Settings; minAchieved?: number },
  probe: (rate: number) => Promise<Probe>,
) {
  const steps: Step[] = [];
  const tried = new Set<number>();
  const heldBelowFailures = () => {
    const lowestFailed = Math.min(...steps.filter((x) => x.verdict === "failed").map((x) => x.offered));
    return steps.filter((x) => x.verdict === "held" && x.offered < lowestFailed).sort((a, b) => b.offered - a.offered)[0];
  };
  const lowestFailure = () => steps.filter((x) => x.verdict === "failed").sort((a, b) => a.offered - b.offered)[0];
  const attempt = async (rate: number) => {
    tried.add(rate);
    const p = await probe(rate);
    const reasons = judge(p, limitMs, minAchieved);
    const step: Step = { ...p, verdict: reasons.length ? "failed" : "held", ...(reasons.length ? { reasons } : {}) };
    steps.push(step);
    const busy = Object.entries(p.busyPct)
      .map(([k, v]) => `${k} ${v}%`)
      .join(", ");
    process.stderr.write(
      `capacity ${label}: offered ${fmt(rate)}/s → ${fmt(p.achieved)}/s, p99 ${p.p99Ms} ms, ${p.errors} errors, ${p.lost} lost, ${p.duplicates} duplicates; ` +
        `${step.verdict}${reasons.length ? ` (${reasons.join("; ")})` : ""}; busy: ${busy}\n`,
    );
    return step;
  };
  // Up by `factor` while steps hold (or down while they fail), until the verdict flips.
  let rate = nice(start);
  let first = await attempt(rate);
  while (steps.length < s.maxSteps) {
    const next = first.verdict === "held" ? nice(rate * s.factor) : nice(rate / s.factor);
    if (next === rate || next < 1 || tried.has(next)) break;
    rate = next;
    const step = await attempt(rate);
    if (step.verdict !== first.verdict) break;
    first = step;
  }
  // Then bisect between the highest rate that held and the lowest that failed.
  for (let b = 0; b < s.bisections && steps.length < s.maxSteps; b++) {
    const held = heldBelowFailures();
    const failed = lowestFailure();
    if (!held || !failed) break;
    let mid = nice((held.offered + failed.offered) / 2);
    if (mid <= held.offered || mid >= failed.offered || tried.has(mid)) mid = nice((held.offered + failed.offered) / 2, 3);
    // Closer than 5 % of the held rate: the machine's noise is larger than that.
    if (mid <= held.offered || mid >= failed.offered || tried.has(mid) || failed.offered - held.offered < 0.05 * held.offered) break;
    await attempt(mid);
  }
  const held = heldBelowFailures();
  const failed = lowestFailure();
  return {
    held,
    failed,
    stoppedBy: failed ? `${fmt(failed.offered)}/s: ${failed.reasons?.join("; ")}` : `not reached in ${steps.length} steps (up to ${fmt(rate)}/s)`,
    steps,
  };
}

const pct = (ms: number, wallMs: number, cores = 1) => (Number.isFinite(ms) && wallMs > 0 ? Math.round((100 * ms) / (wallMs * cores)) : NaN);

/**
 * Which resource ran out at the lowest rate that failed, when it can be told: a process group at
 * ≥ 85 % of the cores it can use, or the machine at ≥ 90 % of all of its cores (the load
 * generator and the SMTP sink share them).
 */
function bottleneck(failed: Step | undefined, capacities: Record<string, { cores: number; name: string }>): string {
  if (!failed) return "none: the limit was not reached";
  const busy = failed.busyPct;
  const out: string[] = [];
  for (const [k, { cores, name }] of Object.entries(capacities)) {
    const v = busy[k];
    if (Number.isFinite(v) && v >= 85 * cores) out.push(`${name} CPU (${v} % of one core; it can use ${cores})`);
  }
  if (busy.machine >= 90) out.push(`the machine's ${os.availableParallelism()} cores (${busy.machine} % busy)`);
  const all = Object.entries(busy)
    .map(([k, v]) => `${k} ${v} %`)
    .join(", ");
  if (out.length) return `${out.join("; ")} — at ${fmt(failed.offered)}/s: ${all}`;
  return `no CPU saturated at ${fmt(failed.offered)}/s (${all}): latency, not CPU, crossed the limit first (queueing, lock or I/O waits, or pauses)`;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Webhook intake: signed, unique checkouts/create deliveries (bench/webhooks.ts), open loop. */
export async function capacityWebhooks(s: Settings = capacitySettings()) {
  const started = performance.now();
  const limitMs = num("BENCH_CAPACITY_WEBHOOKS_P99_MS", 20);
  const webProcesses = Number(process.env.WEB_CONCURRENCY ?? 1);
  const rig = await startWebhookRig();
  try {
    let next = 0;
    const offer = async (rate: number, warmSeconds: number, seconds: number): Promise<Probe> => {
      // Signed before the clock starts, as in the fixed-load section.
      const warmPart = rig.sign(next, Math.round(rate * warmSeconds));
      next += warmPart.length;
      const measured = rig.sign(next, Math.round(rate * seconds));
      next += measured.length;
      const warm = warmPart.length ? await openLoop(rate, warmSeconds, (i) => rig.send(warmPart[i].bytes)) : undefined;
      const cpu = rig.cpu();
      const r = await openLoop(rate, seconds, (i) => rig.send(measured[i].bytes), { lag: true });
      const c = cpu();
      const accepted = [...r.okIds.map((i) => measured[i].webhookId), ...(warm?.okIds.map((i) => warmPart[i].webhookId) ?? [])];
      const stored = await rig.stored(accepted);
      return {
        offered: rate,
        achieved: r.rps,
        p50Ms: r.p50Ms,
        p99Ms: r.p99Ms,
        errors: r.errors + (warm?.errors ?? 0),
        lost: accepted.length - stored,
        duplicates: 0,
        sendLagP99Ms: r.sendLagP99Ms,
        cpuMsPerUnit: cpuPerUnit(c.ms, r.sent),
        busyPct: {
          server: pct(c.ms.server, c.wallMs),
          ...(rig.dialect === "postgres" ? { postgres: pct(c.ms.postgres, c.wallMs) } : {}),
          loadGenerator: pct(c.ms.self, c.wallMs),
          machine: pct(c.ms.machine, c.wallMs, os.availableParallelism()),
        },
        ...(warm ? { warmPart: { seconds: warm.seconds, p99Ms: warm.p99Ms, errors: warm.errors } } : {}),
      };
    };
    const start = num("BENCH_CAPACITY_WEBHOOKS_START", 500);
    const warmUp = await offer(start, 0, s.warmUpSeconds);
    const search = await searchCapacity(`webhooks.${rig.dialect}`, { start, limitMs, settings: s }, async (rate) => {
      await pause(1000);
      return offer(rate, s.stepWarmUpSeconds, s.stepSeconds);
    });
    const h = search.held;
    return {
      dialect: rig.dialect,
      rps: h?.offered ?? 0,
      achievedRps: h?.achieved ?? 0,
      p50Ms: h?.p50Ms,
      p99Ms: h?.p99Ms,
      // CPU per delivery at the highest rate that held (server, PostgreSQL, load generator, machine).
      cpuMsPerDelivery: h?.cpuMsPerUnit,
      busyPct: h?.busyPct,
      limit: { p99Ms: limitMs, errors: 0, lost: 0 },
      stoppedBy: search.stoppedBy,
      bottleneck: bottleneck(search.failed, {
        server: { cores: webProcesses, name: `the server (${webProcesses} web process${webProcesses > 1 ? "es" : ""})` },
        loadGenerator: { cores: 1, name: "the load generator" },
      }),
      webProcesses,
      warmUp: pickWarmUp(warmUp),
      steps: search.steps,
      sectionSeconds: Math.round((performance.now() - started) / 1000),
    };
  } finally {
    await rig.close();
  }
}

const pickWarmUp = (p: Probe) => ({
  offered: p.offered,
  p50Ms: p.p50Ms,
  p99Ms: p.p99Ms,
  errors: p.errors,
  lost: p.lost,
  duplicates: p.duplicates,
  busyPct: p.busyPct,
});

/**
 * Storefront event ingest: the events section's signed app proxy batches (10–20 events from the
 * same deterministic factory), but open loop at an offered batch rate, written pre-serialised
 * to the raw client (fetch cost the generator ~0.85 ms of CPU a request). Each visitor sends from
 * its own address (X-Forwarded-For, as Shopify's proxy forwards the shopper's), so the per-client
 * bucket is the shopper's, as in production; BENCH_CAPACITY_EVENTS_SHOPS (50) shops keep the
 * per-shop bucket (6,000/min) above the rates tried. Losses are counted after every step (a 204
 * batch is stored before its answer) and once more after a graceful stop.
 */
export async function capacityEvents(s: Settings = capacitySettings()) {
  const started = performance.now();
  const limitMs = num("BENCH_CAPACITY_EVENTS_P99_MS", 100);
  const webProcesses = Number(process.env.WEB_CONCURRENCY ?? 1);
  const shopCount = num("BENCH_CAPACITY_EVENTS_SHOPS", 50);
  const visitors = 20_000;
  const { t, run, shops, server } = await startEventsRig({ shops: shopCount });
  const client = rawHttpClient(server.baseUrl);
  try {
    const make = makeBatchFactory({ shops, visitors, run });
    let next = 0;
    let expected = 0; // events in batches answered 204, all steps and warm parts
    let deficit = 0; // expected − stored after the previous step
    let surplus = 0;
    const build = (count: number) =>
      Array.from({ length: count }, () => {
        const b = make(next++);
        const headers = { "content-type": "application/json", "user-agent": BROWSER_USER_AGENT, "x-forwarded-for": visitorAddress(b.visitor) };
        return { count: b.count, bytes: client.request(`/proxy/events?${signedProxyQuery(b.shop)}`, headers, b.body) };
      });
    const offer = async (rate: number, warmSeconds: number, seconds: number): Promise<Probe> => {
      const warmPart = build(Math.round(rate * warmSeconds));
      const measured = build(Math.round(rate * seconds));
      const statuses: Record<string, number> = {};
      let accepted = 0;
      const send = (batches: typeof measured, timed: boolean) => (i: number) =>
        client.send(batches[i].bytes).then((res) => {
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status === 204) {
            expected += batches[i].count;
            if (timed) accepted += batches[i].count;
          }
          return res;
        });
      const warm = warmPart.length ? await openLoop(rate, warmSeconds, send(warmPart, false)) : undefined;
      const cpu = cpuWindow({ server: [server.child.pid] }, { postgres: true });
      const r = await openLoop(rate, seconds, send(measured, true), { lag: true });
      const c = cpu();
      const stored = await t.db.event.count();
      const lost = Math.max(0, expected - stored - deficit);
      const extra = Math.max(0, stored - expected - surplus);
      deficit = Math.max(0, expected - stored);
      surplus = Math.max(0, stored - expected);
      const perBatch = cpuPerUnit(c.ms, r.ok);
      return {
        offered: rate,
        achieved: r.rps,
        eventsPerSec: Math.round(accepted / r.seconds),
        p50Ms: r.p50Ms,
        p99Ms: r.p99Ms,
        errors: r.errors + (warm?.errors ?? 0),
        rateLimited: statuses["429"] ?? 0,
        lost,
        duplicates: extra,
        sendLagP99Ms: r.sendLagP99Ms,
        cpuMsPerUnit: perBatch,
        serverCpuMsPer1kEvents: +((1000 * c.ms.server) / Math.max(1, accepted)).toFixed(1),
        busyPct: {
          server: pct(c.ms.server, c.wallMs),
          postgres: pct(c.ms.postgres, c.wallMs),
          loadGenerator: pct(c.ms.self, c.wallMs),
          machine: pct(c.ms.machine, c.wallMs, os.availableParallelism()),
        },
        ...(Object.keys(statuses).some((k) => k !== "204") ? { statuses } : {}),
        ...(warm ? { warmPart: { seconds: warm.seconds, p99Ms: warm.p99Ms, errors: warm.errors } } : {}),
      };
    };
    const start = num("BENCH_CAPACITY_EVENTS_START", 350);
    const warmUp = await offer(start, 0, s.warmUpSeconds);
    const search = await searchCapacity("events.postgres (batches)", { start, limitMs, settings: s }, async (rate) => {
      await pause(1000);
      return offer(rate, s.stepWarmUpSeconds, s.stepSeconds);
    });
    // As in the events section: what was answered 204 must be stored once the server has stopped
    // gracefully.
    client.close();
    await server.stop();
    const storedAfterStop = await t.db.event.count();
    const h = search.held;
    return {
      dialect: t.dialect,
      eventsPerSec: (h?.eventsPerSec as number | undefined) ?? 0,
      batchesPerSec: h?.offered ?? 0,
      achievedBatchesPerSec: h?.achieved ?? 0,
      p50Ms: h?.p50Ms,
      p99Ms: h?.p99Ms,
      // CPU per batch answered 204 at the highest rate that held (the events section's figure is
      // the server's).
      serverCpuMsPerBatch: h?.cpuMsPerUnit.server,
      cpuMsPerBatch: h?.cpuMsPerUnit,
      serverCpuMsPer1kEvents: h?.serverCpuMsPer1kEvents,
      busyPct: h?.busyPct,
      limit: { p99Ms: limitMs, errors: 0, lost: 0, duplicates: 0 },
      stoppedBy: search.stoppedBy,
      bottleneck: bottleneck(search.failed, {
        server: { cores: Math.min(webProcesses, os.availableParallelism()), name: `the server (${webProcesses} web process${webProcesses > 1 ? "es" : ""})` },
        loadGenerator: { cores: 1, name: "the load generator" },
      }),
      lostAfterStop: Math.max(0, expected - storedAfterStop),
      extraAfterStop: Math.max(0, storedAfterStop - expected),
      webProcesses,
      shops: shopCount,
      visitors,
      warmUp: pickWarmUp(warmUp),
      steps: search.steps,
      sectionSeconds: Math.round((performance.now() - started) / 1000),
    };
  } finally {
    client.close();
    await server.stop();
    await t.cleanup();
  }
}

/**
 * Recovery steps end to end (bench/steps.ts): each step of the search is a round of checkouts
 * with an active FlowRun and a due first-step job, due at the offered rate (open loop on due
 * times), drained by BENCH_STEPS_WORKERS (4) worker processes into the SMTP sink. The workers
 * stay up across rounds; each round waits for its last email before the next is seeded.
 */
export async function capacitySteps(s: Settings = capacitySettings()) {
  const started = performance.now();
  const limitMs = num("BENCH_CAPACITY_JOBS_LATE_P99_MS", 1000);
  const workers = num("BENCH_STEPS_WORKERS", 4);
  const rig = await startStepsRig({ workers });
  try {
    const failedJobs = () => rig.db.job.count({ where: { shop: rig.shop, kind: "recovery.step", lastError: { not: null } } });
    const offer = async (rate: number, warmSeconds: number, seconds: number): Promise<Probe> => {
      const errorsBefore = await failedJobs();
      const warm = Math.round(rate * warmSeconds);
      const r = await rig.round({
        warm,
        steps: Math.round(rate * seconds),
        dueOffsetMs: (i) => Math.floor((i * 1000) / rate),
        leadMs: "auto",
        stallMs: 15_000,
      });
      const c = r.cpu ?? { wallMs: NaN, ms: {} as Record<string, number> };
      return {
        offered: rate,
        achieved: r.stepsPerSec,
        p50Ms: r.lateP50Ms,
        p99Ms: r.lateP99Ms,
        lateMaxMs: r.lateMaxMs,
        errors: (await failedJobs()) - errorsBefore,
        lost: r.lost,
        duplicates: r.duplicates,
        cpuMsPerUnit: {
          workers: r.workerCpuMsPerStep,
          postgres: r.postgresCpuMsPerStep,
          smtpSink: r.smtpSinkCpuMsPerStep,
          machine: r.machineCpuMsPerStep,
        },
        busyPct: {
          workers: pct(c.ms.workers, c.wallMs),
          postgres: pct(c.ms.postgres, c.wallMs),
          smtpSink: pct(c.ms.self, c.wallMs),
          machine: pct(c.ms.machine, c.wallMs, os.availableParallelism()),
        },
        ...(r.seededLateMs ? { seededLateMs: r.seededLateMs } : {}),
      };
    };
    const start = num("BENCH_CAPACITY_JOBS_START", 600);
    // As the jobs section: the warm-up is paced at 40 % of the starting rate.
    const warmUp = await offer(Math.round(start * 0.4), 0, s.warmUpSeconds);
    // No achieved-rate test here: steps/s counts up to the last email, so a short round's own
    // lateness lowers it (1 s late over 10 s reads 0.91 × offered) while lateness is the limit.
    const search = await searchCapacity("jobs.postgres (steps)", { start, limitMs, settings: s, minAchieved: 0 }, (rate) =>
      offer(rate, s.stepWarmUpSeconds, s.stepSeconds),
    );
    const h = search.held;
    return {
      dialect: rig.dialect,
      workers,
      stepsPerSec: h?.offered ?? 0,
      achievedStepsPerSec: h?.achieved ?? 0,
      lateP50Ms: h?.p50Ms,
      lateP99Ms: h?.p99Ms,
      // CPU per step emailed at the highest rate that held.
      workerCpuMsPerStep: h?.cpuMsPerUnit.workers,
      postgresCpuMsPerStep: h?.cpuMsPerUnit.postgres,
      smtpSinkCpuMsPerStep: h?.cpuMsPerUnit.smtpSink,
      machineCpuMsPerStep: h?.cpuMsPerUnit.machine,
      busyPct: h?.busyPct,
      limit: { lateP99Ms: limitMs, errors: 0, lost: 0, duplicates: 0 },
      stoppedBy: search.stoppedBy,
      bottleneck: bottleneck(search.failed, {
        workers: { cores: os.availableParallelism(), name: `the ${workers} workers` },
        smtpSink: { cores: 1, name: "the SMTP sink (bench process)" },
      }),
      smtpGreetingMs: rig.sink.greetingMs,
      warmUp: pickWarmUp(warmUp),
      steps: search.steps,
      sectionSeconds: Math.round((performance.now() - started) / 1000),
    };
  } finally {
    await rig.close();
  }
}
