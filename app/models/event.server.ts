import type { Prisma } from "@prisma/client";
import { dialectOf, type DbOrTx } from "~/db.server";
import { q, write } from "./sql/run.server";

/**
 * The storefront events aggregate: `Event` rows and the two aggregates kept in step with them in
 * the same unit (event-store.server.ts decides what goes in them):
 *
 * - `Exposure`: one row per (shop, trigger, visitor); a conflict keeps the stored row unless the
 *   new one is earlier (first exposure and its tier) or later (last exposure); treatment and
 *   control make the visitor "mixed" (`variant`), and so do two A/B arms (`arm`, see `mergeArm`).
 * - `EventRollup`: overlay event counts per UTC hour, trigger, kind, tier and arm; a conflict adds.
 *
 * Both are plain `INSERT … ON CONFLICT DO UPDATE`, so concurrent batches of the same visitor merge
 * correctly on SQLite and PostgreSQL. Every statement is a multi-row INSERT of at most 1,000 rows
 * (under both databases' bound-parameter limits); through `createMany` the same write cost ~3× the
 * CPU (the query compiler plans every row), and this is the storefront's hottest path.
 */

export type EventRow = Prisma.EventCreateManyInput;

/** A visitor's exposures to a trigger within one batch, merged. */
export interface ExposureUpsert {
  shop: string;
  triggerId: string;
  visitorId: string;
  variant: string;
  /** the A/B arm of a treatment exposure; "" for control and when no test ran */
  arm: string;
  tier: string | null;
  firstAt: Date;
  lastAt: Date;
}

/**
 * A visitor's arm after one more exposure (the rule the upsert's SQL repeats): the first arm
 * seen stays; an exposure without one (control, no test) changes nothing; another arm makes the
 * visitor "mixed", for good.
 */
export function mergeArm(stored: string, next: string): string {
  return next === "" || next === stored ? stored : stored === "" ? next : "mixed";
}

/** Events of one hour, trigger, kind, tier and arm within one batch, counted. */
export interface RollupIncrement {
  shop: string;
  hour: Date;
  triggerId: string;
  kind: string;
  tier: string;
  variant: string;
  /** the A/B arm; "" when none */
  arm: string;
  events: number;
}

const CHUNK = 1000;

/**
 * Writes the events with their exposure and roll-up upserts as one unit (one transaction when
 * there is more than one statement); returns the number of events written.
 */
export async function writeEvents(
  db: DbOrTx,
  batch: { events: EventRow[]; exposures: ExposureUpsert[]; rollups: RollupIncrement[] },
  now = new Date(),
): Promise<number> {
  if (batch.events.length === 0) return 0;
  const inserts = chunks(batch.events).map((chunk) => insertEvents(db, chunk, now));
  const counts = await write(
    db,
    ...inserts,
    ...chunks(batch.exposures).map((chunk) => upsertExposures(db, chunk)),
    ...chunks(batch.rollups).map((chunk) => addRollups(db, chunk)),
  );
  return counts.slice(0, inserts.length).reduce((sum, n) => sum + n, 0);
}

const at = (v: Date | string) => (v instanceof Date ? v : new Date(v));

function insertEvents(db: DbOrTx, rows: EventRow[], now: Date) {
  return q(db)
    .insertInto("Event")
    .values(
      rows.map((r) => ({
        shop: r.shop,
        visitorId: r.visitorId,
        sessionId: r.sessionId ?? null,
        kind: r.kind,
        triggerId: r.triggerId ?? null,
        variant: r.variant ?? null,
        arm: r.arm ?? null,
        intentTier: r.intentTier ?? null,
        productId: r.productId ?? null,
        cartToken: r.cartToken ?? null,
        valueCents: r.valueCents ?? null,
        occurredAt: at(r.occurredAt),
        receivedAt: r.receivedAt ? at(r.receivedAt) : now,
      })),
    );
}

function upsertExposures(db: DbOrTx, rows: ExposureUpsert[]) {
  const { least, greatest } = dialectOf(db);
  return q(db)
    .insertInto("Exposure")
    .values(
      rows.map((e) => ({
        shop: e.shop,
        triggerId: e.triggerId,
        visitorId: e.visitorId,
        variant: e.variant,
        arm: e.arm,
        tier: e.tier,
        firstAt: e.firstAt,
        lastAt: e.lastAt,
      })),
    )
    .onConflict((oc) =>
      oc.columns(["shop", "triggerId", "visitorId"]).doUpdateSet((eb) => ({
        variant: eb.case().when("Exposure.variant", "=", eb.ref("excluded.variant")).then(eb.ref("Exposure.variant")).else("mixed").end(),
        // mergeArm: no arm or the same arm keeps it; a first arm is taken; another makes "mixed"
        arm: eb
          .case()
          .when(eb.or([eb("excluded.arm", "=", ""), eb("excluded.arm", "=", eb.ref("Exposure.arm"))]))
          .then(eb.ref("Exposure.arm"))
          .when("Exposure.arm", "=", "")
          .then(eb.ref("excluded.arm"))
          .else("mixed")
          .end(),
        tier: eb.case().when("excluded.firstAt", "<", eb.ref("Exposure.firstAt")).then(eb.ref("excluded.tier")).else(eb.ref("Exposure.tier")).end(),
        firstAt: least(eb.ref("Exposure.firstAt"), eb.ref("excluded.firstAt")),
        lastAt: greatest(eb.ref("Exposure.lastAt"), eb.ref("excluded.lastAt")),
      })),
    );
}

function addRollups(db: DbOrTx, rows: RollupIncrement[]) {
  return q(db)
    .insertInto("EventRollup")
    .values(
      rows.map((g) => ({ shop: g.shop, hour: g.hour, triggerId: g.triggerId, kind: g.kind, tier: g.tier, variant: g.variant, arm: g.arm, events: g.events })),
    )
    .onConflict((oc) =>
      oc.columns(["shop", "hour", "triggerId", "kind", "tier", "variant", "arm"]).doUpdateSet((eb) => ({
        events: eb("EventRollup.events", "+", eb.ref("excluded.events")),
      })),
    );
}

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
