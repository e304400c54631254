import { randomUUID } from "node:crypto";
import type { Prisma } from "@prisma/client";
import type { ZodType } from "zod";
import { isRawUniqueViolation, isTransientDbError, type Db } from "~/db.server";
import { verifyWebhook, type VerifiedWebhook } from "~/shopify.server";
import { isUniqueViolation } from "../jobs.server";
import { logger } from "../logger.server";
import { payloadShops } from "./payloads";
import { insertDelivery, type Delivery } from "~/models/snapshot.server";
import { topicHandlers, type ApplyContext, type TopicHandler } from "./topics.server";

export type Tx = Prisma.TransactionClient;

/**
 * Webhook intake, shared by every app/routes/webhooks.* route:
 * 1. `verifyWebhook` (Shopify's library) verifies the HMAC (401 when wrong, compliance topics
 *    included) — without the session load `authenticate.webhook` adds, which these handlers don't use;
 * 2. the delivery is recorded under its X-Shopify-Webhook-Id — a repeat is acknowledged and ignored;
 * 3. the payload is validated; a malformed or wrongly typed one is recorded as rejected and
 *    acknowledged with 200 (a retry cannot fix it, and a 5xx would start a retry storm);
 * 4. the snapshot write and the follow-up jobs happen in ONE transaction with the delivery row,
 *    so a database failure leaves nothing half-written and answers 5xx, and Shopify retries.
 *    On PostgreSQL a topic with a `single` path (checkouts, carts: most of the traffic) does all
 *    of it in one statement, atomic on its own, instead of BEGIN + statements + COMMIT; on SQLite
 *    its `direct` path does it in one synchronous transaction on a second connection, past Prisma
 *    (sqlite-direct.server.ts), unless another connection holds the write lock at that moment.
 */
export async function receiveWebhook(db: Db, request: Request, options: { now?: Date } = {}): Promise<Response> {
  const headers = request.headers;
  const now = options.now ?? new Date();
  // The subscription's URI (shopify.app.toml) is /webhooks/<topic>: the path, not the unsigned
  // X-Shopify-Topic header, says which topic this route serves.
  const topic = subscriptionTopic(request.url);
  if (!topic) return new Response("no webhook subscription at this path", { status: 404 });
  let ctx: VerifiedWebhook;
  try {
    ctx = await verifyWebhook(request);
  } catch (error) {
    if (error instanceof Response) return error;
    if (error instanceof SyntaxError) {
      // The HMAC was valid (the body is parsed only after verifying it), the body is not JSON.
      await recordRejected(db, headers, topic, "body is not valid JSON", now);
      return ok();
    }
    throw error;
  }
  const webhookId = ctx.webhookId || headers.get("x-shopify-webhook-id") || "";
  const shop = ctx.shop.toLowerCase();
  // Only the body is signed: topic, shop, id and time headers are whatever the sender wrote.
  // A signed body replayed with other headers is refused here, before anything is written.
  const refusal = refuseHeaders(topic, headers, webhookId, shop);
  if (refusal) return refuse(db, topic, shop, refusal, now);
  const triggeredAt = parseDate(headers.get("x-shopify-triggered-at"));
  const handler: TopicHandler | undefined = topicHandlers[topic];
  if (!handler) {
    await recordRejected(db, headers, topic, `no handler for topic ${topic}`, now, "ignored");
    return ok();
  }
  const parsed = (handler.schema as ZodType).safeParse(ctx.payload);
  if (!parsed.success) {
    const reason = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".") || "payload"}: ${i.message}`)
      .join("; ");
    await recordRejected(db, headers, topic, reason, now);
    return ok();
  }
  if (DESTRUCTIVE_TOPICS.has(topic)) {
    // A destructive topic must name the delivery's shop in its signed body, so a signed body of
    // another topic or shop cannot be replayed as it.
    const named = payloadShops(parsed.data as Parameters<typeof payloadShops>[0]);
    if (!named.includes(shop)) {
      return refuse(db, topic, shop, `payload names ${named.join(", ") || "no shop"}, not the delivery's shop ${shop}`, now);
    }
    const age = triggeredAt ? now.getTime() - triggeredAt.getTime() : null;
    if (age === null || age > REPLAY_WINDOW_MS) {
      const reason =
        age === null
          ? "no X-Shopify-Triggered-At: a destructive topic is acted on only inside Shopify's retry window"
          : `first triggered ${Math.round(age / 3_600_000)} h ago, past Shopify's retry window (4 h): a replay, not acted on`;
      await recordOutcome(db, { webhookId, shop, topic, triggeredAt }, "expired", reason, now);
      return ok();
    }
  }
  const delivery: Delivery = { webhookId, shop, topic, triggeredAt };
  const applyCtx: ApplyContext<unknown> = { shop, payload: parsed.data, triggeredAt, now };
  try {
    // The fast way where the topic has one ("repeat": already handled); otherwise, or when it
    // wrote nothing (SQLite's write lock held elsewhere), the transaction.
    const fast = handler.fast ? await withinWait(handler.fast(db, delivery, applyCtx)) : null;
    if (fast === null) await applyInTransaction(db, handler, delivery, applyCtx);
  } catch (error) {
    // Two deliveries of one webhook at once on PostgreSQL: the loser waits on the winner's row
    // and finds it (the single statement fails with a unique violation and rolls back whole);
    // SQLite serialises writers. Either way a repeat is acknowledged.
    if ((isUniqueViolation(error) || isRawUniqueViolation(error)) && (await isKnownDelivery(db, webhookId))) {
      return ok();
    }
    // Busy or unreachable database: nothing was committed (or, after WaitedTooLong, the statement
    // commits whole later and the retry is a repeat); Shopify retries non-2xx deliveries.
    if (error instanceof WaitedTooLong || isTransientDbError(error)) return busy();
    throw error;
  }
  return ok();
}

