import type { Db } from "~/db.server";
import {
  eventFunnel,
  exposedVisitors,
  flowOrders,
  flowRuns,
  num,
  overlayConversions,
  rolledUpFunnel,
  stepArmConversions,
  stepArmUsers,
  triggerArmConversions,
  triggerArmUsers,
  type OffsetSegment,
} from "~/models/analytics.server";
import { hourOf } from "./event-store.server";
import {
  compareArmsMeans,
  sampleRatioMismatch,
  sumsToMeanStats,
  verdict,
  type ComparisonResult,
  type SampleRatioResult,
  type VerdictStatus,
} from "~/domain/experiments";
import { armSampleRatio, armVerdict, pairwiseWinner, type ArmVerdict } from "~/domain/experiments/arm-verdict";
import { armLabel, armsOf, type ArmBase } from "~/domain/experiments/variants";
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
  /** What the message budget (emails per window, time between an overlay and an email) held back. */
  budget: BudgetHeld;
  /** Triggers and flow steps running an A/B test now: one row per arm since the test began. */
  tests: ArmTest[];
  /** A/B tests that ended (ExperimentRecord), newest first. */
  endedTests: EndedTest[];
}

export interface BudgetHeld {
  /** emails that waited for the budget (each wait once), of runs started in the range */
  waits: number;
  /** runs started in the range with at least one email that waited */
  runsHeld: number;
  /** emails not sent at all because the budget would have held them more than a day past due */
  skipped: number;
  /**
   * overlays that would have shown but the channel gap after a recovery email held back (the
   * tracker's `held` events, at most one per page view), by the hour: the hours the range touches
   */
  overlays: number;
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
  const [events, flowAgg, budget, tests, endedTests] = await Promise.all([
    eventAggregates(db, ctx),
    flowAggregates(db, ctx),
    budgetHeld(db, ctx),
    runningTests(db, shop, { to: ctx.to, sequential: options.sequential ?? false, windowDays: ctx.windowDays }),
    listEndedTests(db, shop),
  ]);
  const compare = { sequential: options.sequential ?? false };
  const triggers = events.triggers.map((t) => experimentRow("trigger", t, ctx.days, compare));
  const flows = flowAgg.map((f) => experimentRow("flow", f, ctx.days, compare));
  // A trigger under test: its split is checked over every arm and the holdout since the test
  // began, not treatment against holdout alone; a flow is flagged when one of its tested steps is.
  for (const test of tests) {
    const row = test.kind === "trigger" ? triggers.find((r) => r.id === test.id) : flows.find((r) => r.id === test.flowId);
    if (!row || test.srm.reason) continue;
    if (test.kind === "trigger") row.srm = { ...row.srm, mismatch: test.srm.mismatch, pValue: test.srm.pValue };
    else if (test.srm.mismatch) row.srm = { ...row.srm, mismatch: true, pValue: Math.min(row.srm.pValue, test.srm.pValue) };
  }
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
    budget,
    tests,
    endedTests,
  };
}

async function budgetHeld(db: Db, ctx: Context): Promise<BudgetHeld> {
  const { shop, from, to } = ctx;
  const [held, skipped, overlays] = await Promise.all([
    db.flowRun.aggregate({ where: { shop, startedAt: { gte: from, lt: to }, budgetHolds: { gt: 0 } }, _sum: { budgetHolds: true }, _count: { _all: true } }),
    db.message.count({ where: { shop, status: "suppressed", reason: "frequency_cap", createdAt: { gte: from, lt: to } } }),
    db.eventRollup.aggregate({ where: { shop, kind: "held", hour: { gte: hourOf(from), lt: to } }, _sum: { events: true } }),
  ]);
  return { waits: held._sum.budgetHolds ?? 0, runsHeld: held._count._all, skipped, overlays: overlays._sum.events ?? 0 };
}

