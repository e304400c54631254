import type { Db } from "~/db.server";
import { mergeArm, writeEvents, type EventRow, type ExposureUpsert, type RollupIncrement } from "~/models/event.server";

/**
 * The one way storefront events are written. The events go in one INSERT; when the batch holds
 * overlay events, the same transaction keeps two aggregates in step with them:
 *
 * - `Exposure`: one row per (shop, trigger, visitor) — first and last exposure, the variant
 *   (treatment / control / mixed when seen in both), the A/B arm of its treatment exposures (the
 *   first; "mixed" when shown two) and the intent tier at first exposure.
 *   Analytics reads these instead of grouping every impression event per visitor.
 * - `EventRollup`: overlay event counts per UTC hour, trigger, kind, tier, variant and A/B arm — the funnel.
 *
 * Both are plain `INSERT … ON CONFLICT DO UPDATE`, so concurrent batches of the same visitor
 * merge correctly on SQLite and PostgreSQL. A page-view-only batch (most of them) costs one
 * statement, as before. The statements are the events model's (app/models/event.server.ts); this
 * decides what goes in them. See docs/decisions/040-analytics.md.
 */

export const OVERLAY_KINDS = ["impression", "control", "click", "conversion"] as const;
const EXPOSURE_KINDS = new Set(["impression", "control"]);
/** `held` (an overlay the channel gap held back) is rolled up for the budget line, never an exposure */
const ROLLUP_KINDS = new Set<string>([...OVERLAY_KINDS, "held"]);
const TIERS = new Set(["low", "mid", "high"]);
const HOUR = 3_600_000;

export type { EventRow };

/** Store events for one or more shops; returns the number of events written. */
export async function storeEvents(db: Db, rows: EventRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  return writeEvents(db, { events: rows, ...aggregatesOf(rows) });
}

const at = (v: Date | string) => (v instanceof Date ? v : new Date(v));
export const hourOf = (d: Date) => new Date(Math.floor(d.getTime() / HOUR) * HOUR);

/** The exposure and roll-up upserts for a set of event rows (none when no overlay events). */
export function aggregatesOf(rows: EventRow[]): { exposures: ExposureUpsert[]; rollups: RollupIncrement[] } {
  const exposures = new Map<string, ExposureUpsert>();
  const rollups = new Map<string, RollupIncrement>();
  for (const r of rows) {
    if (!r.triggerId || !ROLLUP_KINDS.has(r.kind)) continue;
    const when = at(r.occurredAt);
    const tier = r.intentTier && TIERS.has(r.intentTier) ? r.intentTier : null;
    if (EXPOSURE_KINDS.has(r.kind)) {
      const variant = r.kind === "impression" ? "treatment" : "control";
      // only a treatment exposure has an arm
      const arm = variant === "treatment" ? (r.arm ?? "") : "";
      const key = `${r.shop}\u0000${r.triggerId}\u0000${r.visitorId}`;
      const e = exposures.get(key);
      if (!e) exposures.set(key, { shop: r.shop, triggerId: r.triggerId, visitorId: r.visitorId, variant, arm, tier, firstAt: when, lastAt: when });
      else {
        if (e.variant !== variant) e.variant = "mixed";
        e.arm = mergeArm(e.arm, arm);
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
    const arm = r.kind === "control" ? "" : (r.arm ?? "");
    const key = `${r.shop}\u0000${hour.getTime()}\u0000${r.triggerId}\u0000${r.kind}\u0000${t}\u0000${variant}\u0000${arm}`;
    const g = rollups.get(key);
    if (g) g.events++;
    else rollups.set(key, { shop: r.shop, hour, triggerId: r.triggerId, kind: r.kind, tier: t, variant, arm, events: 1 });
  }
  return { exposures: [...exposures.values()], rollups: [...rollups.values()] };
}
