import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../support/db";
import { createDb } from "~/db.server";
import { claimJobs, drainDue, enqueue, enqueueMany, listDeadJobs, runBatch } from "~/services/jobs.server";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.cleanup();
});

const T0 = new Date("2026-01-01T00:00:00Z");
const t_is_pg = () => Boolean(process.env.TEST_DATABASE_URL);

describe(`job queue (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"})`, () => {
  it("runs a job only when it is due", async () => {
    const seen: string[] = [];
    await enqueue(t.db, { kind: "due-test", payload: { n: 1 }, runAt: new Date(T0.getTime() + 3600_000) });
    const handlers = { "due-test": async (p: { n: number }) => void seen.push(String(p.n)) };
    await drainDue({ db: t.db, handlers, now: () => T0 });
    expect(seen).toEqual([]);
    await drainDue({ db: t.db, handlers, now: () => new Date(T0.getTime() + 3600_000) });
    expect(seen).toEqual(["1"]);
  });

  it("ignores a second enqueue with the same dedupe key", async () => {
    const a = await enqueue(t.db, { kind: "dedupe", dedupeKey: "k-1", runAt: T0 });
    const b = await enqueue(t.db, { kind: "dedupe", dedupeKey: "k-1", runAt: T0 });
    expect(a.created).toBe(true);
    expect(b).toEqual({ id: a.id, created: false });
  });

  it("retries with backoff and dead-letters after maxAttempts", async () => {
    const { id } = await enqueue(t.db, { kind: "always-fails", maxAttempts: 3, runAt: T0 });
    const handlers = {
      dedupe: async () => {},
      "always-fails": async () => {
        throw new Error("boom");
      },
    };
    let now = T0;
    for (let i = 0; i < 3; i++) {
      await runBatch({ db: t.db, handlers, now: () => now });
      const job = await t.db.job.findUniqueOrThrow({ where: { id } });
      expect(job.attempts).toBe(i + 1);
      now = new Date(job.runAt.getTime() + 1);
    }
    const job = await t.db.job.findUniqueOrThrow({ where: { id } });
    expect(job.status).toBe("dead");
    expect(job.lastError).toBe("boom");
    expect((await listDeadJobs(t.db)).map((j) => j.id)).toContain(id);
  });

  it("runs a claimed batch a few jobs at a time with `concurrency`, each once, successes and failures recorded", async () => {
    const T = new Date(T0.getTime() + 7 * 86_400_000);
    for (let n = 0; n < 10; n++) await enqueue(t.db, { kind: "lane-test", payload: { n }, runAt: T, maxAttempts: 1 });
    let inFlight = 0;
    let maxInFlight = 0;
    const ran: number[] = [];
    const handlers = {
      "lane-test": async (p: { n: number }) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 15));
        inFlight--;
        ran.push(p.n);
        if (p.n === 3) throw new Error("lane failure");
      },
    };
    const r = await runBatch({ db: t.db, handlers, now: () => T, concurrency: 4, batchSize: 10 });
    expect(r).toEqual({ ran: 10, failed: 1 });
    expect(maxInFlight).toBe(4);
    expect([...ran].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const rows = await t.db.job.findMany({ where: { kind: "lane-test" } });
    expect(rows.filter((j) => j.status === "done")).toHaveLength(9);
    expect(rows.filter((j) => j.status === "dead")).toHaveLength(1);
  });

  it("lets another worker take a job whose lease expired", async () => {
    await t.db.job.deleteMany({});
    await enqueue(t.db, { kind: "lease", runAt: T0 });
    const first = await claimJobs(t.db, { workerId: "a", now: T0, limit: 5, leaseMs: 1000 });
    expect(first).toHaveLength(1);
    const during = await claimJobs(t.db, { workerId: "b", now: new Date(T0.getTime() + 500), limit: 5 });
    expect(during).toHaveLength(0);
    const after = await claimJobs(t.db, { workerId: "b", now: new Date(T0.getTime() + 1500), limit: 5 });
    expect(after.map((j) => j.id)).toEqual(first.map((j) => j.id));
  });

  // PostgreSQL: 20,000 jobs, 4 workers with their own connection pools (as 4 processes would be).
  // SQLite (one writer at a time): 2,000.
  const N = t_is_pg() ? 20_000 : 2_000;
  it(`drains ${N} jobs with 4 concurrent workers: none lost, none run twice`, async () => {
    await t.db.job.deleteMany({});
    const clients = [1, 2, 3, 4].map(() => (t.dialect === "postgres" ? createDb(t.url) : t.db));
    await enqueueMany(
      t.db,
      Array.from({ length: N }, (_, i) => ({ kind: "count", payload: { i }, runAt: T0 })),
    );
    const runs = new Map<number, number>();
    const handlers = { count: async (p: { i: number }) => void runs.set(p.i, (runs.get(p.i) ?? 0) + 1) };
    await Promise.all(clients.map((db, w) => drainDue({ db, handlers, workerId: `w${w}`, batchSize: 50, now: () => T0 })));
    if (t.dialect === "postgres") await Promise.all(clients.map((c) => c.$disconnect()));
    const duplicates = [...runs.values()].filter((n) => n > 1).length;
    expect(duplicates).toBe(0);
    expect(runs.size).toBe(N);
    expect(await t.db.job.count({ where: { kind: "count", status: "done" } })).toBe(N);
  }, 120_000); // a correctness test: on a slow 2-core machine, beside another test file, it took 49 s
});
