import { createHmac, randomUUID } from "node:crypto";
import { createTestDb } from "../test/support/db";
import { API_KEY, SECRET, makeBatchFactory, postBatch, seedShops } from "./events";
import { median, openLoop, rssKb, startAppServer, startWorkerProcess, type LoadResult } from "./server";
import { lineItems, startSmtpSink } from "./steps";

/** A signed webhook delivery, as Shopify sends it. */
function deliver(baseUrl: string, topic: string, shop: string, payload: object, webhookId: string) {
  const body = JSON.stringify(payload);
  return fetch(`${baseUrl}/webhooks/${topic}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": topic,
      "X-Shopify-Hmac-Sha256": createHmac("sha256", SECRET).update(body).digest("base64"),
      "X-Shopify-Shop-Domain": shop,
      "X-Shopify-API-Version": "2026-10",
      "X-Shopify-Webhook-Id": webhookId,
      "X-Shopify-Triggered-At": new Date().toISOString(),
      "X-Shopify-Event-Id": randomUUID(),
    },
    body,
  });
}

const summary = ({ offeredRps, sent, ok, errors, p50Ms, p99Ms }: LoadResult) => ({ offeredRps, sent, ok, errors, p50Ms, p99Ms });

/**
 * Memory under a steady mixed load: one app server process (production build, no in-process
 * worker) plus one `npm run worker` process sending through SMTP to a local sink, for
 * `minutes` (BENCH_SOAK_MINUTES, default 10). Offered load, open loop:
 * - storefront event batches (10–20 events) at BENCH_SOAK_EVENTS_RPS batches/s (default 30);
 * - checkouts/create at BENCH_SOAK_WEBHOOK_RPS/s (default 5), created an hour ago, so the
 *   checkout flow's first email is due at once: the worker renders and sends it (10% holdout);
 * - orders/create for every fourth of those checkouts, stopping its recovery.
 * RSS (VmRSS of /proc/<pid>/status) of both processes every BENCH_SOAK_SAMPLE_MS (5 s).
 * Warm-up = the first 20% (2 minutes of 10). rssGrowthPct = (median RSS over the last
 * minute − median RSS over the minute right after warm-up) / the latter × 100, for the
 * server; the worker's is reported beside it. (Windows shrink to 20% of the run when it is
 * shorter than 5 minutes.)
 */
export async function benchSoak({
  minutes = Number(process.env.BENCH_SOAK_MINUTES ?? 10),
  sampleMs = Number(process.env.BENCH_SOAK_SAMPLE_MS ?? 5000),
  eventsRps = Number(process.env.BENCH_SOAK_EVENTS_RPS ?? 30),
  webhookRps = Number(process.env.BENCH_SOAK_WEBHOOK_RPS ?? 5),
}: { minutes?: number; sampleMs?: number; eventsRps?: number; webhookRps?: number } = {}) {
  const t = await createTestDb();
  const run = randomUUID().slice(0, 6);
  const shops = await seedShops(t.db, `bench-soak-${run}`, 5);
  for (const { shop } of shops) {
    await t.db.shop.update({ where: { shop }, data: { senderName: "Bench Goods", quietHoursStart: null, quietHoursEnd: null } });
    await t.db.recoveryFlow.updateMany({ where: { shop, kind: "checkout" }, data: { enabled: true } });
  }
  const sink = await startSmtpSink();
  const server = await startAppServer({ DATABASE_URL: t.url, SHOPIFY_API_KEY: API_KEY, SHOPIFY_API_SECRET: SECRET, SHOPIFY_APP_URL: "http://127.0.0.1" });
  const worker = startWorkerProcess({
    DATABASE_URL: t.url,
    SHOPIFY_API_KEY: API_KEY,
    SHOPIFY_API_SECRET: SECRET,
    SHOPIFY_APP_URL: "http://127.0.0.1",
    SMTP_URL: sink.url,
    EMAIL_FROM: "recovery@bench-goods.test",
  });
  const samples: Array<[number, number | undefined, number | undefined]> = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    await worker.ready;
    const seconds = minutes * 60;
    // No email captures: their contact.sync jobs would call the real Admin API.
    const batch = makeBatchFactory({ shops, visitors: 20_000, run, emailShare: 0 });
    const checkout = (i: number) => {
      const { shop } = shops[i % shops.length];
      const token = `soak-${run}-${i}`;
      const created = new Date(Date.now() - 61 * 60_000).toISOString();
      const items = lineItems(i).map((li) => ({ ...li, price: (li.price / 100).toFixed(2) }));
      return {
        shop,
        token,
        payload: {
          id: i + 1,
          token,
          cart_token: `cart-${token}`,
          email: `soak-${i}@example.com`,
          total_price: items.reduce((s, li) => s + Number(li.price) * li.quantity, 0).toFixed(2),
          currency: "USD",
          line_items: items,
          abandoned_checkout_url: `https://${shop}/checkouts/${token}/recover`,
          buyer_accepts_marketing: false,
          completed_at: null,
          created_at: created,
          updated_at: new Date().toISOString(),
        },
      };
    };

    const started = Date.now();
    const sample = () => samples.push([Math.round((Date.now() - started) / 1000), rssKb(server.child.pid), rssKb(worker.child.pid)]);
    sample();
    timer = setInterval(sample, sampleMs);
    const [events, checkouts, orders] = await Promise.all([
      openLoop(eventsRps, seconds, (i) => postBatch(server.baseUrl, batch(i))),
      openLoop(webhookRps, seconds, (i) => {
        const c = checkout(i);
        return deliver(server.baseUrl, "checkouts/create", c.shop, c.payload, `soak-${run}-c${i}`);
      }),
      // An order for every fourth checkout, placed a few seconds after it.
      openLoop(webhookRps / 4, seconds, (k) => {
        const c = checkout(Math.max(0, 4 * k - Math.round(webhookRps * 5)));
        return deliver(
          server.baseUrl,
          "orders/create",
          c.shop,
          {
            id: 10_000_000 + k,
            name: `#${1000 + k}`,
            email: c.payload.email,
            checkout_token: c.token,
            cart_token: c.payload.cart_token,
            total_price: c.payload.total_price,
            currency: "USD",
            created_at: new Date().toISOString(),
          },
          `soak-${run}-o${k}`,
        );
      }),
    ]);
    clearInterval(timer);
    sample();

    const windowSec = Math.min(60, seconds * 0.2);
    const warmUpSec = seconds * 0.2;
    const rssIn = (from: number, to: number, col: 1 | 2) =>
      median(samples.filter(([s, ...r]) => s >= from && s <= to && r[col - 1] !== undefined).map((r) => r[col]!));
    const growth = (col: 1 | 2) => {
      const base = rssIn(warmUpSec, warmUpSec + windowSec, col);
      const last = rssIn(seconds - windowSec, seconds + 1, col);
      return { baseKb: base, lastKb: last, pct: base ? +((100 * (last - base)) / base).toFixed(1) : NaN };
    };
    const serverGrowth = growth(1);
    const workerGrowth = growth(2);
    const messages = await t.db.message.groupBy({ by: ["status"], _count: true });
    return {
      dialect: t.dialect,
      minutes,
      rssGrowthPct: serverGrowth.pct,
      serverRssKb: { afterWarmUp: serverGrowth.baseKb, lastMinute: serverGrowth.lastKb },
      workerRssGrowthPct: workerGrowth.pct,
      workerRssKb: { afterWarmUp: workerGrowth.baseKb, lastMinute: workerGrowth.lastKb },
      warmUpSec,
      windowSec,
      sampleMs,
      load: {
        eventBatches: summary(events),
        checkoutsCreate: summary(checkouts),
        ordersCreate: summary(orders),
        emailsReceived: sink.received.length,
        messages: Object.fromEntries(messages.map((m) => [m.status, m._count])),
      },
      /** [seconds since start, server RSS KB, worker RSS KB] */
      samples,
      ...(/\S/.test(worker.logs()) ? { workerLog: worker.logs().slice(-1500) } : {}),
      ...(/\S/.test(server.logs()) ? { serverLog: server.logs().slice(-1500) } : {}),
    };
  } finally {
    clearInterval(timer);
    await worker.stop();
    await server.stop();
    await sink.close();
    await t.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchSoak();
  console.log(JSON.stringify({ ...r, samples: `${r.samples.length} samples` }, null, 2));
  console.log("seconds  server MB  worker MB");
  for (const [s, a, b] of r.samples) console.log(String(s).padStart(7), ((a ?? 0) / 1024).toFixed(1).padStart(9), ((b ?? 0) / 1024).toFixed(1).padStart(9));
  process.exit(0);
}
