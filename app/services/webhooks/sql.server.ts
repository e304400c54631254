import type { Prisma } from "@prisma/client";
import { currentDialect, newId, placeholders, sqlQuery, type Db, type Dialect } from "~/db.server";
import { BUSY, type DirectSqlite } from "./sqlite-direct.server";

/**
 * The few statements on webhook intake's hot path, as hand-written SQL. Through Prisma's model
 * API the same work takes twice the statements (a look-up, then a write) and about three times
 * the CPU per statement (the query compiler), which is most of a delivery's cost: see
 * docs/decisions/100-webhook-throughput.md for the figures.
 *
 * - Step by step (SQLite, and every topic without a single-statement path): one statement per
 *   step inside the intake's transaction; these run the same on SQLite and PostgreSQL.
 * - PostgreSQL, snapshot topics: `deliverSnapshot` does the delivery row, the snapshot and its
 *   follow-up job in ONE statement outside any transaction (no BEGIN/COMMIT round trips), sent
 *   straight to the pg pool (`sqlQuery`).
 * - SQLite, snapshot topics: `deliverSnapshotDirect` runs the step-by-step statements in one
 *   synchronous transaction on a second, direct connection (sqlite-direct.server.ts), past Prisma.
 *
 * The rows they write are ordinary rows of the Prisma models; everything else stays on the model API.
 */
type Tx = Prisma.TransactionClient;

/** better-sqlite3 binds no booleans. */
const boolFor = (dialect: Dialect) => (b: boolean) => (dialect === "postgres" ? b : b ? 1 : 0);

/** A table's inserted columns with their PostgreSQL types (for the casts `deliverSnapshot` needs). */
type Columns = ReadonlyArray<readonly [name: string, pgType: string]>;
const names = (columns: Columns) => columns.map(([name]) => `"${name}"`).join(", ");

export interface Delivery {
  webhookId: string;
  shop: string;
  topic: string;
  triggeredAt: Date | null;
}

type DeliveryRow = Delivery & { outcome: string; reason?: string | null };

const deliveryInsertSql = (dialect: Dialect) =>
  `INSERT INTO "WebhookDelivery" ("webhookId", "shop", "topic", "triggeredAt", "outcome", "reason", "receivedAt")
     VALUES (${placeholders(dialect).next(7)}) ON CONFLICT ("webhookId") DO NOTHING`;
const deliveryRow = (d: DeliveryRow, now: Date): unknown[] => [d.webhookId, d.shop, d.topic, d.triggeredAt, d.outcome, d.reason ?? null, now];

/** Records a delivery; false when this webhook id was recorded before (a repeat delivery). */
export async function insertDelivery(tx: Tx, d: DeliveryRow): Promise<boolean> {
  const inserted = await tx.$executeRawUnsafe(deliveryInsertSql(currentDialect()), ...deliveryRow(d, new Date()));
  return inserted > 0;
}

export interface JobOnce {
  kind: string;
  shop: string;
  payload: object;
  runAt: Date;
  dedupeKey: string;
}

const JOB_COLUMNS: Columns = [
  ["id", "text"],
  ["shop", "text"],
  ["kind", "text"],
  ["payload", "jsonb"],
  ["runAt", "timestamp(3)"],
  ["dedupeKey", "text"],
  ["createdAt", "timestamp(3)"],
  ["updatedAt", "timestamp(3)"],
];
/** Fixed values of a new job, after JOB_COLUMNS. */
const JOB_DEFAULTS = { columns: `"status", "attempts", "maxAttempts"`, values: `'pending', 0, 8` };
function jobRow(job: JobOnce, now: Date): unknown[] {
  return [newId("j"), job.shop, job.kind, JSON.stringify(job.payload), job.runAt, job.dedupeKey, now, now];
}

const jobInsertSql = (dialect: Dialect) =>
  `INSERT INTO "Job" (${names(JOB_COLUMNS)}, ${JOB_DEFAULTS.columns})
     VALUES (${placeholders(dialect).next(JOB_COLUMNS.length)}, ${JOB_DEFAULTS.values}) ON CONFLICT ("dedupeKey") DO NOTHING`;

/** Enqueues a job unless one with the same dedupe key exists. */
export async function insertJobOnce(tx: Tx, job: JobOnce) {
  await tx.$executeRawUnsafe(jobInsertSql(currentDialect()), ...jobRow(job, new Date()));
}

