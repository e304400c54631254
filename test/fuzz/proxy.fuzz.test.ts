import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BATCH_BYTES } from "~/domain/events/schema";
import { createTestDb, type TestDb } from "../support/db";
import { proxyRequest, signProxyParams } from "../support/shopify";
import { anyJsonText, FUZZ_SEED, fuzzParams, invalidBatchArb, isJson, oversizeBodyArb, validBatchArb, type BatchCase } from "./arbitraries";
import { installRecordingDb } from "./recorder";

/**
 * The app proxy event endpoint (app/routes/proxy.events.ts) under 10 000 signed requests with
 * random, malformed, oversize, hostile and valid bodies, called in-process like Remix does.
 * Properties:
 * - never a throw (a 5xx), never an unhandled rejection;
 * - invalid input → 400 (413 over 16 KB) with a JSON {"error": reason}, and no Event, Contact or
 *   Job written;
 * - a valid batch → 204 and exactly its events stored, field by field, under the signed shop;
 *   captured emails become one Contact each;
 * - forged, stale or tampered signatures → 401 with a reason and nothing written;
 * - the rate limiter never answers (it is cleared before each request and every request has its
 *   own shop); 429s are counted and must stay at 0.
 */

const RUNS = { invalid: 3_500, oversize: 500, valid: 3_500, arbitrary: 1_500, forged: 1_000 };
const WEEK = 7 * 24 * 3600_000;

let t: TestDb;
let action: (args: { request: Request; params: object; context: object }) => Promise<Response>;
let clearLimiter: () => void;
const writes: string[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
const tally = { status: new Map<number, number>(), storedEvents: 0, validShops: new Set<string>(), refusedShops: new Set<string>() };

beforeAll(async () => {
  t = await createTestDb();
  installRecordingDb(t, writes);
  const route = await import("~/routes/proxy.events");
  action = route.action as unknown as typeof action;
  const { eventRateLimiter } = await import("~/services/rate-limit.server");
  clearLimiter = () => eventRateLimiter().clear();
  process.on("unhandledRejection", onUnhandled);
});

afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await t?.cleanup();
});

let counter = 0;
const freshShop = () => `px-${FUZZ_SEED}-${++counter}.myshopify.com`;

async function call(request: Request): Promise<Response> {
  clearLimiter();
  writes.length = 0;
  let response: Response;
  try {
    response = await action({ request, params: {}, context: {} });
  } catch (error) {
    throw new Error(`the proxy action threw (a 5xx): ${error instanceof Error ? error.message.slice(0, 400) : String(error)}`);
  }
  tally.status.set(response.status, (tally.status.get(response.status) ?? 0) + 1);
  return response;
}

async function expectRefusal(response: Response, statuses: number[], shop: string): Promise<string> {
  expect(statuses).toContain(response.status);
  expect(response.headers.get("Content-Type")).toBe("application/json");
  const body = (await response.json()) as { error?: unknown };
  expect(typeof body.error).toBe("string");
  expect((body.error as string).length).toBeGreaterThan(0);
  expect(writes).toEqual([]);
  tally.refusedShops.add(shop);
  return body.error as string;
}

