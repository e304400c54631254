/**
 * Webhook intake beside Shopify's app template's pattern (bench `peers` section): one server (the
 * production build, bench/server.ts, one web process unless BENCH_WEB_CONCURRENCY_POSTGRES says
 * otherwise) on one database serves both our route (/webhooks/checkouts/create: the direct path
 * and intake.server.ts) and the template's (bench/peers/template-webhook.ts, added in the bench's
 * child only). Both get signed, unique checkouts/create deliveries from the webhook bench's
 * open-loop harness: first at one fixed offered rate, then stepped up until the limit is crossed.
 */
import { createHmac, randomUUID } from "node:crypto";
import os from "node:os";
import { createTestDb } from "../../test/support/db";
import { capacitySettings, searchCapacity } from "../capacity";
import { cpuWindow, openLoop, rawHttpClient, startAppServer } from "../server";
import { checkoutBody } from "../webhooks";
import { PEER_WEBHOOK_PATH } from "./routes";

const SECRET = "bench-api-secret-with-enough-bytes";
const SHOP = "bench-shop.myshopify.com";
export const OUR_WEBHOOK_PATH = "/webhooks/checkouts/create";
export type WebhookTarget = "ours" | "template";
const PATHS: Record<WebhookTarget, string> = { ours: OUR_WEBHOOK_PATH, template: PEER_WEBHOOK_PATH };

/** The limits of a capacity step (issue 18): p99 above this, or any error or loss, ends the climb. */
export const WEBHOOK_P99_LIMIT_MS = 20;

/** The server with both routes, a fresh database with one installed shop, and a signer per route. */
export async function startPeerWebhookRig() {
  const t = await createTestDb();
  let server: Awaited<ReturnType<typeof startAppServer>>;
  try {
    await t.db.session.create({
      data: { id: `offline_${SHOP}`, shop: SHOP, state: "bench", isOnline: false, scope: "read_orders", accessToken: "shpat_bench" },
    });
    await t.db.shop.create({ data: { shop: SHOP } });
    server = await startAppServer({
      DATABASE_URL: t.url,
      SHOPIFY_API_KEY: "bench-api-key",
      SHOPIFY_API_SECRET: SECRET,
      SHOPIFY_APP_URL: "http://127.0.0.1",
      WEB_CONCURRENCY: String(webProcesses()),
      INTENTFUL_BENCH_PEERS: "1",
    });
  } catch (error) {
    await t.cleanup();
    throw error;
  }
  const run = randomUUID().slice(0, 8);
  const client = rawHttpClient(server.baseUrl);
  const signed = (target: WebhookTarget, i: number, secret = SECRET) => {
    const token = `peer-${run}-${target}-${i}`;
    const now = new Date().toISOString();
    const body = checkoutBody(token, i, now);
    const webhookId = `${run}-${target}-${i}`;
    const headers = {
      "content-type": "application/json",
      "x-shopify-topic": "checkouts/create",
      "x-shopify-hmac-sha256": createHmac("sha256", secret).update(body).digest("base64"),
      "x-shopify-shop-domain": SHOP,
      "x-shopify-api-version": "2026-10",
      "x-shopify-webhook-id": webhookId,
      "x-shopify-triggered-at": now,
      "x-shopify-event-id": randomUUID(),
    };
    return { webhookId, bytes: client.request(PATHS[target], headers, body) };
  };
  let next = 0;
  const rig = {
    server,
    /** `count` fresh deliveries to `target`, signed ahead of time. */
    sign: (target: WebhookTarget, count: number) => {
      const from = next;
      next += count;
      return Array.from({ length: count }, (_, k) => signed(target, from + k));
    },
    send: (bytes: Buffer) => client.send(bytes),
    /** How many of these webhook ids have an "accepted" row; rows beyond one per id (cannot happen: it is the key). */
    async stored(webhookIds: string[]) {
      let rows = 0;
      for (let i = 0; i < webhookIds.length; i += 1000) {
        rows += await t.db.webhookDelivery.count({ where: { webhookId: { in: webhookIds.slice(i, i + 1000) }, outcome: "accepted" } });
      }
      return rows;
    },
    /** Both routes answer a signed delivery with 200 and a row, and a wrongly signed one with 401. */
    async check() {
      for (const target of ["ours", "template"] as const) {
        const good = rig.sign(target, 1)[0];
        const bad = signed(target, next++, "not-the-secret");
        const [ok, refused] = [await client.send(good.bytes), await client.send(bad.bytes)];
        if (ok.status !== 200 || refused.status !== 401 || (await rig.stored([good.webhookId])) !== 1) {
          throw new Error(`bench peers: ${PATHS[target]} answered ${ok.status} (signed) and ${refused.status} (wrongly signed): is the peer route added?`);
        }
      }
    },
    async close() {
      client.close();
      await server.stop();
      await t.cleanup();
    },
  };
  return rig;
}