export interface CheckoutSnapshot {
  shop: string;
  token: string;
  shopifyId: string | null;
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

export interface CartSnapshot {
  shop: string;
  token: string;
  lineItems: unknown;
  totalCents: number;
  shopifyUpdatedAt: Date;
}

/**
 * How a snapshot table is upserted: insert, or update unless the stored snapshot is newer
 * (`stored.shopifyUpdatedAt <= incoming`: an equal one applies again), returning the stored
 * status; no row back means the delivery was stale.
 */
interface SnapshotTable<S> {
  table: string;
  columns: Columns;
  row(s: S, now: Date, bool: (b: boolean) => unknown): unknown[];
  /** ON CONFLICT … RETURNING "status" */
  onConflict: string;
}

const checkoutTable: SnapshotTable<CheckoutSnapshot> = {
  table: "Checkout",
  columns: [
    ["id", "text"],
    ["shop", "text"],
    ["token", "text"],
    ["shopifyId", "text"],
    ["cartToken", "text"],
    ["email", "text"],
    ["customerId", "text"],
    ["visitorId", "text"],
    ["totalCents", "integer"],
    ["currency", "text"],
    ["lineItems", "jsonb"],
    ["abandonedCheckoutUrl", "text"],
    ["acceptsMarketing", "boolean"],
    ["status", "text"],
    ["completedAt", "timestamp(3)"],
    ["shopifyUpdatedAt", "timestamp(3)"],
    ["createdAt", "timestamp(3)"],
    ["updatedAt", "timestamp(3)"],
  ],
  row: (c, now, bool) => [
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
    bool(c.acceptsMarketing),
    c.completedAt ? "completed" : "open",
    c.completedAt,
    c.shopifyUpdatedAt,
    c.createdAt,
    now,
  ],
  // A completed or deleted checkout stays so.
  onConflict: `ON CONFLICT ("shop", "token") DO UPDATE SET
       "shopifyId" = excluded."shopifyId", "cartToken" = excluded."cartToken", "email" = excluded."email",
       "customerId" = excluded."customerId", "visitorId" = excluded."visitorId", "totalCents" = excluded."totalCents",
       "currency" = excluded."currency", "lineItems" = excluded."lineItems", "abandonedCheckoutUrl" = excluded."abandonedCheckoutUrl",
       "acceptsMarketing" = excluded."acceptsMarketing",
       "status" = CASE WHEN excluded."status" = 'completed' THEN 'completed'
                       WHEN "Checkout"."status" IN ('deleted', 'completed') THEN "Checkout"."status" ELSE 'open' END,
       "completedAt" = excluded."completedAt", "shopifyUpdatedAt" = excluded."shopifyUpdatedAt", "updatedAt" = excluded."updatedAt"
     WHERE "Checkout"."shopifyUpdatedAt" <= excluded."shopifyUpdatedAt"
     RETURNING "status"`,
};

const cartTable: SnapshotTable<CartSnapshot> = {
  table: "Cart",
  columns: [
    ["id", "text"],
    ["shop", "text"],
    ["token", "text"],
    ["lineItems", "jsonb"],
    ["totalCents", "integer"],
    ["shopifyUpdatedAt", "timestamp(3)"],
    ["createdAt", "timestamp(3)"],
    ["updatedAt", "timestamp(3)"],
  ],
  row: (c, now) => [newId(), c.shop, c.token, JSON.stringify(c.lineItems), c.totalCents, c.shopifyUpdatedAt, now, now],
  onConflict: `ON CONFLICT ("shop", "token") DO UPDATE SET
       "lineItems" = excluded."lineItems", "totalCents" = excluded."totalCents",
       "shopifyUpdatedAt" = excluded."shopifyUpdatedAt", "updatedAt" = excluded."updatedAt"
     WHERE "Cart"."shopifyUpdatedAt" <= excluded."shopifyUpdatedAt"
     RETURNING "status"`,
};

const upsertSql = (t: SnapshotTable<never>, dialect: Dialect) =>
  `INSERT INTO "${t.table}" (${names(t.columns)}) VALUES (${placeholders(dialect).next(t.columns.length)}) ${t.onConflict}`;

async function upsertSnapshot<S>(tx: Tx, t: SnapshotTable<S>, s: S): Promise<string | null> {
  const dialect = currentDialect();
  const rows = await tx.$queryRawUnsafe<Array<{ status: string }>>(upsertSql(t, dialect), ...t.row(s, new Date(), boolFor(dialect)));
  return rows[0]?.status ?? null;
}

/** Inserts or updates a checkout snapshot; the stored status, or null when the delivery was stale. */
export const upsertCheckoutSnapshot = (tx: Tx, c: CheckoutSnapshot) => upsertSnapshot(tx, checkoutTable, c);

/** Inserts or updates a cart snapshot; the stored status, or null when the delivery was stale. */
export const upsertCartSnapshot = (tx: Tx, c: CartSnapshot) => upsertSnapshot(tx, cartTable, c);

/** What one snapshot delivery writes, whichever path writes it. */
export interface SnapshotWrite<S> {
  snapshot: S;
  /** Enqueued once the snapshot is applied, and only while the stored row has status `whenStatus` (if set). */
  job: (JobOnce & { whenStatus?: string }) | null;
  /** The delivery's recorded reason when the stored snapshot is newer. */
  staleReason: string;
}

/** The follow-up job to enqueue once the snapshot was applied and the stored row has `status`, if any. */
export function jobAfter<S>(w: SnapshotWrite<S>, status: string): JobOnce | null {
  return w.job && (w.job.whenStatus === undefined || w.job.whenStatus === status) ? w.job : null;
}

/** What a single-statement delivery recorded; "repeat" when the webhook id was known. */
export type DeliveryOutcome = "accepted" | "stale" | "repeat";

/**
 * PostgreSQL only: one delivery of a snapshot topic as ONE data-modifying statement, atomic on
 * its own (no BEGIN/COMMIT). The same writes as `insertDelivery`, the upsert and `insertJobOnce`
 * in a transaction, in a different order, because the sub-statements of one WITH all see the
 * database as it was when the statement began and cannot see each other's writes (only each
 * other's RETURNING rows):
 *
 * 1. `s`: the snapshot upsert, unless the webhook id is already recorded (a repeat changes nothing);
 * 2. `j`: the job, from `s`'s returned row (so only when the snapshot was applied);
 * 3. `d`: the delivery row last, its outcome read off `s`: "accepted", or "stale" with the reason.
 *
 * Two copies of one webhook in flight at once both pass the check in 1 (neither sees the other's
 * uncommitted row); the second then waits on the first's snapshot row, and its plain INSERT in 3
 * fails with a unique violation once the first commits, which rolls back ALL of the second's
 * statement. The caller acknowledges that as a repeat (`isRawUniqueViolation` + a look-up).
 */
async function deliverSnapshot<S>(db: Db, t: SnapshotTable<S>, d: Delivery, w: SnapshotWrite<S>): Promise<DeliveryOutcome> {
  const values: unknown[] = [];
  // In INSERT … SELECT an untyped parameter is typed text, not as its column: cast each one.
  const bind = (value: unknown, pgType = "text") => `$${values.push(value)}::${pgType}`;
  const binds = (columns: Columns, row: unknown[]) => row.map((v, i) => bind(v, columns[i][1])).join(", ");
  const now = new Date();
  const webhookId = bind(d.webhookId);
  const unknownDelivery = `NOT EXISTS (SELECT 1 FROM "WebhookDelivery" WHERE "webhookId" = ${webhookId})`;
  const job = w.job
    ? `, j AS (
       INSERT INTO "Job" (${names(JOB_COLUMNS)}, ${JOB_DEFAULTS.columns})
       SELECT ${binds(JOB_COLUMNS, jobRow(w.job, now))}, ${JOB_DEFAULTS.values} FROM s
       ${w.job.whenStatus === undefined ? "" : `WHERE s."status" = ${bind(w.job.whenStatus)}`}
       ON CONFLICT ("dedupeKey") DO NOTHING)`
    : "";
  const rows = await sqlQuery<{ outcome: DeliveryOutcome | null }>(
    db,
    `WITH s AS (
       INSERT INTO "${t.table}" (${names(t.columns)})
       SELECT ${binds(
         t.columns,
         t.row(w.snapshot, now, (b) => b),
       )} WHERE ${unknownDelivery}
       ${t.onConflict})${job},
     d AS (
       INSERT INTO "WebhookDelivery" ("webhookId", "shop", "topic", "triggeredAt", "receivedAt", "outcome", "reason")
       SELECT ${webhookId}, ${bind(d.shop)}, ${bind(d.topic)}, ${bind(d.triggeredAt, "timestamp(3)")}, ${bind(now, "timestamp(3)")},
              CASE WHEN EXISTS (SELECT 1 FROM s) THEN 'accepted' ELSE 'stale' END,
              CASE WHEN EXISTS (SELECT 1 FROM s) THEN NULL ELSE ${bind(w.staleReason)} END
       WHERE ${unknownDelivery}
       RETURNING "outcome")
     SELECT (SELECT "outcome" FROM d) AS "outcome"`,
    values,
    // One text per table and job shape (a handful in all): parsed and planned once per connection.
    { prepare: true },
  );
  return rows[0]?.outcome ?? "repeat";
}

/** PostgreSQL only: a checkout delivery in one statement (see `deliverSnapshot`). */
export const deliverCheckoutSnapshot = (db: Db, d: Delivery, w: SnapshotWrite<CheckoutSnapshot>) => deliverSnapshot(db, checkoutTable, d, w);

/** PostgreSQL only: a cart delivery in one statement (see `deliverSnapshot`). */
export const deliverCartSnapshot = (db: Db, d: Delivery, w: SnapshotWrite<CartSnapshot>) => deliverSnapshot(db, cartTable, d, w);

/** The step-by-step statements with SQLite's placeholders, built once (the direct connection caches them by text). */
const SQLITE = {
  delivery: deliveryInsertSql("sqlite"),
  job: jobInsertSql("sqlite"),
  upsert: new Map<SnapshotTable<never>, string>(),
  /** What `applyInTransaction` does through `tx.webhookDelivery.update` (the model has no @updatedAt). */
  outcome: `UPDATE "WebhookDelivery" SET "outcome" = ?, "reason" = ? WHERE "webhookId" = ?`,
};
const sqliteUpsert = (t: SnapshotTable<never>) => SQLITE.upsert.get(t) ?? SQLITE.upsert.set(t, upsertSql(t, "sqlite")).get(t)!;

/**
 * SQLite only: one delivery of a snapshot topic on the direct connection, as ONE synchronous
 * BEGIN IMMEDIATE … COMMIT. The same statements, values and order as `applyInTransaction` with
 * `insertDelivery`, the upsert, `insertJobOnce` and the stale outcome, so the rows are the same.
 * Nothing may await in `work`: see sqlite-direct.server.ts. null when another connection holds
 * the write lock: nothing was written, and the caller takes the interactive transaction instead.
 */
function deliverSnapshotDirect<S>(conn: DirectSqlite, t: SnapshotTable<S>, d: Delivery, w: SnapshotWrite<S>): DeliveryOutcome | null {
  const now = new Date();
  const upsert = sqliteUpsert(t);
  const outcome = conn.immediate((): DeliveryOutcome => {
    if (conn.run(SQLITE.delivery, deliveryRow({ ...d, outcome: "accepted" }, now)) === 0) return "repeat";
    const stored = conn.get<{ status: string }>(
      upsert,
      t.row(w.snapshot, now, (b) => b),
    );
    if (!stored) {
      conn.run(SQLITE.outcome, ["stale", w.staleReason, d.webhookId]);
      return "stale";
    }
    const job = jobAfter(w, stored.status);
    if (job) conn.run(SQLITE.job, jobRow(job, now));
    return "accepted";
  });
  return outcome === BUSY ? null : outcome;
}

/** SQLite only: a checkout delivery in one synchronous transaction (see `deliverSnapshotDirect`). */
export const deliverCheckoutSnapshotDirect = (conn: DirectSqlite, d: Delivery, w: SnapshotWrite<CheckoutSnapshot>) =>
  deliverSnapshotDirect(conn, checkoutTable, d, w);

/** SQLite only: a cart delivery in one synchronous transaction (see `deliverSnapshotDirect`). */
export const deliverCartSnapshotDirect = (conn: DirectSqlite, d: Delivery, w: SnapshotWrite<CartSnapshot>) => deliverSnapshotDirect(conn, cartTable, d, w);

/**
 * A unique violation raised by a hand-written statement (the model API's P2002), whichever way
 * `sqlQuery` sent it: SQLSTATE 23505 from the pg driver, or Prisma's P2010 ("raw query failed")
 * with the adapter's classification.
 */
export function isRawUniqueViolation(error: unknown): boolean {
  type RawError = { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } };
  const e = (typeof error === "object" && error !== null ? error : {}) as RawError;
  return e.code === "23505" || (e.code === "P2010" && e.meta?.driverAdapterError?.cause?.kind === "UniqueConstraintViolation");
}
