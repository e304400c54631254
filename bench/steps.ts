import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import type { Db } from "~/db.server";
import { onShopInstalled } from "~/services/install.server";
import { createTestDb } from "../test/support/db";
import { compactProfile } from "./events";
import { cpuWindow, formatProfile, percentile, profileDir, startWorkerProcess, summariseCpuProfile, type WorkerProcess } from "./server";

export interface SmtpSink {
  url: string;
  /** every message received: first recipient and Date.now() at the end of DATA */
  received: Array<{ to: string; at: number }>;
  close(): Promise<void>;
}

interface ConnectionInternals {
  _server: { options: { maxClients?: number }; connections: Set<unknown> };
  _setListeners(callback: () => void): void;
  connectionReady(): void;
  send(code: number, message: string, final?: boolean): void;
  name: string;
}
let greetingPatched: number | undefined;

/**
 * smtp-server holds every greeting back 100 ms to catch "early talkers". The app opens a new
 * SMTP connection per email and a worker sends its steps one after another, so that pause
 * alone would cap a worker near 10 emails/s and hide what the app itself costs. The sink
 * greets after `greetingMs` instead (BENCH_SMTP_GREETING_MS; 0 by default, 100 = the
 * library's behaviour, or set it to a real relay's connection set-up time). The override is
 * the library's own SMTPConnection.init with the delay made configurable.
 */
async function setGreetingDelay(greetingMs: number) {
  if (greetingPatched === greetingMs) return;
  const mod = (await import("smtp-server/lib/smtp-connection.js" as string)) as { SMTPConnection?: { prototype: ConnectionInternals & { init(): void } } };
  const proto = mod.SMTPConnection?.prototype;
  if (!proto || typeof proto._setListeners !== "function" || typeof proto.connectionReady !== "function") {
    throw new Error("bench: smtp-server's SMTPConnection changed; cannot set the greeting delay");
  }
  proto.init = function (this: ConnectionInternals) {
    this._setListeners(() => {
      if (this._server.options.maxClients && this._server.connections.size > this._server.options.maxClients) {
        return this.send(421, `${this.name} Too many connected clients, try again in a moment`, false);
      }
      setTimeout(() => this.connectionReady(), greetingMs).unref();
    });
  };
  greetingPatched = greetingMs;
}

/**
 * A real SMTP server on 127.0.0.1 that accepts everything and keeps only who got a message
 * and when (not the bodies: thousands of rendered emails would only cost memory).
 */
export async function startSmtpSink({ greetingMs = Number(process.env.BENCH_SMTP_GREETING_MS ?? 0) } = {}): Promise<SmtpSink & { greetingMs: number }> {
  await setGreetingDelay(greetingMs);
  const received: SmtpSink["received"] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    maxClients: 1000,
    // The client is always 127.0.0.1: no reverse DNS lookup per connection.
    disableReverseLookup: true,
    onData(stream, session, callback) {
      stream.on("data", () => undefined);
      stream.on("end", () => {
        received.push({ to: session.envelope.rcptTo[0]?.address ?? "", at: Date.now() });
        callback();
      });
    },
  });
  server.on("error", () => undefined); // a client hanging up mid-session is not our problem here
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, greetingMs, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** An installed shop with its checkout recovery flow switched on (no quiet hours); returns the flow. */
export async function seedRecoveryShop(db: Db, shop: string) {
  await db.session.create({
    data: { id: `offline_${shop}`, shop, state: "bench", isOnline: false, scope: "read_orders,write_discounts", accessToken: "shpat_bench" },
  });
  await onShopInstalled(db, { shop });
  await db.shop.update({ where: { shop }, data: { senderName: "Bench Goods", quietHoursStart: null, quietHoursEnd: null } });
  const flow = await db.recoveryFlow.findFirstOrThrow({ where: { shop, kind: "checkout" }, include: { steps: { orderBy: { position: "asc" } } } });
  await db.recoveryFlow.update({ where: { id: flow.id }, data: { enabled: true } });
  return flow;
}

/** Line items as checkouts/create stores them (prices in cents after the payload schema). */
export function lineItems(i: number) {
  const items = [
    { title: "Linen Shirt", variant_title: "M / Sand", quantity: 1, price: 6800, image_url: "https://cdn.shopify.com/s/files/linen-shirt.jpg" },
    { title: "Canvas Tote", variant_title: null, quantity: 2, price: 2400, image_url: "https://cdn.shopify.com/s/files/canvas-tote.jpg" },
    { title: "Ceramic Mug", variant_title: "Speckled", quantity: 1, price: 1800, image_url: null },
  ];
  return items.slice(0, 1 + (i % 3));
}

