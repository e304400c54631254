import { Prisma } from "@prisma/client";
import { currentDialect, type Db, type Dialect } from "~/db.server";
import {
  sampleRatioMismatch,
  sumsToMeanStats,
  verdict,
  type ComparisonResult,
  type VerdictStatus,
} from "~/domain/experiments";
import { isValidTimeZone, wallTime, zoneOffsetMs } from "~/domain/recovery/zoned-time";

/**
 * Lift of every trigger and recovery flow against its holdout, aggregated in the database.
 *
 * Overlays: a visitor is *exposed* to a trigger by an `impression` (treatment) or `control`
 * (holdout "would have shown") event inside the range; they *convert* when an Attribution with
 * source "overlay" for that trigger and visitor falls between their first exposure and the end of
 * the shop's attribution window. Revenue per exposed visitor is the sum of those orders (0 for
 * most), so its variance comes from the per-visitor sum and sum of squares.
 *
 * Flows: a FlowRun started in the range is one user, `holdout` picks the arm; orders credited
 * to the flow (source "flow", variant treatment/control) are its conversions and revenue.
 *
 * Everything is grouped in SQL on the existing indexes (one range read of the overlay exposure
 * events, one index look-up of clicks and conversion events), so only a few hundred aggregate
 * rows reach Node.
 * See docs/decisions/040-analytics.md for the measured cost and the roll-up table that would
 * make it cheaper.
 */

export interface AnalyticsRange {
  from: Date;
  to: Date;
}

export interface AnalyticsOptions extends AnalyticsRange {
  /** Always-valid confidence sequences (safe to look every day) instead of fixed-horizon intervals. */
  sequential?: boolean;
  /** Defaults to the client's provider. */
  dialect?: Dialect;
}

export interface Arm {
  /** Exposed visitors (triggers) or started runs (flows). */
  users: number;
  /** Users with at least one credited order. */
  conversions: number;
  orders: number;
  revenueCents: number;
  conversionRate: number;
  revenuePerUserCents: number;
  /** Sample variance of per-user revenue, in cents². */
  revenueVariance: number;
}

export interface MetricComparison extends ComparisonResult {
  status: VerdictStatus;
  /** More users (both arms) until a +10 % lift would be detected; absent when unknown. */
  visitorsStillNeeded?: number;
}

export interface SrmCheck {
  mismatch: boolean;
  pValue: number;
  /** Configured holdout share, 0..1. */
  expectedControlShare: number;
  /** Observed holdout share, 0..1 (0 with no users). */
  observedControlShare: number;
  reason?: "invalid_input" | "no_users";
}

export interface DailyPoint {
  /** Shop-local calendar day, YYYY-MM-DD. */
  date: string;
  treatmentUsers: number;
  controlUsers: number;
  treatmentConversions: number;
  controlConversions: number;
  treatmentRevenueCents: number;
  controlRevenueCents: number;
}

export interface ShopDailyPoint extends DailyPoint {
  flowRuns: number;
  flowHoldoutRuns: number;
  /** Orders credited to flow emails (treatment) that day, and their revenue. */
  recoveredOrders: number;
  recoveredRevenueCents: number;
}

export interface ExperimentRow {
  kind: "trigger" | "flow";
  id: string;
  name: string;
  /** False also for a trigger or flow deleted since (its data still counts). */
  enabled: boolean;
  exists: boolean;
  holdoutPct: number;
  treatment: Arm;
  control: Arm;
  conversion: MetricComparison;
  revenue: MetricComparison;
  srm: SrmCheck;
  /** Visitors seen in both arms (holdout changed mid-test): left out of both. */
  mixedUsers: number;
  /** (treatment rate − holdout rate) × treatment users; null without a holdout to compare to. */
  incrementalConversions: number | null;
  incrementalRevenueCents: number | null;
  /** Flows only. */
  messagesSent?: number;
  /**
   * Triggers: by day of first exposure. Flows: runs by the day they started, conversions and
   * revenue by the day of the order.
   */
  daily: DailyPoint[];
}

/** Overlay events shown to treated visitors (holdout events left out). */
export interface FunnelCounts {
  impressions: number;
  clicks: number;
  conversions: number;
}

export interface FunnelRow extends FunnelCounts {
  tier: "low" | "mid" | "high" | "unknown" | "all";
}

export interface Analytics {
  shop: string;
  from: string;
  to: string;
  sequential: boolean;
  currency: string;
  timezone: string;
  attributionWindowDays: number;
  triggers: ExperimentRow[];
  flows: ExperimentRow[];
  /** Every day of the range: overlay exposures of all triggers added up, and flow runs and recoveries. */
  series: ShopDailyPoint[];
  /** Event counts by the visitor's intent tier at the time, then "all". */
  funnel: FunnelRow[];
}

