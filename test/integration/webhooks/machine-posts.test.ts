import { gzipSync } from "node:zlib";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, sendTo, type AppServer } from "../../support/app-process";
import { createTestDb, type TestDb } from "../../support/db";
import { proxyRequest, webhookRequest } from "../../support/shopify";
import { checkoutPayload } from "./fixtures";

/**
 * server.ts answers webhook and app proxy POSTs on node:http before express (decision 100).
 * Through the real server: the same answers as the express route it stands in front of — a
 * signed delivery stored, a forged one refused, a body over 1 MB refused with 413 whether or not
 * it declares its length, a compressed body passed on to express (which inflates it) and still
 * verified, a path without an action left to Remix (404).
 */
const SHOP = "machine-posts.myshopify.com";

let t: TestDb;
let web: AppServer;

beforeAll(async () => {
  t = await createTestDb();
  await t.db.shop.create({ data: { shop: SHOP } });
  web = await startAppServer({ databaseUrl: t.url, env: { WORKER_IN_PROCESS: "0", LOG_LEVEL: "warn" } });
});

afterAll(async () => {
  await web?.stop();
  await t?.cleanup();
});

/** A raw POST with full control of framing (fetch always sends a Content-Length it computes). */
function rawPost(path: string, headers: Record<string, string>, chunks: Buffer[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, web.baseUrl), { method: "POST", headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    // The server may answer (and close) before the whole body is written.
    req.on("error", (error: NodeJS.ErrnoException) => (error.code === "EPIPE" || error.code === "ECONNRESET" ? undefined : reject(error)));
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

const headersOf = (request: Request) => Object.fromEntries(request.headers.entries());

describe(`webhook and app proxy POSTs on the server's fast path (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"})`, () => {
  it("stores a signed delivery once and refuses a forged one with 401", async () => {
    const checkout = checkoutPayload({ email: "fast@example.com" });
    const webhookId = `fast-${checkout.token}`;
    const signed = () => webhookRequest("checkouts/create", checkout, { shop: SHOP, webhookId });
    expect((await sendTo(web.baseUrl, signed())).status).toBe(200);
    expect((await sendTo(web.baseUrl, signed())).status).toBe(200);
    expect(await t.db.webhookDelivery.count({ where: { webhookId } })).toBe(1);
    expect(await t.db.checkout.count({ where: { shop: SHOP, token: checkout.token } })).toBe(1);

    const forged = checkoutPayload({ email: "forged@example.com" });
    const res = await sendTo(web.baseUrl, webhookRequest("checkouts/create", forged, { shop: SHOP, secretOverride: "not-the-app-secret" }));
    expect(res.status).toBe(401);
    expect(await t.db.checkout.count({ where: { shop: SHOP, token: forged.token } })).toBe(0);
  });

  it("refuses a body over 1 MB with 413, declared or chunked, and stores nothing", async () => {
    const checkout = checkoutPayload({ email: "big@example.com" });
    const huge = JSON.stringify({ ...checkout, note: "x".repeat(1024 * 1024) });
    const request = webhookRequest("checkouts/create", null, { shop: SHOP, rawBody: huge });
    const declared = await rawPost("/webhooks/checkouts/create", { ...headersOf(request), "content-length": String(Buffer.byteLength(huge)) }, [
      Buffer.from(huge),
    ]);
    expect(declared.status).toBe(413);
    expect(declared.body).toMatch(/larger than 1 MB/);

    const body = Buffer.from(huge);
    const pieces = [body.subarray(0, 600_000), body.subarray(600_000)];
    const chunked = await rawPost("/webhooks/checkouts/create", { ...headersOf(request), "transfer-encoding": "chunked" }, pieces);
    expect(chunked.status).toBe(413);
    expect(await t.db.checkout.count({ where: { shop: SHOP, token: checkout.token } })).toBe(0);
    // the server still answers afterwards
    expect((await fetch(`${web.baseUrl}/healthz`)).status).toBe(200);
  });

  it("cuts an endless chunked body off at 1 MB: the 413 comes while the sender is still sending", async () => {
    const request = webhookRequest("checkouts/create", null, { shop: SHOP, rawBody: "{}" });
    const piece = Buffer.alloc(64 * 1024, "x");
    const result = await new Promise<{ status: number; sentBytes: number }>((resolve, reject) => {
      const req = http.request(new URL("/webhooks/checkouts/create", web.baseUrl), {
        method: "POST",
        headers: { ...headersOf(request), "transfer-encoding": "chunked" },
      });
      let sent = 0;
      let answered = false;
      req.on("response", (res) => {
        answered = true;
        res.resume();
        resolve({ status: res.statusCode ?? 0, sentBytes: sent });
      });
      req.on("error", (error: NodeJS.ErrnoException) => (answered || error.code === "EPIPE" || error.code === "ECONNRESET" ? undefined : reject(error)));
      // Up to 64 MB, 64 KB at a time, until the server answers.
      const pump = () => {
        if (answered || sent >= 64 * 1024 * 1024) return req.end();
        sent += piece.length;
        if (req.write(piece)) setImmediate(pump);
        else req.once("drain", pump);
      };
      pump();
    });
    expect(result.status).toBe(413);
    expect(result.sentBytes).toBeLessThan(64 * 1024 * 1024); // answered before the sender was done
  });

  it("answers 413 without a stack trace to a compressed body that inflates past 1 MB", async () => {
    const huge = JSON.stringify({ note: "x".repeat(2 * 1024 * 1024) });
    const request = webhookRequest("checkouts/create", null, { shop: SHOP, rawBody: huge });
    const body = gzipSync(Buffer.from(huge));
    const res = await rawPost("/webhooks/checkouts/create", { ...headersOf(request), "content-encoding": "gzip", "content-length": String(body.length) }, [
      body,
    ]);
    expect(res.status).toBe(413);
    expect(res.body).not.toMatch(/at |node_modules|\.ts:/);
  });

  it("answers malformed requests in production mode with a status and no stack trace or file path", async () => {
    for (const target of ["/%E0%A4%A", "/app/%", "/webhooks/checkouts/create?%"]) {
      const res = await fetch(`${web.baseUrl}${target}`);
      const body = await res.text();
      expect(res.status, target).toBeGreaterThanOrEqual(400);
      expect(body, target).not.toMatch(/\n\s+at |node_modules|\/work\/|\.ts:\d/);
    }
    const bad = await rawPost("/webhooks/checkouts/create", { "content-type": "application/json", "content-encoding": "gzip", "content-length": "10" }, [
      Buffer.from("not gzip!!"),
    ]);
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    expect(bad.body).not.toMatch(/\n\s+at |node_modules|\.ts:\d/);
  });

  it("passes a gzip-encoded delivery to express, which inflates it before the HMAC check", async () => {
    const checkout = checkoutPayload({ email: "gzip@example.com" });
    const request = webhookRequest("checkouts/create", checkout, { shop: SHOP });
    const body = gzipSync(Buffer.from(JSON.stringify(checkout)));
    const res = await rawPost("/webhooks/checkouts/create", { ...headersOf(request), "content-encoding": "gzip", "content-length": String(body.length) }, [
      body,
    ]);
    expect(res.status).toBe(200);
    expect(await t.db.checkout.count({ where: { shop: SHOP, token: checkout.token } })).toBe(1);
  });

  it("leaves a webhook path without a route to Remix: 404", async () => {
    const request = webhookRequest("products/create", { id: 1 }, { shop: SHOP });
    const res = await rawPost("/webhooks/products/create", headersOf(request), [Buffer.from(JSON.stringify({ id: 1 }))]);
    expect(res.status).toBe(404);
  });

  it("answers app proxy event batches with the route's own limits (a forged signature is 401)", async () => {
    const forged = await sendTo(web.baseUrl, proxyRequest("/proxy/events", JSON.stringify({ events: [] }), { shop: SHOP, forge: true }));
    expect(forged.status).toBe(401);
    const tooBig = await sendTo(web.baseUrl, proxyRequest("/proxy/events", "x".repeat(20_000), { shop: SHOP }));
    expect(tooBig.status).toBe(413);
    expect(await t.db.event.count({ where: { shop: SHOP } })).toBe(0);
  });
});
