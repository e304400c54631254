import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMockAdminApi } from "~/demo/mock-admin.server";
import { createTestDb, type TestDb } from "../../support/db";
import { seedSession, webhookRequest } from "../../support/shopify";
import { dueJobRunner } from "../../support/worker";
import { at, checkoutPayload, notBefore } from "../webhooks/fixtures";

/**
 * In production a step's Admin API call (here the unique discount code) runs with the shop's
 * offline session, through the library's real `unauthenticated.admin`. Without one (removed,
 * expired, never stored), the step is not silently stuck: its email shows on the email log as
 * pending with a reason the merchant can act on, the job retries, and once the session is back
 * the email goes out.
 */
const SHOP = "offline-session.myshopify.com";
const dir = mkdtempSync(path.join(os.tmpdir(), "intentful-offline-"));
process.env.DEMO_STATE_FILE = path.join(dir, "state.json");
// msw must be listening before the library loads (it captures fetch when its adapter loads).
const mock = startMockAdminApi();
let t: TestDb;
let runDue: (now: Date) => Promise<unknown>;

beforeAll(async () => {
  t = await createTestDb();
  runDue = await dueJobRunner(t);
  await seedSession(t.db, SHOP);
  const { onShopInstalled } = await import("~/services/install.server");
  await onShopInstalled(t.db, { shop: SHOP });
  const flow = await t.db.recoveryFlow.findFirstOrThrow({ where: { shop: SHOP, kind: "checkout" } });
  await t.db.recoveryFlow.update({ where: { id: flow.id }, data: { enabled: true, holdoutPct: 0 } });
  // the first email carries a unique discount code, made through the Admin API
  await t.db.recoveryStep.updateMany({ where: { flowId: flow.id, position: 0 }, data: { discountPercent: 10 } });
});
afterAll(async () => {
  mock.close();
  await t?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe(`a step that needs the Admin API without an offline session (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"})`, () => {
  it("shows the email as pending with a reason, retries, and sends once the session is back", async () => {
    const { receiveWebhook } = await import("~/services/webhooks/intake.server");
    const { default: appDb } = await import("~/db.server");
    const checkout = checkoutPayload({ email: "offline@example.com" });
    expect((await receiveWebhook(appDb, webhookRequest("checkouts/create", checkout, { shop: SHOP }))).status).toBe(200);
    await runDue(notBefore(at(1)));
    const step = await t.db.recoveryStep.findFirstOrThrow({ where: { flow: { shop: SHOP, kind: "checkout" }, position: 0 } });

    // GIVEN the shop's offline session is gone (uninstall race, expired token, lost row)
    await t.db.session.deleteMany({ where: { shop: SHOP } });
    // WHEN the step comes due
    await runDue(at(step.delayMinutes + 1));
    // THEN the email log shows it pending, and why, in words a merchant can act on
    const pending = await t.db.message.findFirstOrThrow({ where: { shop: SHOP, email: "offline@example.com" } });
    expect(pending.status).toBe("pending");
    expect(pending.reason).toMatch(/^Waiting for Shopify access: the app has no access token for this store.*Open Intentful from your Shopify admin/);
    // AND the job is retried, not dead
    const job = await t.db.job.findFirstOrThrow({ where: { shop: SHOP, kind: "recovery.step" }, orderBy: { runAt: "asc" } });
    expect(job.status).toBe("pending");
    expect(job.lastError).toMatch(/Could not find a session/);

    // WHEN the merchant opens the app again (a new offline session) and the retry comes
    await seedSession(t.db, SHOP);
    await runDue(at(step.delayMinutes + 120));
    // THEN the same message row is sent, with its code, and the reason is gone
    const sent = await t.db.message.findMany({ where: { shop: SHOP, email: "offline@example.com" } });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ id: pending.id, status: "sent", reason: null });
    expect(sent[0].discountCode).toMatch(/^BACK-/);
  });
});
