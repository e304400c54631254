import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, startWorkerProcess, sendTo, type AppServer, type ChildHandle } from "../support/app-process";
import { createTestDb, type TestDb } from "../support/db";
import { webhookRequest } from "../support/shopify";
import { startSmtpPeer, type SmtpPeer } from "./email/smtp-peer";
import { eventually, installRecoveryShop } from "./faults/helpers";
import { checkoutPayload, at } from "./webhooks/fixtures";

/**
 * Two web processes (server.ts on the built app, no in-process worker) and two worker processes
 * (scripts/worker.ts) on ONE PostgreSQL database, with a real SMTP server. Shopify's at-least-once
 * delivery is played rough: every checkouts/create goes to BOTH web processes at the same moment
 * (some twice to each), some checkouts also get a checkouts/update at the same moment on the
 * other instance, and a 5xx is retried as Shopify would. The checkout flow's email is due at
 * once. Required: one WebhookDelivery per webhook id, one FlowRun and one email per checkout.
 *
 * PostgreSQL only: SQLite is one file for one machine (README "Moving to PostgreSQL").
 */
const PG = Boolean(process.env.TEST_DATABASE_URL);
const SHOP = "multi.myshopify.com";
const CHECKOUTS = 20;

let t: TestDb;
let smtp: SmtpPeer;
const webs: AppServer[] = [];
const workers: ChildHandle[] = [];

beforeAll(async () => {
  if (!PG) return;
  t = await createTestDb();
  await installRecoveryShop(t.db, SHOP, { delayMinutes: 0 });
  smtp = await startSmtpPeer();
  const common = { SMTP_URL: smtp.url, EMAIL_FROM: "recovery@multi.example", LOG_LEVEL: "warn" };
  // The web processes first (one build snapshot shared), then both workers together.
  webs.push(...(await Promise.all([0, 1].map(() => startAppServer({ databaseUrl: t.url, env: { ...common, WORKER_IN_PROCESS: "0" } })))));
  workers.push(
    ...(await Promise.all(
      [0, 1].map(() =>
        startWorkerProcess({
          databaseUrl: t.url,
          // info: the worker announces itself ("worker started") when it polls
          env: { ...common, LOG_LEVEL: "info", WORKER_POLL_MS: "200", WORKER_BATCH_SIZE: "2" },
        }),
      ),
    )),
  );
}, 180_000);

afterAll(async () => {
  await Promise.all([...webs, ...workers].map((c) => c.stop(3000)));
  await smtp?.close();
  await t?.cleanup();
});

interface Delivery {
  topic: string;
  payload: unknown;
  webhookId: string;
}

/** Shopify's side: POST, and retry a 5xx (with a short pause) until a 2xx. */
async function deliver(web: AppServer, d: Delivery, stats: { sent: number; serverErrors: number }) {
  for (let attempt = 0; attempt < 8; attempt++) {
    stats.sent++;
    const res = await sendTo(web.baseUrl, webhookRequest(d.topic, d.payload, { shop: SHOP, webhookId: d.webhookId, triggeredAt: at(0).toISOString() }));
    if (res.status < 500) {
      expect(res.status).toBe(200);
      return;
    }
    stats.serverErrors++;
    await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
  }
  throw new Error(`delivery ${d.webhookId} kept failing`);
}