/** The stored rows must be exactly the batch's events, in order, under the signed shop. */
async function expectStored(shop: string, batch: BatchCase, before: number, after: number) {
  const rows = await t.db.event.findMany({ where: { shop }, orderBy: { id: "asc" } });
  expect(rows).toHaveLength(batch.events.length);
  rows.forEach((row, i) => {
    const e = batch.events[i];
    expect(row).toMatchObject({
      visitorId: batch.visitorId,
      sessionId: batch.sessionId ?? null,
      kind: e.kind,
      triggerId: e.triggerId ?? null,
      variant: e.variant ?? null,
      intentTier: e.tier ?? null,
      productId: e.productId ?? null,
      cartToken: e.cartToken ? e.cartToken.split("?")[0] : null,
      valueCents: e.valueCents ?? null,
    });
    // The browser's clock is kept within [receipt − 7 days, receipt + 60 s], else the receipt time.
    const at = row.occurredAt.getTime();
    const inWindow = e.at >= after - WEEK && e.at <= before + 60_000;
    const outside = e.at < before - WEEK || e.at > after + 60_000;
    if (inWindow) expect(at).toBe(e.at);
    else if (outside) expect(at >= before && at <= after, `occurredAt ${at} for at ${e.at}`).toBe(true);
  });
  const emails = new Set(batch.events.filter((e) => e.kind === "email_capture" && e.email).map((e) => e.email!.trim().toLowerCase()));
  expect(await t.db.contact.count({ where: { shop } })).toBe(emails.size);
  const viewed = new Set(batch.events.filter((e) => e.kind === "product_view" && e.productId).map((e) => e.productId));
  expect(await t.db.job.count({ where: { shop, kind: "recovery.browse" } })).toBe(emails.size > 0 ? viewed.size : 0);
  tally.storedEvents += rows.length;
  tally.validShops.add(shop);
}

