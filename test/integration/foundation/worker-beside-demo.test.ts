import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
 * the due email into the demo's email log, links it to the port the demo serves, creates step 2's
 * unique discount through the demo's mocked Admin API, and leaves no stray prisma/dev.sqlite.
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
  await onShopInstalled(t.db, { shop: DEMO_SHOP });
  // The seeded checkout flow as the demo switches it on: step 1, then step 2 with a unique discount.
  const flow = await t.db.recoveryFlow.findFirstOrThrow({ where: { shop: DEMO_SHOP, kind: "checkout" } });
  await t.db.recoveryFlow.update({ where: { id: flow.id }, data: { enabled: true, holdoutPct: 0 } });
});
afterAll(async () => {
  await t?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!!process.env.TEST_DATABASE_URL)("npm run worker beside npm run demo", () => {
  it("uses the demo's database and URL with nothing set, and sends into the demo's email log", async () => {
    const { receiveWebhook } = await import("~/services/webhooks/intake.server");
    const { default: appDb } = await import("~/db.server");
    const checkout = checkoutPayload({ email: "beside-demo@example.com" });
    expect((await receiveWebhook(appDb, webhookRequest("checkouts/create", checkout, { shop: DEMO_SHOP }))).status).toBe(200);
    // What scripts/demo.ts writes when it starts.
    const runtimeFile = path.join(dir, "demo-runtime.json");
    writeFileSync(
      runtimeFile,
      JSON.stringify({ databaseUrl: t.url, port: DEMO_PORT, appUrl: `http://localhost:${DEMO_PORT}`, pid: 1, startedAt: new Date().toISOString() }),
    );
    const strayBefore = existsSync(path.join(root, "prisma/dev.sqlite"));
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, INTENTFUL_DEMO_RUNTIME: runtimeFile, LOG_LEVEL: "error" } as unknown as NodeJS.ProcessEnv;
    const run = (now: Date) =>
      promisify(execFile)(process.execPath, ["--import", "tsx", path.join(root, "scripts/worker.ts"), "--once", "--now", now.toISOString()], {
        cwd: root,
        env,
      });
    const steps = await t.db.recoveryStep.findMany({ where: { flow: { shop: DEMO_SHOP, kind: "checkout" } }, orderBy: { position: "asc" } });
    expect(steps[1]?.discountPercent, "the seeded step 2 offers a discount").toBeGreaterThan(0);
    const start = Math.max(Date.now(), at(1).getTime());
    await run(new Date(start + 1_000)); // enrols
    const { stdout, stderr } = await run(new Date(start + (steps[0].delayMinutes + 1) * 60_000));
    expect(JSON.parse(stdout)).toMatchObject({ failed: 0 });
    expect(stderr).toContain("worker: using the demo's database");
    const first = await t.db.message.findFirstOrThrow({ where: { shop: DEMO_SHOP, email: "beside-demo@example.com" } });
    expect(first.status).toBe("sent");
    expect(first.html).toContain(`http://localhost:${DEMO_PORT}/`);
    expect(first.html).not.toContain("http://localhost:3000/");

    // Step 2 creates its unique discount code through the Admin API — the demo's mock, run by
    // this separate worker process too, its state beside the demo's database.
    const second = await run(new Date(start + (steps[1].delayMinutes + 1) * 60_000));
    const failedJobs = await t.db.job.findMany({ where: { shop: DEMO_SHOP, lastError: { not: null } }, select: { kind: true, lastError: true } });
    expect(failedJobs, second.stderr).toEqual([]);
    expect(JSON.parse(second.stdout)).toMatchObject({ failed: 0 });
    const messages = await t.db.message.findMany({ where: { shop: DEMO_SHOP, email: "beside-demo@example.com" }, orderBy: { createdAt: "asc" } });
    expect(messages.map((m) => m.status)).toEqual(["sent", "sent"]);
    const code = messages[1].discountCode;
    expect(code).toMatch(/^[A-Z0-9-]{6,}$/);
    expect(messages[1].html).toContain(code);
    const stateFile = t.url.replace(/^file:/, "").replace(/\.sqlite$/, "") + "-shopify.json";
    expect(JSON.parse(readFileSync(stateFile, "utf8")).discountCodes.map((d: { code: string }) => d.code)).toContain(code);
    expect(existsSync(path.join(root, "prisma/dev.sqlite"))).toBe(strayBefore);
  }, 60_000);
});
