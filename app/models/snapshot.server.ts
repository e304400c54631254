import { sql, type Compilable, type Expression, type InsertQueryBuilder, type InsertResult, type Kysely, type OperationNodeSource, type SqlBool } from "kysely";
import { databaseUrl, dialectOf, newId, type Db, type DbOrTx } from "~/db.server";
import type { DB } from "./generated/kysely";
import { enqueue, jobInsert, jobRow, type NewJob } from "./job.server";
import { postgresDialect, sqliteDialect } from "./sql/dialects";
import { q, run, runTemplate, write } from "./sql/run.server";
import { Slot, slots, slotValues, templates } from "./sql/template.server";
import { BUSY, directSqlite, type DirectSqlite } from "./sql/sqlite-direct.server";

/**
 * What a delivery of checkouts/* and carts/* writes — the delivery row, the snapshot (insert, or
 * update unless the stored one is newer) and its follow-up job — described once, as Kysely
 * statements, and sent one of three ways (docs/decisions/100 and 160 for the figures):
 * - `applySnapshot` + `insertDelivery`: step by step inside the intake's Prisma transaction (every
 *   topic, both databases; the path the others fall back to);
 * - `deliverSnapshotDirect`: SQLite, the same statements in one synchronous transaction on the
 *   direct connection (sql/sqlite-direct.server.ts), past Prisma;
 * - `deliverSnapshotSingle`: PostgreSQL, the same writes as ONE statement, outside any transaction.
 */

export interface Delivery {
  webhookId: string;
  shop: string;
  topic: string;
  triggeredAt: Date | null;
}

type DeliveryRow = Delivery & { outcome: string; reason?: string | null };

const deliveryInsert = (k: Kysely<DB>, d: DeliveryRow, now: Date) =>
  k
    .insertInto("WebhookDelivery")
    .values({ webhookId: d.webhookId, shop: d.shop, topic: d.topic, triggeredAt: d.triggeredAt, outcome: d.outcome, reason: d.reason ?? null, receivedAt: now })
    .onConflict((oc) => oc.column("webhookId").doNothing());

