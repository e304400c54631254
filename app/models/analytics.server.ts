import { sql, type Expression, type NotNull, type RawBuilder } from "kysely";
import { dialectOf, type DbOrTx } from "~/db.server";
import { q, run } from "./sql/run.server";

/**
 * The analytics aggregates (services/analytics.server.ts turns them into experiments): each
 * statement groups on the existing indexes so only a few hundred aggregate rows reach Node.
 * See docs/decisions/040-analytics.md for their measured cost.
 *
 * Days are the shop's calendar days: `offsets` is the shop's UTC offset over the range, piecewise
 * where daylight saving changes it. COUNT and SUM come back as bigint, numeric text or number
 * depending on the driver: read them with `num`.
 */

export interface OffsetSegment {
  /** The offset holds for instants before `until` (null: to the end). */
  until: Date | null;
  minutes: number;
}

export interface AnalyticsScope {
  shop: string;
  from: Date;
  to: Date;
  offsets: OffsetSegment[];
}

/** The shop-local calendar day (YYYY-MM-DD) of a UTC timestamp column. */
function localDay(db: DbOrTx, column: Expression<unknown>, offsets: OffsetSegment[]): RawBuilder<string> {
  const dialect = dialectOf(db);
  const last = offsets[offsets.length - 1];
  if (offsets.length === 1) return dialect.localDay(column, dialect.minutes(last.minutes));
  const branches = offsets.filter((s) => s.until).map((s) => sql`WHEN ${column} < ${s.until} THEN ${dialect.minutes(s.minutes)}`);
  return dialect.localDay(column, sql`CASE ${sql.join(branches, sql` `)} ELSE ${dialect.minutes(last.minutes)} END`);
}

const asFloat = (expr: Expression<unknown>) => sql<number>`CAST(${expr} AS DOUBLE PRECISION)`;
const countInt = sql<number>`CAST(COUNT(*) AS INTEGER)`;
/** GROUP BY the first `n` output columns: a grouped expression with parameters (the local day) cannot be repeated. */
const byColumns = (n: number) => Array.from({ length: n }, (_, i) => sql.raw(String(i + 1)));
const FUNNEL_KINDS = [sql.lit("impression"), sql.lit("click"), sql.lit("conversion")];

/** Visitors first exposed in the range, per local day, trigger and arm (the covering Exposure index). */
export function exposedVisitors(db: DbOrTx, { shop, from, to, offsets }: AnalyticsScope) {
  return run(
    db,
    q(db)
      .selectFrom("Exposure")
      .select([localDay(db, sql.ref("firstAt"), offsets).as("day"), "triggerId as tid", "variant", countInt.as("users")])
      .where("shop", "=", shop)
      .where("firstAt", ">=", from)
      .where("firstAt", "<", to)
      .groupBy(byColumns(3)),
  );
}

/**
 * Overlay conversions of the visitors first exposed in the range: the overlay-credited orders (a
 * few per hundred visitors) up to `creditedUntil`, each looked up by its visitor's exposure key,
 * kept when inside the attribution window after the first exposure, summed per visitor, then per
 * local day of the first exposure, trigger and arm.
 */
export function overlayConversions(db: DbOrTx, scope: AnalyticsScope & { creditedUntil: Date; windowDays: number }) {
  const { shop, from, to, creditedUntil, windowDays, offsets } = scope;
  const dialect = dialectOf(db);
  const converted = q(db)
    // CROSS JOIN: SQLite then keeps this order — the few credited orders outside, each exposure
    // found by its primary key — instead of probing orders for every exposure.
    .selectFrom("Attribution as a")
    .crossJoin("Exposure as e")
    .select([
      "e.triggerId as tid",
      "e.visitorId as vid",
      "e.variant as variant",
      "e.firstAt as first_at",
      sql<number>`COUNT(*)`.as("orders"),
      sql<number>`SUM(CAST(${sql.ref("a.totalCents")} AS BIGINT))`.as("cents"),
    ])
    .whereRef("e.shop", "=", "a.shop")
    .whereRef("e.triggerId", "=", "a.triggerId")
    .whereRef("e.visitorId", "=", "a.visitorId")
    .where("a.shop", "=", shop)
    .where("a.source", "=", sql.lit("overlay"))
    .where("a.occurredAt", ">=", from)
    .where("a.occurredAt", "<", creditedUntil)
    .where("e.firstAt", ">=", from)
    .where("e.firstAt", "<", to)
    .whereRef("a.occurredAt", ">=", "e.firstAt")
    .where("a.occurredAt", "<=", dialect.plusDays(sql.ref("e.firstAt"), windowDays))
    .groupBy(byColumns(4));
  return run(
    db,
    q(db)
      .with("converted", () => converted)
      .selectFrom("converted")
      .select([
        "tid",
        "variant",
        localDay(db, sql.ref("first_at"), offsets).as("day"),
        countInt.as("conversions"),
        asFloat(sql`SUM(orders)`).as("orders"),
        asFloat(sql`SUM(cents)`).as("revenue"),
        sql<number>`SUM(${asFloat(sql.ref("cents"))} * ${asFloat(sql.ref("cents"))})`.as("revenue_sq"),
      ])
      .groupBy(byColumns(3)),
  );
}

