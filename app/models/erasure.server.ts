import { sql } from "kysely";
import type { DbOrTx } from "~/db.server";
import { q, run } from "./sql/run.server";

/**
 * The statements of data erasure that the model API cannot express (privacy.server.ts decides
 * what goes): jobs whose payload names a customer, and the operational sweep's batched deletes.
 */

/** A LIKE pattern matching `needle` anywhere, its wildcards and the escape character escaped. */
const containing = (needle: string) => `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The shop's jobs whose payload (as text) contains any of `needles` (an email, a customer id). */
export async function jobsNaming(db: DbOrTx, shop: string, needles: string[]) {
  if (!needles.length) return [];
  return run(
    db,
    q(db)
      .selectFrom("Job")
      .select(["id", "status"])
      .where("shop", "=", shop)
      .where((eb) => eb.or(needles.map((n) => sql<boolean>`${eb.cast("payload", "text")} LIKE ${containing(n)} ESCAPE '\\'`))),
  );
}

/**
 * Deletes up to `limit` finished or dead jobs due and finished before `cutoff` (by `runAt` first,
 * indexed with status; a job finishes after it was due); returns how many went.
 */
export async function deleteFinishedJobs(db: DbOrTx, cutoff: Date, limit: number): Promise<number> {
  const k = q(db);
  const batch = k
    .selectFrom("Job")
    .select("id")
    .where("status", "in", ["done", "dead"])
    .where("runAt", "<", cutoff)
    .where("finishedAt", "<", cutoff)
    .limit(limit);
  const rows = await run(db, k.deleteFrom("Job").where("id", "in", batch).returning("id"));
  return rows.length;
}

/** Deletes up to `limit` webhook delivery records received before `cutoff`; returns how many went. */
export async function deleteDeliveriesBefore(db: DbOrTx, cutoff: Date, limit: number): Promise<number> {
  const k = q(db);
  const batch = k.selectFrom("WebhookDelivery").select("webhookId").where("receivedAt", "<", cutoff).limit(limit);
  const rows = await run(db, k.deleteFrom("WebhookDelivery").where("webhookId", "in", batch).returning("webhookId"));
  return rows.length;
}
