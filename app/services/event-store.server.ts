import type { Prisma } from "@prisma/client";
import { dialectOfClient, placeholders, sqlBatch, type Db, type Dialect } from "~/db.server";

/**
 * The one way storefront events are written. The events go in one INSERT; when the batch holds
 * overlay events, the same transaction keeps two aggregates in step with them:
 *
 * - `Exposure`: one row per (shop, trigger, visitor) — first and last exposure, the arm
 *   (treatment / control / mixed when seen in both) and the intent tier at first exposure.
 *   Analytics reads these instead of grouping every impression event per visitor.
 * - `EventRollup`: overlay event counts per UTC hour, trigger, kind, tier and arm — the funnel.
 *
 * Both are plain `INSERT … ON CONFLICT DO UPDATE`, so concurrent batches of the same visitor
 * merge correctly on SQLite and PostgreSQL. A page-view-only batch (most of them) costs one
 * statement, as before. See docs/decisions/040-analytics.md.
 */

export const OVERLAY_KINDS = ["impression", "control", "click", "conversion"] as const;
const EXPOSURE_KINDS = new Set(["impression", "control"]);
/** `held` (an overlay the channel gap held back) is rolled up for the budget line, never an exposure */
const ROLLUP_KINDS = new Set<string>([...OVERLAY_KINDS, "held"]);
const TIERS = new Set(["low", "mid", "high"]);
const HOUR = 3_600_000;

export type EventRow = Prisma.EventCreateManyInput;

/** Store events for one or more shops; returns the number of events written. */
export async function storeEvents(db: Db, rows: EventRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const dialect = dialectOfClient(db);
  const statements = [...insertStatements(dialect, rows), ...aggregateStatements(dialect, rows)];
  const counts = await sqlBatch(db, statements);
  return counts.slice(0, Math.ceil(rows.length / EVENT_CHUNK)).reduce((sum, n) => sum + n, 0);
}

const EVENT_COLUMNS = [
  "shop",
  "visitorId",
  "sessionId",
  "kind",
  "triggerId",
  "variant",
  "intentTier",
  "productId",
  "cartToken",
  "valueCents",
  "occurredAt",
  "receivedAt",
] as const;
const EVENT_CHUNK = 1000;

/**
 * The events as multi-row INSERTs (one per 1,000 rows). Through `createMany` the same write
 * cost ~3× the CPU (the query compiler plans every row); this is the storefront's hottest path.
 */
function insertStatements(dialect: Dialect, rows: EventRow[]): Statement[] {
  const now = new Date();
  return chunks(rows, EVENT_CHUNK).map((chunk) => {
    const p = placeholders(dialect);
    const values: unknown[] = [];
    const tuples = chunk.map((r) => {
      values.push(
        r.shop,
        r.visitorId,
        r.sessionId ?? null,
        r.kind,
        r.triggerId ?? null,
        r.variant ?? null,
        r.intentTier ?? null,
        r.productId ?? null,
        r.cartToken ?? null,
        r.valueCents ?? null,
        at(r.occurredAt),
        r.receivedAt ? at(r.receivedAt) : now,
      );
      return `(${p.next(EVENT_COLUMNS.length)})`;
    });
    return { sql: `INSERT INTO "Event" (${EVENT_COLUMNS.map((c) => `"${c}"`).join(", ")}) VALUES ${tuples.join(", ")}`, values };
  });
}

interface Statement {
  sql: string;
  values: unknown[];
}

const at = (v: Date | string) => (v instanceof Date ? v : new Date(v));
export const hourOf = (d: Date) => new Date(Math.floor(d.getTime() / HOUR) * HOUR);

