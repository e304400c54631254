import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../support/db";
import { seedSession, webhookRequest } from "../../support/shopify";
import { at, checkoutPayload } from "../webhooks/fixtures";

/**
 * The README's worker line, typed beside a running demo with nothing set:
 *   npm run worker -- --once --now <later>
 * finds the demo's database through the file the demo writes (prisma/demo-runtime.json), sends
 * the due email into the demo's email log, links it to the port the demo serves, and leaves no
 * stray prisma/dev.sqlite behind.
 */
const root = path.resolve(import.meta.dirname, "../../..");
const DEMO_SHOP = "demo-shop.myshopify.com";
const DEMO_PORT = 45_999;
let t: TestDb;
let dir: string;

beforeAll(async () => {
  if (process.env.TEST_DATABASE_URL) return; // the demo is SQLite
  t = await createTestDb();
  process.env.DATABASE_URL = t.url;
  dir = mkdtempSync(path.join(os.tmpdir(), "intentful-runtime-"));
  const { onShopInstalled } = await import("~/services/install.server");
  await seedSession(t.db, DEMO_SHOP);
  await onShopInstalled({ shop: DEMO_SHOP }, t.db);
  const flow = await t.db.recoveryFlow.findFirstOrThrow({ where: { shop: DEMO_SHOP, kind: "checkout" } });
  await t.db.recoveryStep.deleteMany({ where: { flowId: flow.id, position: { gt: 0 } } });
  await t.db.recoveryFlow.update({ where: { id: flow.id }, data: { enabled: true, holdoutPct: 0 } });
});
afterAll(async () => {
  await t?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!!process.env.TEST_DATABASE_URL)("npm run worker beside npm run demo", () => {
  it("uses the demo's database and URL with nothing set, and sends into the demo's email log", async () => {
    const { receiveWebhook } = await import("~/services/webhooks/intake.server");
    const checkout = checkoutPayload({ email: "beside-demo@example.com" });
    expect((await receiveWebhook(webhookRequest("checkouts/create", checkout, { shop: DEMO_SHOP }))).status).toBe(200);
    // What scripts/demo.ts writes when it starts.
    const runtimeFile = path.join(dir, "demo-runtime.json");
    writeFileSync(runtimeFile, JSON.stringify({ databaseUrl: t.url, port: DEMO_PORT, appUrl: `http://localhost:${DEMO_PORT}`, pid: 1, startedAt: new Date().toISOString() }));
    const strayBefore = existsSync(path.join(root, "prisma/dev.sqlite"));
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, INTENTFUL_DEMO_RUNTIME: runtimeFile, LOG_LEVEL: "error" } as unknown as NodeJS.ProcessEnv;
    const run = (now: Date) =>
      promisify(execFile)(process.execPath, ["--import", "tsx", path.join(root, "scripts/worker.ts"), "--once", "--now", now.toISOString()], { cwd: root, env });
    await run(new Date(Date.now() + 1_000)); // enrols
    const { stdout, stderr } = await run(new Date(Math.max(Date.now(), at(61).getTime()) + 60 * 60_000));
    expect(JSON.parse(stdout)).toMatchObject({ failed: 0 });
    expect(stderr).toContain("worker: using the demo's database");
    const message = await t.db.message.findFirstOrThrow({ where: { shop: DEMO_SHOP, email: "beside-demo@example.com" } });
    expect(message.status).toBe("sent");
    expect(message.html).toContain(`http://localhost:${DEMO_PORT}/`);
    expect(message.html).not.toContain("http://localhost:3000/");
    expect(existsSync(path.join(root, "prisma/dev.sqlite"))).toBe(strayBefore);
  }, 60_000);
});
