/**
 * The two peer job queues of the bench's `peers` section, set up the way their documentation
 * recommends for throughput, behind one small interface: install the schema, add jobs in bulk,
 * and run a worker (one library instance with its own connection pool) that hands batches or
 * single jobs to a handler. Used in the bench process (no-op jobs, as bench/jobs.ts) and in the
 * peer worker processes (recovery steps, bench/peers/queue-worker.ts).
 *
 * - pg-boss (https://pgboss.io/api/workers): `work()` with `batchSize` (a batch per fetch; ours
 *   claims 100 no-op jobs or WORKER_BATCH_SIZE 50 steps per batch, so the same here), the
 *   minimum `pollingIntervalSeconds` (0.5, our WORKER_POLL_MS), and `burstWhenBatchFull` (fetch
 *   again at once while batches come back full, the documented setting for backlogs).
 *   `localConcurrency` 1: one batch in flight per worker, as ours. Jobs are inserted with
 *   `insert()` (one statement per chunk).
 * - graphile-worker (https://worker.graphile.org/docs/performance): the configuration of its
 *   performance page — `concurrentJobs` 24, `maxPoolSize` 25, `localQueue.size` 500 (batch
 *   fetch), `completeJobBatchDelay` and `failJobBatchDelay` 0 (batched completion) — with
 *   `pollInterval` 500 ms (ours). Jobs are added with `addJobs()` (one statement per chunk).
 *   Handlers take one job: graphile-worker has no batch handler.
 *
 * BENCH_PEERS_PGBOSS_* and BENCH_PEERS_GRAPHILE_* override the numbers (development).
 */
import { Logger, makeWorkerUtils, run, runMigrations } from "graphile-worker";
import pg from "pg";
import { PgBoss } from "pg-boss";

export type PeerQueue = "pgBoss" | "graphileWorker";
export const PEER_QUEUES: PeerQueue[] = ["pgBoss", "graphileWorker"];

const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

/** The settings each library runs with, by job kind (recorded in the results). */
export function queueSettings(queue: PeerQueue, kind: "noop" | "steps") {
  if (queue === "pgBoss") {
    return {
      batchSize: num("BENCH_PEERS_PGBOSS_BATCH", kind === "noop" ? 100 : 50),
      localConcurrency: num("BENCH_PEERS_PGBOSS_CONCURRENCY", 1),
      pollingIntervalSeconds: 0.5,
      burstWhenBatchFull: true,
    };
  }
  const concurrentJobs = num("BENCH_PEERS_GRAPHILE_CONCURRENCY", 24);
  return {
    concurrentJobs,
    maxPoolSize: concurrentJobs + 1,
    localQueue: { size: num("BENCH_PEERS_GRAPHILE_LOCAL_QUEUE", kind === "noop" ? 500 : concurrentJobs + 1) },
    completeJobBatchDelay: 0,
    failJobBatchDelay: 0,
    pollInterval: 500,
  };
}

/** A connection string without Prisma's `?schema=` (the libraries use their own schemas). */
export const plainUrl = (url: string) => {
  const u = new URL(url);
  u.searchParams.delete("schema");
  return u.toString();
};

const QUEUE_NAME = "bench";
const quiet = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") process.stderr.write(`graphile-worker ${level}: ${message}\n`);
});

function pgBoss(url: string, schema: string) {
  const boss = new PgBoss({ connectionString: url, schema });
  boss.on("error", (error: unknown) => process.stderr.write(`pg-boss error: ${error instanceof Error ? error.message : String(error)}\n`));
  return boss;
}

/** Creates the library's schema `schema` in the database of `url` (and pg-boss's queue). */
export async function installQueue(queue: PeerQueue, url: string, schema: string) {
  if (queue === "pgBoss") {
    const boss = pgBoss(url, schema);
    await boss.start();
    await boss.createQueue(QUEUE_NAME);
    await boss.stop({ graceful: false });
  } else {
    await runMigrations({ connectionString: url, schema, logger: quiet });
  }
}

/** Adds jobs (payload, and when it becomes due) in chunks of 2,000, one statement each. */
export async function addJobs(queue: PeerQueue, url: string, schema: string, jobs: Array<{ payload: object; runAt?: Date }>) {
  if (queue === "pgBoss") {
    const boss = pgBoss(url, schema);
    await boss.start();
    try {
      for (let i = 0; i < jobs.length; i += 2000) {
        await boss.insert(
          QUEUE_NAME,
          jobs.slice(i, i + 2000).map((j) => ({ data: j.payload, ...(j.runAt ? { startAfter: j.runAt } : {}) })),
        );
      }
    } finally {
      await boss.stop({ graceful: false });
    }
  } else {
    const utils = await makeWorkerUtils({ connectionString: url, schema, logger: quiet });
    try {
      for (let i = 0; i < jobs.length; i += 2000) {
        await utils.addJobs(jobs.slice(i, i + 2000).map((j) => ({ identifier: QUEUE_NAME, payload: j.payload, ...(j.runAt ? { runAt: j.runAt } : {}) })));
      }
    } finally {
      await utils.release();
    }
  }
}

/** How many of the queue's jobs are finished (pg-boss keeps completed rows; graphile-worker deletes them). */
export async function finishedJobs(queue: PeerQueue, url: string, schema: string, total: number): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    if (queue === "pgBoss") {
      const r = await c.query(`SELECT count(*)::int AS n FROM "${schema}".job WHERE name = $1 AND state = 'completed'`, [QUEUE_NAME]);
      return r.rows[0].n;
    }
    const r = await c.query(`SELECT count(*)::int AS n FROM "${schema}"._private_jobs`);
    return total - r.rows[0].n;
  } finally {
    await c.end();
  }
}

export async function dropSchema(url: string, schema: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await c.end();
  }
}

/**
 * One worker of the peer queue, running `handle` on each batch (pg-boss) or job (graphile-worker,
 * a batch of one): the handler resolves to one outcome per job (false = failed, retried by the
 * library). Returns a stop function (graceful: running jobs finish).
 */
export async function startPeerWorker(
  queue: PeerQueue,
  { url, schema, kind }: { url: string; schema: string; kind: "noop" | "steps" },
  handle: (payloads: unknown[]) => Promise<boolean[]>,
): Promise<() => Promise<void>> {
  if (queue === "pgBoss") {
    const s = queueSettings("pgBoss", kind) as ReturnType<typeof queueSettings> & { batchSize: number };
    const boss = pgBoss(url, schema);
    await boss.start();
    await boss.work(QUEUE_NAME, { ...s, perJobResults: true }, async (jobs) => {
      const ok = await handle(jobs.map((j) => j.data));
      return jobs.map((j, i) => ({ id: j.id, status: ok[i] ? ("completed" as const) : ("failed" as const) }));
    });
    return () => boss.stop({ graceful: true, timeout: 10_000 });
  }
  const s = queueSettings("graphileWorker", kind);
  const runner = await run({
    preset: { worker: { connectionString: url, schema, ...s } },
    logger: quiet,
    noHandleSignals: true,
    taskList: {
      [QUEUE_NAME]: async (payload) => {
        const [ok] = await handle([payload]);
        if (!ok) throw new Error("bench: job failed");
      },
    },
  });
  return () => runner.stop();
}
