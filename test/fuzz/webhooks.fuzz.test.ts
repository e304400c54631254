import { createHmac } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "~/db.server";
import { createTestDb, type TestDb } from "../support/db";
import { webhookRequest } from "../support/shopify";
import {
  arbitraryDeliveryArb,
  bindShop,
  TOPICS,
  FUZZ_SEED,
  fuzzParams,
  invalidDeliveryArb,
  isJson,
  validDeliveryArb,
  type Expected,
  type ValidDelivery,
} from "./arbitraries";
import { installRecordingDb } from "./recorder";

/**
 * Webhook intake under 10 000 random, malformed and valid signed deliveries, called in-process
 * exactly as the app/routes/webhooks.* actions call it. Properties:
 * - a correctly signed delivery is always answered 200 (never 5xx, never a throw);
 * - a forged, garbled or unsigned one is answered 401 (400 when a required header is missing)
 *   and writes nothing at all;
 * - an invalid payload leaves exactly one WebhookDelivery row (outcome "rejected", with a
 *   reason) and no Checkout/Cart/Order/Job rows;
 * - a valid payload is recorded "accepted" and its snapshot row holds what was sent; a repeat
 *   is acknowledged without a second write, an older snapshot is "stale", a re-sent order is
 *   "duplicate".
 * Every run uses its own shop and webhook id, so rows can be attributed to the run that made them.
 */

/** 10 000 deliveries in all; valid ones cost the most (a transaction, plus replays), so they are fewer. */
const RUNS = { invalid: 3_000, valid: 2_000, arbitrary: 3_000, forged: 2_000 };

let t: TestDb;
let receiveWebhook: (db: Db, request: Request) => Promise<Response>;
let appDb: Db;
let normalizeTopic: (topic: string) => string;
const writes: string[] = [];
const notApplied = new Map<string, number>();
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

/** Which shops were sent what; checked against every table at the end. */
const ledger = {
  rowShops: new Map<string, Set<string>>(),
  noRowShops: new Set<string>(),
  forgedIds: new Set<string>(),
  authenticated: new Set<string>(),
  refused: 0,
};

beforeAll(async () => {
  t = await createTestDb();
  installRecordingDb(t, writes);
  // Every delivery not applied is logged at error level (warn when ignored): counted here instead
  // of printed (thousands of lines), and checked against the rows at the end.
  const { logger } = await import("~/services/logger.server");
  const count = (msg: string) => notApplied.set(msg, (notApplied.get(msg) ?? 0) + 1);
  vi.spyOn(logger, "error").mockImplementation((msg: string) => count(msg));
  vi.spyOn(logger, "warn").mockImplementation((msg: string) => count(msg));
  ({ receiveWebhook, normalizeTopic } = await import("~/services/webhooks/intake.server"));
  ({ default: appDb } = await import("~/db.server"));
  process.on("unhandledRejection", onUnhandled);
});

afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await t?.cleanup();
});

/** The subscribed route a delivery goes to: its topic's, or another's when the header names none. */
function routeFor(topic: string): string {
  const normalized = normalizeTopic(topic);
  return (TOPICS as readonly string[]).includes(normalized) ? normalized : "checkouts/update";
}

let counter = 0;
/** A fresh shop and webhook id for each delivery (also for the re-runs fast-check makes while shrinking). */
function fresh() {
  counter++;
  return { shop: `fz-${FUZZ_SEED}-${counter}.myshopify.com`, webhookId: `wh-${FUZZ_SEED}-${counter}` };
}

const TRIGGERED_AT = fc.oneof(
  { weight: 8, arbitrary: fc.constant(() => new Date().toISOString()) },
  { weight: 1, arbitrary: fc.constantFrom("", "yesterday", "2024-02-30T25:61:61Z", "Tue, 01 Jan 2030 00:00:00 GMT", "0", "1700000000").map((s) => () => s) },
);