/** Impressions, clicks and conversions shown to treated visitors, per kind and intent tier, from the hourly roll-up. */
export function rolledUpFunnel(db: DbOrTx, { shop, from, to }: { shop: string; from: Date; to: Date }) {
  return run(
    db,
    q(db)
      .selectFrom("EventRollup")
      .select(["kind", "tier", asFloat(sql`SUM(events)`).as("n")])
      .where("shop", "=", shop)
      .where("hour", ">=", from)
      .where("hour", "<", to)
      .where("kind", "in", FUNNEL_KINDS)
      .where("variant", "<>", sql.lit("control"))
      .groupBy(byColumns(2)),
  );
}

/** The same counts from the events themselves (the partial hours at either end of a range). */
export function eventFunnel(db: DbOrTx, { shop, from, to }: { shop: string; from: Date; to: Date }) {
  return run(
    db,
    q(db)
      .selectFrom("Event")
      .select(["kind", "intentTier as tier", countInt.as("n")])
      .where("shop", "=", shop)
      .where("occurredAt", ">=", from)
      .where("occurredAt", "<", to)
      .where("kind", "in", FUNNEL_KINDS)
      .where("triggerId", "is not", null)
      .where((eb) => eb.or([eb("variant", "is", null), eb("variant", "<>", sql.lit("control"))]))
      .groupBy(byColumns(2)),
  );
}

/** Recovery flow runs started in the range, per flow, arm (`holdout`) and local day. */
export function flowRuns(db: DbOrTx, { shop, from, to, offsets }: AnalyticsScope) {
  return run(
    db,
    q(db)
      .selectFrom("FlowRun")
      .select(["flowId as fid", "holdout", localDay(db, sql.ref("startedAt"), offsets).as("day"), countInt.as("runs")])
      .where("shop", "=", shop)
      .where("startedAt", ">=", from)
      .where("startedAt", "<", to)
      .groupBy(byColumns(3)),
  );
}

/** Orders credited to recovery flows from `from` up to `creditedUntil`, per flow, arm and local day. */
export function flowOrders(db: DbOrTx, { shop, from, creditedUntil, offsets }: Omit<AnalyticsScope, "to"> & { creditedUntil: Date }) {
  return run(
    db,
    q(db)
      .selectFrom("Attribution")
      .select([
        "flowId as fid",
        "variant",
        localDay(db, sql.ref("occurredAt"), offsets).as("day"),
        sql<number>`CAST(COUNT(DISTINCT ${sql.ref("orderId")}) AS INTEGER)`.as("orders"),
        asFloat(sql`SUM(CAST(${sql.ref("totalCents")} AS BIGINT))`).as("revenue"),
        sql<number>`SUM(${asFloat(sql.ref("totalCents"))} * ${asFloat(sql.ref("totalCents"))})`.as("revenue_sq"),
      ])
      .where("shop", "=", shop)
      .where("source", "=", sql.lit("flow"))
      .where("flowId", "is not", null)
      .where("occurredAt", ">=", from)
      .where("occurredAt", "<", creditedUntil)
      .groupBy(byColumns(3))
      .$narrowType<{ fid: NotNull }>(),
  );
}

/** COUNT and SUM as a number, whatever the driver returned (bigint, numeric text, number). */
export function num(value: unknown): number {
  if (value == null) return 0;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  return Number(String(value));
}
