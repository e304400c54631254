/**
 * What the typed builder costs per statement (issue 17, decision 160): Kysely building and
 * compiling the hot paths' statements, against the cost of a delivery or a step it is part of.
 * `npx tsx bench/kysely-compile.ts` prints µs per statement (median of 5 runs of 20,000).
 */
import { postgresDialect, sqliteDialect } from "../app/models/sql/dialects";
import { jobInsert, jobRow } from "../app/models/job.server";

const N = 20_000;
const now = new Date();
const job = { kind: "recovery.start", shop: "a.myshopify.com", payload: { shop: "a.myshopify.com", checkoutToken: "t" }, runAt: now, dedupeKey: "k" };

function time(label: string, build: () => { compile(): unknown }) {
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) build().compile();
    runs.push(Number(process.hrtime.bigint() - t0) / 1e3 / N);
  }
  runs.sort((a, b) => a - b);
  console.log(`${label.padEnd(58)} ${runs[2].toFixed(1)} µs`);
  return runs[2];
}

for (const d of [sqliteDialect, postgresDialect]) {
  const k = d.builder;
  time(`${d.name}: job insert (enqueue)`, () => jobInsert(k, jobRow(job, now)));
  time(`${d.name}: SELECT * FROM "FlowRun" WHERE id IN (50 ids)`, () =>
    k
      .selectFrom("FlowRun")
      .selectAll()
      .where(
        "id",
        "in",
        Array.from({ length: 50 }, (_, i) => `r${i}`),
      ),
  );
  time(`${d.name}: claim due jobs (UPDATE … WHERE id IN (SELECT … LIMIT))`, () =>
    k
      .updateTable("Job")
      .set((eb) => ({ status: "running", lockedBy: "w", lockedUntil: now, attempts: eb("attempts", "+", 1), updatedAt: now }))
      .where(
        "id",
        "in",
        d.lockSkipLocked(k.selectFrom("Job").select("id").where("status", "=", "pending").where("runAt", "<=", now).orderBy("runAt").limit(50)),
      )
      .returning(["id", "shop", "kind", "payload", "runAt", "attempts", "maxAttempts"]),
  );
}