describe(`app proxy events fuzz (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"}, seed ${FUZZ_SEED})`, () => {
  const now = Date.now();

  it("refuses invalid batches with 400 and a JSON reason, storing nothing", async () => {
    await fc.assert(
      fc.asyncProperty(invalidBatchArb(now), async ({ body, why }) => {
        const shop = freshShop();
        const response = await call(proxyRequest("/proxy/events", body, { shop }));
        // A few malformed bodies are multi-byte heavy; over 16 KB they are refused for their size.
        const statuses = Buffer.byteLength(body) > MAX_BATCH_BYTES ? [413] : [400];
        const reason = await expectRefusal(response, statuses, shop);
        if (response.status === 400 && !isJson(body)) expect(reason).toMatch(/^malformed JSON/);
        if (response.status === 400 && isJson(body)) expect(reason, why).toMatch(/^(invalid batch|too many events)/);
      }),
      fuzzParams(RUNS.invalid, 11),
    );
  }, 300_000);

  it("refuses bodies over 16 KB with 413", async () => {
    await fc.assert(
      fc.asyncProperty(oversizeBodyArb(now, MAX_BATCH_BYTES), async (body) => {
        const shop = freshShop();
        const reason = await expectRefusal(await call(proxyRequest("/proxy/events", body, { shop })), [413], shop);
        expect(reason).toMatch(/larger than/);
      }),
      fuzzParams(RUNS.oversize, 12),
    );
  }, 300_000);

  it("stores exactly the events of a valid batch and answers 204", async () => {
    await fc.assert(
      fc.asyncProperty(validBatchArb(now), async (batch) => {
        const shop = freshShop();
        const body = JSON.stringify(batch);
        const before = Date.now();
        const response = await call(proxyRequest("/proxy/events", body, { shop }));
        const after = Date.now();
        if (Buffer.byteLength(body) > MAX_BATCH_BYTES) {
          await expectRefusal(response, [413], shop); // by design: the cap applies to valid batches too
          return;
        }
        expect(response.status, await response.clone().text()).toBe(204);
        expect(await response.text()).toBe("");
        expect(
          writes.filter((w) => w.startsWith("Event.")),
          "the batch is stored in one write",
        ).toHaveLength(1);
        await expectStored(shop, batch, before, after);
      }),
      fuzzParams(RUNS.valid, 13),
    );
  }, 300_000);

  it("answers any JSON with 204 (stored) or 400 (nothing stored), never anything else", async () => {
    await fc.assert(
      fc.asyncProperty(anyJsonText, async (body) => {
        const shop = freshShop();
        const response = await call(proxyRequest("/proxy/events", body, { shop }));
        if (response.status === 204) {
          const batch = JSON.parse(body) as BatchCase;
          expect(await t.db.event.count({ where: { shop } })).toBe(batch.events.length);
          tally.validShops.add(shop);
        } else {
          await expectRefusal(response, Buffer.byteLength(body) > MAX_BATCH_BYTES ? [413] : [400], shop);
        }
      }),
      fuzzParams(RUNS.arbitrary, 14),
    );
  }, 300_000);

  it("refuses forged, stale, future or tampered signatures with 401 and stores nothing", async () => {
    const attack = fc.oneof(
      fc.constant({ kind: "forged" as const }),
      fc.integer({ min: 301, max: 10_000_000 }).map((age) => ({ kind: "stale" as const, age })),
      fc.integer({ min: 61, max: 10_000_000 }).map((ahead) => ({ kind: "future" as const, ahead })),
      fc.constant({ kind: "other-shop" as const }),
      fc.constantFrom("", "abc", "-1", "1e9", "0x10", "1700000000.5", "9".repeat(13)).map((timestamp) => ({ kind: "timestamp" as const, timestamp })),
      fc.constant({ kind: "no-signature" as const }),
      fc.constant({ kind: "wrong-key" as const }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          validBatchArb(now).map((b) => JSON.stringify(b)),
          invalidBatchArb(now).map((b) => b.body),
        ),
        attack,
        async (body, a) => {
          const shop = freshShop();
          const nowSec = Math.floor(Date.now() / 1000);
          let request: Request;
          if (a.kind === "forged") request = proxyRequest("/proxy/events", body, { shop, forge: true });
          else if (a.kind === "stale") request = proxyRequest("/proxy/events", body, { shop, timestamp: nowSec - a.age });
          else if (a.kind === "future") request = proxyRequest("/proxy/events", body, { shop, timestamp: nowSec + a.ahead });
          else {
            const signedFor = a.kind === "other-shop" ? "victim.myshopify.com" : shop;
            const params: Record<string, string> = {
              shop: signedFor,
              logged_in_customer_id: "",
              path_prefix: "/apps/intentful",
              timestamp: a.kind === "timestamp" ? a.timestamp : String(nowSec),
            };
            const signature = a.kind === "wrong-key" ? signProxyParams(params, "not-the-secret") : signProxyParams(params);
            const url = new URL("/proxy/events", process.env.SHOPIFY_APP_URL);
            for (const [k, v] of Object.entries({ ...params, shop })) url.searchParams.set(k, v);
            if (a.kind !== "no-signature") url.searchParams.set("signature", signature);
            request = new Request(url, { method: "POST", headers: { "Content-Type": "text/plain;charset=UTF-8" }, body });
          }
          await expectRefusal(await call(request), [401], shop);
        },
      ),
      fuzzParams(RUNS.forged, 15),
    );
  }, 300_000);

  it("stored events only for valid batches, and the rate limiter never interfered", async () => {
    const rows = await t.db.event.groupBy({ by: ["shop"], _count: { _all: true } });
    for (const row of rows) {
      expect(tally.validShops.has(row.shop), `events stored for ${row.shop}, which sent nothing valid`).toBe(true);
      expect(tally.refusedShops.has(row.shop)).toBe(false);
    }
    expect(await t.db.event.count()).toBeGreaterThanOrEqual(tally.storedEvents);
    for (const table of [t.db.contact, t.db.job] as const) {
      const shops = await (table as typeof t.db.contact).groupBy({ by: ["shop"], _count: { _all: true } });
      for (const row of shops) expect(tally.refusedShops.has(row.shop!), `a row for refused ${row.shop}`).toBe(false);
    }
    expect(tally.status.get(429) ?? 0).toBe(0);
    expect([...tally.status.keys()].every((s) => s < 500)).toBe(true);
    expect(unhandled).toEqual([]);
    console.info(`proxy fuzz: statuses ${JSON.stringify(Object.fromEntries(tally.status))}, ${tally.storedEvents} events stored, seed ${FUZZ_SEED}`);
  });
});
