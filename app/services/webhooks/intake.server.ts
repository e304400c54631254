import type { Prisma, PrismaClient } from "@prisma/client";
import type { ZodType } from "zod";
import db, { currentDialect, databaseUrl, isTransientDbError } from "~/db.server";
import { verifyWebhook, type VerifiedWebhook } from "~/shopify.server";
import { isUniqueViolation } from "../jobs.server";
import { logger } from "../logger.server";
import { insertDelivery, isRawUniqueViolation, type Delivery } from "./sql.server";
import { directSqlite } from "./sqlite-direct.server";
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
export async function receiveWebhook(request: Request, options: { now?: Date } = {}): Promise<Response> {
  const headers = request.headers;
  let ctx: VerifiedWebhook;
  try {
    ctx = await verifyWebhook(request);
  } catch (error) {
    if (error instanceof Response) return error;
    if (error instanceof SyntaxError) {
      // The HMAC was valid (the library parses JSON only after verifying it), the body is not JSON.
      await recordRejected(headers, "body is not valid JSON");
      return ok();
    }
    throw error;
  }
  const topic = normalizeTopic(String(ctx.topic));
  const webhookId = ctx.webhookId || headers.get("x-shopify-webhook-id") || "";
  const shop = ctx.shop;
  // The HMAC covers the body only: oversized headers on a replayed delivery are refused, not indexed.
  if (webhookId.length > MAX_KEY_LENGTH || shop.length > MAX_KEY_LENGTH || topic.length > MAX_KEY_LENGTH) {
    return new Response("webhook id, shop or topic too long", { status: 400 });
  }
  const triggeredAt = parseDate(headers.get("x-shopify-triggered-at"));
  const handler: TopicHandler | undefined = topicHandlers[topic];
  if (!handler) {
    await recordRejected(headers, `no handler for topic ${topic}`, "ignored");
    return ok();
  }
  const parsed = (handler.schema as ZodType).safeParse(ctx.payload);
  if (!parsed.success) {
    const reason = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".") || "payload"}: ${i.message}`)
      .join("; ");
    await recordRejected(headers, reason);
    logger.warn("webhook rejected", { topic, shop, webhookId, reason });
    return ok();
  }
  const delivery: Delivery = { webhookId, shop, topic, triggeredAt };
  const applyCtx: ApplyContext<unknown> = { shop, payload: parsed.data, triggeredAt, now: options.now ?? new Date() };
  try {
    const dialect = currentDialect();
    if (handler.single && dialect === "postgres") {
      await withinWait(handler.single(db, delivery, applyCtx)); // "repeat": already handled
    } else if (!(handler.direct && dialect === "sqlite" && deliverDirect(handler.direct, delivery, applyCtx))) {
      await applyInTransaction(handler, delivery, applyCtx);
    }
  } catch (error) {
    // Two deliveries of one webhook at once on PostgreSQL: the loser waits on the winner's row
    // and finds it (the single statement fails with a unique violation and rolls back whole);
    // SQLite serialises writers. Either way a repeat is acknowledged.
    if ((isUniqueViolation(error) || isRawUniqueViolation(error)) && (await isKnownDelivery(webhookId))) {
      return ok();
    }
    // Busy or unreachable database: nothing was committed (or, after WaitedTooLong, the statement
    // commits whole later and the retry is a repeat); Shopify retries non-2xx deliveries.
    if (error instanceof WaitedTooLong || isTransientDbError(error)) return busy();
    throw error;
  }
  return ok();
}

/**
 * The delivery row, then the topic's writes, in one interactive transaction: on SQLite, and for
 * topics without a `single` path. A repeat delivery stops after the delivery row.
 */
export async function applyInTransaction(handler: TopicHandler, delivery: Delivery, ctx: ApplyContext<unknown>): Promise<void> {
  await (db as PrismaClient).$transaction(
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

/**
 * SQLite: the delivery through the topic's `direct` path; false when it wrote nothing because the
 * direct connection is unavailable or another connection holds the write lock (a Prisma
 * interactive transaction of this process between two awaits, the worker process): the caller
 * then takes `applyInTransaction`, which queues for the lock and leaves the same rows.
 */
function deliverDirect(direct: NonNullable<TopicHandler["direct"]>, delivery: Delivery, ctx: ApplyContext<unknown>): boolean {
  const conn = directSqlite(databaseUrl());
  return conn !== null && direct(conn, delivery, ctx) !== null;
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

async function isKnownDelivery(webhookId: string) {
  return (await db.webhookDelivery.findUnique({ where: { webhookId }, select: { webhookId: true } })) !== null;
}

async function recordRejected(headers: Headers, reason: string, outcome = "rejected") {
  const webhookId = headers.get("x-shopify-webhook-id");
  if (!webhookId || webhookId.length > MAX_KEY_LENGTH) return;
  try {
    await db.webhookDelivery.create({
      data: {
        webhookId,
        shop: (headers.get("x-shopify-shop-domain") ?? "unknown").slice(0, MAX_KEY_LENGTH),
        topic: (headers.get("x-shopify-topic") ?? "unknown").slice(0, MAX_KEY_LENGTH),
        triggeredAt: parseDate(headers.get("x-shopify-triggered-at")),
        outcome,
        reason: reason.slice(0, 500),
      },
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
}
