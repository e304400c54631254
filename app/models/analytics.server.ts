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
/**
 * Overlay-credited orders joined to the exposure of their visitor, first exposed in [from, to),
 * kept when inside the attribution window after that first exposure (one trigger, or all).
 * CROSS JOIN: SQLite then keeps this order — the few credited orders outside, each exposure found
 * by its primary key — instead of probing orders for every exposure.
 */
function creditedExposures(
  db: DbOrTx,
  { shop, from, to, creditedUntil, windowDays, triggerId }: { shop: string; from: Date; to: Date; creditedUntil: Date; windowDays: number; triggerId?: string },
) {
  return q(db)
    .selectFrom("Attribution as a")
    .crossJoin("Exposure as e")
    .whereRef("e.shop", "=", "a.shop")
    .whereRef("e.triggerId", "=", "a.triggerId")
    .whereRef("e.visitorId", "=", "a.visitorId")
    .where("a.shop", "=", shop)
    .$if(triggerId !== undefined, (qb) => qb.where("a.triggerId", "=", triggerId!))
    .where("a.source", "=", sql.lit("overlay"))
    .where("a.occurredAt", ">=", from)
    .where("a.occurredAt", "<", creditedUntil)
    .where("e.firstAt", ">=", from)
    .where("e.firstAt", "<", to)
    .whereRef("a.occurredAt", ">=", "e.firstAt")
    .where("a.occurredAt", "<=", dialectOf(db).plusDays(sql.ref("e.firstAt"), windowDays));
}

const ordersAndCents = [sql<number>`COUNT(*)`.as("orders"), sql<number>`SUM(CAST(${sql.ref("a.totalCents")} AS BIGINT))`.as("cents")] as const;

export function overlayConversions(db: DbOrTx, scope: AnalyticsScope & { creditedUntil: Date; windowDays: number }) {
  const { offsets } = scope;
  const converted = creditedExposures(db, scope)
    .select(["e.triggerId as tid", "e.visitorId as vid", "e.variant as variant", "e.firstAt as first_at", ...ordersAndCents])
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

// ---------------------------------------------------------------------------------------------
// A/B tests (issue 21): one trigger or flow step at a time, units first exposed since the test began.

export interface ArmScope {
  shop: string;
  /** testStartedAt */
  since: Date;
  to: Date;
}

/** Visitors first exposed to a trigger in [since, to), per variant (treatment | control | mixed) and arm. */
export function triggerArmUsers(db: DbOrTx, { shop, since, to, triggerId }: ArmScope & { triggerId: string }) {
  return run(
    db,
    q(db)
      .selectFrom("Exposure")
      .select(["variant", "arm", countInt.as("users")])
      .where("shop", "=", shop)
      .where("firstAt", ">=", since)
      .where("firstAt", "<", to)
      .where("triggerId", "=", triggerId)
      .groupBy(["variant", "arm"]),
  );
}

/**
 * The overlay-credited orders of those visitors (inside the attribution window after the first
 * exposure, as `overlayConversions`), summed per visitor, then per variant and arm of the exposure.
 */
export function triggerArmConversions(db: DbOrTx, scope: ArmScope & { triggerId: string; windowDays: number }) {
  const { shop, since, to, triggerId, windowDays } = scope;
  const creditedUntil = new Date(to.getTime() + windowDays * 86_400_000);
  const converted = creditedExposures(db, { shop, from: since, to, creditedUntil, windowDays, triggerId })
    .select(["e.visitorId as vid", "e.variant as variant", "e.arm as arm", ...ordersAndCents])
    .groupBy(byColumns(3));
  return run(
    db,
    q(db)
      .with("converted", () => converted)
      .selectFrom("converted")
      .select([
        "variant",
        "arm",
        countInt.as("conversions"),
        asFloat(sql`SUM(orders)`).as("orders"),
        asFloat(sql`SUM(cents)`).as("revenue"),
        sql<number>`SUM(${asFloat(sql.ref("cents"))} * ${asFloat(sql.ref("cents"))})`.as("revenue_sq"),
      ])
      .groupBy(byColumns(2)),
  );
}

/** Runs that reached a flow step under test in [since, to), per arm (StepExposure). */
export function stepArmUsers(db: DbOrTx, { shop, since, to, stepId }: ArmScope & { stepId: string }) {
  return run(
    db,
    q(db)
      .selectFrom("StepExposure")
      .select(["arm", countInt.as("users")])
      .where("shop", "=", shop)
      .where("stepId", "=", stepId)
      .where("at", ">=", since)
      .where("at", "<", to)
      .groupBy(["arm"]),
  );
}

/**
 * Orders credited to those runs' emails (Attribution source "flow" → its Message → the run) from
 * the step's exposure on, distinct orders summed per run, then per arm.
 */
export function stepArmConversions(db: DbOrTx, scope: ArmScope & { stepId: string; windowDays: number }) {
  const { shop, since, to, stepId, windowDays } = scope;
  const creditedUntil = new Date(to.getTime() + windowDays * 86_400_000);
  const perOrder = q(db)
    .selectFrom("StepExposure as x")
    .innerJoin("Message as m", (j) => j.onRef("m.flowRunId", "=", "x.runId").onRef("m.shop", "=", "x.shop"))
    .innerJoin("Attribution as a", (j) => j.onRef("a.messageId", "=", "m.id").onRef("a.shop", "=", "m.shop"))
    .select(["x.runId as rid", "x.arm as arm", "a.orderId as oid", sql<number>`MAX(${sql.ref("a.totalCents")})`.as("cents")])
    .where("x.shop", "=", shop)
    .where("x.stepId", "=", stepId)
    .where("x.at", ">=", since)
    .where("x.at", "<", to)
    .where("a.source", "=", sql.lit("flow"))
    .where("a.occurredAt", "<", creditedUntil)
    .whereRef("a.occurredAt", ">=", "x.at")
    .groupBy(byColumns(3));
  const perRun = q(db)
    .with("per_order", () => perOrder)
    .selectFrom("per_order")
    .select(["rid", "arm", sql<number>`COUNT(*)`.as("orders"), sql<number>`SUM(CAST(cents AS BIGINT))`.as("cents")])
    .groupBy(byColumns(2));
  return run(
    db,
    q(db)
      .with("per_run", () => perRun)
      .selectFrom("per_run")
      .select([
        "arm",
        countInt.as("conversions"),
        asFloat(sql`SUM(orders)`).as("orders"),
        asFloat(sql`SUM(cents)`).as("revenue"),
        sql<number>`SUM(${asFloat(sql.ref("cents"))} * ${asFloat(sql.ref("cents"))})`.as("revenue_sq"),
      ])
      .groupBy(byColumns(1)),
  );
}

/** COUNT and SUM as a number, whatever the driver returned (bigint, numeric text, number). */
export function num(value: unknown): number {
  if (value == null) return 0;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  return Number(String(value));
}
