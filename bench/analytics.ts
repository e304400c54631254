/**
 * How long the analytics page's aggregation takes for a busy shop.
 *
 *   npx tsx bench/analytics.ts [events]        (default 1,000,000)
 *
 * Seeds a fresh database (SQLite; PostgreSQL when TEST_DATABASE_URL points at one) with one
 * shop's month of storefront events over six triggers, the orders credited to them and three
 * recovery flows with their runs and orders, then times `getAnalytics`: one warm-up, then the
 * median of three runs. Events are inserted day by day in time order, as the app proxy
 * receives them.
 */
import { pathToFileURL } from "node:url";
import type { Prisma } from "@prisma/client";
import { createTestDb } from "../test/support/db";
import type { Db } from "~/db.server";
import { isHoldout } from "~/domain/experiments/assign";
import { getAnalytics } from "~/services/analytics.server";
import { storeEvents } from "~/services/event-store.server";

export const BENCH_SHOP = "bench-shop.myshopify.com";
export const BENCH_NOW = new Date("2026-11-30T12:00:00Z");
const DAY = 86_400_000;
const DAYS = 30;
const CHUNK = 5_000;

export interface BenchResult {
  events: number;
  /** Median of the timed runs. */
  ms: number;
  runs: number[];
  seedMs: number;
  dialect: string;
}

export async function benchAnalytics({ events = 1_000_000 }: { events?: number } = {}): Promise<BenchResult> {
  const t = await createTestDb();
  try {
    const from = new Date(BENCH_NOW.getTime() - DAYS * DAY);
    const seedStart = performance.now();
    await seedBenchShop(t.db, { events, now: BENCH_NOW });
    const seedMs = performance.now() - seedStart;
    const run = async () => {
      const start = performance.now();
      await getAnalytics(t.db, BENCH_SHOP, { from, to: BENCH_NOW, sequential: true });
      return performance.now() - start;
    };
    await run();
    const runs = [await run(), await run(), await run()];
    const median = [...runs].sort((a, b) => a - b)[1];
    return { events, ms: Math.round(median), runs: runs.map(Math.round), seedMs: Math.round(seedMs), dialect: t.dialect };
  } finally {
    await t.cleanup();
  }
}

/** Seeded PRNG (mulberry32) so every run builds the same shop. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Share of each kind in a storefront's stream: page and product views dominate; an overlay
// exposure (impression, or "control" for the 10 % holdout) is about 1 event in 8, as a trigger
// that fires once in most sessions of ~6 page views would produce. BENCH_EXPOSURE_SHARE
// overrides it (0.225 is a heavy, overlay-everywhere shop).
const EXPOSURE_SHARE = Number(process.env.BENCH_EXPOSURE_SHARE ?? 0.12);
const MIX: Array<[string, number]> = [
  ["page_view", 0.45],
  ["product_view", 0.24],
  ["cart_add", 0.06],
  ["exposure", EXPOSURE_SHARE],
  ["click", 0.02],
  ["dismiss", 0.07],
  ["conversion", 0.008],
  ["email_capture", 0.012],
];
const TIERS = ["low", "low", "mid", "mid", "high"];

/**
 * One shop's month: `events` storefront events over ~events/9 visitors and six triggers
 * (10 % holdout, bucketed with the storefront's own hash), overlay orders for 3 % of treated
 * and 2.5 % of held-out visitors, three flows with a run per ~50 visitors, and a second shop's
 * events that the queries must skip.
 */