export interface ShopSummary {
  from: string;
  to: string;
  currency: string;
  attributionWindowDays: number;
  overlays: {
    exposedVisitors: number;
    holdoutVisitors: number;
    attributedOrders: number;
    attributedRevenueCents: number;
    /** Summed over triggers with a holdout and no sample-ratio mismatch. */
    incrementalConversions: number;
    incrementalRevenueCents: number;
  };
  flows: {
    runs: number;
    holdoutRuns: number;
    messagesSent: number;
    recoveredCheckouts: number;
    recoveredRevenueCents: number;
    incrementalConversions: number;
    incrementalRevenueCents: number;
  };
  funnel: { impressions: number; clicks: number; conversions: number };
}

const DAY = 86_400_000;
const MAX_RANGE_DAYS = 400;

export async function getAnalytics(db: Db, shop: string, options: AnalyticsOptions): Promise<Analytics> {
  const ctx = await context(db, shop, options);
  const [events, flowAgg] = await Promise.all([eventAggregates(db, ctx), flowAggregates(db, ctx)]);
  const compare = { sequential: options.sequential ?? false };
  const triggers = events.triggers.map((t) => experimentRow("trigger", t, ctx.days, compare));
  const flows = flowAgg.map((f) => experimentRow("flow", f, ctx.days, compare));
  return {
    shop,
    from: ctx.from.toISOString(),
    to: ctx.to.toISOString(),
    sequential: compare.sequential,
    currency: ctx.currency,
    timezone: ctx.timezone,
    attributionWindowDays: ctx.windowDays,
    triggers,
    flows,
    series: sumSeries(ctx.days, triggers, flows),
    funnel: events.funnel,
  };
}

/** Headline numbers for the home page: what overlays and flows added over their holdouts. */
export async function getShopSummary(db: Db, shop: string, range: AnalyticsRange & { dialect?: Dialect }): Promise<ShopSummary> {
  const ctx = await context(db, shop, range);
  const [events, flowAgg] = await Promise.all([eventAggregates(db, ctx), flowAggregates(db, ctx)]);
  const overlays = { exposedVisitors: 0, holdoutVisitors: 0, attributedOrders: 0, attributedRevenueCents: 0, incrementalConversions: 0, incrementalRevenueCents: 0 };
  for (const t of events.triggers) {
    const { treatment, control } = arms(t);
    overlays.exposedVisitors += treatment.users;
    overlays.holdoutVisitors += control.users;
    overlays.attributedOrders += treatment.orders;
    overlays.attributedRevenueCents += treatment.revenueCents;
    // A broken split (sample-ratio mismatch) makes the difference meaningless: leave it out.
    if (srmOf(t, treatment, control).mismatch) continue;
    const inc = incremental(treatment, control);
    overlays.incrementalConversions += inc.conversions ?? 0;
    overlays.incrementalRevenueCents += inc.revenueCents ?? 0;
  }
  const flows = { runs: 0, holdoutRuns: 0, messagesSent: 0, recoveredCheckouts: 0, recoveredRevenueCents: 0, incrementalConversions: 0, incrementalRevenueCents: 0 };
  for (const f of flowAgg) {
    const { treatment, control } = arms(f);
    flows.runs += treatment.users;
    flows.holdoutRuns += control.users;
    flows.messagesSent += f.messagesSent ?? 0;
    flows.recoveredCheckouts += treatment.conversions;
    flows.recoveredRevenueCents += treatment.revenueCents;
    if (srmOf(f, treatment, control).mismatch) continue;
    const inc = incremental(treatment, control);
    flows.incrementalConversions += inc.conversions ?? 0;
    flows.incrementalRevenueCents += inc.revenueCents ?? 0;
  }
  const all = events.funnel.find((r) => r.tier === "all") ?? { impressions: 0, clicks: 0, conversions: 0 };
  return {
    from: ctx.from.toISOString(),
    to: ctx.to.toISOString(),
    currency: ctx.currency,
    attributionWindowDays: ctx.windowDays,
    overlays,
    flows,
    funnel: { impressions: all.impressions, clicks: all.clicks, conversions: all.conversions },
  };
}

/** The last `days` days up to `now`. */
export function rangeForDays(days: number, now: Date = new Date()): AnalyticsRange {
  return { from: new Date(now.getTime() - days * DAY), to: now };
}

// ---------------------------------------------------------------------------------------------
// Context: shop settings, dialect, day buckets.

interface Context {
  shop: string;
  from: Date;
  to: Date;
  dialect: Dialect;
  currency: string;
  timezone: string;
  windowDays: number;
  /** UTC offset (minutes) of the shop's zone, piecewise over the range (DST changes included). */
  offsets: OffsetSegment[];
  days: string[];
}

