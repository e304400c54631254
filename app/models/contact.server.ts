import type { DbOrTx } from "~/db.server";
import { q, run } from "./sql/run.server";

/**
 * Whether a visitor of the shop is tied to a contact: one indexed probe (most product-view batches
 * ask), a prepared statement on PostgreSQL.
 */
export async function isKnownVisitor(db: DbOrTx, shop: string, visitorId: string): Promise<boolean> {
  const rows = await run(
    db,
    q(db)
      .selectFrom("Contact")
      .select((eb) => eb.lit(1).as("known"))
      .where("shop", "=", shop)
      .where("visitorId", "=", visitorId)
      .limit(1),
    { prepare: true },
  );
  return rows.length > 0;
}