type Rig = Awaited<ReturnType<typeof startPeerWebhookRig>>;

/** Web processes, as the webhooks section runs PostgreSQL (one unless BENCH_WEB_CONCURRENCY_POSTGRES). */
const webProcesses = () => Number(process.env.BENCH_WEB_CONCURRENCY_POSTGRES ?? 1);

/**
 * `seconds` at `rate` deliveries/s to one route, after `warmSeconds` at the same rate (not timed;
 * its errors and losses count): rate, latency, errors, lost (2xx without a row) and CPU per
 * delivery and busy shares (server, PostgreSQL, the load generator, the machine) of the timed part.
 */
export async function loadRoute(rig: Rig, target: WebhookTarget, rate: number, seconds: number, warmSeconds = 0) {
  const warmPart = rig.sign(target, Math.round(rate * warmSeconds));
  const deliveries = rig.sign(target, Math.round(rate * seconds));
  const warm = warmPart.length ? await openLoop(rate, warmSeconds, (i) => rig.send(warmPart[i].bytes)) : undefined;
  const cpu = cpuWindow({ server: [rig.server.child.pid] }, { postgres: true });
  const r = await openLoop(rate, seconds, (i) => rig.send(deliveries[i].bytes), { lag: true });
  const { ms, wallMs } = cpu();
  const accepted = [...r.okIds.map((i) => deliveries[i].webhookId), ...(warm?.okIds.map((i) => warmPart[i].webhookId) ?? [])];
  const stored = await rig.stored(accepted);
  const per = (x: number | undefined) => (x === undefined || !r.sent ? undefined : +(x / r.sent).toFixed(3));
  const busy = (x: number | undefined, cores = 1) => (x === undefined || !wallMs ? NaN : Math.round((100 * x) / (wallMs * cores)));
  return {
    offered: rate,
    achieved: r.rps,
    rps: r.rps,
    sent: r.sent,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    errors: r.errors + (warm?.errors ?? 0),
    lost: accepted.length - stored,
    duplicates: 0, // the webhook id is the row's key: a second row for one delivery cannot exist
    sendLagP99Ms: r.sendLagP99Ms,
    cpuMsPerUnit: { server: per(ms.server), postgres: per(ms.postgres), loadGenerator: per(ms.self), machine: per(ms.machine) },
    busyPct: { server: busy(ms.server), postgres: busy(ms.postgres), loadGenerator: busy(ms.self), machine: busy(ms.machine, os.availableParallelism()) },
  };
}

/**
 * The highest offered rate a route held: bench/capacity.ts's search (up by its factor while steps
 * hold, then bisections; each step a short untimed ramp and a timed part), with the capacity
 * section's webhook limits: p99 ≤ 20 ms, no error or loss, the load generator on time, achieved ≥
 * 90 % of offered.
 */
export async function routeCapacity(rig: Rig, target: WebhookTarget, start: number, settings = peerCapacitySettings()) {
  const search = await searchCapacity(`peers.webhooks.${target}`, { start, limitMs: WEBHOOK_P99_LIMIT_MS, settings }, async (rate) => {
    await new Promise((r) => setTimeout(r, 1000)); // let the database settle between steps
    return loadRoute(rig, target, rate, settings.stepSeconds, settings.stepWarmUpSeconds);
  });
  return {
    rps: search.held?.offered ?? 0,
    p99Ms: search.held?.p99Ms,
    cpuMsPerDelivery: search.held?.cpuMsPerUnit,
    stoppedBy: search.stoppedBy,
    limit: { p99Ms: WEBHOOK_P99_LIMIT_MS, errors: 0, lost: 0 },
    errors: search.steps.reduce((n, s) => n + s.errors, 0),
    lost: search.steps.reduce((n, s) => n + s.lost, 0),
    steps: search.steps.map(({ offered, achieved, p50Ms, p99Ms, errors, lost, sendLagP99Ms, verdict, reasons }) => ({
      offered,
      achieved,
      p50Ms,
      p99Ms,
      errors,
      lost,
      sendLagP99Ms,
      verdict,
      ...(reasons ? { reasons } : {}),
    })),
  };
}