interface OffsetSegment {
  /** The offset holds for instants before `until` (null: to the end). */
  until: Date | null;
  minutes: number;
}

async function context(db: Db, shop: string, options: AnalyticsRange & { dialect?: Dialect }): Promise<Context> {
  const { from, to } = options;
  if (!(from instanceof Date) || !(to instanceof Date) || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) {
    throw new RangeError("from and to must be valid dates");
  }
  if (to.getTime() <= from.getTime()) throw new RangeError("to must be after from");
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY) throw new RangeError(`the range can be at most ${MAX_RANGE_DAYS} days`);
  const settings = await db.shop.findUnique({
    where: { shop },
    select: { currency: true, timezone: true, attributionWindowDays: true },
  });
  const timezone = settings?.timezone && isValidTimeZone(settings.timezone) ? settings.timezone : "UTC";
  const offsets = offsetSegments(from, to, timezone);
  return {
    shop,
    from,
    to,
    dialect: options.dialect ?? dialectOfClient(db),
    currency: settings?.currency ?? "USD",
    timezone,
    windowDays: Math.max(0, Math.trunc(settings?.attributionWindowDays ?? 5)),
    offsets,
    days: daysBetween(from, to, timezone),
  };
}

/** Which SQL flavour a client speaks: the generated client records its provider. */
export function dialectOfClient(db: Db): Dialect {
  const provider = (db as unknown as { _activeProvider?: string })._activeProvider;
  if (provider === "postgresql" || provider === "postgres") return "postgres";
  if (provider === "sqlite") return "sqlite";
  return currentDialect();
}

function localDate(at: Date | number, timeZone: string): string {
  const w = wallTime(at, timeZone);
  return `${w.year}-${String(w.month).padStart(2, "0")}-${String(w.day).padStart(2, "0")}`;
}

function daysBetween(from: Date, to: Date, timeZone: string): string[] {
  const last = localDate(to.getTime() - 1, timeZone);
  const out: string[] = [];
  let day = localDate(from, timeZone);
  // Step through calendar dates, not instants: a local day can be 23 or 25 hours long.
  for (let i = 0; i <= MAX_RANGE_DAYS + 1; i++) {
    out.push(day);
    if (day >= last) break;
    const d = new Date(`${day}T12:00:00Z`);
    day = new Date(d.getTime() + DAY).toISOString().slice(0, 10);
  }
  return out;
}

function offsetSegments(from: Date, to: Date, timeZone: string): OffsetSegment[] {
  const minutesAt = (ms: number) => Math.round(zoneOffsetMs(ms, timeZone) / 60_000);
  const segments: OffsetSegment[] = [];
  const step = 6 * 3_600_000;
  let current = minutesAt(from.getTime());
  for (let t = from.getTime(); t < to.getTime(); t += step) {
    const next = Math.min(t + step, to.getTime());
    const after = minutesAt(next);
    if (after === current) continue;
    // Narrow the change down to the minute.
    let lo = t;
    let hi = next;
    while (hi - lo > 60_000) {
      const mid = Math.floor((lo + hi) / 2);
      if (minutesAt(mid) === current) lo = mid;
      else hi = mid;
    }
    segments.push({ until: new Date(hi), minutes: current });
    current = after;
  }
  segments.push({ until: null, minutes: current });
  return segments;
}

// ---------------------------------------------------------------------------------------------
// SQL that runs on SQLite and PostgreSQL. Timestamps: SQLite stores ISO-8601 text
// ("2026-01-01T00:00:00.000+00:00", which compares correctly as text), PostgreSQL timestamp(3).

function localDaySql(ctx: Context, column: Prisma.Sql): Prisma.Sql {
  const offset = (minutes: number) =>
    ctx.dialect === "postgres" ? Prisma.sql`${minutes}` : Prisma.sql`${`${minutes >= 0 ? "+" : ""}${minutes} minutes`}`;
  let shift: Prisma.Sql;
  if (ctx.offsets.length === 1) shift = offset(ctx.offsets[0].minutes);
  else {
    const branches = ctx.offsets
      .filter((s) => s.until)
      .map((s) => Prisma.sql`WHEN ${column} < ${s.until} THEN ${offset(s.minutes)}`);
    shift = Prisma.sql`CASE ${Prisma.join(branches, " ")} ELSE ${offset(ctx.offsets[ctx.offsets.length - 1].minutes)} END`;
  }
  return ctx.dialect === "postgres"
    ? Prisma.sql`to_char(${column} + CAST(${shift} AS INTEGER) * INTERVAL '1 minute', 'YYYY-MM-DD')`
    : Prisma.sql`date(${column}, ${shift})`;
}

