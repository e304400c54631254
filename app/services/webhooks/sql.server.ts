import { randomUUID } from "node:crypto";
import type { Prisma } from "@prisma/client";
import { currentDialect, placeholders, type Dialect } from "~/db.server";

/**
 * The few statements on webhook intake's hot path, as single SQL statements that run the same on
 * SQLite and PostgreSQL. Through Prisma's model API the same work takes twice the statements (a
 * look-up, then a write) and about three times the CPU per statement (the query compiler), which
 * is most of a delivery's cost: see docs/decisions/100-webhook-throughput.md for the figures.
 * The rows they write are ordinary rows of the Prisma models; everything else stays on the model API.
 */
type Tx = Prisma.TransactionClient;

function sql(dialect: Dialect) {
  const marks = placeholders(dialect);
  return {
    /** The next `count` placeholders. */
    p: (count: number) => marks.next(count),
    /** better-sqlite3 binds no booleans. */
    bool: (b: boolean) => (dialect === "postgres" ? b : b ? 1 : 0),
  };
}

/** A row id in the spirit of the models' cuid() defaults (unique, URL-safe). */
export const newId = (prefix = "c") => `${prefix}${randomUUID().replaceAll("-", "")}`;

/** Records a delivery; false when this webhook id was recorded before (a repeat delivery). */
export async function insertDelivery(
  tx: Tx,
  d: { webhookId: string; shop: string; topic: string; triggeredAt: Date | null; outcome: string; reason?: string | null },
): Promise<boolean> {
  const q = sql(currentDialect());
  const inserted = await tx.$executeRawUnsafe(
    `INSERT INTO "WebhookDelivery" ("webhookId", "shop", "topic", "triggeredAt", "outcome", "reason", "receivedAt")
     VALUES (${q.p(7)}) ON CONFLICT ("webhookId") DO NOTHING`,
    d.webhookId,
    d.shop,
    d.topic,
    d.triggeredAt,
    d.outcome,
    d.reason ?? null,
    new Date(),
  );
  return inserted > 0;
}

/** Enqueues a job unless one with the same dedupe key exists. */
export async function insertJobOnce(tx: Tx, job: { kind: string; shop: string; payload: object; runAt: Date; dedupeKey: string }) {
  const q = sql(currentDialect());
  const now = new Date();
  await tx.$executeRawUnsafe(
    `INSERT INTO "Job" ("id", "shop", "kind", "payload", "runAt", "dedupeKey", "createdAt", "updatedAt", "status", "attempts", "maxAttempts")
     VALUES (${q.p(8)}, 'pending', 0, 8) ON CONFLICT ("dedupeKey") DO NOTHING`,
    newId("j"),
    job.shop,
    job.kind,
    JSON.stringify(job.payload),
    job.runAt,
    job.dedupeKey,
    now,
    now,
  );
}

export interface CheckoutSnapshot {
  shop: string;
  token: string;
  shopifyId: string;
  cartToken: string | null;
  email: string | null;
  customerId: string | null;
  visitorId: string | null;
  totalCents: number;
  currency: string;
  lineItems: unknown;
  abandonedCheckoutUrl: string | null;
  acceptsMarketing: boolean;
  completedAt: Date | null;
  shopifyUpdatedAt: Date;
  createdAt: Date;
}

/**
 * Inserts or updates a checkout snapshot unless the stored one is newer. Returns the stored
 * status, or null when the delivery was stale. A completed or deleted checkout stays so.
 */
export async function upsertCheckoutSnapshot(tx: Tx, c: CheckoutSnapshot): Promise<string | null> {
  const q = sql(currentDialect());
  const now = new Date();
  const rows = await tx.$queryRawUnsafe<Array<{ status: string }>>(
    `INSERT INTO "Checkout" ("id", "shop", "token", "shopifyId", "cartToken", "email", "customerId", "visitorId", "totalCents",
       "currency", "lineItems", "abandonedCheckoutUrl", "acceptsMarketing", "status", "completedAt", "shopifyUpdatedAt", "createdAt", "updatedAt")
     VALUES (${q.p(18)})
     ON CONFLICT ("shop", "token") DO UPDATE SET
       "shopifyId" = excluded."shopifyId", "cartToken" = excluded."cartToken", "email" = excluded."email",
       "customerId" = excluded."customerId", "visitorId" = excluded."visitorId", "totalCents" = excluded."totalCents",
       "currency" = excluded."currency", "lineItems" = excluded."lineItems", "abandonedCheckoutUrl" = excluded."abandonedCheckoutUrl",
       "acceptsMarketing" = excluded."acceptsMarketing",
       "status" = CASE WHEN excluded."status" = 'completed' THEN 'completed'
                       WHEN "Checkout"."status" IN ('deleted', 'completed') THEN "Checkout"."status" ELSE 'open' END,
       "completedAt" = excluded."completedAt", "shopifyUpdatedAt" = excluded."shopifyUpdatedAt", "updatedAt" = excluded."updatedAt"
     WHERE "Checkout"."shopifyUpdatedAt" <= excluded."shopifyUpdatedAt"
     RETURNING "status"`,
    newId(),
    c.shop,
    c.token,
    c.shopifyId,
    c.cartToken,
    c.email,
    c.customerId,
    c.visitorId,
    c.totalCents,
    c.currency,
    JSON.stringify(c.lineItems),
    c.abandonedCheckoutUrl,
    q.bool(c.acceptsMarketing),
    c.completedAt ? "completed" : "open",
    c.completedAt,
    c.shopifyUpdatedAt,
    c.createdAt,
    now,
  );
  return rows[0]?.status ?? null;
}

/** Inserts or updates a cart snapshot unless the stored one is newer; false when stale. */
export async function upsertCartSnapshot(
  tx: Tx,
  c: { shop: string; token: string; lineItems: unknown; totalCents: number; shopifyUpdatedAt: Date },
): Promise<boolean> {
  const q = sql(currentDialect());
  const now = new Date();
  const rows = await tx.$queryRawUnsafe<Array<{ status: string }>>(
    `INSERT INTO "Cart" ("id", "shop", "token", "lineItems", "totalCents", "shopifyUpdatedAt", "createdAt", "updatedAt")
     VALUES (${q.p(8)})
     ON CONFLICT ("shop", "token") DO UPDATE SET
       "lineItems" = excluded."lineItems", "totalCents" = excluded."totalCents",
       "shopifyUpdatedAt" = excluded."shopifyUpdatedAt", "updatedAt" = excluded."updatedAt"
     WHERE "Cart"."shopifyUpdatedAt" <= excluded."shopifyUpdatedAt"
     RETURNING "status"`,
    newId(),
    c.shop,
    c.token,
    JSON.stringify(c.lineItems),
    c.totalCents,
    c.shopifyUpdatedAt,
    now,
    now,
  );
  return rows.length > 0;
}