/**
 * The capacity section's search settings (bench/capacity.ts), with shorter steps by default so the
 * peers section stays near 10 minutes: BENCH_PEERS_STEP_SECONDS (5) timed after
 * BENCH_CAPACITY_STEP_WARMUP_SECONDS (2), at most BENCH_PEERS_MAX_STEPS (7) rates per route.
 */
export const peerCapacitySettings = () => ({
  ...capacitySettings(),
  stepSeconds: Number(process.env.BENCH_PEERS_STEP_SECONDS ?? 5),
  maxSteps: Number(process.env.BENCH_PEERS_MAX_STEPS ?? 7),
});

/**
 * The webhooks part of the peers section: after a warm-up of both routes, both at `rate` for
 * `seconds` (ours first), then the capacity of each (ours from BENCH_CAPACITY_WEBHOOKS_START, 500,
 * as the capacity section; the template's from `rate`). ratio = our capacity ÷ the template's.
 */
export async function benchPeerWebhooks({
  rate = Number(process.env.BENCH_PEERS_WEBHOOK_RPS ?? 150),
  seconds = 10,
  warmUpSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 10),
}: { rate?: number; seconds?: number; warmUpSeconds?: number } = {}) {
  const started = performance.now();
  const rig = await startPeerWebhookRig();
  try {
    await rig.check();
    // Warm-up, untimed but counted for loss: V8 optimises both paths (decision 100: 10 s).
    const warm = { ours: await loadRoute(rig, "ours", rate, warmUpSeconds), template: await loadRoute(rig, "template", rate, warmUpSeconds) };
    const fixed = { ours: await loadRoute(rig, "ours", rate, seconds), template: await loadRoute(rig, "template", rate, seconds) };
    const settings = peerCapacitySettings();
    const capacity = {
      ours: await routeCapacity(rig, "ours", Number(process.env.BENCH_CAPACITY_WEBHOOKS_START ?? 500), settings),
      template: await routeCapacity(rig, "template", rate, settings),
    };
    const side = (target: WebhookTarget) => {
      const { offered: _o, achieved: _a, ...atFixedRate } = fixed[target];
      return {
        rps: capacity[target].rps,
        path: PATHS[target],
        fixed: atFixedRate,
        capacity: capacity[target],
        warmUp: { p50Ms: warm[target].p50Ms, p99Ms: warm[target].p99Ms, errors: warm[target].errors, lost: warm[target].lost },
        errors: warm[target].errors + fixed[target].errors + capacity[target].errors,
        lost: warm[target].lost + fixed[target].lost + capacity[target].lost,
        duplicates: 0,
      };
    };
    const ours = side("ours");
    const template = side("template");
    const serverCpu = (x: typeof ours) => x.fixed.cpuMsPerUnit.server;
    return {
      database: "postgres",
      webProcesses: webProcesses(),
      offeredRps: rate,
      settings: { stepSeconds: settings.stepSeconds, stepWarmUpSeconds: settings.stepWarmUpSeconds, factor: settings.factor, maxSteps: settings.maxSteps },
      ours,
      template,
      /** our capacity ÷ the template's */
      ratio: template.rps ? +(ours.rps / template.rps).toFixed(2) : null,
      /** at the fixed rate: the template's server CPU per delivery ÷ ours */
      serverCpuRatio: serverCpu(ours) && serverCpu(template) ? +(serverCpu(template)! / serverCpu(ours)!).toFixed(2) : null,
      seconds: Math.round((performance.now() - started) / 1000),
    };
  } finally {
    await rig.close();
  }
}

if (process.argv[1] && import.meta.url === (await import("node:url")).pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchPeerWebhooks(), null, 1));
  process.exit(0);
}