function plusDaysSql(ctx: Context, column: Prisma.Sql, days: number): Prisma.Sql {
  return ctx.dialect === "postgres"
    ? Prisma.sql`${column} + CAST(${days} AS INTEGER) * INTERVAL '1 day'`
    : Prisma.sql`strftime('%Y-%m-%dT%H:%M:%f+00:00', ${column}, ${`+${days} days`})`;
}

/**
 * Runs a statement built with `Prisma.sql`. Through `$queryRawUnsafe` because the PostgreSQL
 * client is generated separately and does not recognise fragments nested from this module's
 * `Prisma.sql`; the fragment still binds every value as a parameter.
 */
async function query<T>(db: Db, ctx: Context, sql: Prisma.Sql, options: { hashJoins?: boolean } = {}): Promise<T> {
  if (ctx.dialect !== "postgres") return db.$queryRawUnsafe<T>(sql.sql, ...sql.values);
  if (!options.hashJoins) return db.$queryRawUnsafe<T>(sql.text, ...sql.values);
  // With statistics that predate a shop's growth (a fresh table, a shop not yet in the planner's
  // sample), PostgreSQL estimates one row per side and nests a loop over the exposure CTE: 36 s
  // instead of 0.5 s at a million events. Joins here are always large-to-small equi-joins, so
  // hash/merge joins are never worse.
  return db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL enable_nestloop = off");
      return tx.$queryRawUnsafe<T>(sql.text, ...sql.values);
    },
    { timeout: 120_000, maxWait: 10_000 },
  );
}

/** COUNT and SUM come back as bigint, Decimal or number depending on the driver. */
function num(value: unknown): number {
  if (value == null) return 0;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  return Number(String(value));
}

const asFloat = (expr: Prisma.Sql) => Prisma.sql`CAST(${expr} AS DOUBLE PRECISION)`;

// ---------------------------------------------------------------------------------------------
// Aggregates

interface ArmSums {
  users: number;
  conversions: number;
  orders: number;
  revenue: number;
  revenueSq: number;
}

interface DayArms {
  treatment: ArmSums;
  control: ArmSums;
}

interface Aggregate {
  id: string;
  name: string;
  enabled: boolean;
  exists: boolean;
  holdoutPct: number;
  treatment: ArmSums;
  control: ArmSums;
  mixedUsers: number;
  messagesSent?: number;
  byDay: Map<string, DayArms>;
}

const emptySums = (): ArmSums => ({ users: 0, conversions: 0, orders: 0, revenue: 0, revenueSq: 0 });

function addSums(into: ArmSums, from: ArmSums) {
  into.users += from.users;
  into.conversions += from.conversions;
  into.orders += from.orders;
  into.revenue += from.revenue;
  into.revenueSq += from.revenueSq;
}

function dayArms(map: Map<string, DayArms>, day: string): DayArms {
  let d = map.get(day);
  if (!d) {
    d = { treatment: emptySums(), control: emptySums() };
    map.set(day, d);
  }
  return d;
}

interface ArmSqlRow {
  tid: string;
  t: unknown;
  c: unknown;
  day: string;
  users: unknown;
  conversions: unknown;
  orders: unknown;
  revenue: unknown;
  revenue_sq: unknown;
  imp: unknown;
  imp_low: unknown;
  imp_mid: unknown;
  imp_high: unknown;
}

const TIERS = ["low", "mid", "high", "unknown"] as const;

interface EventAggregates {
  triggers: Aggregate[];
  funnel: FunnelRow[];
}

/**
 * Two statements. Exposures: the range's impression/control events grouped per trigger and
 * visitor (arm, first exposure, impressions per intent tier), joined to the orders credited to
 * that visitor after their first exposure, then counted per trigger, arm and day of first
 * exposure. Clicks and conversions (rarer kinds) per trigger and tier through the
 * (shop, triggerId, kind) index, which reads only those rows. See docs/decisions/040-analytics.md
 * for the alternatives measured.
 */
