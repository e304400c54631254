import { randomUUID } from "node:crypto";
import type { Db, DbOrTx } from "../db.server";
import { claimDue, completeMany, enqueue as insertJob, enqueueMany as insertJobs, type JobRecord } from "../models/job.server";
import type { JobKind, JobPayloads, PayloadOf } from "./job-kinds";

export type { JobRecord };

/**
 * A durable job queue in the app's own database (table "Job").
 *
 * - enqueue with runAt and an optional dedupe key (a second enqueue with the same key is a no-op);
 * - claim with a lease: PostgreSQL uses `FOR UPDATE SKIP LOCKED`, so any number of workers never
 *   take the same job; SQLite serialises writers, and a compare-and-set on the row does the same;
 * - a failed job retries with exponential backoff; after `maxAttempts` it is dead-lettered
 *   (status "dead", kept with its last error for operators);
 * - a job whose worker died is claimable again once its lease expires;
 * - a handler that throws `RetryLaterError(ms)` (a throttled API, a peer that said "Retry-After")
 *   is rescheduled at exactly now + ms instead of the exponential backoff (it still counts as an
 *   attempt, so an API that never recovers ends in the dead letter like any other failure).
 */
export type JobStatus = "pending" | "running" | "done" | "dead";

export interface JobContext {
  now: Date;
  job: JobRecord;
  workerId: string;
}

/** What a handler asks for: nothing (done), or to run again at `retryAt` without counting an attempt. */
export type JobResult = void | { retryAt?: Date };

/**
 * Runs several due jobs of one kind at once (one query for all of them instead of one each) and
 * settles each job on its own: a rejected entry fails that job only. Results are in input order.
 */
export type BatchJobHandler<P = any> = (
  jobs: Array<{ payload: P; job: JobRecord }>,
  ctx: { now: Date; workerId: string },
) => Promise<Array<PromiseSettledResult<JobResult>>>;

/** A handler may also offer `batch`, which the worker uses when a claimed batch holds several jobs of its kind. */
export type JobHandler<P = any> = ((payload: P, ctx: JobContext) => Promise<JobResult>) & { batch?: BatchJobHandler<P> };

/** One handler per known job kind, each for its kind's payload (job-kinds.ts). */
export type JobHandlers = { [K in JobKind]: JobHandler<JobPayloads[K]> };

export interface EnqueueInput<K extends string = string> {
  kind: K;
  /** typed for the kinds of job-kinds.ts */
  payload?: PayloadOf<K>;
  shop?: string | null;
  runAt?: Date;
  dedupeKey?: string;
  maxAttempts?: number;
}

export const DEFAULT_LEASE_MS = 60_000;
const MAX_BACKOFF_MS = 6 * 3600_000;

/** Thrown by a handler that knows when to try again (e.g. the Admin API's Retry-After). */
export class RetryLaterError extends Error {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options?: ErrorOptions) {
    super(message, options);
    this.name = "RetryLaterError";
    this.retryAfterMs = Number.isFinite(retryAfterMs) ? Math.min(Math.max(0, Math.ceil(retryAfterMs)), MAX_BACKOFF_MS) : 0;
  }
}

