import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../support/db";
import { backoffMs, enqueue, runBatch, type BatchJobHandler, type JobHandler, type JobResult } from "~/services/jobs.server";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.cleanup();
});
// Each test claims every due job: start from an empty queue.
beforeEach(async () => {
  await t.db.job.deleteMany({});
});

const T = new Date("2026-02-01T10:00:00Z");
const later = (ms: number) => new Date(T.getTime() + ms);

/** A handler with a batch form that records every call; both forms settle a job by `outcome(payload)`. */
function recording(outcome: (p: { n: number }) => JobResult | Error) {
  const single: Array<{ n: number }> = [];
  const batches: Array<Array<{ n: number; jobId: string }>> = [];
  const run = async (p: { n: number }) => {
    const o = outcome(p);
    if (o instanceof Error) throw o;
    return o;
  };
  const batch: BatchJobHandler = async (jobs) => {
    batches.push(jobs.map((j) => ({ n: j.payload.n, jobId: j.job.id })));
    return Promise.allSettled(jobs.map((j) => run(j.payload)));
  };
  const handler: JobHandler = Object.assign(
    async (p: { n: number }) => {
      single.push(p);
      return run(p);
    },
    { batch },
  );
  return { handler, single, batches };
}

const jobsOf = (kind: string) => t.db.job.findMany({ where: { kind } }).then((rows) => new Map(rows.map((r) => [(r.payload as { n: number }).n, r])));