async function eventAggregates(db: Db, ctx: Context): Promise<EventAggregates> {
  const { shop, from, to } = ctx;
  const windowEnd = plusDaysSql(ctx, Prisma.sql`e.first_at`, ctx.windowDays);
  const day = localDaySql(ctx, Prisma.sql`e.first_at`);
  // Orders can come up to the attribution window after the last exposure in the range.
  const creditedUntil = new Date(to.getTime() + ctx.windowDays * DAY);
  const tierCount = (tier: "low" | "mid" | "high") =>
    Prisma.sql`SUM(CASE WHEN kind = 'impression' AND "intentTier" = ${tier} THEN 1 ELSE 0 END) AS ${Prisma.raw(`imp_${tier}`)}`;
  const arms = await query<ArmSqlRow[]>(db, ctx, Prisma.sql`
    WITH exposure AS MATERIALIZED (
      SELECT "triggerId" AS tid, "visitorId" AS vid, MIN("occurredAt") AS first_at,
             MAX(CASE WHEN kind = 'impression' THEN 1 ELSE 0 END) AS t,
             MAX(CASE WHEN kind = 'control' THEN 1 ELSE 0 END) AS c,
             SUM(CASE WHEN kind = 'impression' THEN 1 ELSE 0 END) AS imp,
             ${tierCount("low")}, ${tierCount("mid")}, ${tierCount("high")}
      FROM "Event"
      WHERE shop = ${shop} AND "occurredAt" >= ${from} AND "occurredAt" < ${to}
        AND kind IN ('impression', 'control') AND "triggerId" IS NOT NULL
      GROUP BY 1, 2
    ),
    credited AS (
      SELECT e.tid, e.vid, COUNT(*) AS orders, SUM(CAST(a."totalCents" AS BIGINT)) AS cents
      FROM "Attribution" a
      JOIN exposure e ON e.tid = a."triggerId" AND e.vid = a."visitorId"
      WHERE a.shop = ${shop} AND a.source = 'overlay' AND a."occurredAt" >= ${from} AND a."occurredAt" < ${creditedUntil}
        AND a."occurredAt" >= e.first_at AND a."occurredAt" <= ${windowEnd}
      GROUP BY 1, 2
    )
    SELECT e.tid AS tid, e.t AS t, e.c AS c, ${day} AS day,
           CAST(COUNT(*) AS INTEGER) AS users,
           CAST(COUNT(k.vid) AS INTEGER) AS conversions,
           ${asFloat(Prisma.sql`COALESCE(SUM(k.orders), 0)`)} AS orders,
           ${asFloat(Prisma.sql`COALESCE(SUM(k.cents), 0)`)} AS revenue,
           COALESCE(SUM(${asFloat(Prisma.sql`k.cents`)} * ${asFloat(Prisma.sql`k.cents`)}), 0) AS revenue_sq,
           ${asFloat(Prisma.sql`SUM(e.imp)`)} AS imp,
           ${asFloat(Prisma.sql`SUM(e.imp_low)`)} AS imp_low,
           ${asFloat(Prisma.sql`SUM(e.imp_mid)`)} AS imp_mid,
           ${asFloat(Prisma.sql`SUM(e.imp_high)`)} AS imp_high
    FROM exposure e
    LEFT JOIN credited k ON k.tid = e.tid AND k.vid = e.vid
    GROUP BY 1, 2, 3, 4`, { hashJoins: true });

  const triggers = await db.trigger.findMany({
    where: { shop },
    select: { id: true, name: true, enabled: true, holdoutPct: true },
    orderBy: [{ priority: "desc" }, { createdAt: "asc" }],
  });
  const funnel: FunnelRow[] = [...TIERS, "all" as const].map((tier) => ({ tier, impressions: 0, clicks: 0, conversions: 0 }));
  const tierRow = (tier: string | null) => {
    const i = TIERS.indexOf((tier ?? "unknown") as (typeof TIERS)[number]);
    return funnel[i >= 0 ? i : 3];
  };
  const all = funnel[funnel.length - 1];
  const byId = new Map<string, Aggregate>();
  for (const t of triggers) byId.set(t.id, newAggregate(t, true));
  for (const r of arms) {
    let agg = byId.get(r.tid);
    if (!agg) {
      agg = newAggregate({ id: r.tid, name: "Deleted trigger", enabled: false, holdoutPct: 0 }, false);
      byId.set(r.tid, agg);
    }
    const impressions = { low: num(r.imp_low), mid: num(r.imp_mid), high: num(r.imp_high) };
    funnel[0].impressions += impressions.low;
    funnel[1].impressions += impressions.mid;
    funnel[2].impressions += impressions.high;
    funnel[3].impressions += num(r.imp) - impressions.low - impressions.mid - impressions.high;
    all.impressions += num(r.imp);
    const sums: ArmSums = { users: num(r.users), conversions: num(r.conversions), orders: num(r.orders), revenue: num(r.revenue), revenueSq: num(r.revenue_sq) };
    const t = num(r.t) === 1;
    const c = num(r.c) === 1;
    if (t && c) {
      agg.mixedUsers += sums.users;
      continue;
    }
    const arm = t ? "treatment" : "control";
    addSums(agg[arm], sums);
    addSums(dayArms(agg.byDay, r.day)[arm], sums);
  }

  // Clicks and conversions happen on triggers that were shown: equality on the trigger id lets
  // the (shop, triggerId, kind) index find just those rows instead of reading the whole range.
  const ids = [...byId.keys()];
  if (ids.length > 0) {
    // SQLite: a unary + keeps the planner off the (shop, occurredAt) index, which would read every event.
    const at = ctx.dialect === "sqlite" ? Prisma.sql`+"occurredAt"` : Prisma.sql`"occurredAt"`;
    const clicks = await query<Array<{ kind: string; tier: string | null; n: unknown }>>(db, ctx, Prisma.sql`
      SELECT kind, "intentTier" AS tier, CAST(COUNT(*) AS INTEGER) AS n
      FROM "Event"
      WHERE shop = ${shop} AND "triggerId" IN (${Prisma.join(ids)}) AND kind IN ('click', 'conversion')
        AND ${at} >= ${from} AND ${at} < ${to} AND (variant IS NULL OR variant = 'treatment')
      GROUP BY 1, 2`);
    for (const r of clicks) {
      const key = r.kind === "click" ? "clicks" : "conversions";
      const n = num(r.n);
      tierRow(r.tier)[key] += n;
      all[key] += n;
    }
  }
  return {
    triggers: [...byId.values()].filter((a) => a.exists || a.treatment.users + a.control.users + a.mixedUsers > 0),
    funnel,
  };
}

