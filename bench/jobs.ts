import { createDb, type Db } from "~/db.server";
import { createTestDb } from "../test/support/db";
import { drainDue, enqueueMany } from "~/services/jobs.server";

/**
 * Enqueue N jobs, then drain them with W concurrent workers, each with its own connection pool
 * (as separate worker processes would have). Reports throughput, duplicates (a job run more than
 * once) and lost (a job never run).
 */
export async function benchJobs({ jobs = 20_000, workers = 4 }: { jobs?: number; workers?: number }) {
  const t = await createTestDb();
  const clients: Db[] = Array.from({ length: workers }, () => createDb(t.url));
  try {
    const now = new Date();
    for (let i = 0; i < jobs; i += 5000) {
      await enqueueMany(
        t.db,
        Array.from({ length: Math.min(5000, jobs - i) }, (_, k) => ({ kind: "bench", payload: { i: i + k }, runAt: now })),
      );
    }
    const runs = new Map<number, number>();
    const handlers = { bench: async (p: { i: number }) => void runs.set(p.i, (runs.get(p.i) ?? 0) + 1) };
    const started = performance.now();
    await Promise.all(clients.map((db, w) => drainDue({ db, handlers, workerId: `bench-${w}`, batchSize: 100, now: () => now })));
    const seconds = (performance.now() - started) / 1000;
    const duplicates = [...runs.values()].filter((n) => n > 1).length;
    const lost = jobs - runs.size;
    return { dialect: t.dialect, jobs, workers, jobsPerSec: Math.round(jobs / seconds), seconds: +seconds.toFixed(2), duplicates, lost };
  } finally {
    await Promise.all(clients.map((c) => c.$disconnect()));
    await t.cleanup();
  }
}