/** Topics that erase, disable or export a shop's or a customer's data. */
const DESTRUCTIVE_TOPICS = new Set(["app/uninstalled", "shop/redact", "customers/redact", "customers/data_request"]);

/**
 * Shopify retries a failed delivery 8 times over 4 hours, always with the time the event was first
 * triggered; a destructive delivery first triggered longer ago than that (plus 15 minutes for clock
 * skew) is a replay. The header is unsigned, so this stops careless replays only: the shop check
 * above and the shop/redact handler's installed-shop check are what a forger cannot get past.
 */
export const REPLAY_WINDOW_MS = (4 * 60 + 15) * 60_000;

/** A shop's own domain: what Shopify puts in X-Shopify-Shop-Domain. */
const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]{0,99}\.myshopify\.com$/;

/** The topic a webhook route serves: the path after /webhooks/, as subscribed in shopify.app.toml. */
export function subscriptionTopic(url: string): string | null {
  const path = new URL(url).pathname;
  const m = /^\/webhooks\/([a-z_]+\/[a-z_]+)$/.exec(path);
  return m ? m[1] : null;
}

function refuseHeaders(topic: string, headers: Headers, webhookId: string, shop: string): string | null {
  const claimed = normalizeTopic(headers.get("x-shopify-topic") ?? "");
  if (claimed !== topic) return `X-Shopify-Topic ${printable(claimed)} does not match this subscription (${topic})`;
  if (!SHOP_DOMAIN.test(shop)) return `X-Shopify-Shop-Domain ${printable(shop)} is not a *.myshopify.com domain`;
  if (!webhookId || webhookId.length > MAX_KEY_LENGTH) return "X-Shopify-Webhook-Id missing or longer than 255 characters";
  return null;
}

/**
 * A delivery whose unsigned headers contradict its route or body: 400, recorded (under an id of
 * our own, so a forged row cannot pre-empt the genuine delivery with the same webhook id), and
 * nothing else done.
 */