function newAggregate(meta: { id: string; name: string; enabled: boolean; holdoutPct: number }, exists: boolean): Aggregate {
  return {
    ...meta,
    exists,
    treatment: emptySums(),
    control: emptySums(),
    mixedUsers: 0,
    byDay: new Map(),
  };
}

interface FlowRunSqlRow {
  fid: string;
  holdout: unknown;
  day: string;
  runs: unknown;
}

interface FlowOrderSqlRow {
  fid: string;
  variant: string;
  day: string;
  orders: unknown;
  revenue: unknown;
  revenue_sq: unknown;
}

async function flowAggregates(db: Db, ctx: Context): Promise<Aggregate[]> {
  const { shop, from, to } = ctx;
  const creditedUntil = new Date(to.getTime() + ctx.windowDays * DAY);
  const runDay = localDaySql(ctx, Prisma.sql`"startedAt"`);
  const orderDay = localDaySql(ctx, Prisma.sql`"occurredAt"`);
  const runs = await query<FlowRunSqlRow[]>(db, ctx, Prisma.sql`
    SELECT "flowId" AS fid, holdout, ${runDay} AS day, CAST(COUNT(*) AS INTEGER) AS runs
    FROM "FlowRun"
    WHERE shop = ${shop} AND "startedAt" >= ${from} AND "startedAt" < ${to}
    GROUP BY 1, 2, 3`);
  // One order per run is assumed (Attribution carries no run id): orders count as converted
  // runs and each order's total as that run's revenue, capped at the runs of the arm.
  const orders = await query<FlowOrderSqlRow[]>(db, ctx, Prisma.sql`
    SELECT "flowId" AS fid, variant, ${orderDay} AS day,
           CAST(COUNT(DISTINCT "orderId") AS INTEGER) AS orders,
           ${asFloat(Prisma.sql`SUM(CAST("totalCents" AS BIGINT))`)} AS revenue,
           SUM(${asFloat(Prisma.sql`"totalCents"`)} * ${asFloat(Prisma.sql`"totalCents"`)}) AS revenue_sq
    FROM "Attribution"
    WHERE shop = ${shop} AND source = 'flow' AND "flowId" IS NOT NULL
      AND "occurredAt" >= ${from} AND "occurredAt" < ${creditedUntil}
    GROUP BY 1, 2, 3`);
  const sent = await db.message.groupBy({
    by: ["flowId"],
    where: { shop, kind: { not: "test" }, sentAt: { gte: from, lt: to }, flowId: { not: null } },
    _count: { _all: true },
  });
  const flows = await db.recoveryFlow.findMany({
    where: { shop },
    select: { id: true, name: true, enabled: true, holdoutPct: true },
    orderBy: { createdAt: "asc" },
  });

  const byId = new Map<string, Aggregate>();
  for (const f of flows) {
    byId.set(f.id, { ...newAggregate(f, true), messagesSent: 0 });
  }
  const get = (id: string) => {
    let agg = byId.get(id);
    if (!agg) {
      agg = { ...newAggregate({ id, name: "Deleted flow", enabled: false, holdoutPct: 0 }, false), messagesSent: 0 };
      byId.set(id, agg);
    }
    return agg;
  };
  for (const r of runs) {
    const agg = get(r.fid);
    const arm = isTrue(r.holdout) ? "control" : "treatment";
    const n = num(r.runs);
    agg[arm].users += n;
    dayArms(agg.byDay, r.day)[arm].users += n;
  }
  for (const r of orders) {
    if (r.variant !== "treatment" && r.variant !== "control") continue;
    const agg = get(r.fid);
    const n = num(r.orders);
    const sums: ArmSums = { users: 0, conversions: n, orders: n, revenue: num(r.revenue), revenueSq: num(r.revenue_sq) };
    addSums(agg[r.variant], sums);
    addSums(dayArms(agg.byDay, r.day)[r.variant], sums);
  }
  for (const s of sent) if (s.flowId) get(s.flowId).messagesSent = s._count._all;
  for (const agg of byId.values()) {
    for (const arm of ["treatment", "control"] as const) agg[arm].conversions = Math.min(agg[arm].conversions, agg[arm].users);
  }
  return [...byId.values()].filter((a) => a.exists || a.treatment.users + a.control.users + a.treatment.orders + a.control.orders > 0);
}