/** Records a delivery; false when this webhook id was recorded before (a repeat delivery). */
export async function insertDelivery(tx: DbOrTx, d: DeliveryRow): Promise<boolean> {
  const [inserted] = await write(tx, deliveryInsert(q(tx), d, new Date()));
  return inserted > 0;
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

type Upsert = Compilable<{ status: string }> & OperationNodeSource;
/** Where an upsert's row comes from: VALUES, or (the single statement) a SELECT of typed parameters. */
type Source<T extends "Checkout" | "Cart"> = (insert: InsertQueryBuilder<DB, T, InsertResult>) => InsertQueryBuilder<DB, T, InsertResult>;

/**
 * How a snapshot table is upserted: insert, or update unless the stored snapshot is newer
 * (`stored.shopifyUpdatedAt <= incoming`: an equal one applies again), returning the stored
 * status; no row back means the delivery was stale.
 */
interface SnapshotTable<S> {
  /** The row's columns with their PostgreSQL types (the single statement's casts). */
  columns: Record<string, string>;
  row(s: S, now: Date): Record<string, unknown>;
  /** With `guard`: INSERT … SELECT of typed parameters WHERE guard (the single statement). */
  upsert(k: Kysely<DB>, row: Record<string, unknown>, guard?: Expression<SqlBool>): Upsert;
}

/** The row as typed parameters in a SELECT (PostgreSQL types an untyped parameter of INSERT … SELECT as text). */
const typedSelect = (k: Kysely<DB>, columns: Record<string, string>, row: Record<string, unknown>, guard: Expression<SqlBool>) =>
  k.selectNoFrom(Object.entries(columns).map(([name, type]) => postgresDialect.typed(row[name], type).as(name))).where(guard);

/** Exactly the table's columns, from a value that may carry more. */
const columnsOf = (columns: Record<string, string>, value: Record<string, unknown>) =>
  Object.fromEntries(Object.keys(columns).map((name) => [name, value[name] ?? null]));

const checkoutColumns = {
  id: "text",
  shop: "text",
  token: "text",
  shopifyId: "text",
  cartToken: "text",
  email: "text",
  customerId: "text",
  visitorId: "text",
  totalCents: "integer",
  currency: "text",
  lineItems: "jsonb",
  abandonedCheckoutUrl: "text",
  acceptsMarketing: "boolean",
  status: "text",
  completedAt: "timestamp(3)",
  shopifyUpdatedAt: "timestamp(3)",
  createdAt: "timestamp(3)",
  updatedAt: "timestamp(3)",
} as const;

const checkoutTable: SnapshotTable<CheckoutSnapshot> = {
  columns: checkoutColumns,
  row: (c, now) =>
    columnsOf(checkoutColumns, {
      id: newId(),
      ...c,
      lineItems: JSON.stringify(c.lineItems),
      status: c.completedAt ? "completed" : "open",
      updatedAt: now,
    }),
  upsert: (k, row, guard) => {
    const into: Source<"Checkout"> = (insert) =>
      guard
        ? insert.columns(Object.keys(checkoutColumns) as Array<keyof typeof checkoutColumns>).expression(typedSelect(k, checkoutColumns, row, guard))
        : insert.values(row as never);
    return into(k.insertInto("Checkout"))
      .onConflict((oc) =>
        oc
          .columns(["shop", "token"])
          .doUpdateSet((eb) => ({
            shopifyId: eb.ref("excluded.shopifyId"),
            cartToken: eb.ref("excluded.cartToken"),
            email: eb.ref("excluded.email"),
            customerId: eb.ref("excluded.customerId"),
            visitorId: eb.ref("excluded.visitorId"),
            totalCents: eb.ref("excluded.totalCents"),
            currency: eb.ref("excluded.currency"),
            lineItems: eb.ref("excluded.lineItems"),
            abandonedCheckoutUrl: eb.ref("excluded.abandonedCheckoutUrl"),
            acceptsMarketing: eb.ref("excluded.acceptsMarketing"),
            // A completed or deleted checkout stays so.
            status: sql<string>`CASE WHEN excluded."status" = 'completed' THEN 'completed'
                WHEN "Checkout"."status" IN ('deleted', 'completed') THEN "Checkout"."status" ELSE 'open' END`,
            completedAt: eb.ref("excluded.completedAt"),
            shopifyUpdatedAt: eb.ref("excluded.shopifyUpdatedAt"),
            updatedAt: eb.ref("excluded.updatedAt"),
          }))
          .whereRef("Checkout.shopifyUpdatedAt", "<=", "excluded.shopifyUpdatedAt"),
      )
      .returning("status");
  },
};

const cartColumns = {
  id: "text",
  shop: "text",
  token: "text",
  lineItems: "jsonb",
  totalCents: "integer",
  shopifyUpdatedAt: "timestamp(3)",
  createdAt: "timestamp(3)",
  updatedAt: "timestamp(3)",
} as const;

const cartTable: SnapshotTable<CartSnapshot> = {
  columns: cartColumns,
  row: (c, now) => columnsOf(cartColumns, { id: newId(), ...c, lineItems: JSON.stringify(c.lineItems), createdAt: now, updatedAt: now }),
  upsert: (k, row, guard) => {
    const into: Source<"Cart"> = (insert) =>
      guard
        ? insert.columns(Object.keys(cartColumns) as Array<keyof typeof cartColumns>).expression(typedSelect(k, cartColumns, row, guard))
        : insert.values(row as never);
    return into(k.insertInto("Cart"))
      .onConflict((oc) =>
        oc
          .columns(["shop", "token"])
          .doUpdateSet((eb) => ({
            lineItems: eb.ref("excluded.lineItems"),
            totalCents: eb.ref("excluded.totalCents"),
            shopifyUpdatedAt: eb.ref("excluded.shopifyUpdatedAt"),
            updatedAt: eb.ref("excluded.updatedAt"),
          }))
          .whereRef("Cart.shopifyUpdatedAt", "<=", "excluded.shopifyUpdatedAt"),
      )
      .returning("status");
  },
};

/** What one snapshot delivery writes, whichever path writes it. */
export interface SnapshotWrite<S> {
  snapshot: S;
  /** Enqueued once the snapshot is applied, and only while the stored row has status `whenStatus` (if set). */
  job: (NewJob & { whenStatus?: string }) | null;
  /** The delivery's recorded reason when the stored snapshot is newer. */
  staleReason: string;
}

/** The follow-up job to enqueue once the snapshot was applied and the stored row has `status`, if any. */
export function jobAfter<S>(w: SnapshotWrite<S>, status: string): NewJob | null {
  return w.job && (w.job.whenStatus === undefined || w.job.whenStatus === status) ? w.job : null;
}

/** What a single-statement or direct delivery recorded; "repeat" when the webhook id was known. */
export type DeliveryOutcome = "accepted" | "stale" | "repeat";

export type SnapshotKind = "checkout" | "cart";
const tables = { checkout: checkoutTable, cart: cartTable } as { [K in SnapshotKind]: SnapshotTable<K extends "checkout" ? CheckoutSnapshot : CartSnapshot> };
type SnapshotOf<K extends SnapshotKind> = K extends "checkout" ? CheckoutSnapshot : CartSnapshot;

/**
 * Step by step, inside the intake's transaction after the delivery row: the upsert, then the job.
 * "stale" (nothing written) when the stored snapshot is newer.
 */
export async function applySnapshot<K extends SnapshotKind>(tx: DbOrTx, kind: K, w: SnapshotWrite<SnapshotOf<K>>): Promise<"accepted" | "stale"> {
  const t = tables[kind] as SnapshotTable<SnapshotOf<K>>;
  const [stored] = await run(tx, t.upsert(q(tx), t.row(w.snapshot, new Date())));
  if (!stored) return "stale";
  const job = jobAfter(w, stored.status);
  if (job) await enqueue(tx, job);
  return "accepted";
}

/**
 * SQLite only: one delivery on the direct connection, as ONE synchronous BEGIN IMMEDIATE … COMMIT:
 * the same statements, values and order as `insertDelivery` + `applySnapshot` + the stale outcome,
 * so the rows are the same. null when another connection holds the write lock: nothing was
 * written, and the caller takes the transaction instead.
 */
export function deliverSnapshotDirect<K extends SnapshotKind>(
  conn: DirectSqlite,
  kind: K,
  d: Delivery,
  w: SnapshotWrite<SnapshotOf<K>>,
): DeliveryOutcome | null {
  const t = tables[kind] as SnapshotTable<SnapshotOf<K>>;
  const now = new Date();
  const delivery = sqliteStatements("delivery");
  const upsert = sqliteStatements(kind);
  const outcome = conn.immediate((): DeliveryOutcome => {
    const values = {
      "d.webhookId": d.webhookId,
      "d.shop": d.shop,
      "d.topic": d.topic,
      "d.triggeredAt": d.triggeredAt,
      "d.outcome": "accepted",
      "d.reason": null,
      "d.receivedAt": now,
    };
    if (conn.run(delivery.sql, delivery.bind(values)) === 0) return "repeat";
    const stored = conn.get<{ status: string }>(upsert.sql, upsert.bind(slotValues("r.", t.row(w.snapshot, now))));
    if (!stored) {
      const stale = sqliteStatements("stale");
      conn.run(stale.sql, stale.bind({ "s.reason": w.staleReason, "s.webhookId": d.webhookId }));
      return "stale";
    }
    const job = jobAfter(w, stored.status);
    if (job) {
      const insert = sqliteStatements("job");
      conn.run(insert.sql, insert.bind(slotValues("j.", jobRow(job, now))));
    }
    return "accepted";
  });
  return outcome === BUSY ? null : outcome;
}

/** A slot standing for a value of type T while a template is built. */
const slot = <T>(name: string) => new Slot(name) as unknown as T;
const DELIVERY_KEYS = ["webhookId", "shop", "topic", "triggeredAt", "outcome", "reason"] as const;
const JOB_KEYS = Object.keys(jobRow({ kind: "k" }, new Date())) as Array<keyof ReturnType<typeof jobRow>>;
const rowSlots = (kind: SnapshotKind) => slots<Record<string, unknown>>("r.", Object.keys(tables[kind].columns));

/** The direct path's statements, built and compiled once (./sql/template.server.ts). */
const sqliteStatements = templates<"delivery" | "stale" | "job" | SnapshotKind>((key) => {
  const k = sqliteDialect.builder;
  if (key === "delivery") return deliveryInsert(k, slots<DeliveryRow>("d.", DELIVERY_KEYS), slot<Date>("d.receivedAt")).compile();
  if (key === "stale")
    return k
      .updateTable("WebhookDelivery")
      .set({ outcome: "stale", reason: slot<string>("s.reason") })
      .where("webhookId", "=", slot<string>("s.webhookId"))
      .compile();
  if (key === "job") return jobInsert(k, slots<ReturnType<typeof jobRow>>("j.", JOB_KEYS)).compile();
  return tables[key].upsert(k, rowSlots(key)).compile();
});

/**
 * PostgreSQL only: one delivery as ONE data-modifying statement, atomic on its own (no
 * BEGIN/COMMIT). The same writes as the step-by-step path, in a different order, because the
 * sub-statements of one WITH all see the database as it was when the statement began and cannot
 * see each other's writes (only each other's RETURNING rows):
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
export async function deliverSnapshotSingle<K extends SnapshotKind>(db: Db, kind: K, d: Delivery, w: SnapshotWrite<SnapshotOf<K>>): Promise<DeliveryOutcome> {
  const t = tables[kind] as SnapshotTable<SnapshotOf<K>>;
  const now = new Date();
  const shape: SingleShape = `${kind}:${w.job ? (w.job.whenStatus === undefined ? "job" : "job-when") : "none"}`;
  const values = slotValues("r.", t.row(w.snapshot, now), {
    "d.webhookId": d.webhookId,
    "d.shop": d.shop,
    "d.topic": d.topic,
    "d.triggeredAt": d.triggeredAt,
    "d.now": now,
    "d.staleReason": w.staleReason,
  });
  if (w.job) slotValues("j.", { ...jobRow(w.job, now), whenStatus: w.job.whenStatus ?? null }, values);
  // One text per table and job shape (six in all): parsed and planned once per connection.
  const rows = await runTemplate<{ outcome: DeliveryOutcome | null }>(db, singleStatements(shape), values, { prepare: true });
  return rows[0]?.outcome ?? "repeat";
}

type SingleShape = `${SnapshotKind}:${"job" | "job-when" | "none"}`;

const singleStatements = templates<SingleShape>((shape) => {
  const [kind, job] = shape.split(":") as [SnapshotKind, "job" | "job-when" | "none"];
  const p = postgresDialect.typed;
  const unknownDelivery = sql<SqlBool>`NOT EXISTS (SELECT 1 FROM "WebhookDelivery" WHERE "webhookId" = ${p(slot("d.webhookId"), "text")})`;
  const upsert = tables[kind].upsert(postgresDialect.builder, rowSlots(kind), unknownDelivery);
  const jobRowSlots = slots<ReturnType<typeof jobRow>>("j.", JOB_KEYS);
  return sql`WITH s AS (${upsert})${job === "none" ? sql`` : jobCte(jobRowSlots, job === "job-when" ? slot<string>("j.whenStatus") : undefined)},
     d AS (
       INSERT INTO "WebhookDelivery" ("webhookId", "shop", "topic", "triggeredAt", "receivedAt", "outcome", "reason")
       SELECT ${p(slot("d.webhookId"), "text")}, ${p(slot("d.shop"), "text")}, ${p(slot("d.topic"), "text")}, ${p(slot("d.triggeredAt"), "timestamp(3)")}, ${p(slot("d.now"), "timestamp(3)")},
              CASE WHEN EXISTS (SELECT 1 FROM s) THEN 'accepted' ELSE 'stale' END,
              CASE WHEN EXISTS (SELECT 1 FROM s) THEN NULL ELSE ${p(slot("d.staleReason"), "text")} END
       WHERE ${unknownDelivery}
       RETURNING "outcome")
     SELECT (SELECT "outcome" FROM d) AS "outcome"`.compile(postgresDialect.builder);
});

const jobCte = (row: ReturnType<typeof jobRow>, whenStatus: string | undefined) => {
  const p = postgresDialect.typed;
  return sql`, j AS (
       INSERT INTO "Job" ("id", "shop", "kind", "payload", "runAt", "dedupeKey", "maxAttempts", "createdAt", "updatedAt")
       SELECT ${p(row.id, "text")}, ${p(row.shop, "text")}, ${p(row.kind, "text")}, ${p(row.payload, "jsonb")}, ${p(row.runAt, "timestamp(3)")},
              ${p(row.dedupeKey, "text")}, ${p(row.maxAttempts, "integer")}, ${p(row.createdAt, "timestamp(3)")}, ${p(row.updatedAt, "timestamp(3)")}
       FROM s ${whenStatus === undefined ? sql`` : sql`WHERE s."status" = ${p(whenStatus, "text")}`}
       ON CONFLICT ("dedupeKey") DO NOTHING)`;
};

/**
 * One snapshot delivery the fast way for the database: PostgreSQL's single statement, SQLite's
 * direct connection. null when it wrote nothing (the direct connection cannot be opened, or
 * another connection holds the write lock): the caller then records the delivery and applies the
 * snapshot in its transaction (`insertDelivery`, `applySnapshot`), which waits for the lock.
 */
export async function deliverSnapshot<K extends SnapshotKind>(db: Db, kind: K, d: Delivery, w: SnapshotWrite<SnapshotOf<K>>): Promise<DeliveryOutcome | null> {
  if (dialectOf(db).name === "postgres") return deliverSnapshotSingle(db, kind, d, w);
  const conn = directSqlite(databaseUrl());
  return conn ? deliverSnapshotDirect(conn, kind, d, w) : null;
}