async function deliver(topic: string, body: string, shop: string, webhookId: string, triggeredAt: string, path?: string): Promise<Response> {
  const request = webhookRequest(topic, undefined, { shop, webhookId, rawBody: body, triggeredAt, path });
  let response: Response;
  try {
    response = await receiveWebhook(appDb, request);
  } catch (error) {
    // The route would answer 500 here: that is the failure this suite exists to find.
    throw new Error(`receiveWebhook threw (a 5xx) for topic ${topic}: ${error instanceof Error ? error.message.slice(0, 500) : String(error)}`);
  }
  return response;
}

/** The delivery row was written (one write), and nothing else. */
function expectOnlyDeliveryWritten() {
  expect(writes).toHaveLength(1);
  expect(writes[0]).toMatch(/^WebhookDelivery\./);
}

const delivery = (webhookId: string) => t.db.webhookDelivery.findUnique({ where: { webhookId } });

function noteRows(shop: string, model: string) {
  const set = ledger.rowShops.get(shop) ?? new Set<string>();
  set.add(model);
  ledger.rowShops.set(shop, set);
}

/** Asserts the row a valid delivery must leave, and returns a short description for the ledger. */
async function expectSnapshot(shop: string, e: Expected) {
  if (e.model === "checkout") {
    const row = await t.db.checkout.findUnique({ where: { shop_token: { shop, token: e.token } } });
    expect(row, "checkout row").not.toBeNull();
    expect(row).toMatchObject({ shopifyId: e.shopifyId, totalCents: e.totalCents, currency: e.currency, status: e.status });
    expect(row!.shopifyUpdatedAt.getTime()).toBe(e.updatedMs);
    expect(row!.lineItems as unknown[]).toHaveLength(e.lineItems);
    noteRows(shop, "checkout");
  } else if (e.model === "cart") {
    const row = await t.db.cart.findUnique({ where: { shop_token: { shop, token: e.token } } });
    expect(row, "cart row").not.toBeNull();
    expect(row).toMatchObject({ totalCents: e.totalCents });
    expect(row!.shopifyUpdatedAt.getTime()).toBe(e.updatedMs);
    expect(row!.lineItems as unknown[]).toHaveLength(e.lineItems);
    noteRows(shop, "cart");
  } else if (e.model === "order") {
    const row = await t.db.order.findUnique({ where: { shop_orderId: { shop, orderId: e.orderId } } });
    expect(row, "order row").not.toBeNull();
    expect(row).toMatchObject({ totalCents: e.totalCents, currency: e.currency });
    noteRows(shop, "order");
  } else if (e.model === "job") {
    expect(await t.db.job.count({ where: { shop, kind: e.kind } })).toBe(1);
    noteRows(shop, "job");
  } else {
    noteRows(shop, "none");
  }
}

/** Every row intake may have written for a shop. */
async function rowsOf(shop: string) {
  const where = { where: { shop } };
  return {
    deliveries: await t.db.webhookDelivery.findMany(where),
    checkouts: await t.db.checkout.findMany(where),
    carts: await t.db.cart.findMany(where),
    orders: await t.db.order.findMany(where),
    jobs: await t.db.job.findMany(where),
  };
}

function withUpdated(d: ValidDelivery, ms: number): Record<string, unknown> {
  return { ...d.payload, updated_at: new Date(ms).toISOString() };
}

