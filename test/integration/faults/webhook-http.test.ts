import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, sendTo, type AppServer } from "../../support/app-process";
import { createTestDb, type TestDb } from "../../support/db";
import { webhookRequest } from "../../support/shopify";
import { startTcpProxy, viaProxy, type TcpProxy } from "../../support/tcp-proxy";
import { checkoutPayload } from "../webhooks/fixtures";
import { installRecoveryShop } from "./helpers";

/**
 * The same fault as webhook-db-down.test.ts, through the real production server (server.ts on
 * the built app, a child process): what Shopify sees is an HTTP 500, so it retries; the retry
 * of the same X-Shopify-Webhook-Id, once the database is back, is a 200 and is stored once.
 */
const SHOP = "faults-http.myshopify.com";
const PG = Boolean(process.env.TEST_DATABASE_URL);

let t: TestDb;
let proxy: TcpProxy | undefined;
let web: AppServer;

beforeAll(async () => {
  t = await createTestDb();
  await installRecoveryShop(t.db, SHOP, { delayMinutes: 60 });
  let url = t.url;
  if (t.dialect === "postgres") {
    const u = new URL(t.url);
    proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port || 5432) });
    url = viaProxy(t.url, proxy);
  }
  web = await startAppServer({ databaseUrl: url, env: { WORKER_IN_PROCESS: "0", LOG_LEVEL: "warn" } });
});

afterAll(async () => {
  await web?.stop();
  await proxy?.close();
  await t?.cleanup();
});

describe(`POST /webhooks/checkouts/create with the database down (${PG ? "postgres" : "sqlite"}, real server)`, () => {
  it("answers 5xx while the database is down, then 200 to Shopify's retry, stored once", async () => {
    const checkout = checkoutPayload({ email: "http-down@example.com" });
    const webhookId = `http-down-${checkout.token}`;
    const deliver = () => sendTo(web.baseUrl, webhookRequest("checkouts/create", checkout, { shop: SHOP, webhookId }));
    // GIVEN a server that has answered webhooks (warm database connections)
    expect((await sendTo(web.baseUrl, webhookRequest("checkouts/create", checkoutPayload({ email: "w@example.com" }), { shop: SHOP }))).status).toBe(200);

    // WHEN the database goes away
    let locker: Database.Database | undefined;
    if (proxy) proxy.cut();
    else {
      locker = new Database(t.url.replace(/^file:/, ""));
      locker.exec("BEGIN EXCLUSIVE"); // held past the server's busy timeout (5 s)
    }
    try {
      // THEN the delivery is answered with a 5xx (Shopify retries those), not a 2xx that loses it
      const res = await deliver();
      // 503 + Retry-After when the database is recognisably busy or away, else 500
      expect([500, 503]).toContain(res.status);
      if (res.status === 503) expect(res.headers.get("Retry-After")).toBe("5");
      if (proxy) {
        const health = await fetch(`${web.baseUrl}/healthz`);
        expect(health.status).toBe(503);
        expect(await health.json()).toMatchObject({ ok: false, db: "unavailable" });
      }
    } finally {
      locker?.exec("ROLLBACK");
      locker?.close();
      proxy?.restore();
    }
    expect(await t.db.webhookDelivery.count({ where: { webhookId } })).toBe(0);
    expect(await t.db.checkout.count({ where: { shop: SHOP, token: checkout.token } })).toBe(0);

    // WHEN Shopify retries the same delivery, twice
    expect((await deliver()).status).toBe(200);
    expect((await deliver()).status).toBe(200);
    // THEN it is stored once, with one follow-up job
    expect(await t.db.webhookDelivery.count({ where: { webhookId } })).toBe(1);
    expect(await t.db.checkout.count({ where: { shop: SHOP, token: checkout.token } })).toBe(1);
    expect(await t.db.job.count({ where: { kind: "recovery.start", dedupeKey: `recovery.start:${SHOP}:${checkout.token}` } })).toBe(1);
  });
});
