import { execFile } from "node:child_process";
import { promisify } from "node:util";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db.server";
import { createTestDb, type TestDb } from "../../support/db";
import { seedSession, webhookRequest } from "../../support/shopify";
import { startSmtpPeer, type SmtpPeer } from "../email/smtp-peer";
import { at, checkoutPayload } from "./fixtures";
import { dueJobRunner } from "../../support/worker";
import { TEMPLATE_KEYS } from "~/domain/triggers";

const SHOP = "life.myshopify.com";
const root = path.resolve(import.meta.dirname, "../../..");
let t: TestDb;
let receiveWebhook: (db: Db, r: Request) => Promise<Response>;
let appDb: Db;
let runDue: (now: Date) => Promise<unknown>;

beforeAll(async () => {
  t = await createTestDb();
  runDue = await dueJobRunner(t);
  ({ receiveWebhook } = await import("~/services/webhooks/intake.server"));
  ({ default: appDb } = await import("~/db.server"));
  const { onShopInstalled } = await import("~/services/install.server");
  await seedSession(t.db, SHOP);
  await onShopInstalled(t.db, { shop: SHOP });
});
afterAll(async () => {
  await t.cleanup();
});

describe("install", () => {
  it("gives a new shop its settings and the starter triggers and flows, all switched off", async () => {
    expect(await t.db.shop.count({ where: { shop: SHOP } })).toBe(1);
    expect(await t.db.trigger.count({ where: { shop: SHOP } })).toBe(TEMPLATE_KEYS.length);
    expect(await t.db.trigger.count({ where: { shop: SHOP, enabled: true } })).toBe(0);
    expect(await t.db.recoveryFlow.count({ where: { shop: SHOP, enabled: false } })).toBe(3);
  });

  it("keeps what the merchant had on reinstall", async () => {
    const { onShopInstalled } = await import("~/services/install.server");
    await t.db.trigger.updateMany({ where: { shop: SHOP, template: "first_visit_offer" }, data: { name: "Mine", enabled: true } });
    const again = await onShopInstalled(t.db, { shop: SHOP });
    expect(again.created).toBe(false);
    expect(await t.db.trigger.count({ where: { shop: SHOP } })).toBe(TEMPLATE_KEYS.length);
    expect(await t.db.trigger.count({ where: { shop: SHOP, name: "Mine", enabled: true } })).toBe(1);
  });
});

describe("npm run worker -- --once --now", () => {
  let smtp: SmtpPeer;
  beforeAll(async () => {
    smtp = await startSmtpPeer();
  });
  afterAll(async () => {
    await smtp.close();
  });

  it("sends the first recovery email once the delay has passed, and only once", async () => {
    const flow = await t.db.recoveryFlow.findFirstOrThrow({ where: { shop: SHOP, kind: "checkout" } });
    await t.db.recoveryStep.deleteMany({ where: { flowId: flow.id, position: { gt: 0 } } });
    await t.db.recoveryFlow.update({ where: { id: flow.id }, data: { enabled: true, holdoutPct: 0 } });
    const checkout = checkoutPayload({ email: "cli@example.com" });
    expect((await receiveWebhook(appDb, webhookRequest("checkouts/create", checkout, { shop: SHOP }))).status).toBe(200);
    // Async: the SMTP peer lives in this process and must keep answering while the worker runs.
    const worker = (now: Date) =>
      promisify(execFile)(process.execPath, ["--import", "tsx", path.join(root, "scripts/worker.ts"), "--once", "--now", now.toISOString()], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: t.url, SMTP_URL: smtp.url, EMAIL_FROM: "shop@life.example" },
      });
    const early = await worker(at(30));
    expect(JSON.parse(early.stdout).failed).toBe(0);
    expect(smtp.received).toHaveLength(0);
    const due = await worker(at(61));
    expect(JSON.parse(due.stdout)).toMatchObject({ ran: 1, failed: 0 });
    expect(smtp.received.filter((m) => m.to.includes("cli@example.com"))).toHaveLength(1);
    await worker(at(120));
    expect(smtp.received.filter((m) => m.to.includes("cli@example.com"))).toHaveLength(1);
  }, 60_000);
});

describe("data lifecycle", () => {
  it("exports what is stored about a customer on customers/data_request", async () => {
    const checkout = checkoutPayload({ email: "export@example.com" });
    await receiveWebhook(appDb, webhookRequest("checkouts/create", checkout, { shop: SHOP }));
    await receiveWebhook(
      appDb,
      webhookRequest("customers/data_request", { shop_domain: SHOP, customer: { id: 5, email: "export@example.com" }, orders_requested: [] }, { shop: SHOP }),
    );
    await runDue(new Date(Date.now() + 1000)); // jobs are enqueued at the real "now"
    const exp = await t.db.dataExport.findFirstOrThrow({ where: { shop: SHOP, email: "export@example.com" } });
    expect(JSON.stringify(exp.payload)).toContain(checkout.token);
  });

  it("erases a customer's checkouts, events and messages on customers/redact", async () => {
    const checkout = checkoutPayload({ email: "gone@example.com", note_attributes: [{ name: "_intentful_vid", value: "v_gone" }] });
    await receiveWebhook(appDb, webhookRequest("checkouts/create", checkout, { shop: SHOP }));
    await t.db.event.create({ data: { shop: SHOP, visitorId: "v_gone", kind: "page_view", occurredAt: new Date() } });
    await t.db.message.create({ data: { shop: SHOP, idempotencyKey: "gone-1", email: "gone@example.com", status: "sent" } });
    await receiveWebhook(
      appDb,
      webhookRequest("customers/redact", { shop_domain: SHOP, customer: { id: 6, email: "gone@example.com" }, orders_to_redact: [] }, { shop: SHOP }),
    );
    await runDue(new Date(Date.now() + 1000)); // jobs are enqueued at the real "now"
    expect(await t.db.checkout.count({ where: { shop: SHOP, email: "gone@example.com" } })).toBe(0);
    expect(await t.db.event.count({ where: { shop: SHOP, visitorId: "v_gone" } })).toBe(0);
    expect(await t.db.message.count({ where: { shop: SHOP, email: "gone@example.com" } })).toBe(0);
    expect(await t.db.checkout.count({ where: { shop: SHOP } })).toBeGreaterThan(0); // others stay
  });

  it("deletes sessions and stops the shop's jobs on app/uninstalled, and erases everything on shop/redact", async () => {
    const other = "other.myshopify.com";
    await seedSession(t.db, other);
    await t.db.job.create({ data: { shop: SHOP, kind: "recovery.step", payload: {}, runAt: at(500) } });
    await receiveWebhook(appDb, webhookRequest("app/uninstalled", { id: 1, domain: SHOP }, { shop: SHOP }));
    expect(await t.db.session.count({ where: { shop: SHOP } })).toBe(0);
    expect(await t.db.job.count({ where: { shop: SHOP, status: "pending" } })).toBe(0);
    // shop/redact arrives 48 h later, with no session left: the HMAC alone authenticates it.
    await receiveWebhook(appDb, webhookRequest("shop/redact", { shop_id: 1, shop_domain: SHOP }, { shop: SHOP }));
    await runDue(new Date(Date.now() + 1000));
    for (const model of ["shop", "trigger", "recoveryFlow", "checkout", "event", "message"] as const) {
      expect(await (t.db[model] as unknown as { count: (a: object) => Promise<number> }).count({ where: { shop: SHOP } }), model).toBe(0);
    }
    expect(await t.db.session.count({ where: { shop: other } })).toBe(1);
  });
});