export async function seedBenchShop(db: Db, { events, now }: { events: number; now: Date }): Promise<void> {
  const rand = random(42);
  const from = now.getTime() - DAYS * DAY;
  await db.shop.create({ data: { shop: BENCH_SHOP, attributionWindowDays: 5, timezone: "America/New_York" } });
  const triggers = Array.from({ length: 6 }, (_, i) => ({
    id: `trg_${i}`,
    shop: BENCH_SHOP,
    name: `Trigger ${i + 1}`,
    type: "exit_intent",
    enabled: true,
    conditions: {},
    segment: {},
    content: {},
    frequencyCap: {},
    holdoutPct: 10,
    salt: `salt${i}`,
  }));
  await db.trigger.createMany({ data: triggers });
  await storeEvents(
    db,
    Array.from({ length: 2000 }, (_, i) => ({
      shop: "other-shop.myshopify.com",
      visitorId: `v${i}`,
      kind: i % 2 ? "impression" : "control",
      triggerId: "trg_0",
      variant: i % 2 ? "treatment" : "control",
      occurredAt: new Date(from + i * 60_000),
    })),
  );

  const visitors = Math.max(50, Math.round(events / 9));
  const cumulative = MIX.reduce<number[]>((acc, [, p]) => [...acc, (acc.at(-1) ?? 0) + p], []);
  const total = cumulative[cumulative.length - 1];
  const firstExposure = new Map<string, number>();
  let written = 0;
  for (let day = 0; day < DAYS; day++) {
    const count = Math.round(((day + 1) * events) / DAYS) - written;
    written += count;
    const times = Array.from({ length: count }, () => from + day * DAY + Math.floor(rand() * DAY)).sort((a, b) => a - b);
    let batch: Prisma.EventCreateManyInput[] = [];
    for (const at of times) {
      const visitorId = `v${Math.floor(rand() * visitors)}`;
      const r = rand() * total;
      let kind = MIX[cumulative.findIndex((c) => r < c)][0];
      const trigger = triggers[Math.floor(rand() * triggers.length)];
      let triggerId: string | null = null;
      let variant: string | null = null;
      if (kind === "exposure") {
        const holdout = isHoldout(trigger.salt, visitorId, trigger.holdoutPct);
        kind = holdout ? "control" : "impression";
        variant = holdout ? "control" : "treatment";
        triggerId = trigger.id;
        const key = `${trigger.id}|${visitorId}`;
        if (!firstExposure.has(key)) firstExposure.set(key, at);
      } else if (kind === "click" || kind === "dismiss" || kind === "conversion") {
        triggerId = trigger.id;
        variant = "treatment";
      }
      batch.push({
        shop: BENCH_SHOP,
        visitorId,
        sessionId: `s-${visitorId}-${day}`,
        kind,
        triggerId,
        variant,
        intentTier: TIERS[Math.floor(rand() * TIERS.length)],
        productId: kind === "product_view" || kind === "cart_add" ? `p${Math.floor(rand() * 500)}` : null,
        valueCents: kind === "cart_add" ? 1000 + Math.floor(rand() * 9000) : null,
        occurredAt: new Date(at),
      });
      if (batch.length === CHUNK) {
        await storeEvents(db, batch);
        batch = [];
      }
    }
    if (batch.length) await storeEvents(db, batch);
  }

  const attributions: Prisma.AttributionCreateManyInput[] = [];
  let order = 0;
  for (const [key, first] of firstExposure) {
    const [triggerId, visitorId] = key.split("|");
    const trigger = triggers.find((x) => x.id === triggerId)!;
    const holdout = isHoldout(trigger.salt, visitorId, trigger.holdoutPct);
    if (rand() >= (holdout ? 0.025 : 0.03)) continue;
    order++;
    attributions.push({
      shop: BENCH_SHOP,
      orderId: `o${order}`,
      totalCents: 2000 + Math.floor(rand() * 18000),
      source: "overlay",
      triggerId,
      visitorId,
      variant: holdout ? "control" : "treatment",
      key: `o${order}:overlay:${triggerId}`,
      occurredAt: new Date(first + Math.floor(rand() * 4 * DAY)),
    });
  }

  const flows = ["checkout", "cart", "browse"].map((kind, i) => ({
    id: `flow_${i}`,
    shop: BENCH_SHOP,
    name: `${kind} recovery`,
    kind,
    enabled: true,
    holdoutPct: 10,
  }));
  await db.recoveryFlow.createMany({ data: flows });
  const runs: Prisma.FlowRunCreateManyInput[] = [];
  for (let i = 0; i < Math.max(10, Math.round(visitors / 50)); i++) {
    const flow = flows[i % flows.length];
    const holdout = rand() < 0.1;
    const startedAt = from + Math.floor(rand() * DAYS * DAY);
    runs.push({ shop: BENCH_SHOP, flowId: flow.id, subjectKey: `c${i}`, holdout, startedAt: new Date(startedAt), status: "stopped" });
    if (rand() < (holdout ? 0.06 : 0.1)) {
      order++;
      attributions.push({
        shop: BENCH_SHOP,
        orderId: `o${order}`,
        totalCents: 3000 + Math.floor(rand() * 12000),
        source: "flow",
        flowId: flow.id,
        variant: holdout ? "control" : "treatment",
        key: `o${order}:flow:${flow.id}`,
        occurredAt: new Date(startedAt + Math.floor(rand() * 2 * DAY)),
      });
    }
  }
  for (let i = 0; i < runs.length; i += CHUNK) await db.flowRun.createMany({ data: runs.slice(i, i + CHUNK) });
  for (let i = 0; i < attributions.length; i += CHUNK) await db.attribution.createMany({ data: attributions.slice(i, i + CHUNK) });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const events = Number(process.argv[2] ?? 1_000_000);
  const result = await benchAnalytics({ events });
  console.log(
    `getAnalytics over ${result.events.toLocaleString("en-US")} events (${result.dialect}): ` +
      `median ${result.ms} ms of 3 runs [${result.runs.join(", ")}] after a warm-up; seeding took ${(result.seedMs / 1000).toFixed(1)} s`,
  );
}