/** The delay a failure asks for: a RetryLaterError itself or anywhere in its `cause` chain. */
export function requestedRetryDelay(error: unknown): number | undefined {
  let e: unknown = error;
  for (let depth = 0; e && depth < 8; depth++) {
    if (e instanceof RetryLaterError) return e.retryAfterMs;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function backoffMs(attempts: number): number {
  // 30 s, 1 min, 2 min, 4 min … capped at 6 h.
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

/**
 * Adds a job, unless one with the same dedupe key exists (then `created` is false and `id` is the
 * existing job's). Pass a transaction client to add it inside the caller's transaction.
 */
export function enqueue<K extends string>(db: DbOrTx, input: EnqueueInput<K>): Promise<{ id: string; created: boolean }> {
  return insertJob(db, input);
}

/** Adds several jobs in one statement (skipping duplicate dedupe keys); how many were added. */
export function enqueueMany<K extends string>(db: DbOrTx, inputs: Array<EnqueueInput<K>>): Promise<number> {
  return insertJobs(db, inputs);
}

/** P2002 from either generated client (SQLite or PostgreSQL: two classes, one code), or 23505 from pg itself. */
export function isUniqueViolation(error: unknown): boolean {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === "P2002" || code === "23505";
}

interface ClaimOptions {
  workerId: string;
  now: Date;
  limit: number;
  leaseMs?: number;
  kinds?: string[];
}

/** Claims up to `limit` due jobs for this worker. Safe under any number of concurrent workers. */
export function claimJobs(db: Db, opts: ClaimOptions): Promise<JobRecord[]> {
  const leaseUntil = new Date(opts.now.getTime() + (opts.leaseMs ?? DEFAULT_LEASE_MS));
  return claimDue(db, { ...opts, leaseUntil });
}

export async function completeJob(db: Db, job: JobRecord, workerId: string, now: Date) {
  await db.job.updateMany({
    where: { id: job.id, lockedBy: workerId },
    data: { status: "done", finishedAt: now, lockedUntil: null, lastError: null },
  });
}

export async function failJob(db: Db, job: JobRecord, workerId: string, now: Date, error: unknown) {
  const message = error instanceof Error ? error.message : String(error);
  const dead = job.attempts >= job.maxAttempts;
  const delay = requestedRetryDelay(error) ?? backoffMs(job.attempts);
  await db.job.updateMany({
    where: { id: job.id, lockedBy: workerId },
    data: dead
      ? { status: "dead", lastError: message.slice(0, 2000), lockedUntil: null, finishedAt: now }
      : {
          status: "pending",
          lastError: message.slice(0, 2000),
          lockedUntil: null,
          lockedBy: null,
          runAt: new Date(now.getTime() + delay),
        },
  });
  return dead ? "dead" : "retry";
}

export async function rescheduleJob(db: Db, job: JobRecord, workerId: string, runAt: Date) {
  // A deferral (quiet hours, budget) is not a failure: give the attempt back.
  await db.job.updateMany({
    where: { id: job.id, lockedBy: workerId },
    data: { status: "pending", runAt, lockedBy: null, lockedUntil: null, attempts: { decrement: 1 } },
  });
}

export interface Logger {
  info(msg: string, meta?: Record<string, unknown>): void;
  warn(msg: string, meta?: Record<string, unknown>): void;
  error(msg: string, meta?: Record<string, unknown>): void;
}

export interface RunOptions {
  db: Db;
  handlers: Record<string, JobHandler>;
  workerId?: string;
  now?: () => Date;
  batchSize?: number;
  leaseMs?: number;
  /** Jobs of a claimed batch run this many at a time (default 1: in claim order). */
  concurrency?: number;
  logger?: Logger;
}

/** Claims and runs one batch of due jobs; returns how many ran. */
export async function runBatch(opts: RunOptions): Promise<{ ran: number; failed: number }> {
  const workerId = opts.workerId ?? `w-${randomUUID().slice(0, 8)}`;
  const now = (opts.now ?? (() => new Date()))();
  const jobs = await claimJobs(opts.db, {
    workerId,
    now,
    limit: opts.batchSize ?? 50,
    leaseMs: opts.leaseMs,
  });
  let failed = 0;
  const done: string[] = [];
  const settle = async (job: JobRecord, outcome: PromiseSettledResult<JobResult>) => {
    if (outcome.status === "fulfilled") {
      if (outcome.value && outcome.value.retryAt) await rescheduleJob(opts.db, job, workerId, outcome.value.retryAt);
      else done.push(job.id);
      return;
    }
    failed++;
    const error: unknown = outcome.reason;
    const result = await failJob(opts.db, job, workerId, now, error);
    opts.logger?.warn("job failed", {
      jobId: job.id,
      kind: job.kind,
      attempt: job.attempts,
      outcome: result,
      error: error instanceof Error ? error.message : String(error),
    });
  };
  const runOne = async (job: JobRecord) => {
    const handler = opts.handlers[job.kind];
    let outcome: PromiseSettledResult<JobResult>;
    try {
      if (!handler) throw new Error(`no handler for job kind "${job.kind}"`);
      outcome = { status: "fulfilled", value: await handler(job.payload, { now, job, workerId }) };
    } catch (error) {
      outcome = { status: "rejected", reason: error };
    }
    await settle(job, outcome);
  };
  const runMany = async (group: JobRecord[], batch: BatchJobHandler) => {
    let outcomes: Array<PromiseSettledResult<JobResult>>;
    try {
      outcomes = await batch(
        group.map((job) => ({ payload: job.payload, job })),
        { now, workerId },
      );
      if (outcomes.length !== group.length) throw new Error(`batch handler for "${group[0].kind}" settled ${outcomes.length} of ${group.length} jobs`);
    } catch (error) {
      outcomes = group.map(() => ({ status: "rejected", reason: error }));
    }
    for (let i = 0; i < group.length; i++) await settle(group[i], outcomes[i]);
  };
  // Jobs whose handler runs batches go to it together (per kind); the rest run one by one.
  const units: Array<() => Promise<void>> = [];
  const groups = new Map<string, JobRecord[]>();
  for (const job of jobs) {
    const batch = opts.handlers[job.kind]?.batch;
    if (!batch) units.push(() => runOne(job));
    else if (groups.has(job.kind)) groups.get(job.kind)!.push(job);
    else {
      const group = [job];
      groups.set(job.kind, group);
      units.unshift(() => (group.length === 1 ? runOne(job) : runMany(group, batch)));
    }
  }
  // Handlers spend most of their time waiting (database, SMTP, Admin API): a few at a time keep
  // the process busy while each waits. Jobs are independent (other workers run them in parallel anyway).
  let next = 0;
  const lanes = Math.max(1, Math.min(opts.concurrency ?? 1, units.length));
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < units.length) await units[next++]();
    }),
  );
  // One write for the batch's successes (handlers are idempotent: a crash before this line
  // only means those jobs run again after their lease expires).
  await completeMany(opts.db, done, workerId, now);
  return { ran: jobs.length, failed };
}

/** Runs every job due at `now` (including ones that become due by retries at the same instant) and returns. */
export async function drainDue(opts: RunOptions): Promise<{ ran: number; failed: number }> {
  let ran = 0;
  let failed = 0;
  for (;;) {
    const r = await runBatch(opts);
    ran += r.ran;
    failed += r.failed;
    if (r.ran === 0) return { ran, failed };
  }
}

/** A polling worker loop; returns a stop function that resolves when the loop has finished. */
export function startWorker(opts: RunOptions & { pollMs?: number }): () => Promise<void> {
  let stopped = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      let ran = 0;
      try {
        ran = (await runBatch(opts)).ran;
      } catch (error) {
        opts.logger?.error("worker batch failed", { error: error instanceof Error ? error.message : String(error) });
      }
      if (ran === 0 && !stopped) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, opts.pollMs ?? 1000);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    }
  })();
  return async () => {
    stopped = true;
    wake?.();
    await loop;
  };
}

export async function listDeadJobs(db: Db, shop?: string) {
  return db.job.findMany({
    where: { status: "dead", ...(shop ? { shop } : {}) },
    orderBy: { updatedAt: "desc" },
    take: 100,
    select: { id: true, kind: true, shop: true, attempts: true, lastError: true, updatedAt: true },
  });
}