/** The exposure and roll-up upserts for a set of event rows (none when no overlay events). */
export function aggregateStatements(dialect: Dialect, rows: EventRow[]): Statement[] {
  const exposures = new Map<
    string,
    { shop: string; triggerId: string; visitorId: string; variant: string; tier: string | null; firstAt: Date; lastAt: Date }
  >();
  const rollups = new Map<string, { shop: string; hour: Date; triggerId: string; kind: string; tier: string; variant: string; events: number }>();
  for (const r of rows) {
    if (!r.triggerId || !ROLLUP_KINDS.has(r.kind)) continue;
    const when = at(r.occurredAt);
    const tier = r.intentTier && TIERS.has(r.intentTier) ? r.intentTier : null;
    if (EXPOSURE_KINDS.has(r.kind)) {
      const variant = r.kind === "impression" ? "treatment" : "control";
      const key = `${r.shop}\u0000${r.triggerId}\u0000${r.visitorId}`;
      const e = exposures.get(key);
      if (!e) exposures.set(key, { shop: r.shop, triggerId: r.triggerId, visitorId: r.visitorId, variant, tier, firstAt: when, lastAt: when });
      else {
        if (e.variant !== variant) e.variant = "mixed";
        if (when < e.firstAt) {
          e.firstAt = when;
          e.tier = tier;
        }
        if (when > e.lastAt) e.lastAt = when;
      }
    }
    const hour = hourOf(when);
    const variant = r.variant === "treatment" || r.variant === "control" ? r.variant : "";
    const t = tier ?? "unknown";
    const key = `${r.shop}\u0000${hour.getTime()}\u0000${r.triggerId}\u0000${r.kind}\u0000${t}\u0000${variant}`;
    const g = rollups.get(key);
    if (g) g.events++;
    else rollups.set(key, { shop: r.shop, hour, triggerId: r.triggerId, kind: r.kind, tier: t, variant, events: 1 });
  }
  const statements: Statement[] = [];
  const least = dialect === "postgres" ? "LEAST" : "MIN";
  const greatest = dialect === "postgres" ? "GREATEST" : "MAX";
  for (const chunk of chunks([...exposures.values()])) {
    const p = placeholders(dialect);
    const values: unknown[] = [];
    const tuples = chunk.map((e) => {
      values.push(e.shop, e.triggerId, e.visitorId, e.variant, e.tier, e.firstAt, e.lastAt);
      return `(${p.next(7)})`;
    });
    // Row-value conflicts: the stored row wins unless the new batch is earlier (first exposure
    // and its tier) or later (last exposure); differing arms make the visitor "mixed".
    statements.push({
      sql: `INSERT INTO "Exposure" ("shop", "triggerId", "visitorId", "variant", "tier", "firstAt", "lastAt")
        VALUES ${tuples.join(", ")}
        ON CONFLICT ("shop", "triggerId", "visitorId") DO UPDATE SET
          "variant" = CASE WHEN "Exposure"."variant" = excluded."variant" THEN "Exposure"."variant" ELSE 'mixed' END,
          "tier" = CASE WHEN excluded."firstAt" < "Exposure"."firstAt" THEN excluded."tier" ELSE "Exposure"."tier" END,
          "firstAt" = ${least}("Exposure"."firstAt", excluded."firstAt"),
          "lastAt" = ${greatest}("Exposure"."lastAt", excluded."lastAt")`,
      values,
    });
  }
  for (const chunk of chunks([...rollups.values()])) {
    const p = placeholders(dialect);
    const values: unknown[] = [];
    const tuples = chunk.map((g) => {
      values.push(g.shop, g.hour, g.triggerId, g.kind, g.tier, g.variant, g.events);
      return `(${p.next(7)})`;
    });
    statements.push({
      sql: `INSERT INTO "EventRollup" ("shop", "hour", "triggerId", "kind", "tier", "variant", "events")
        VALUES ${tuples.join(", ")}
        ON CONFLICT ("shop", "hour", "triggerId", "kind", "tier", "variant") DO UPDATE SET
          "events" = "EventRollup"."events" + excluded."events"`,
      values,
    });
  }
  return statements;
}

/** Keeps statements under SQLite's and PostgreSQL's bound-parameter limits. */
function chunks<T>(items: T[], size = 1000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