const isTrue = (v: unknown) => v === true || v === 1 || v === 1n || v === "1" || v === "t" || v === "true";

// ---------------------------------------------------------------------------------------------
// Statistics per row

function toArm(s: ArmSums): Arm {
  const mean = sumsToMeanStats({ users: s.users, sum: s.revenue, sumSquares: s.revenueSq });
  return {
    users: s.users,
    conversions: s.conversions,
    orders: s.orders,
    revenueCents: s.revenue,
    conversionRate: s.users > 0 ? s.conversions / s.users : 0,
    revenuePerUserCents: mean.mean,
    revenueVariance: mean.variance,
  };
}

function arms(agg: Aggregate): { treatment: Arm; control: Arm } {
  return { treatment: toArm(agg.treatment), control: toArm(agg.control) };
}

function srmOf(agg: Aggregate, treatment: Arm, control: Arm) {
  const holdout = Math.min(100, Math.max(0, agg.holdoutPct));
  return sampleRatioMismatch([treatment.users, control.users], [100 - holdout, holdout]);
}

function incremental(treatment: Arm, control: Arm): { conversions: number | null; revenueCents: number | null } {
  if (control.users === 0 || treatment.users === 0) return { conversions: null, revenueCents: null };
  return {
    conversions: (treatment.conversionRate - control.conversionRate) * treatment.users,
    revenueCents: (treatment.revenuePerUserCents - control.revenuePerUserCents) * treatment.users,
  };
}

function experimentRow(kind: "trigger" | "flow", agg: Aggregate, days: string[], compare: { sequential: boolean }): ExperimentRow {
  const { treatment, control } = arms(agg);
  const conversion = verdict(
    { users: control.users, conversions: control.conversions },
    { users: treatment.users, conversions: treatment.conversions },
    compare,
  );
  const revenue = verdict(
    { users: control.users, mean: control.revenuePerUserCents, variance: control.revenueVariance },
    { users: treatment.users, mean: treatment.revenuePerUserCents, variance: treatment.revenueVariance },
    compare,
  );
  const holdout = Math.min(100, Math.max(0, agg.holdoutPct));
  const srm = srmOf(agg, treatment, control);
  const total = treatment.users + control.users;
  const inc = incremental(treatment, control);
  return {
    kind,
    id: agg.id,
    name: agg.name,
    enabled: agg.enabled,
    exists: agg.exists,
    holdoutPct: agg.holdoutPct,
    treatment,
    control,
    conversion: { status: conversion.status, visitorsStillNeeded: conversion.visitorsStillNeeded, ...conversion.result },
    revenue: { status: revenue.status, visitorsStillNeeded: revenue.visitorsStillNeeded, ...revenue.result },
    srm: {
      mismatch: srm.mismatch,
      pValue: srm.pValue,
      expectedControlShare: holdout / 100,
      observedControlShare: total > 0 ? control.users / total : 0,
      ...(srm.reason ? { reason: srm.reason } : {}),
    },
    mixedUsers: agg.mixedUsers,
    incrementalConversions: inc.conversions,
    incrementalRevenueCents: inc.revenueCents,
    ...(kind === "flow" ? { messagesSent: agg.messagesSent ?? 0 } : {}),
    daily: days.map((date) => {
      const d = agg.byDay.get(date);
      return {
        date,
        treatmentUsers: d?.treatment.users ?? 0,
        controlUsers: d?.control.users ?? 0,
        treatmentConversions: d?.treatment.conversions ?? 0,
        controlConversions: d?.control.conversions ?? 0,
        treatmentRevenueCents: d?.treatment.revenue ?? 0,
        controlRevenueCents: d?.control.revenue ?? 0,
      };
    }),
  };
}