describe.skipIf(!PG)("two web and two worker processes on one PostgreSQL database", () => {
  it(`take ${CHECKOUTS} checkouts delivered to both instances at once: one delivery row per id, one FlowRun and one email per checkout`, async () => {
    const started = Date.now();
    const stats = { sent: 0, serverErrors: 0 };
    const checkouts = Array.from({ length: CHECKOUTS }, (_, i) => checkoutPayload({ email: `multi-${i}@example.com` }));
    const webhookIds = new Set<string>();
    await Promise.all(
      checkouts.map(async (checkout, i) => {
        const create: Delivery = { topic: "checkouts/create", payload: checkout, webhookId: `multi-create-${checkout.token}` };
        webhookIds.add(create.webhookId);
        // the same delivery to both instances at once; every 4th one twice to each
        const copies = i % 4 === 0 ? [0, 1, 0, 1] : [0, 1];
        const sends = copies.map((w) => deliver(webs[w], create, stats));
        if (i % 5 === 0) {
          // and a checkouts/update of the same checkout, at the same moment, on the other instance
          const update: Delivery = {
            topic: "checkouts/update",
            payload: { ...checkout, updated_at: at(1).toISOString() },
            webhookId: `multi-update-${checkout.token}`,
          };
          webhookIds.add(update.webhookId);
          sends.push(deliver(webs[(i + 1) % 2], update, stats), deliver(webs[i % 2], update, stats));
        }
        await Promise.all(sends);
      }),
    );
    const delivered = Date.now();

    // THEN every checkout gets its email (the workers share the queue)…
    await eventually(() => new Set(smtp.received.flatMap((m) => m.to)).size >= CHECKOUTS, `${CHECKOUTS} emails`, 40_000, 200);
    const allSent = Date.now();
    // …and nothing more arrives while the workers keep polling
    await new Promise((r) => setTimeout(r, 2000));

    for (const checkout of checkouts) {
      expect(
        smtp.received.filter((m) => m.to.includes(checkout.email)),
        checkout.email,
      ).toHaveLength(1);
    }
    expect(smtp.received).toHaveLength(CHECKOUTS);

    const deliveries = await t.db.webhookDelivery.groupBy({ by: ["webhookId"], where: { shop: SHOP }, _count: { _all: true } });
    expect(deliveries.map((d) => d.webhookId).sort()).toEqual([...webhookIds].sort());
    expect(deliveries.every((d) => d._count._all === 1)).toBe(true);
    expect(await t.db.checkout.count({ where: { shop: SHOP } })).toBe(CHECKOUTS);

    const runs = await t.db.flowRun.groupBy({ by: ["subjectKey"], where: { shop: SHOP }, _count: { _all: true } });
    expect(runs.map((r) => r.subjectKey).sort()).toEqual(checkouts.map((c) => `checkout:${c.token}`).sort());
    expect(runs.every((r) => r._count._all === 1)).toBe(true);

    const messages = await t.db.message.findMany({ where: { shop: SHOP }, select: { email: true, status: true } });
    expect(messages).toHaveLength(CHECKOUTS);
    expect(messages.every((m) => m.status === "sent")).toBe(true);

    const jobs = await t.db.job.findMany({ where: { shop: SHOP }, select: { kind: true, status: true, lockedBy: true } });
    expect(jobs.filter((j) => j.kind === "recovery.start")).toHaveLength(CHECKOUTS);
    expect(jobs.filter((j) => j.kind === "recovery.step")).toHaveLength(CHECKOUTS);
    expect(jobs.filter((j) => j.status !== "done")).toEqual([]);
    // both workers took part
    const byWorker = new Map<string, number>();
    for (const j of jobs) byWorker.set(j.lockedBy!.replace(/^worker-(\d+)-.*/, "$1"), (byWorker.get(j.lockedBy!.replace(/^worker-(\d+)-.*/, "$1")) ?? 0) + 1);
    expect([...byWorker.keys()].sort()).toEqual(workers.map((w) => String(w.pid)).sort());

    console.log(
      JSON.stringify({
        multiInstance: {
          checkouts: CHECKOUTS,
          webhookIds: webhookIds.size,
          posts: stats.sent,
          serverErrorsRetried: stats.serverErrors,
          jobsPerWorker: Object.fromEntries(byWorker),
          deliverMs: delivered - started,
          lastEmailMs: allSent - started,
        },
      }),
    );
  }, 60_000);
});

describe.skipIf(PG)("two web and two worker processes on one database", () => {
  it.skip("needs PostgreSQL: set TEST_DATABASE_URL (SQLite is one file for one machine)", () => undefined);
});
