/**
 * `npm run worker`: the job worker as its own process (for scale; the web process runs one
 * too unless WORKER_IN_PROCESS=0).
 *   npm run worker                      poll forever
 *   npm run worker -- --once            run every job due now, then exit
 *   npm run worker -- --once --now ISO  …due at that instant (operators and tests)
 *   npm run worker -- --dead            list dead-lettered jobs
 *
 * Tuning (optional, positive integers in ms / count):
 *   WORKER_LEASE_MS   how long a claimed job stays this worker's before another may take it
 *                     (default 60000: a worker that dies holding a job delays it by this much)
 *   WORKER_POLL_MS    idle poll interval (default 500)
 *   WORKER_BATCH_SIZE jobs claimed per batch (default 50; due recovery steps of a batch share their queries)
 *   WORKER_CONCURRENCY jobs of a batch run at a time (default 4 on PostgreSQL, 1 on SQLite)
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import { adoptDemoRuntime, demoRuntimePath } from "../app/demo/runtime";
import { projectRoot } from "./project-root";

// Typed beside `npm run demo` (the README's line), with neither DEMO_MODE nor DATABASE_URL set:
// work on the running demo's database, and link emails to the port it serves.
const runtimeFile = demoRuntimePath(projectRoot());
const adopted = adoptDemoRuntime(runtimeFile);
if (adopted) {
  console.error(
    `worker: using the demo's database (${adopted.databaseUrl}) and ${process.env.SHOPIFY_APP_URL}, from ${path.relative(process.cwd(), runtimeFile)}`,
  );
}
// Production unless told otherwise (the demo's worker, adopted above, is development).
process.env.NODE_ENV ??= "production";
const { assertEnvOrExit, workerTuning } = await import("../app/env.server");
const env = assertEnvOrExit();
if (env.DEMO_MODE) {
  // Before anything imports Shopify's library: its node adapter keeps the fetch it finds at
  // import, and the mocked Admin API (discount codes, customer sync, metafields) patches fetch.
  const { startMockAdminApi } = await import("../app/demo/mock-admin.server");
  startMockAdminApi();
}
const { currentDialect, getDb } = await import("../app/db.server");
const { drainDue, listDeadJobs, startWorker } = await import("../app/services/jobs.server");
const { jobHandlers, scheduleMaintenance } = await import("../app/services/job-handlers.server");
const { logger } = await import("../app/services/logger.server");

const args = process.argv.slice(2);
// WORKER_* are checked with the rest of the environment above (env.server.ts: one set of defaults).
const tuning = workerTuning(currentDialect());
const db = getDb();
const workerId = `worker-${process.pid}-${randomUUID().slice(0, 6)}`;

if (args.includes("--dead")) {
  console.table(await listDeadJobs(db));
  process.exit(0);
}
if (args.includes("--once")) {
  const i = args.indexOf("--now");
  let now = new Date();
  if (i >= 0) {
    now = new Date(args[i + 1] ?? "");
    if (Number.isNaN(now.getTime())) {
      console.error(`--now needs an ISO date-time, got "${args[i + 1] ?? ""}"`);
      process.exit(2);
    }
  }
  const result = await drainDue({
    db,
    handlers: jobHandlers(),
    workerId,
    now: () => now,
    logger,
    leaseMs: tuning.leaseMs,
    batchSize: tuning.batchSize,
  });
  console.log(JSON.stringify({ ran: result.ran, failed: result.failed, now: now.toISOString() }));
  await db.$disconnect();
  process.exit(0);
}
await scheduleMaintenance();
const stop = startWorker({ db, handlers: jobHandlers(), workerId, logger, ...tuning });
logger.info("worker started", { workerId, database: currentDialect(), ...tuning });
const shutdown = async () => {
  await stop();
  await db.$disconnect();
  process.exit(0);
};
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