function sumSeries(days: string[], triggers: ExperimentRow[], flows: ExperimentRow[]): ShopDailyPoint[] {
  return days.map((date, i) => {
    const p: ShopDailyPoint = {
      date,
      treatmentUsers: 0,
      controlUsers: 0,
      treatmentConversions: 0,
      controlConversions: 0,
      treatmentRevenueCents: 0,
      controlRevenueCents: 0,
      flowRuns: 0,
      flowHoldoutRuns: 0,
      recoveredOrders: 0,
      recoveredRevenueCents: 0,
    };
    for (const r of triggers) {
      const d = r.daily[i];
      p.treatmentUsers += d.treatmentUsers;
      p.controlUsers += d.controlUsers;
      p.treatmentConversions += d.treatmentConversions;
      p.controlConversions += d.controlConversions;
      p.treatmentRevenueCents += d.treatmentRevenueCents;
      p.controlRevenueCents += d.controlRevenueCents;
    }
    for (const r of flows) {
      const d = r.daily[i];
      p.flowRuns += d.treatmentUsers;
      p.flowHoldoutRuns += d.controlUsers;
      p.recoveredOrders += d.treatmentConversions;
      p.recoveredRevenueCents += d.treatmentRevenueCents;
    }
    return p;
  });
}

// ---------------------------------------------------------------------------------------------
// CSV export

const CSV_COLUMNS: Array<[string, (r: ExperimentRow, a: Analytics) => string | number | boolean | null | undefined]> = [
  ["type", (r) => r.kind],
  ["id", (r) => r.id],
  ["name", (r) => r.name],
  ["enabled", (r) => r.enabled],
  ["holdout_pct", (r) => r.holdoutPct],
  ["treatment_users", (r) => r.treatment.users],
  ["control_users", (r) => r.control.users],
  ["mixed_users_excluded", (r) => r.mixedUsers],
  ["treatment_conversions", (r) => r.treatment.conversions],
  ["control_conversions", (r) => r.control.conversions],
  ["treatment_conversion_rate", (r) => r.treatment.conversionRate],
  ["control_conversion_rate", (r) => r.control.conversionRate],
  ["conversion_abs_lift", (r) => r.conversion.absoluteLift],
  ["conversion_abs_lift_ci_low", (r) => r.conversion.ci[0]],
  ["conversion_abs_lift_ci_high", (r) => r.conversion.ci[1]],
  ["conversion_rel_lift", (r) => r.conversion.relativeLift],
  ["conversion_rel_lift_ci_low", (r) => r.conversion.relativeCi[0]],
  ["conversion_rel_lift_ci_high", (r) => r.conversion.relativeCi[1]],
  ["conversion_p_value", (r) => r.conversion.pValue],
  ["verdict", (r) => r.conversion.status],
  ["visitors_still_needed", (r) => r.conversion.visitorsStillNeeded],
  ["treatment_revenue", (r) => r.treatment.revenueCents / 100],
  ["control_revenue", (r) => r.control.revenueCents / 100],
  ["treatment_revenue_per_user", (r) => r.treatment.revenuePerUserCents / 100],
  ["control_revenue_per_user", (r) => r.control.revenuePerUserCents / 100],
  ["revenue_abs_lift", (r) => r.revenue.absoluteLift / 100],
  ["revenue_abs_lift_ci_low", (r) => r.revenue.ci[0] / 100],
  ["revenue_abs_lift_ci_high", (r) => r.revenue.ci[1] / 100],
  ["revenue_p_value", (r) => r.revenue.pValue],
  ["revenue_verdict", (r) => r.revenue.status],
  ["incremental_conversions", (r) => r.incrementalConversions],
  ["incremental_revenue", (r) => (r.incrementalRevenueCents == null ? null : r.incrementalRevenueCents / 100)],
  ["srm_p_value", (r) => r.srm.pValue],
  ["srm_mismatch", (r) => r.srm.mismatch],
  ["messages_sent", (r) => r.messagesSent],
  ["currency", (_r, a) => a.currency],
  ["from", (_r, a) => a.from],
  ["to", (_r, a) => a.to],
  ["attribution_window_days", (_r, a) => a.attributionWindowDays],
  ["intervals", (_r, a) => (a.sequential ? "sequential" : "fixed")],
];

/** RFC 4180 field; text that a spreadsheet would run as a formula is prefixed with a quote. */
function csvField(value: string | number | boolean | null | undefined): string {
  if (value == null) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Header row, then one row per trigger and per flow. */
export function analyticsToCsv(analytics: Analytics): string {
  const lines = [CSV_COLUMNS.map(([name]) => name).join(",")];
  for (const r of [...analytics.triggers, ...analytics.flows]) {
    lines.push(CSV_COLUMNS.map(([, get]) => csvField(get(r, analytics))).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}