/**
 * `total` checkouts with an active FlowRun each for the shop's checkout flow (its first step not
 * yet sent), as the recovery bench and the peer queues' steps seed them.
 */
export async function seedCheckoutRuns(db: Db, shop: string, flowId: string, total: number) {
  const run = randomUUID().slice(0, 8);
  const email = (i: number) => `shopper-${run}-${i}@example.com`;
  const ids = Array.from({ length: total }, (_, i) => ({ checkout: `ck-${run}-${i}`, run: `run-${run}-${i}` }));
  const created = new Date(Date.now() - 2 * 3600_000);
  for (let i = 0; i < total; i += 2000) {
    const slice = ids.slice(i, i + 2000);
    await db.checkout.createMany({
      data: slice.map((x, k) => {
        const items = lineItems(i + k);
        return {
          id: x.checkout,
          shop,
          token: `tok-${run}-${i + k}`,
          email: email(i + k),
          lineItems: items,
          totalCents: items.reduce((s, li) => s + li.price * li.quantity, 0),
          abandonedCheckoutUrl: `https://${shop}/checkouts/tok-${run}-${i + k}/recover`,
          shopifyUpdatedAt: created,
          createdAt: created,
        };
      }),
    });
    await db.flowRun.createMany({
      data: slice.map((x, k) => ({
        id: x.run,
        shop,
        flowId,
        subjectKey: `checkout:tok-${run}-${i + k}`,
        checkoutId: x.checkout,
        email: email(i + k),
        startedAt: created,
      })),
    });
  }
  return { ids, email };
}

/**
 * The recovery bench's fixture, shared by the fixed-load section and the capacity section: a
 * fresh database with one installed shop whose checkout recovery flow is on, an SMTP sink, and
 * `workers` separate `npm run worker` processes (scripts/worker.ts, as deployed) polling it.
 * `round` offers one batch of due steps and waits until they were emailed.
 */
