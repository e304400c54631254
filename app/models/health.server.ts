import type { Db } from "~/db.server";
import { run } from "./sql/run.server";
import { sql } from "kysely";

/** The database answers a trivial statement (the load balancers' health check). */
export async function databaseAnswers(db: Db): Promise<void> {
  await run(db, sql`SELECT 1`);
}