describe(`batch job handlers (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"})`, () => {
  it("hands all claimed jobs of a kind to its batch handler in one call; other kinds run one by one in the same batch", async () => {
    for (let n = 0; n < 5; n++) await enqueue(t.db, { kind: "b.alpha", payload: { n }, runAt: T });
    for (let n = 0; n < 2; n++) await enqueue(t.db, { kind: "b.beta", payload: { n }, runAt: T });
    for (let n = 0; n < 3; n++) await enqueue(t.db, { kind: "s.plain", payload: { n }, runAt: T });
    const alpha = recording(() => undefined);
    const beta = recording(() => undefined);
    const plain: number[] = [];
    const seenCtx: Array<{ now: Date; workerId: string }> = [];
    const alphaBatch = alpha.handler.batch!;
    alpha.handler.batch = (jobs, ctx) => {
      seenCtx.push(ctx);
      return alphaBatch(jobs, ctx);
    };
    const handlers = {
      "b.alpha": alpha.handler,
      "b.beta": beta.handler,
      "s.plain": async (p: { n: number }) => void plain.push(p.n),
    };
    const r = await runBatch({ db: t.db, handlers, now: () => T, workerId: "w-batch", batchSize: 20 });
    expect(r).toEqual({ ran: 10, failed: 0 });
    expect(alpha.batches.map((b) => b.length)).toEqual([5]);
    expect(alpha.batches[0].map((j) => j.n).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(beta.batches.map((b) => b.length)).toEqual([2]);
    expect(alpha.single).toHaveLength(0);
    expect(beta.single).toHaveLength(0);
    expect(plain.sort()).toEqual([0, 1, 2]);
    expect(seenCtx).toEqual([{ now: T, workerId: "w-batch" }]);
    // The batch saw the claimed job rows, one per job.
    const alphaRows = await jobsOf("b.alpha");
    expect(new Set(alpha.batches[0].map((j) => j.jobId))).toEqual(new Set([...alphaRows.values()].map((j) => j.id)));
    const rows = await t.db.job.findMany({});
    expect(rows).toHaveLength(10);
    expect(rows.filter((j) => j.status === "done" && j.attempts === 1 && j.finishedAt?.getTime() === T.getTime())).toHaveLength(10);
  });

  it("settles each job of a batch on its own: done, rescheduled without an attempt, failed with backoff, then dead", async () => {
    const retryAt = later(3600_000);
    // n 0: done; n 1: asks to run again at retryAt; n 2, 3: rejected (maxAttempts 2).
    const h = recording((p) => (p.n === 0 ? undefined : p.n === 1 ? { retryAt } : new Error(`boom ${p.n}`)));
    for (let n = 0; n < 4; n++) await enqueue(t.db, { kind: "b.mixed", payload: { n }, runAt: T, maxAttempts: 2 });
    const handlers = { "b.mixed": h.handler };

    expect(await runBatch({ db: t.db, handlers, now: () => T })).toEqual({ ran: 4, failed: 2 });
    expect(h.batches.map((b) => b.length)).toEqual([4]);
    let jobs = await jobsOf("b.mixed");
    expect(jobs.get(0)).toMatchObject({ status: "done", attempts: 1, lastError: null, finishedAt: T, lockedUntil: null });
    expect(jobs.get(1)).toMatchObject({ status: "pending", attempts: 0, runAt: retryAt, lockedBy: null, lockedUntil: null, lastError: null });
    for (const n of [2, 3]) {
      expect(jobs.get(n)).toMatchObject({ status: "pending", attempts: 1, runAt: later(backoffMs(1)), lastError: `boom ${n}`, lockedBy: null });
    }

    // Both failures are due again together: the second failure is their last attempt.
    expect(await runBatch({ db: t.db, handlers, now: () => later(backoffMs(1)) })).toEqual({ ran: 2, failed: 2 });
    expect(h.batches.map((b) => b.length)).toEqual([4, 2]);
    expect(h.batches[1].map((j) => j.n).sort()).toEqual([2, 3]);
    jobs = await jobsOf("b.mixed");
    for (const n of [2, 3]) expect(jobs.get(n)).toMatchObject({ status: "dead", attempts: 2, lastError: `boom ${n}` });
    // The rescheduled job was not touched, and its returned attempt is available when it runs.
    expect(jobs.get(1)).toMatchObject({ status: "pending", attempts: 0, runAt: retryAt });
    expect(h.single).toHaveLength(0);
  });

  it("fails every job of the group when the batch handler throws; other kinds are unaffected", async () => {
    for (let n = 0; n < 3; n++) await enqueue(t.db, { kind: "b.throws", payload: { n }, runAt: T });
    await enqueue(t.db, { kind: "s.ok", payload: { n: 9 }, runAt: T });
    let calls = 0;
    const handler: JobHandler = Object.assign(async () => undefined, {
      batch: (async () => {
        calls++;
        throw new Error("database went away");
      }) as BatchJobHandler,
    });
    const r = await runBatch({ db: t.db, handlers: { "b.throws": handler, "s.ok": async () => undefined }, now: () => T });
    expect(r).toEqual({ ran: 4, failed: 3 });
    expect(calls).toBe(1);
    const rows = await t.db.job.findMany({ where: { kind: "b.throws" } });
    expect(rows).toHaveLength(3);
    for (const j of rows) expect(j).toMatchObject({ status: "pending", attempts: 1, lastError: "database went away", runAt: later(backoffMs(1)) });
    expect(await t.db.job.findFirstOrThrow({ where: { kind: "s.ok" } })).toMatchObject({ status: "done" });
  });

  it.each([
    ["fewer", 2, /settled 2 of 3 jobs/],
    ["more", 4, /settled 4 of 3 jobs/],
  ])("fails every job of the group when the batch handler returns %s results than jobs (none marked done)", async (_label, count, error) => {
    for (let n = 0; n < 3; n++) await enqueue(t.db, { kind: "b.short", payload: { n }, runAt: T });
    const handler: JobHandler = Object.assign(async () => undefined, {
      batch: (async () => Array.from({ length: count }, () => ({ status: "fulfilled", value: undefined }))) as BatchJobHandler,
    });
    const r = await runBatch({ db: t.db, handlers: { "b.short": handler }, now: () => T });
    expect(r).toEqual({ ran: 3, failed: 3 });
    const rows = await t.db.job.findMany({ where: { kind: "b.short" } });
    expect(rows.filter((j) => j.status === "done")).toHaveLength(0);
    for (const j of rows) {
      expect(j.status).toBe("pending");
      expect(j.lastError).toMatch(error);
      expect(j.runAt).toEqual(later(backoffMs(1)));
    }
  });

  it("runs a group of one job through the single handler, not the batch", async () => {
    await enqueue(t.db, { kind: "b.alone", payload: { n: 7 }, runAt: T });
    await enqueue(t.db, { kind: "s.other", payload: { n: 8 }, runAt: T });
    const h = recording(() => undefined);
    const r = await runBatch({ db: t.db, handlers: { "b.alone": h.handler, "s.other": async () => undefined }, now: () => T });
    expect(r).toEqual({ ran: 2, failed: 0 });
    expect(h.batches).toHaveLength(0);
    expect(h.single).toEqual([{ n: 7 }]);
    expect(await t.db.job.count({ where: { status: "done" } })).toBe(2);
  });
});
