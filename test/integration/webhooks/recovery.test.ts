import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "~/db.server";
import { createTestDb, type TestDb } from "../../support/db";
import { seedSession, webhookRequest } from "../../support/shopify";
import { startSmtpPeer, type SmtpPeer } from "../email/smtp-peer";
import { at, checkoutPayload, orderPayload } from "./fixtures";

const SHOP = "shop-a.myshopify.com";
const AFTER_FIRST_STEP = at(65); // checkout at T0, first email after 60 min

let t: TestDb;
let smtp: SmtpPeer;
let receiveWebhook: (db: Db, r: Request) => Promise<Response>;
let appDb: Db;
let runDue: (now: Date) => Promise<{ ran: number; failed: number }>;
let mailModule: typeof import("~/services/mail.server");
let recovery: typeof import("~/services/recovery.server");

beforeAll(async () => {
  t = await createTestDb();
  process.env.DATABASE_URL = t.url;
  smtp = await startSmtpPeer();
  ({ receiveWebhook } = await import("~/services/webhooks/intake.server"));
  ({ default: appDb } = await import("~/db.server"));
  mailModule = await import("~/services/mail.server");
  recovery = await import("~/services/recovery.server");
  const { createMailer } = await import("~/services/email/mailer.server");
  mailModule.setMailerForTests(createMailer({ smtpUrl: smtp.url, from: "recovery@shop-a.example" }));
  const { drainDue } = await import("~/services/jobs.server");
  const { jobHandlers } = await import("~/services/job-handlers.server");
  const { onShopInstalled } = await import("~/services/install.server");
  runDue = (now) => drainDue({ db: t.db, handlers: jobHandlers(), now: () => now });
  await seedSession(t.db, SHOP);
  await onShopInstalled(t.db, { shop: SHOP });
  // The checkout flow on, without holdout and without the second (discount) step, so each
  // checkout gets exactly one email.
  const flow = await t.db.recoveryFlow.findFirstOrThrow({ where: { shop: SHOP, kind: "checkout" } });
  await t.db.recoveryStep.deleteMany({ where: { flowId: flow.id, position: { gt: 0 } } });
  await t.db.recoveryFlow.update({ where: { id: flow.id }, data: { enabled: true, holdoutPct: 0 } });
});

afterAll(async () => {
  mailModule.setMailerForTests(undefined);
  await smtp.close();
  await t.cleanup();
});

beforeEach(() => {
  smtp.received.length = 0;
});

const mailsTo = (email: string) => smtp.received.filter((m) => m.to.includes(email));

describe("checkout recovery", () => {
  it("sends exactly one email after the delay, with the recovery link, the items and List-Unsubscribe", async () => {
    // GIVEN a signed checkouts/create
    const checkout = checkoutPayload({ email: "one@example.com" });
    const res = await receiveWebhook(appDb, webhookRequest("checkouts/create", checkout, { shop: SHOP }));
    expect(res.status).toBe(200);
    // WHEN the worker runs before the delay, nothing is sent
    await runDue(at(30));
    expect(mailsTo("one@example.com")).toHaveLength(0);
    // AND after the delay, exactly one email
    await runDue(AFTER_FIRST_STEP);
    await runDue(new Date(AFTER_FIRST_STEP.getTime() + 60_000));
    const mails = mailsTo("one@example.com");
    expect(mails).toHaveLength(1);
    const raw = mails[0].raw.replace(/=\r?\n/g, "").replace(/\r?\n[ \t]+/g, " "); // unfold soft breaks and headers
    expect(raw).toMatch(/^List-Unsubscribe: <http:\/\/localhost:3000\/unsubscribe\?token=/m);
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
    expect(raw).toContain("Linen Shirt");
    expect(raw).toContain("Canvas Tote");
    expect(raw).toMatch(/http:\/\/localhost:3000\/r\/[a-z0-9]+\?s=/);
    const message = await t.db.message.findFirstOrThrow({ where: { shop: SHOP, email: "one@example.com" } });
    expect(message.status).toBe("sent");
  });

  it("sends still one email when the same delivery arrives twice", async () => {
    const checkout = checkoutPayload({ email: "twice@example.com" });
    const req = () => webhookRequest("checkouts/create", checkout, { shop: SHOP, webhookId: "dup-delivery-1" });
    expect((await receiveWebhook(appDb, req())).status).toBe(200);
    expect((await receiveWebhook(appDb, req())).status).toBe(200);
    // a second, different delivery of the same checkout (checkouts/update) enrols nothing new
    await receiveWebhook(appDb, webhookRequest("checkouts/update", { ...checkout, updated_at: at(1).toISOString() }, { shop: SHOP }));
    await runDue(AFTER_FIRST_STEP);
    expect(mailsTo("twice@example.com")).toHaveLength(1);
    expect(await t.db.webhookDelivery.count({ where: { webhookId: "dup-delivery-1" } })).toBe(1);
  });

  it("does not send after the order arrived", async () => {
    const checkout = checkoutPayload({ email: "bought@example.com" });
    await receiveWebhook(appDb, webhookRequest("checkouts/create", checkout, { shop: SHOP }));
    await runDue(at(10));
    await receiveWebhook(appDb, webhookRequest("orders/create", orderPayload(checkout), { shop: SHOP }));
    await runDue(AFTER_FIRST_STEP);
    expect(mailsTo("bought@example.com")).toHaveLength(0);
    const run = await t.db.flowRun.findFirstOrThrow({ where: { shop: SHOP, email: "bought@example.com" } });
    expect(run.status).toBe("stopped");
    expect(run.stopReason).toBe("purchased");
  });

  it("does not send twice when the process crashes after the send and before the commit", async () => {
    const checkout = checkoutPayload({ email: "crash@example.com" });
    await receiveWebhook(appDb, webhookRequest("checkouts/create", checkout, { shop: SHOP }));
    await runDue(at(5)); // enrol
    const { drainDue } = await import("~/services/jobs.server");
    const crashing = recovery.recoveryHandlers(t.db, {
      afterSend: () => {
        throw new Error("injected crash between send and commit");
      },
    });
    await drainDue({ db: t.db, handlers: crashing, now: () => AFTER_FIRST_STEP });
    expect(mailsTo("crash@example.com")).toHaveLength(1);
    // the job is retried later with the normal handlers: still one email
    await runDue(new Date(AFTER_FIRST_STEP.getTime() + 3600_000));
    await runDue(new Date(AFTER_FIRST_STEP.getTime() + 7200_000));
    expect(mailsTo("crash@example.com")).toHaveLength(1);
  });

  it("still sends the scheduled email after the merchant edits the flow (its steps get new ids)", async () => {
    const checkout = checkoutPayload({ email: "edited@example.com" });
    await receiveWebhook(appDb, webhookRequest("checkouts/create", checkout, { shop: SHOP }));
    await runDue(at(5)); // enrolled, step scheduled
    const flow = await t.db.recoveryFlow.findFirstOrThrow({ where: { shop: SHOP, kind: "checkout" }, include: { steps: true } });
    const old = flow.steps[0];
    await t.db.$transaction([
      t.db.recoveryStep.deleteMany({ where: { flowId: flow.id } }),
      t.db.recoveryStep.create({
        data: { flowId: flow.id, position: 0, delayMinutes: old.delayMinutes, subject: "Edited subject", preheader: "", body: old.body ?? [] },
      }),
    ]);
    await runDue(AFTER_FIRST_STEP);
    const mails = mailsTo("edited@example.com");
    expect(mails).toHaveLength(1);
    expect(mails[0].raw).toContain("Edited subject");
  });

  it("attributes the order to the flow whose email was sent", async () => {
    const checkout = checkoutPayload({ email: "late@example.com" });
    await receiveWebhook(appDb, webhookRequest("checkouts/create", checkout, { shop: SHOP }));
    await runDue(AFTER_FIRST_STEP);
    expect(mailsTo("late@example.com")).toHaveLength(1);
    await receiveWebhook(appDb, webhookRequest("orders/create", orderPayload(checkout, { created_at: at(120).toISOString() }), { shop: SHOP }));
    await runDue(at(121));
    const attribution = await t.db.attribution.findMany({ where: { shop: SHOP, source: "flow" } });
    expect(attribution.map((a) => a.variant)).toContain("treatment");
  });
});