describe(`webhook intake fuzz (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"}, seed ${FUZZ_SEED})`, () => {
  it("rejects invalid signed payloads with 200, recording only the delivery", async () => {
    await fc.assert(
      fc.asyncProperty(invalidDeliveryArb, TRIGGERED_AT, async (d, triggeredAt) => {
        const { shop, webhookId } = fresh();
        writes.length = 0;
        const response = await deliver(d.topic, d.body, shop, webhookId, triggeredAt());
        if (d.body === "" || d.body.startsWith("\ufeff")) {
          // Refused by the library before we see it, nothing recorded: an empty body is a 400; a BOM is
          // dropped by request.text(), so the HMAC over the rest no longer matches (401). Shopify sends neither.
          expect(response.status).toBe(d.body === "" ? 400 : 401);
          expect(writes).toEqual([]);
          return;
        }
        expect(response.status).toBe(200);
        expectOnlyDeliveryWritten();
        const row = await delivery(webhookId);
        expect(row).toMatchObject({ outcome: "rejected", shop });
        expect(row!.reason).toBeTruthy();
        if (!isJson(d.body)) expect(row!.reason).toBe("body is not valid JSON");
        ledger.noRowShops.add(shop);
        ledger.authenticated.add(webhookId);
      }),
      fuzzParams(RUNS.invalid, 1),
    );
  }, 300_000);

  it("accepts valid signed payloads and stores their snapshot; repeats are stale, duplicate or ignored by design", async () => {
    const replayArb = fc.record({
      kind: fc.constantFrom("none", "none", "none", "same-id", "older", "newer"),
      deltaSec: fc.integer({ min: 1, max: 90 * 86_400 }),
      cents: fc.integer({ min: 0, max: 2_147_483_647 }),
    });
    await fc.assert(
      fc.asyncProperty(validDeliveryArb, replayArb, async (d, replay) => {
        const { shop, webhookId } = fresh();
        writes.length = 0;
        const body = JSON.stringify(bindShop(d.topic, d.payload, shop));
        expect((await deliver(d.topic, body, shop, webhookId, new Date().toISOString())).status).toBe(200);
        const row = await delivery(webhookId);
        expect(row, `delivery of ${d.topic}`).toMatchObject({ outcome: "accepted", shop, reason: null });
        await expectSnapshot(shop, d.expected);
        ledger.authenticated.add(webhookId);
        // The recorder sees the snapshot write (whichever API made it), so "no writes" elsewhere means something.
        if (d.expected.model !== "none" && d.expected.model !== "job") {
          expect(
            writes.some((w) => w.toLowerCase().startsWith(`${d.expected.model}.`)),
            writes.join(","),
          ).toBe(true);
        }

        if (replay.kind === "same-id") {
          // Shopify retries with the same X-Shopify-Webhook-Id: acknowledged, nothing written twice
          // (every row of the shop compared, timestamps included: on PostgreSQL a checkout or cart
          // delivery is one statement that finds the repeat inside the database, so counting
          // statements sent would not tell).
          const before = await rowsOf(shop);
          expect((await deliver(d.topic, body, shop, webhookId, new Date().toISOString())).status).toBe(200);
          expect(await rowsOf(shop)).toEqual(before);
          await expectSnapshot(shop, d.expected);
        } else if (replay.kind !== "none" && (d.expected.model === "checkout" || d.expected.model === "cart")) {
          const e = d.expected;
          const ms = replay.kind === "older" ? e.updatedMs - replay.deltaSec * 1000 : e.updatedMs + replay.deltaSec * 1000;
          const payload =
            e.model === "checkout"
              ? { ...withUpdated(d, ms), total_price: (replay.cents / 100).toFixed(2) }
              : { ...withUpdated(d, ms), line_items: [{ title: "replay", quantity: 1, price: (replay.cents / 100).toFixed(2) }] };
          const second = fresh().webhookId;
          expect((await deliver(d.topic, JSON.stringify(payload), shop, second, new Date().toISOString())).status).toBe(200);
          ledger.authenticated.add(second);
          if (replay.kind === "older") {
            expect(await delivery(second)).toMatchObject({ outcome: "stale" });
            await expectSnapshot(shop, e); // unchanged
          } else {
            expect(await delivery(second)).toMatchObject({ outcome: "accepted" });
            await expectSnapshot(
              shop,
              e.model === "checkout" ? { ...e, totalCents: replay.cents, updatedMs: ms } : { ...e, totalCents: replay.cents, lineItems: 1, updatedMs: ms },
            );
          }
        } else if (replay.kind !== "none" && d.expected.model === "order") {
          const second = fresh().webhookId;
          expect((await deliver(d.topic, body, shop, second, new Date().toISOString())).status).toBe(200);
          ledger.authenticated.add(second);
          expect(await delivery(second)).toMatchObject({ outcome: "duplicate" });
          expect(await t.db.order.count({ where: { shop } })).toBe(1);
        }
      }),
      fuzzParams(RUNS.valid, 2),
    );
  }, 300_000);

  it("answers 200 to any signed JSON, and stores rows only for what it accepted", async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryDeliveryArb, TRIGGERED_AT, async (d, triggeredAt) => {
        const { shop, webhookId } = fresh();
        writes.length = 0;
        // Delivered to a subscribed route; a header naming another topic than the route's is refused.
        const route = routeFor(d.topic);
        const response = await deliver(d.topic, d.body, shop, webhookId, triggeredAt(), `/webhooks/${route}`);
        ledger.authenticated.add(webhookId);
        if (response.status === 400) {
          // Refused: recorded under an id of our own, nothing else written.
          expectOnlyDeliveryWritten();
          const refused = await t.db.webhookDelivery.findMany({ where: { shop, outcome: "refused" } });
          expect(refused).toHaveLength(1);
          expect(refused[0].webhookId).toMatch(/^refused:/);
          if (route !== normalizeTopic(d.topic)) expect(refused[0].reason).toContain("does not match this subscription");
          ledger.authenticated.delete(webhookId);
          ledger.refused++;
          ledger.noRowShops.add(shop);
          return;
        }
        expect(route, "a header naming another topic is never acted on").toBe(normalizeTopic(d.topic));
        expect(response.status).toBe(200);
        const row = await delivery(webhookId);
        expect(row, "every signed delivery is recorded").not.toBeNull();
        if (row!.outcome === "rejected" || row!.outcome === "ignored" || row!.outcome === "expired") {
          expectOnlyDeliveryWritten();
          expect(row!.reason).toBeTruthy();
          ledger.noRowShops.add(shop);
        } else {
          expect(row!.outcome).toBe("accepted");
          ledger.rowShops.set(shop, new Set(["any"]));
        }
      }),
      fuzzParams(RUNS.arbitrary, 3),
    );
  }, 300_000);

  it("answers forged, garbled or unsigned deliveries with 401 (400 without required headers) and writes nothing", async () => {
    const forgery = fc.oneof(
      fc.constant({ mode: "wrong-secret" as const }),
      fc.constant({ mode: "other-body" as const }),
      fc.record({
        mode: fc.constant("garbled" as const),
        hmac: fc.oneof(
          fc.string({ minLength: 1, maxLength: 60 }).filter((s) => /^[\x21-\x7e]+$/.test(s)),
          fc.constantFrom("AAAA", "=", "not base64!", "a".repeat(44), "0".repeat(64)),
        ),
      }),
      fc.record({ mode: fc.constant("flip" as const), at: fc.nat({ max: 43 }) }),
      fc.constant({ mode: "hex" as const }),
      fc.record({
        mode: fc.constant("missing" as const),
        header: fc.constantFrom("X-Shopify-Hmac-Sha256", "X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-Webhook-Id", "X-Shopify-API-Version"),
      }),
    );
    const bodyArb = fc.oneof(
      validDeliveryArb.map((d) => ({ topic: d.topic as string, body: JSON.stringify(d.payload) })),
      invalidDeliveryArb,
      arbitraryDeliveryArb,
    );
    await fc.assert(
      fc.asyncProperty(bodyArb, forgery, async (d, f) => {
        const { shop, webhookId } = fresh();
        writes.length = 0;
        const secret = process.env.SHOPIFY_API_SECRET!;
        const signed = webhookRequest(d.topic, undefined, {
          shop,
          webhookId,
          rawBody: d.body,
          path: `/webhooks/${routeFor(d.topic)}`,
          secretOverride: f.mode === "wrong-secret" ? `${secret}x` : undefined,
        });
        const headers = new Headers(signed.headers);
        let body = d.body;
        const good = headers.get("X-Shopify-Hmac-Sha256")!;
        if (f.mode === "other-body") body = d.body + " ";
        if (f.mode === "garbled") headers.set("X-Shopify-Hmac-Sha256", f.hmac);
        if (f.mode === "flip") headers.set("X-Shopify-Hmac-Sha256", good.slice(0, f.at) + (good[f.at] === "A" ? "B" : "A") + good.slice(f.at + 1));
        if (f.mode === "hex") headers.set("X-Shopify-Hmac-Sha256", createHmac("sha256", secret).update(d.body).digest("hex"));
        if (f.mode === "missing") headers.delete(f.header);
        const request = new Request(signed.url, { method: "POST", headers, body });
        let response: Response;
        try {
          response = await receiveWebhook(appDb, request);
        } catch (error) {
          throw new Error(`receiveWebhook threw for a forged delivery (${f.mode}): ${String(error).slice(0, 300)}`);
        }
        if (body === "")
          expect(response.status).toBe(400); // the library checks for a body first
        else if (f.mode === "missing" && f.header !== "X-Shopify-Hmac-Sha256") expect([400, 401]).toContain(response.status);
        else if (f.mode === "missing") expect(response.status).toBe(400);
        else expect(response.status).toBe(401);
        expect(writes).toEqual([]);
        ledger.forgedIds.add(webhookId);
      }),
      fuzzParams(RUNS.forged, 4),
    );
  }, 300_000);

  it("left rows only where a valid delivery put them (checked across every table)", async () => {
    const deliveries = await t.db.webhookDelivery.findMany({ select: { webhookId: true } });
    const ids = new Set(deliveries.map((d) => d.webhookId));
    for (const id of ledger.authenticated) expect(ids.has(id), `delivery ${id} recorded`).toBe(true);
    for (const id of ledger.forgedIds) expect(ids.has(id), `forged ${id} not recorded`).toBe(false);
    expect(ids.size).toBe(ledger.authenticated.size + ledger.refused);

    const shopsOf = async (rows: Promise<Array<{ shop: string | null }>>) => new Set((await rows).map((r) => r.shop));
    const tables = {
      checkout: await shopsOf(t.db.checkout.findMany({ select: { shop: true } })),
      cart: await shopsOf(t.db.cart.findMany({ select: { shop: true } })),
      order: await shopsOf(t.db.order.findMany({ select: { shop: true } })),
      job: await shopsOf(t.db.job.findMany({ select: { shop: true } })),
    };
    for (const [table, shops] of Object.entries(tables)) {
      for (const shop of shops) {
        expect(ledger.noRowShops.has(shop!), `${table} row for ${shop}, which only sent invalid input`).toBe(false);
        const sent = ledger.rowShops.get(shop!);
        expect(sent, `${table} row for ${shop}, which sent nothing valid`).toBeDefined();
      }
    }
    // Every valid snapshot is still there (nothing dropped after the fact).
    for (const [shop, models] of ledger.rowShops) {
      for (const model of models) {
        if (model === "checkout" || model === "cart" || model === "order") expect(tables[model].has(shop), `${model} for ${shop}`).toBe(true);
      }
    }
    expect(unhandled).toEqual([]);
    // Each delivery recorded as not applied was logged once, under its outcome.
    for (const outcome of ["rejected", "refused", "expired", "ignored"]) {
      const rows = await t.db.webhookDelivery.count({ where: { outcome } });
      expect(notApplied.get(`webhook ${outcome}`) ?? 0, `logged "webhook ${outcome}"`).toBe(rows);
    }
    console.info(
      `webhook fuzz: ${ledger.authenticated.size} signed deliveries, ${ledger.forgedIds.size} forged, ${ledger.rowShops.size} shops with valid input, seed ${FUZZ_SEED}`,
    );
  });
});
