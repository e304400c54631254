import type { TestDb } from "./db";

/**
 * Runs every job due at `now` on a test database with the worker's real handlers (what
 * `npm run worker -- --once --now` does in-process). The database becomes the process's
 * DATABASE_URL first, as the handlers' own queries expect.
 */
export async function dueJobRunner(t: TestDb): Promise<(now: Date) => Promise<unknown>> {
  process.env.DATABASE_URL = t.url;
  const { drainDue } = await import("~/services/jobs.server");
  const { jobHandlers } = await import("~/services/job-handlers.server");
  return (now) => drainDue({ db: t.db, handlers: jobHandlers(), now: () => now });
}
