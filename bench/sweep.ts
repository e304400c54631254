/**
 * The daily retention sweep on big operational tables (issue 15): a million finished jobs and a
 * million webhook delivery records older than OPS_RETENTION_DAYS, plus recent and pending rows
 * that must stay, on a fresh database (SQLite; PostgreSQL when TEST_DATABASE_URL points at one).
 * Reports the sweep's wall time, rows per second, and its longest single statement (how long a
 * batch holds its lock: the web process and worker wait at most that).
 *
 *   npx tsx bench/sweep.ts [rows]        (default 1,000,000 of each)
 */
import { pathToFileURL } from "node:url";
import { createTestDb } from "../test/support/db";
import { sweepOperational } from "~/services/privacy.server";

const DAY = 86_400_000;
const NOW = new Date("2026-12-01T00:00:00Z");
const CHUNK = 100_000;

export async function benchSweep({ rows = 1_000_000 }: { rows?: number } = {}) {
  const t = await createTestDb();
  try {
    const old = new Date(NOW.getTime() - 40 * DAY);
    const recent = new Date(NOW.getTime() - DAY);
    const seedStart = performance.now();
    // One row of each made by Prisma (its column formats), then copied in SQL: a million rows in
    // seconds rather than minutes of createMany.
    await t.db.job.create({
      data: {
        id: "tpl-job",
        kind: "recovery.step",
        shop: "s.myshopify.com",
        payload: { runId: "r", stepId: "s" },
        status: "done",
        runAt: old,
        finishedAt: old,
      },
    });
    await t.db.webhookDelivery.create({
      data: { webhookId: "tpl-delivery", shop: "s.myshopify.com", topic: "carts/update", outcome: "applied", receivedAt: old },
    });
    const series = (from: number, to: number) =>
      t.dialect === "postgres"
        ? `SELECT i FROM generate_series(${from}, ${to}) AS n(i)`
        : `WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i < ${to}) SELECT i FROM n`;
    for (let from = 1; from < rows; from += CHUNK) {
      const to = Math.min(rows - 1, from + CHUNK - 1);
      await t.db.$executeRawUnsafe(
        `INSERT INTO "Job" (id, shop, kind, payload, "runAt", status, attempts, "maxAttempts", "createdAt", "updatedAt", "finishedAt")
         SELECT 'j' || CAST(s.i AS TEXT), j.shop, j.kind, j.payload, j."runAt", CASE WHEN s.i % 100 = 0 THEN 'dead' ELSE 'done' END, j.attempts, j."maxAttempts", j."createdAt", j."updatedAt", j."finishedAt"
         FROM (${series(from, to)}) s, "Job" j WHERE j.id = 'tpl-job'`,
      );
      await t.db.$executeRawUnsafe(
        `INSERT INTO "WebhookDelivery" ("webhookId", shop, topic, "receivedAt", outcome)
         SELECT 'w' || CAST(s.i AS TEXT), d.shop, d.topic, d."receivedAt", d.outcome
         FROM (${series(from, to)}) s, "WebhookDelivery" d WHERE d."webhookId" = 'tpl-delivery'`,
      );
    }
    const keep = 1_000;
    await t.db.job.createMany({
      data: Array.from({ length: keep }, (_, k) => ({
        kind: "recovery.step",
        shop: "s.myshopify.com",
        payload: { k },
        status: k % 2 ? "pending" : "done",
        runAt: recent,
        finishedAt: k % 2 ? null : recent,
      })),
    });
    await t.db.webhookDelivery.createMany({
      data: Array.from({ length: keep }, (_, k) => ({
        webhookId: `keep-${k}`,
        shop: "s.myshopify.com",
        topic: "orders/create",
        outcome: "applied",
        receivedAt: recent,
      })),
    });
    const seedMs = Math.round(performance.now() - seedStart);

    const started = performance.now();
    const result = await sweepOperational(t.db, NOW, 30);
    const ms = Math.round(performance.now() - started);
    const left = { jobs: await t.db.job.count(), deliveries: await t.db.webhookDelivery.count() };
    if (result.jobs !== rows || result.deliveries !== rows || left.jobs !== keep || left.deliveries !== keep) {
      throw new Error(`sweep deleted ${JSON.stringify(result)}, left ${JSON.stringify(left)}; expected ${rows} each deleted and ${keep} each kept`);
    }
    return {
      dialect: t.dialect,
      rowsPerTable: rows,
      ms,
      rowsPerSec: Math.round(((2 * rows) / ms) * 1000),
      statements: result.statements,
      longestStatementMs: result.longestBatchMs,
      seedMs,
    };
  } finally {
    await t.cleanup();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const rows = Number(process.argv[2] ?? 1_000_000);
  console.log(JSON.stringify(await benchSweep({ rows })));
}