/** Headline numbers for the home page: what overlays and flows added over their holdouts. */
export async function getShopSummary(db: Db, shop: string, range: AnalyticsRange): Promise<ShopSummary> {
  const ctx = await context(db, shop, range);
  const [events, flowAgg] = await Promise.all([eventAggregates(db, ctx), flowAggregates(db, ctx)]);
  const overlays = {
    exposedVisitors: 0,
    holdoutVisitors: 0,
    attributedOrders: 0,
    attributedRevenueCents: 0,
    incrementalConversions: 0,
    incrementalRevenueCents: 0,
  };
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
  const flows = {
    runs: 0,
    holdoutRuns: 0,
    messagesSent: 0,
    recoveredCheckouts: 0,
    recoveredRevenueCents: 0,
    incrementalConversions: 0,
    incrementalRevenueCents: 0,
  };
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
// Context: shop settings, day buckets.

interface Context {
  shop: string;
  from: Date;
  to: Date;
  currency: string;
  timezone: string;
  windowDays: number;
  /** UTC offset (minutes) of the shop's zone, piecewise over the range (DST changes included). */
  offsets: OffsetSegment[];
  days: string[];
}

async function context(db: Db, shop: string, options: AnalyticsRange): Promise<Context> {
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
    currency: settings?.currency ?? "USD",
    timezone,
    windowDays: Math.max(0, Math.trunc(settings?.attributionWindowDays ?? 5)),
    offsets,
    days: daysBetween(from, to, timezone),
  };
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

const TIERS = ["low", "mid", "high", "unknown"] as const;
const HOUR = 3_600_000;

interface EventAggregates {
  triggers: Aggregate[];
  funnel: FunnelRow[];
}

/**
 * Overlay experiments from the aggregates kept with the events (event-store.server.ts), in two
 * statements that never join the visitors to anything:
 * - users: `Exposure` rows first exposed in the range, counted per shop-local day, trigger and
 *   arm straight from the covering (shop, firstAt, triggerId, variant) index;
 * - conversions: the range's overlay-credited orders (a few per hundred visitors), each looked up
 *   by its visitor's exposure key, kept when inside the attribution window after the first
 *   exposure, summed per visitor, then per day, trigger and arm.
 * The funnel comes from the hourly `EventRollup`. See docs/decisions/040-analytics.md.
 */
async function eventAggregates(db: Db, ctx: Context): Promise<EventAggregates> {
  const { shop, to } = ctx;
  // Orders can come up to the attribution window after the last first exposure in the range.
  const creditedUntil = new Date(to.getTime() + ctx.windowDays * DAY);
  const usersQuery = exposedVisitors(db, ctx);
  const conversionsQuery = overlayConversions(db, { ...ctx, creditedUntil });
  const [users, conversions, funnel, triggers] = await Promise.all([
    usersQuery,
    conversionsQuery,
    funnelCounts(db, ctx),
    db.trigger.findMany({
      where: { shop },
      select: { id: true, name: true, enabled: true, holdoutPct: true },
      orderBy: [{ priority: "desc" }, { createdAt: "asc" }],
    }),
  ]);

  const byId = new Map<string, Aggregate>();
  for (const t of triggers) byId.set(t.id, newAggregate(t, true));
  const aggregateOf = (tid: string) => {
    let agg = byId.get(tid);
    if (!agg) {
      agg = newAggregate({ id: tid, name: "Deleted trigger", enabled: false, holdoutPct: 0 }, false);
      byId.set(tid, agg);
    }
    return agg;
  };
  const add = (tid: string, variant: string, day: string, sums: ArmSums) => {
    const agg = aggregateOf(tid);
    if (variant === "mixed") {
      agg.mixedUsers += sums.users;
      return;
    }
    const arm = variant === "treatment" ? "treatment" : "control";
    addSums(agg[arm], sums);
    addSums(dayArms(agg.byDay, day)[arm], sums);
  };
  for (const r of users) add(r.tid, r.variant, r.day, { ...emptySums(), users: num(r.users) });
  for (const r of conversions) {
    if (r.variant === "mixed") continue;
    add(r.tid, r.variant, r.day, { users: 0, conversions: num(r.conversions), orders: num(r.orders), revenue: num(r.revenue), revenueSq: num(r.revenue_sq) });
  }
  return {
    triggers: [...byId.values()].filter((a) => a.exists || a.treatment.users + a.control.users + a.mixedUsers > 0),
    funnel,
  };
}

/**
 * Impressions → clicks → conversion events shown to treated visitors, by the intent tier on each
 * event. Whole hours come from `EventRollup`; the partial hours at either end of the range from
 * the events themselves (at most two hours of rows, through the (shop, occurredAt) index).
 */
async function funnelCounts(db: Db, ctx: Context): Promise<FunnelRow[]> {
  const { shop, from, to } = ctx;
  const funnel: FunnelRow[] = [...TIERS, "all" as const].map((tier) => ({ tier, impressions: 0, clicks: 0, conversions: 0 }));
  const add = (kind: string, tier: string | null, n: number) => {
    const key = kind === "impression" ? "impressions" : kind === "click" ? "clicks" : "conversions";
    const i = TIERS.indexOf((tier ?? "unknown") as (typeof TIERS)[number]);
    funnel[i >= 0 ? i : 3][key] += n;
    funnel[funnel.length - 1][key] += n;
  };
  const firstHour = new Date(Math.ceil(from.getTime() / HOUR) * HOUR);
  const lastHour = new Date(Math.floor(to.getTime() / HOUR) * HOUR);
  const edges: Array<[Date, Date]> = [];
  if (firstHour < lastHour) {
    const rolled = await rolledUpFunnel(db, { shop, from: firstHour, to: lastHour });
    for (const r of rolled) add(r.kind, r.tier, num(r.n));
    if (from < firstHour) edges.push([from, firstHour]);
    if (lastHour < to) edges.push([lastHour, to]);
  } else {
    edges.push([from, to]);
  }
  for (const [start, end] of edges) {
    const raw = await eventFunnel(db, { shop, from: start, to: end });
    for (const r of raw) add(r.kind, r.tier, num(r.n));
  }
  return funnel;
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

async function flowAggregates(db: Db, ctx: Context): Promise<Aggregate[]> {
  const { shop, from, to } = ctx;
  const creditedUntil = new Date(to.getTime() + ctx.windowDays * DAY);
  const runs = await flowRuns(db, ctx);
  // One order per run is assumed (Attribution carries no run id): orders count as converted
  // runs and each order's total as that run's revenue, capped at the runs of the arm.
  const orders = await flowOrders(db, { ...ctx, creditedUntil });
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
// A/B tests (issue 21): one row per arm of every trigger or flow step with a running test.
//
// Units are those first exposed since the test began (`testStartedAt`), whatever the page's range:
// triggers — `Exposure` rows with variant "treatment" by `arm`, converting by the overlay-credited
// orders as above; flow steps — `StepExposure` (runs that reached the step, holdout runs never
// do), converting by the orders credited to the run's emails from that moment on. Arm A is the
// control; B..D are compared with it by `compareArms` / `compareArmsMeans` (Bonferroni). Units
// recorded as "mixed" (shown two arms) or under an arm id the test no longer has are left out and
// counted in `excludedUsers`.

export interface ArmRow extends Arm {
  id: string;
  /** A..D */
  label: string;
  /** configured share of the non-holdout traffic, whole percent */
  weight: number;
  /** Against arm A (absent on A): conversion rate and revenue per user, Bonferroni-corrected. */
  conversion?: ComparisonResult;
  revenue?: ComparisonResult;
}

export interface ArmTest {
  kind: "trigger" | "step";
  /** the trigger's or the step's id */
  id: string;
  name: string;
  flowId?: string;
  /** a step's position in its flow, from 0 */
  position?: number;
  startedAt: string;
  autoPromote: boolean;
  holdoutPct: number;
  /** holdout visitors first exposed since the start (triggers); null for steps */
  holdoutUsers: number | null;
  arms: ArmRow[];
  /** units shown two arms ("mixed") or under an arm the test no longer has */
  excludedUsers: number;
  /** χ² over every arm and the holdout (triggers) or every arm (steps) against the configured split */
  srm: SampleRatioResult;
  verdict: ArmVerdict;
  /** the arm whose always-valid interval beats every other arm (Bonferroni over the pairs): what auto-promote promotes */
  pairwiseWinner: string | null;
}

export interface EndedTest {
  id: string;
  kind: "trigger" | "step";
  /** trigger or step id */
  targetId: string;
  name: string;
  startedAt: string;
  endedAt: string;
  how: string;
  /** label of the promoted arm, "" when none */
  winnerLabel: string;
  /** the promoted arm's verdict sentence at the end, when kept */
  verdict: string | null;
}

interface ArmTestOptions {
  to: Date;
  sequential: boolean;
  windowDays: number;
}

/** The per-arm figures of one trigger's running test; null when it runs none (or not in this shop). */
export async function triggerArmTest(db: Db, shop: string, triggerId: string, options: Partial<ArmTestOptions> = {}): Promise<ArmTest | null> {
  const t = await db.trigger.findFirst({
    where: { shop, id: triggerId },
    select: { id: true, name: true, holdoutPct: true, variants: true, testStartedAt: true, autoPromote: true },
  });
  if (!t) return null;
  return triggerTest(db, shop, t, await resolveOptions(db, shop, options));
}

/** The per-arm figures of one flow step's running test; null when it runs none (or not in this shop). */
export async function stepArmTest(db: Db, shop: string, stepId: string, options: Partial<ArmTestOptions> = {}): Promise<ArmTest | null> {
  const s = await db.recoveryStep.findFirst({ where: { id: stepId, flow: { shop } }, select: stepSelect });
  if (!s) return null;
  return stepTest(db, shop, s, await resolveOptions(db, shop, options));
}

async function resolveOptions(db: Db, shop: string, options: Partial<ArmTestOptions>): Promise<ArmTestOptions> {
  let windowDays = options.windowDays;
  if (windowDays == null) {
    const settings = await db.shop.findUnique({ where: { shop }, select: { attributionWindowDays: true } });
    windowDays = Math.max(0, Math.trunc(settings?.attributionWindowDays ?? 5));
  }
  return { to: options.to ?? new Date(), sequential: options.sequential ?? true, windowDays };
}

const stepSelect = {
  id: true,
  position: true,
  variants: true,
  testStartedAt: true,
  autoPromote: true,
  flow: { select: { id: true, name: true, holdoutPct: true } },
} as const;

type TriggerTestRow = { id: string; name: string; holdoutPct: number; variants: unknown; testStartedAt: Date | null; autoPromote: boolean };
type StepTestRow = {
  id: string;
  position: number;
  variants: unknown;
  testStartedAt: Date | null;
  autoPromote: boolean;
  flow: { id: string; name: string; holdoutPct: number };
};

/** Every running test of the shop, triggers first (by priority), then flow steps. */
export async function runningTests(db: Db, shop: string, options: ArmTestOptions): Promise<ArmTest[]> {
  const [triggers, steps] = await Promise.all([
    db.trigger.findMany({
      where: { shop, testStartedAt: { not: null } },
      select: { id: true, name: true, holdoutPct: true, variants: true, testStartedAt: true, autoPromote: true },
      orderBy: [{ priority: "desc" }, { createdAt: "asc" }],
    }),
    db.recoveryStep.findMany({
      where: { flow: { shop }, testStartedAt: { not: null } },
      select: stepSelect,
      orderBy: [{ flowId: "asc" }, { position: "asc" }],
    }),
  ]);
  const out: ArmTest[] = [];
  for (const t of triggers) {
    const test = await triggerTest(db, shop, t, options);
    if (test) out.push(test);
  }
  for (const s of steps) {
    const test = await stepTest(db, shop, s, options);
    if (test) out.push(test);
  }
  return out;
}

async function triggerTest(db: Db, shop: string, t: TriggerTestRow, options: ArmTestOptions): Promise<ArmTest | null> {
  const arms = armsOf<ArmBase>(t.variants);
  if (!arms || !t.testStartedAt) return null;
  const scope = { shop, since: t.testStartedAt, to: options.to, triggerId: t.id };
  const [users, conversions] = await Promise.all([triggerArmUsers(db, scope), triggerArmConversions(db, { ...scope, windowDays: options.windowDays })]);
  const ids = new Set(arms.map((a) => a.id));
  const sums = new Map(arms.map((a) => [a.id, emptySums()]));
  let holdoutUsers = 0;
  let excludedUsers = 0;
  for (const r of users) {
    const n = num(r.users);
    if (r.variant === "control") holdoutUsers += n;
    else if (r.variant === "treatment" && ids.has(r.arm)) sums.get(r.arm)!.users += n;
    else excludedUsers += n;
  }
  for (const r of conversions) {
    if (r.variant !== "treatment" || !ids.has(r.arm)) continue;
    addSums(sums.get(r.arm)!, { users: 0, conversions: num(r.conversions), orders: num(r.orders), revenue: num(r.revenue), revenueSq: num(r.revenue_sq) });
  }
  const holdoutPct = Math.min(100, Math.max(0, t.holdoutPct));
  return armTest(
    { kind: "trigger", id: t.id, name: t.name, startedAt: t.testStartedAt, autoPromote: t.autoPromote, holdoutPct, holdoutUsers, excludedUsers },
    arms,
    sums,
    options,
  );
}

async function stepTest(db: Db, shop: string, s: StepTestRow, options: ArmTestOptions): Promise<ArmTest | null> {
  const arms = armsOf<ArmBase>(s.variants);
  if (!arms || !s.testStartedAt) return null;
  const scope = { shop, since: s.testStartedAt, to: options.to, stepId: s.id };
  const [users, conversions] = await Promise.all([stepArmUsers(db, scope), stepArmConversions(db, { ...scope, windowDays: options.windowDays })]);
  const ids = new Set(arms.map((a) => a.id));
  const sums = new Map(arms.map((a) => [a.id, emptySums()]));
  let excludedUsers = 0;
  for (const r of users) {
    if (ids.has(r.arm)) sums.get(r.arm)!.users += num(r.users);
    else excludedUsers += num(r.users);
  }
  for (const r of conversions) {
    if (!ids.has(r.arm)) continue;
    addSums(sums.get(r.arm)!, { users: 0, conversions: num(r.conversions), orders: num(r.orders), revenue: num(r.revenue), revenueSq: num(r.revenue_sq) });
  }
  for (const v of sums.values()) v.conversions = Math.min(v.conversions, v.users);
  return armTest(
    {
      kind: "step",
      id: s.id,
      name: `${s.flow.name} · Email ${s.position + 1}`,
      flowId: s.flow.id,
      position: s.position,
      startedAt: s.testStartedAt,
      autoPromote: s.autoPromote,
      holdoutPct: Math.min(100, Math.max(0, s.flow.holdoutPct)),
      holdoutUsers: null,
      excludedUsers,
    },
    arms,
    sums,
    options,
  );
}

function armTest(
  meta: Omit<ArmTest, "arms" | "srm" | "verdict" | "pairwiseWinner" | "startedAt"> & { startedAt: Date },
  arms: ArmBase[],
  sums: Map<string, ArmSums>,
  options: { sequential: boolean },
): ArmTest {
  const rows: ArmRow[] = arms.map((a, i) => ({ id: a.id, label: armLabel(i), weight: a.weight, ...toArm(sums.get(a.id) ?? emptySums()) }));
  const weights = arms.map((a) => a.weight);
  const srm = armSampleRatio(
    rows.map((r) => r.users),
    weights,
    meta.holdoutUsers == null ? null : { users: meta.holdoutUsers, pct: meta.holdoutPct },
  );
  const counts = rows.map((r) => ({ users: r.users, conversions: r.conversions, weight: r.weight }));
  const { comparisons, ...v } = armVerdict(counts, srm, { sequential: options.sequential, units: meta.kind === "step" ? "runs" : "visitors" });
  const [a, ...rest] = rows;
  const revenue = compareArmsMeans(
    { users: a.users, mean: a.revenuePerUserCents, variance: a.revenueVariance },
    rest.map((r) => ({ users: r.users, mean: r.revenuePerUserCents, variance: r.revenueVariance })),
    { sequential: options.sequential },
  );
  rest.forEach((r, i) => {
    r.conversion = comparisons[i];
    r.revenue = revenue[i];
  });
  // Auto-promote never acts on a broken split.
  const pairwise = srm.mismatch ? null : pairwiseWinner(counts).winner;
  return {
    ...meta,
    startedAt: meta.startedAt.toISOString(),
    arms: rows,
    srm,
    verdict: v,
    pairwiseWinner: pairwise == null ? null : rows[pairwise].id,
  };
}

/** The last ended tests (ExperimentRecord), newest first, named by their trigger or step. */
export async function listEndedTests(db: Db, shop: string, take = 20): Promise<EndedTest[]> {
  const records = await db.experimentRecord.findMany({ where: { shop }, orderBy: { endedAt: "desc" }, take });
  const triggerIds = records.flatMap((r) => (r.triggerId ? [r.triggerId] : []));
  const stepIds = records.flatMap((r) => (r.stepId ? [r.stepId] : []));
  const [triggers, steps] = await Promise.all([
    triggerIds.length ? db.trigger.findMany({ where: { shop, id: { in: triggerIds } }, select: { id: true, name: true } }) : [],
    stepIds.length
      ? db.recoveryStep.findMany({ where: { id: { in: stepIds }, flow: { shop } }, select: { id: true, position: true, flow: { select: { name: true } } } })
      : [],
  ]);
  const names = new Map<string, string>([
    ...triggers.map((t) => [t.id, t.name] as const),
    ...steps.map((s) => [s.id, `${s.flow.name} · Email ${s.position + 1}`] as const),
  ]);
  return records.map((r) => {
    const arms = Array.isArray(r.arms) ? (r.arms as Array<{ id?: string; label?: string }>) : [];
    const i = arms.findIndex((a) => a?.id === r.winner);
    const summary = r.summary && typeof r.summary === "object" && !Array.isArray(r.summary) ? (r.summary as Record<string, unknown>) : {};
    const kind = r.stepId ? ("step" as const) : ("trigger" as const);
    const targetId = (r.stepId ?? r.triggerId ?? "") as string;
    return {
      id: r.id,
      kind,
      targetId,
      name: names.get(targetId) ?? (kind === "step" ? "Deleted email" : "Deleted trigger"),
      startedAt: r.startedAt.toISOString(),
      endedAt: r.endedAt.toISOString(),
      how: r.how,
      winnerLabel: i >= 0 ? (arms[i].label ?? armLabel(i)) : "",
      verdict: typeof summary.verdict === "string" ? summary.verdict : null,
    };
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

const ARM_CSV_COLUMNS: Array<[string, (t: ArmTest, r: ArmRow, a: Analytics) => string | number | boolean | null | undefined]> = [
  ["type", (t) => t.kind],
  ["id", (t) => t.id],
  ["name", (t) => t.name],
  ["flow_id", (t) => t.flowId],
  ["test_started_at", (t) => t.startedAt],
  ["arm", (_t, r) => r.label],
  ["arm_id", (_t, r) => r.id],
  ["weight_pct", (_t, r) => r.weight],
  ["holdout_pct", (t) => t.holdoutPct],
  ["holdout_users", (t) => t.holdoutUsers],
  ["users", (_t, r) => r.users],
  ["conversions", (_t, r) => r.conversions],
  ["orders", (_t, r) => r.orders],
  ["conversion_rate", (_t, r) => r.conversionRate],
  ["conversion_abs_lift_vs_a", (_t, r) => r.conversion?.absoluteLift],
  ["conversion_abs_lift_ci_low", (_t, r) => r.conversion?.ci[0]],
  ["conversion_abs_lift_ci_high", (_t, r) => r.conversion?.ci[1]],
  ["conversion_rel_lift_vs_a", (_t, r) => r.conversion?.relativeLift],
  ["conversion_rel_lift_ci_low", (_t, r) => r.conversion?.relativeCi[0]],
  ["conversion_rel_lift_ci_high", (_t, r) => r.conversion?.relativeCi[1]],
  ["conversion_p_value_adjusted", (_t, r) => r.conversion?.pValue],
  ["conversion_significant", (_t, r) => r.conversion?.significant],
  ["revenue", (_t, r) => r.revenueCents / 100],
  ["revenue_per_user", (_t, r) => r.revenuePerUserCents / 100],
  ["revenue_abs_lift_vs_a", (_t, r) => (r.revenue ? r.revenue.absoluteLift / 100 : null)],
  ["revenue_abs_lift_ci_low", (_t, r) => (r.revenue ? r.revenue.ci[0] / 100 : null)],
  ["revenue_abs_lift_ci_high", (_t, r) => (r.revenue ? r.revenue.ci[1] / 100 : null)],
  ["revenue_p_value_adjusted", (_t, r) => r.revenue?.pValue],
  ["excluded_users", (t) => t.excludedUsers],
  ["srm_p_value", (t) => t.srm.pValue],
  ["srm_mismatch", (t) => t.srm.mismatch],
  ["verdict", (t) => t.verdict.text],
  ["auto_promote", (t) => t.autoPromote],
  ["pairwise_winner", (t) => (t.pairwiseWinner ? (t.arms.find((x) => x.id === t.pairwiseWinner)?.label ?? "") : "")],
  ["currency", (_t, _r, a) => a.currency],
  ["to", (_t, _r, a) => a.to],
  ["intervals", (_t, _r, a) => (a.sequential ? "sequential" : "fixed")],
];

/** The documented per-arm columns (docs and tests read them from here). */
export const ARM_CSV_HEADER = ARM_CSV_COLUMNS.map(([name]) => name);

/**
 * Header row, then one row per arm of every running A/B test (triggers and flow steps): users and
 * figures since the test began, the comparison with arm A (empty on A; Bonferroni-adjusted), and
 * the test's split check and verdict repeated on each of its rows.
 */
export function armTestsToCsv(analytics: Analytics): string {
  const lines = [ARM_CSV_HEADER.join(",")];
  for (const t of analytics.tests) {
    for (const r of t.arms) lines.push(ARM_CSV_COLUMNS.map(([, get]) => csvField(get(t, r, analytics))).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}