describe("webhook intake", () => {
  const topics = [
    "checkouts/create",
    "checkouts/update",
    "checkouts/delete",
    "carts/create",
    "carts/update",
    "orders/create",
    "app/uninstalled",
    "app/scopes_update",
    "customers/data_request",
    "customers/redact",
    "shop/redact",
  ];

  it.each(topics)("answers 401 to a forged signature on %s and stores nothing", async (topic) => {
    const before = await t.db.webhookDelivery.count();
    const res = await receiveWebhook(appDb, webhookRequest(topic, { id: 1 }, { shop: SHOP, secretOverride: "not-the-secret" }));
    expect(res.status).toBe(401);
    expect(await t.db.webhookDelivery.count()).toBe(before);
  });

  it("records malformed JSON as rejected without a 5xx", async () => {
    const res = await receiveWebhook(appDb, webhookRequest("checkouts/create", null, { shop: SHOP, webhookId: "bad-json-1", rawBody: "{not json" }));
    expect(res.status).toBe(200);
    const row = await t.db.webhookDelivery.findUniqueOrThrow({ where: { webhookId: "bad-json-1" } });
    expect(row.outcome).toBe("rejected");
  });

  it("records a wrongly typed payload as rejected, and still accepts the next valid delivery", async () => {
    const bad = checkoutPayload({ total_price: { amount: "oops" }, line_items: "nope" });
    const res = await receiveWebhook(appDb, webhookRequest("checkouts/create", bad, { shop: SHOP, webhookId: "bad-type-1" }));
    expect(res.status).toBe(200);
    const row = await t.db.webhookDelivery.findUniqueOrThrow({ where: { webhookId: "bad-type-1" } });
    expect(row.outcome).toBe("rejected");
    expect(row.reason).toMatch(/total_price|line_items/);
    expect(await t.db.checkout.count({ where: { token: bad.token } })).toBe(0);
    const good = checkoutPayload({ email: "good@example.com" });
    expect((await receiveWebhook(appDb, webhookRequest("checkouts/create", good, { shop: SHOP }))).status).toBe(200);
    expect(await t.db.checkout.count({ where: { token: good.token } })).toBe(1);
  });

  it("ignores a stale update older than the stored snapshot", async () => {
    const c = checkoutPayload({ email: "stale@example.com", updated_at: at(5).toISOString() });
    await receiveWebhook(appDb, webhookRequest("checkouts/update", c, { shop: SHOP }));
    const res = await receiveWebhook(
      appDb,
      webhookRequest("checkouts/update", { ...c, email: "older@example.com", updated_at: at(1).toISOString() }, { shop: SHOP, webhookId: "stale-1" }),
    );
    expect(res.status).toBe(200);
    const stored = await t.db.checkout.findFirstOrThrow({ where: { token: c.token } });
    expect(stored.email).toBe("stale@example.com");
    expect((await t.db.webhookDelivery.findUniqueOrThrow({ where: { webhookId: "stale-1" } })).outcome).toBe("stale");
  });
});