export async function startStepsRig({ workers, prof }: { workers: number; prof?: string }) {
  const t = await createTestDb();
  const sink = await startSmtpSink();
  const shop = `bench-steps-${randomUUID().slice(0, 6)}.myshopify.com`;
  const procs: WorkerProcess[] = [];
  const close = async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await sink.close();
    await t.cleanup();
  };
  let step: { id: string; position: number; discountPercent: number | null };
  try {
    const flow = await seedRecoveryShop(t.db, shop);
    step = flow.steps[0];
    if (step.discountPercent) throw new Error("bench: the first checkout step has a discount (it would call the Admin API)");
    for (let w = 0; w < workers; w++) {
      procs.push(
        startWorkerProcess(
          {
            DATABASE_URL: t.url,
            SHOPIFY_API_KEY: "bench-api-key",
            SHOPIFY_API_SECRET: "bench-api-secret-with-enough-bytes",
            SHOPIFY_APP_URL: "http://127.0.0.1:3000",
            SMTP_URL: sink.url,
            EMAIL_FROM: "recovery@bench-goods.test",
          },
          { cpuProfDir: w === 0 ? prof : undefined },
        ),
      );
    }
    await Promise.all(procs.map((p) => p.ready));
  } catch (error) {
    await close();
    throw error;
  }
  const flowId = (await t.db.recoveryFlow.findFirstOrThrow({ where: { shop, kind: "checkout" }, select: { id: true } })).id;

  /**
   * One round: `warm + steps` checkouts with an active FlowRun each and a due `recovery.step` job
   * for the flow's first step; step i is due at t0 + dueOffsetMs(i), t0 = `leadMs` after the
   * checkouts and runs are written (the jobs are written in that lead; "auto": 1 s plus 60 % of
   * the time the checkouts and runs took, for large rounds). The first `warm` are the
   * warm-up: not timed, but counted for loss and duplicates. Waits until every step was emailed,
   * or nothing arrived for `stallMs` after the last was due; `beforeCount` runs after a further
   * second (a late duplicate would show up by then), before the emails are counted.
   */
  const round = async ({
    warm,
    steps,
    dueOffsetMs,
    leadMs = 1000,
    stallMs = 30_000,
    beforeCount,
  }: {
    warm: number;
    steps: number;
    dueOffsetMs: (i: number) => number;
    leadMs?: number | "auto";
    stallMs?: number;
    beforeCount?: () => Promise<void>;
  }) => {
    const total = warm + steps;
    // Before seeding: on a slow machine the workers send the first due steps while the later
    // ones are still being written (seededLateMs), and those count too.
    const from = sink.received.length;
    const seedStart = Date.now();
    const { ids, email } = await seedCheckoutRuns(t.db, shop, flowId, total);
    const t0 = Date.now() + (leadMs === "auto" ? 1000 + Math.round(0.6 * (Date.now() - seedStart)) : leadMs);
    const dueAt = (i: number) => t0 + dueOffsetMs(i);
    for (let i = 0; i < total; i += 2000) {
      const slice = ids.slice(i, i + 2000);
      await t.db.job.createMany({
        data: slice.map((x, k) => ({
          kind: "recovery.step",
          shop,
          payload: { runId: x.run, stepId: step.id, position: step.position },
          runAt: new Date(dueAt(i + k)),
          dedupeKey: `step:${x.run}:${step.id}`,
        })),
      });
    }
    // Written after the first step was due: the round started with a backlog (a capacity round's
    // lead is sized to avoid it).
    const seededLateMs = Math.max(0, Date.now() - t0);
    const measuredFrom = dueAt(warm);
    const loadFromMs = measuredFrom - procs[0].spawnedAt;
    // CPU from the first timed due time on (after the warm-up's steps were due): worker processes,
    // PostgreSQL, this process (the SMTP sink) and the machine.
    let cpu: ReturnType<typeof cpuWindow> | undefined;
    const cpuMark = setTimeout(
      () => {
        cpu = cpuWindow({ workers: procs.map((p) => p.child.pid) }, { postgres: true });
      },
      Math.max(0, measuredFrom - Date.now()),
    );

    // Wait until every step was emailed, or nothing arrived for `stallMs`.
    const indexOf = new Map(Array.from({ length: total }, (_, i) => [email(i), i]));
    const lastDue = dueAt(total - 1);
    const unique = new Set<number>();
    let cursor = from;
    let lastProgress = Date.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      if (sink.received.length > cursor) lastProgress = Date.now();
      for (; cursor < sink.received.length; cursor++) {
        const i = indexOf.get(sink.received[cursor].to);
        if (i !== undefined) unique.add(i);
      }
      if (unique.size >= total) break;
      if (Date.now() > lastDue && Date.now() - lastProgress > stallMs) break;
    }
    clearTimeout(cpuMark);
    const reading = cpu?.();
    const used = (k: string) => reading?.ms[k] ?? NaN;
    await new Promise((r) => setTimeout(r, 1000)); // a late duplicate would show up now
    await beforeCount?.();

    const first = new Map<number, number>();
    let duplicates = 0;
    let unknownRecipients = 0;
    for (const m of sink.received.slice(from)) {
      const i = indexOf.get(m.to);
      if (i === undefined) {
        unknownRecipients++;
        continue;
      }
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
    const measured = late.length;
    const seconds = (lastSent - dueAt(warm)) / 1000;
    const emailed = Math.max(1, first.size - warm);
    return {
      stepsPerSec: seconds > 0 ? Math.round(measured / seconds) : 0,
      seconds: +seconds.toFixed(2),
      duplicates,
      lost: total - first.size,
      // what the sink took in, and (when some step was not seen) whom it never saw, for the report
      received: sink.received.length - from,
      unknownRecipients,
      notReceived: Array.from({ length: total }, (_, i) => i)
        .filter((i) => !first.has(i))
        .slice(0, 5)
        .map(email),
      // Worker CPU (all processes, user + system) per step emailed: 2 cores / this = the most
      // steps/s this machine could do with the database and SMTP costing nothing.
      workerCpuMsPerStep: +(used("workers") / emailed).toFixed(1),
      // The rest of the machine per step: PostgreSQL (all backends) and this process (the SMTP
      // sink receiving the emails), and everything that ran on the machine meanwhile.
      postgresCpuMsPerStep: +(used("postgres") / emailed).toFixed(2),
      smtpSinkCpuMsPerStep: +(used("self") / emailed).toFixed(2),
      machineCpuMsPerStep: +(used("machine") / emailed).toFixed(1),
      lateP50Ms: Math.round(percentile(late, 0.5)),
      lateP99Ms: Math.round(percentile(late, 0.99)),
      lateMaxMs: Math.round(late.at(-1) ?? 0),
      warmUpSteps: warm,
      /** the raw CPU reading of the timed part (ms by process and wall ms), for busy shares */
      cpu: reading,
      seededLateMs,
      loadFromMs,
    };
  };
  return {
    dialect: t.dialect,
    db: t.db,
    shop,
    sink,
    procs,
    round,
    stopWorkers: () => Promise.all(procs.map((p) => p.stop())).then(() => undefined),
    close,
  };
}

