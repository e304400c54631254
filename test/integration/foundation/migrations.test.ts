import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createDb } from "~/db.server";
import { withSchema } from "../../support/db";

const root = path.resolve(import.meta.dirname, "../../..");

/** The README's "Moving to PostgreSQL" line, as typed: `DATABASE_URL=… npm run setup`. */
function migrateDeploy(url: string) {
  const out = execFileSync("npm", ["run", "setup"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    stdio: "pipe",
    encoding: "utf8",
  });
  expect(out).toContain("migrations applied");
}

async function exerciseEveryModel(url: string) {
  const db = createDb(url);
  try {
    const shop = "migrated.myshopify.com";
    await db.shop.create({ data: { shop } });
    const trigger = await db.trigger.create({
      data: { shop, name: "t", type: "exit_intent", conditions: {}, segment: {}, content: {}, frequencyCap: {}, salt: "s" },
    });
    const flow = await db.recoveryFlow.create({
      data: { shop, name: "f", steps: { create: [{ position: 0, delayMinutes: 60, subject: "s", body: [] }] } },
    });
    await db.checkout.create({ data: { shop, token: "tok", lineItems: [], shopifyUpdatedAt: new Date() } });
    await db.cart.create({ data: { shop, token: "cart", lineItems: [], shopifyUpdatedAt: new Date() } });
    await db.order.create({ data: { shop, orderId: "1", orderedAt: new Date() } });
    await db.flowRun.create({ data: { shop, flowId: flow.id, subjectKey: "checkout:tok" } });
    await db.job.create({ data: { kind: "k", payload: {} } });
    await db.webhookDelivery.create({ data: { webhookId: "w", shop, topic: "orders/create", outcome: "accepted" } });
    await db.event.createMany({ data: [{ shop, visitorId: "v", kind: "impression", triggerId: trigger.id, occurredAt: new Date() }] });
    await db.contact.create({ data: { shop, email: "a@b.c" } });
    await db.message.create({ data: { shop, idempotencyKey: "m", email: "a@b.c" } });
    await db.suppression.create({ data: { shop, email: "a@b.c", reason: "unsubscribed" } });
    await db.attribution.create({
      data: { shop, orderId: "1", totalCents: 100, source: "overlay", variant: "treatment", key: "1:o:t", occurredAt: new Date() },
    });
    await db.dataExport.create({ data: { shop, payload: {} } });
    await db.session.create({ data: { id: "s", shop, state: "x", accessToken: "t" } });
    return await db.event.count({ where: { shop } });
  } finally {
    await db.$disconnect();
  }
}

describe("migrations", () => {
  it("migrates an empty SQLite database with `npm run setup` and every model works", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "intentful-migrate-"));
    try {
      const url = `file:${path.join(dir, "fresh.sqlite")}`;
      migrateDeploy(url);
      expect(await exerciseEveryModel(url)).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.runIf(Boolean(process.env.TEST_DATABASE_URL))("migrates an empty PostgreSQL schema with `npm run setup` and every model works", async () => {
    const base = process.env.TEST_DATABASE_URL!;
    const schema = `mig_${process.pid}_${Date.now()}`;
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA "${schema}"`);
      const url = withSchema(base, schema);
      migrateDeploy(url);
      expect(await exerciseEveryModel(url)).toBe(1);
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  });

  it("keeps the PostgreSQL schema derived from the SQLite one (one source of truth)", () => {
    const sync = path.join(root, "scripts/prisma-sync.mjs");
    expect(() => execFileSync(process.execPath, [sync, "--check"], { cwd: root, stdio: "pipe" })).not.toThrow();
    const pgSchema = readFileSync(path.join(root, "prisma/postgres/schema.prisma"), "utf8");
    expect(pgSchema).toContain('provider = "postgresql"');
  });
});