async function refuse(db: Db, topic: string, shop: string, reason: string, now: Date): Promise<Response> {
  const recordShop = SHOP_DOMAIN.test(shop) ? shop : "invalid-shop-header";
  await recordOutcome(db, { webhookId: `refused:${randomUUID()}`, shop: recordShop, topic, triggeredAt: null }, "refused", reason, now);
  return new Response(`webhook refused: ${reason}`, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

const printable = (s: string) => JSON.stringify(s.slice(0, 100));

/**
 * The delivery row, then the topic's writes, in one interactive transaction: on SQLite, and for
 * topics without a `single` path. A repeat delivery stops after the delivery row.
 */
export async function applyInTransaction(db: Db, handler: TopicHandler, delivery: Delivery, ctx: ApplyContext<unknown>): Promise<void> {
  await db.$transaction(
    async (tx) => {
      if (!(await insertDelivery(tx, { ...delivery, outcome: "accepted" }))) {
        return; // a repeat delivery: already handled
      }
      const result = await handler.apply(tx, ctx);
      if (result && result.outcome !== "accepted") {
        await tx.webhookDelivery.update({
          where: { webhookId: delivery.webhookId },
          data: { outcome: result.outcome, reason: result.reason ?? null },
        });
      }
    },
    // A burst queues for the connection (SQLite has one): wait up to 5 s before answering 503.
    { maxWait: MAX_WAIT_MS, timeout: 10_000 },
  );
}

/** How long intake waits for the database before answering 503. */
const MAX_WAIT_MS = 5_000;

class WaitedTooLong extends Error {}

/**
 * Prisma's `maxWait` bounds a transaction's wait for a connection; a statement outside one waits
 * in the pool's queue (or on a lock) without limit, so we stop waiting after the same 5 s. The
 * statement itself is not cancelled: it is atomic and may still commit after the 503, in which
 * case Shopify's retry finds the delivery recorded and is acknowledged as a repeat.
 */
function withinWait<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitedTooLong(`no answer from the database within ${MAX_WAIT_MS} ms`)), MAX_WAIT_MS);
  });
  work.catch(() => undefined); // a failure after the deadline was already answered with 503
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function ok() {
  return new Response(null, { status: 200 });
}

function busy() {
  return new Response("database busy, retry later", { status: 503, headers: { "Retry-After": "5" } });
}

export function normalizeTopic(topic: string): string {
  // The library reports topics as sent in X-Shopify-Topic ("checkouts/create"); accept the enum form too.
  return topic.includes("/") ? topic.toLowerCase() : topic.toLowerCase().replace("_", "/");
}

/** A header date, or null when absent, unparseable or outside what both databases store. */
function parseDate(value: string | null): Date | null {
  if (!value) return null;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return null;
  const year = d.getUTCFullYear();
  return year >= 1000 && year <= 9999 ? d : null;
}

/** Longest webhook id and shop domain we index (PostgreSQL's b-tree entries cap near 2.7 KB). */
const MAX_KEY_LENGTH = 255;

async function isKnownDelivery(db: Db, webhookId: string) {
  return (await db.webhookDelivery.findUnique({ where: { webhookId }, select: { webhookId: true } })) !== null;
}

/**
 * A delivery recorded with an outcome other than "accepted" (its webhook id keeps Shopify's retries
 * of it from being read again), logged at error level: a rejection means the platform sent what we
 * cannot read, and the admin shows it (home banner, settings' delivery list).
 */
async function recordOutcome(db: Db, d: Delivery, outcome: string, reason: string, now: Date) {
  const log = outcome === "ignored" ? logger.warn : logger.error;
  log(`webhook ${outcome}`, { topic: d.topic, shop: d.shop, webhookId: d.webhookId, outcome, reason });
  try {
    await db.webhookDelivery.create({
      data: {
        webhookId: d.webhookId,
        shop: d.shop.slice(0, MAX_KEY_LENGTH),
        topic: d.topic,
        triggeredAt: d.triggeredAt,
        outcome,
        reason: reason.slice(0, 500),
        receivedAt: now,
      },
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
}

async function recordRejected(db: Db, headers: Headers, topic: string, reason: string, now: Date, outcome = "rejected") {
  const webhookId = headers.get("x-shopify-webhook-id");
  const shop = (headers.get("x-shopify-shop-domain") ?? "").toLowerCase();
  if (!webhookId || webhookId.length > MAX_KEY_LENGTH || !SHOP_DOMAIN.test(shop)) return;
  await recordOutcome(db, { webhookId, shop, topic, triggeredAt: parseDate(headers.get("x-shopify-triggered-at")) }, outcome, reason, now);
}