/**
 * Recovery steps end to end: N checkouts with an active FlowRun each and one due
 * `recovery.step` job (the checkout flow's first step, rendered with MJML), drained by
 * `workers` separate `npm run worker` processes (scripts/worker.ts, as deployed) that send
 * through nodemailer to a local SMTP server.
 *
 * Due times are paced at `rate` steps/s (open loop: step i is due at t0 + i/rate), so
 * lateness (email received − step due) shows whether the workers keep up: below capacity it
 * is the polling delay; above it, the backlog grows and stepsPerSec shows the capacity.
 * rate 0 makes every step due at once (a pure backlog drain).
 */
export async function benchSteps({
  steps = Number(process.env.BENCH_STEPS ?? 5000),
  // Offered above issue 7's 500/s: an open loop at exactly the target measures just under it even
  // when the workers keep up (the last step's own delay counts), so the figure is the capacity.
  rate = Number(process.env.BENCH_STEPS_RATE ?? 600),
  workers = Number(process.env.BENCH_STEPS_WORKERS ?? 4),
  warmUpSeconds = Number(process.env.BENCH_STEPS_WARMUP_SECONDS ?? 10),
}: { steps?: number; rate?: number; workers?: number; warmUpSeconds?: number } = {}) {
  const prof = profileDir(`steps-${process.env.TEST_DATABASE_URL?.startsWith("postgres") ? "postgres" : "sqlite"}`);
  const rig = await startStepsRig({ workers, prof });
  try {
    // Warm-up steps (JIT, MJML's first renders, pools) are due first and not timed: paced at 40 %
    // of the offered rate for `warmUpSeconds`, so V8 has optimised the hot path (in session 4 the
    // webhook bench measured the compiler still busy 2 s in) without leaving a backlog for the
    // timed steps. rate 0: a token warm-up, then the backlog.
    const warmRate = rate * 0.4;
    const warm = rate > 0 ? Math.round(warmRate * warmUpSeconds) : workers * 5;
    const warmMs = rate > 0 ? warmUpSeconds * 1000 + 1000 : 2000;
    const r = await rig.round({
      warm,
      steps,
      dueOffsetMs: (i) => (i < warm ? (rate > 0 ? Math.floor((i * 1000) / warmRate) : 0) : rate > 0 ? warmMs + Math.floor(((i - warm) * 1000) / rate) : warmMs),
      beforeCount: rig.stopWorkers,
    });
    const { cpu: _cpu, seededLateMs: _late, loadFromMs, ...figures } = r;
    const statuses = await rig.db.message.groupBy({ by: ["status"], where: { shop: rig.shop }, _count: true });
    const jobs = await rig.db.job.groupBy({ by: ["status"], where: { shop: rig.shop, kind: "recovery.step" }, _count: true });
    const profile = prof ? summariseCpuProfile(prof, { fromMs: loadFromMs }) : undefined;
    if (profile) console.log(formatProfile(`jobs.${rig.dialect} worker 0 CPU profile (load window)`, profile));
    const { warmUpSteps, ...rest } = figures;
    return {
      dialect: rig.dialect,
      workers,
      steps,
      offeredRps: rate,
      smtpGreetingMs: rig.sink.greetingMs,
      ...rest,
      messages: Object.fromEntries(statuses.map((s) => [s.status, s._count])),
      jobs: Object.fromEntries(jobs.map((s) => [s.status, s._count])),
      // A step counted lost was not emailed before the wait ended: what its job says (after the
      // workers stopped), so a loss is told apart from a step still waiting for a retry.
      ...(figures.lost
        ? {
            notReceivedMessages: await rig.db.message.findMany({
              where: { shop: rig.shop, email: { in: figures.notReceived } },
              select: { email: true, status: true, attempts: true, sentAt: true, transportId: true, reason: true },
            }),
            unfinished: await rig.db.job.findMany({
              where: { shop: rig.shop, kind: "recovery.step", status: { not: "done" } },
              select: { status: true, attempts: true, runAt: true, lockedUntil: true, lastError: true },
              take: 5,
            }),
          }
        : {}),
      warmUpSteps,
      ...(profile ? { cpuProfile: compactProfile(profile) } : {}),
      ...(rig.procs.some((p) => /error|warn/i.test(p.logs()))
        ? {
            workerLog: rig.procs
              .map((p) => p.logs())
              .join("")
              .slice(-1500),
          }
        : {}),
    };
  } finally {
    await rig.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchSteps());
  process.exit(0);
}
