import { randomUUID } from "node:crypto";
import type { Kysely, Selectable } from "kysely";
import { dialectOf, type DbOrTx } from "~/db.server";
import type { DB, Job } from "./generated/kysely";
import { json, q, run, write } from "./sql/run.server";

/** A claimed job, as a handler sees it. */
export interface JobRecord {
  id: string;
  shop: string | null;
  kind: string;
  payload: unknown;
  runAt: Date;
  attempts: number;
  maxAttempts: number;
}

/** A new job: what `enqueue` writes. */
export interface NewJob {
  kind: string;
  payload?: unknown;
  shop?: string | null;
  runAt?: Date;
  /** A second job with the same key is not added (the first one's id is returned). */
  dedupeKey?: string | null;
  maxAttempts?: number;
}

export const jobRow = (job: NewJob, now: Date) => ({
  id: `j${randomUUID().replaceAll("-", "")}`,
  shop: job.shop ?? null,
  kind: job.kind,
  payload: JSON.stringify(job.payload ?? {}),
  runAt: job.runAt ?? now,
  dedupeKey: job.dedupeKey ?? null,
  maxAttempts: job.maxAttempts ?? 8,
  createdAt: now,
  updatedAt: now,
});

/**
 * The one way to add a job: one INSERT that skips a job whose dedupe key exists. Pass the
 * caller's transaction client to enqueue inside its transaction (the job is added only if the
 * transaction commits), the client to enqueue on its own. `created` is false for a duplicate.
 */
export async function enqueue(db: DbOrTx, job: NewJob): Promise<{ id: string; created: boolean }> {
  const values = jobRow(job, new Date());
  const inserted = await run(db, jobInsert(q(db), values).returning("id"));
  if (inserted.length > 0) return { id: inserted[0].id, created: true };
  const existing = await run(db, q(db).selectFrom("Job").select("id").where("dedupeKey", "=", values.dedupeKey));
  if (existing.length === 0) throw new Error(`enqueue: job ${job.kind} was neither added nor found by its dedupe key`);
  return { id: existing[0].id, created: false };
}

/** The INSERT of `enqueue`, for a caller that sends it another way (webhook intake's direct SQLite connection). */
export const jobInsert = (k: Kysely<DB>, values: ReturnType<typeof jobRow> | Array<ReturnType<typeof jobRow>>) =>
  k
    .insertInto("Job")
    .values(values)
    .onConflict((oc) => oc.column("dedupeKey").doNothing());

/** Rows per INSERT: 9 parameters each, under PostgreSQL's 65,535 and SQLite's 32,766 per statement. */
const INSERT_CHUNK = 1_000;

/** Adds several jobs (one statement per 1,000, all in one unit), skipping those whose dedupe key exists; how many were added. */
export async function enqueueMany(db: DbOrTx, jobs: NewJob[]): Promise<number> {
  if (jobs.length === 0) return 0;
  const now = new Date();
  const inserts = [];
  for (let from = 0; from < jobs.length; from += INSERT_CHUNK) {
    inserts.push(
      jobInsert(
        q(db),
        jobs.slice(from, from + INSERT_CHUNK).map((job) => jobRow(job, now)),
      ),
    );
  }
  const counts = await write(db, ...inserts);
  return counts.reduce((a, b) => a + b, 0);
}

/**
 * Claims up to `limit` due jobs (pending and due, or running with an expired lease) for one
 * worker, in one statement. PostgreSQL skips rows another worker has locked (`FOR UPDATE SKIP
 * LOCKED`), so any number of workers never take the same job; SQLite runs one writer at a time.
 */
export async function claimDue(db: DbOrTx, opts: { workerId: string; now: Date; leaseUntil: Date; limit: number; kinds?: string[] }): Promise<JobRecord[]> {
  const k = q(db);
  const due = dialectOf(db).lockSkipLocked(
    k
      .selectFrom("Job")
      .select("id")
      .where((eb) =>
        eb.or([eb.and([eb("status", "=", "pending"), eb("runAt", "<=", opts.now)]), eb.and([eb("status", "=", "running"), eb("lockedUntil", "<", opts.now)])]),
      )
      .$if(Boolean(opts.kinds?.length), (qb) => qb.where("kind", "in", opts.kinds!))
      .orderBy("runAt")
      .limit(opts.limit),
  );
  const rows = await run(
    db,
    k
      .updateTable("Job")
      .set((eb) => ({ status: "running", lockedBy: opts.workerId, lockedUntil: opts.leaseUntil, attempts: eb("attempts", "+", 1), updatedAt: opts.now }))
      .where("id", "in", due)
      .returning(["id", "shop", "kind", "payload", "runAt", "attempts", "maxAttempts"]),
  );
  return rows.map((r) => ({ ...r, payload: json(r.payload) })).sort((a, b) => a.runAt.getTime() - b.runAt.getTime());
}

/** Marks this worker's finished jobs done, in one statement. */
export async function completeMany(db: DbOrTx, ids: string[], workerId: string, now: Date): Promise<void> {
  if (ids.length === 0) return;
  await write(
    db,
    q(db)
      .updateTable("Job")
      .set({ status: "done", finishedAt: now, updatedAt: new Date(), lockedUntil: null, lastError: null })
      .where("lockedBy", "=", workerId)
      .where("id", "in", ids),
  );
}

export type JobRow = Selectable<Job>;
