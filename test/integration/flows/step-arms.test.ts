import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db.server";
import { pickArm } from "~/domain/experiments/assign";
import type { AdminGraphql } from "~/services/admin-graphql.server";
import { createTestDb, type TestDb } from "../../support/db";
import { seedSession, webhookRequest } from "../../support/shopify";
import { startSmtpPeer, type SmtpPeer } from "../email/smtp-peer";
import { T0, at, checkoutPayload, notBefore, orderPayload } from "../webhooks/fixtures";

/**
 * Issue 21, flow-step arms end to end: checkouts/create webhooks start runs of a checkout flow
 * whose one email runs an A/B test — A ("Alpha…", 60 min, no offer) against B ("Bravo…",
 * 120 min, 15 % for 3 days), 50/50, with a 20 % holdout. The worker draws each run's arm when it
 * schedules the step (StepExposure), the arm sets the job's delay, and the email sent over SMTP
 * (to a real SMTP peer) is that arm's, with Message.arm saying which.
 */
const SHOP = "shop-a.myshopify.com";
const N = 200;
const A = "armalpha";
const B = "armbravo";

let t: TestDb;
let smtp: SmtpPeer;
let appDb: Db;
let receiveWebhook: (db: Db, r: Request) => Promise<Response>;
let runDue: (now: Date) => Promise<{ ran: number; failed: number }>;
let mailModule: typeof import("~/services/mail.server");
let recovery: typeof import("~/services/recovery.server");
let mailer: { close(): void } | undefined;
let flowId: string;
let stepId: string;
const discounts: Array<{ code: string; percentage: number; startsAt: string; endsAt: string }> = [];

const json = (data: unknown) => new Response(JSON.stringify({ data }), { headers: { "Content-Type": "application/json" } });
const admin: AdminGraphql = {
  graphql: async (_query, options) => {
    const d = (options?.variables as { basicCodeDiscount: Record<string, any> }).basicCodeDiscount;
    discounts.push({ code: d.code, percentage: d.customerGets.value.percentage, startsAt: d.startsAt, endsAt: d.endsAt });
    return json({ discountCodeBasicCreate: { codeDiscountNode: { id: "gid://shopify/DiscountCodeNode/1" }, userErrors: [] } });
  },
};

const body = (text: string, offer = false) => [
  { type: "heading", text },
  ...(offer ? [{ type: "text", text: "Save {{ discount }} until {{ discount_expires }}." }, { type: "discount" }] : []),
  { type: "items" },
  { type: "button", text: "Return to checkout" },
];

const variants = (weights: [number, number]) => [
  { id: A, weight: weights[0] },
  {
    id: B,
    weight: weights[1],
    step: {
      delayMinutes: 120,
      subject: "Bravo: {{ discount }} off your cart",
      preheader: "Bravo preview",
      body: body("Bravo heading", true),
      discountPercent: 15,
      discountExpiryDays: 3,
    },
  },
];

const shoppers = Array.from({ length: N }, (_, i) => ({ email: `arm${i}@example.com`, visitorId: `v_arm${i}` }));
const subjectOf = (raw: string) => /^Subject: (.*)$/m.exec(raw.replace(/\r?\n[ \t]+/g, " "))?.[1] ?? "";

beforeAll(async () => {
  t = await createTestDb();
  process.env.DATABASE_URL = t.url;
  smtp = await startSmtpPeer();
  ({ receiveWebhook } = await import("~/services/webhooks/intake.server"));
  ({ default: appDb } = await import("~/db.server"));
  mailModule = await import("~/services/mail.server");
  recovery = await import("~/services/recovery.server");
  const { createMailer } = await import("~/services/email/mailer.server");
  const m = createMailer({ smtpUrl: smtp.url, from: "recovery@shop-a.example" });
  mailer = m;
  mailModule.setMailerForTests(m);
  const { drainDue } = await import("~/services/jobs.server");
  const { jobHandlers } = await import("~/services/job-handlers.server");
  const { onShopInstalled } = await import("~/services/install.server");
  const handlers = { ...jobHandlers(), ...recovery.recoveryHandlers(t.db, { admin: async () => admin }) };
  runDue = (now) => drainDue({ db: t.db, handlers, now: () => now });
  await seedSession(t.db, SHOP);
  await onShopInstalled(t.db, { shop: SHOP });
  // The installed checkout flow, its first email only, under test: A is the step's own fields.
  const flow = await t.db.recoveryFlow.findFirstOrThrow({ where: { shop: SHOP, kind: "checkout" } });
  flowId = flow.id;
  await t.db.recoveryStep.deleteMany({ where: { flowId, position: { gt: 0 } } });
  await t.db.recoveryFlow.update({ where: { id: flowId }, data: { enabled: true, holdoutPct: 20, respectQuiet: false } });
  const step = await t.db.recoveryStep.findFirstOrThrow({ where: { flowId, position: 0 } });
  stepId = step.id;
  await t.db.recoveryStep.update({
    where: { id: stepId },
    data: {
      delayMinutes: 60,
      subject: "Alpha: your cart is waiting",
      preheader: "Alpha preview",
      body: body("Alpha heading"),
      discountPercent: null,
      discountExpiryDays: null,
      variants: variants([50, 50]),
      testStartedAt: at(-1),
    },
  });
});

afterAll(async () => {
  mailModule?.setMailerForTests(undefined);
  mailer?.close(); // its pooled connection, else the peer's close waits out its 30 s timeout
  await smtp?.close();
  await t?.cleanup();
});

describe(`flow-step A/B arms (${process.env.TEST_DATABASE_URL ? "postgres" : "sqlite"})`, () => {
  const checkouts: Array<ReturnType<typeof checkoutPayload>> = [];
  let converted: { runId: string; email: string } | undefined;

  it(`draws an arm for each of ${N} checkouts when their step is scheduled: near the split, by the run's subject key, none for the holdout; the arm sets the delay`, async () => {
    for (const { email, visitorId } of shoppers) {
      // each shopper their own visitor id (the fixture's is shared, which would tie them all together)
      const checkout = checkoutPayload({ email, note_attributes: [{ name: "_intentful_vid", value: visitorId }] });
      checkouts.push(checkout);
      expect((await receiveWebhook(appDb, webhookRequest("checkouts/create", checkout, { shop: SHOP }))).status).toBe(200);
    }
    await runDue(notBefore(at(1)));

    const runs = await t.db.flowRun.findMany({ where: { shop: SHOP, flowId } });
    expect(runs).toHaveLength(N);
    const exposures = await t.db.stepExposure.findMany({ where: { shop: SHOP } });
    const armOf = new Map(exposures.map((e) => [e.runId, e]));
    const held = runs.filter((r) => r.holdout);
    const treated = runs.filter((r) => !r.holdout);
    // the holdout (20 %) is drawn apart and gets no arm
    expect(Math.abs(held.length - N * 0.2)).toBeLessThan(5 * Math.sqrt(N * 0.2 * 0.8));
    for (const r of held) expect(armOf.has(r.id), `holdout run ${r.id}`).toBe(false);
    // every other run has exactly its arm: the deterministic draw on the step id and the subject key
    expect(exposures).toHaveLength(treated.length);
    for (const r of treated) {
      const e = armOf.get(r.id)!;
      expect(e).toMatchObject({ shop: SHOP, flowId, stepId, arm: [A, B][pickArm(stepId, r.subjectKey, [50, 50])] });
    }
    // near 50/50: 5 standard deviations of a fair binomial either way
    const inB = exposures.filter((e) => e.arm === B).length;
    const sd = Math.sqrt(treated.length * 0.25);
    expect(Math.abs(inB - treated.length / 2)).toBeLessThan(5 * sd);
    expect(inB).toBeGreaterThan(0);
    expect(inB).toBeLessThan(treated.length);
    console.info(`arms: ${treated.length - inB} A, ${inB} B, ${held.length} held out of ${N}`);

    // each step job's run-at is the run's start plus its arm's delay (the step's own for the holdout)
    const jobs = await t.db.job.findMany({ where: { shop: SHOP, kind: "recovery.step" } });
    expect(jobs).toHaveLength(N);
    for (const job of jobs) {
      const p = job.payload as { runId: string; stepId: string };
      const run = runs.find((r) => r.id === p.runId)!;
      const minutes = armOf.get(run.id)?.arm === B ? 120 : 60;
      expect(job.runAt.getTime() - run.startedAt.getTime(), run.id).toBe(minutes * 60_000);
    }
  });

  it("puts the same subject key in the same arm again, and keeps a step's first arm", async () => {
    const runs = await t.db.flowRun.findMany({ where: { shop: SHOP, flowId, holdout: false }, take: 20, orderBy: { id: "asc" } });
    const before = new Map((await t.db.stepExposure.findMany({ where: { runId: { in: runs.map((r) => r.id) } } })).map((e) => [e.runId, e.arm]));
    const subjects = runs.map((r) => r.subjectKey);
    // enrolled anew from scratch (run, arm and job gone): the same arms
    await t.db.stepExposure.deleteMany({ where: { runId: { in: runs.map((r) => r.id) } } });
    await t.db.job.deleteMany({ where: { shop: SHOP, kind: "recovery.step", dedupeKey: { in: runs.map((r) => `step:${r.id}:${stepId}`) } } });
    await t.db.flowRun.deleteMany({ where: { id: { in: runs.map((r) => r.id) } } });
    for (const r of runs) await recovery.startCheckoutRecovery(t.db, { shop: SHOP, checkoutToken: r.subjectKey.slice("checkout:".length) }, at(2));
    const again = await t.db.flowRun.findMany({ where: { shop: SHOP, flowId, subjectKey: { in: subjects } } });
    expect(again).toHaveLength(20);
    const after = new Map((await t.db.stepExposure.findMany({ where: { runId: { in: again.map((r) => r.id) } } })).map((e) => [e.runId, e.arm]));
    for (const r of again) {
      const old = runs.find((o) => o.subjectKey === r.subjectKey)!;
      expect(after.get(r.id), r.subjectKey).toBe(before.get(old.id));
    }
    // a second write of the same run and step changes nothing (idempotent on run and step)
    const { recordStepExposures } = await import("~/models/recovery.server");
    const first = again[0];
    const arm = after.get(first.id)!;
    await recordStepExposures(t.db, [{ shop: SHOP, flowId, stepId, runId: first.id, arm: arm === A ? B : A, at: at(3) }]);
    expect(await t.db.stepExposure.findMany({ where: { runId: first.id } })).toMatchObject([{ arm, at: at(2) }]);
  });

  it("sends each run its own arm's email at its arm's delay, even after the split changed; an order before B's delay stops the run, which stays in B", async () => {
    // the merchant moves the split mid-flight: no one already scheduled switches email
    await t.db.recoveryStep.update({ where: { id: stepId }, data: { variants: variants([10, 90]) } });
    const exposures = await t.db.stepExposure.findMany({ where: { shop: SHOP } });
    const armOf = new Map(exposures.map((e) => [e.runId, e.arm]));
    const runs = await t.db.flowRun.findMany({ where: { shop: SHOP, flowId } });
    // a shopper in B orders at 90 minutes: after A's delay, before B's
    const buyer = runs.find((r) => armOf.get(r.id) === B)!;
    const checkout = checkouts.find((c) => `checkout:${c.token}` === buyer.subjectKey)!;
    converted = { runId: buyer.id, email: buyer.email! };

    await runDue(at(65));
    let sent = await t.db.message.findMany({ where: { shop: SHOP, kind: "recovery", status: "sent" } });
    const inA = runs.filter((r) => armOf.get(r.id) === A);
    expect(sent.map((m) => m.flowRunId).sort()).toEqual(inA.map((r) => r.id).sort());
    for (const m of sent) expect(m).toMatchObject({ arm: A, subject: "Alpha: your cart is waiting", discountCode: null });

    expect(
      (await receiveWebhook(appDb, webhookRequest("orders/create", orderPayload(checkout, { created_at: at(90).toISOString() }), { shop: SHOP }))).status,
    ).toBe(200);
    await runDue(at(91));
    await runDue(at(125));
    await runDue(at(126));

    sent = await t.db.message.findMany({ where: { shop: SHOP, kind: "recovery", status: "sent" } });
    const inB = runs.filter((r) => armOf.get(r.id) === B && r.id !== buyer.id);
    expect(sent).toHaveLength(inA.length + inB.length);
    const bySubject = new Map(sent.map((m) => [m.flowRunId, m]));
    for (const r of inB) {
      const m = bySubject.get(r.id)!;
      expect(m, r.id).toMatchObject({ arm: B, subject: "Bravo: 15% off your cart" });
      expect(m.discountCode).toMatch(/^BACK-/);
      expect(m.html).toContain("Bravo heading");
      expect(m.html).toContain("Bravo preview");
      expect(m.html).not.toContain("Alpha");
      // sent after B's delay, not A's
      expect(m.sentAt!.getTime()).toBeGreaterThanOrEqual(at(120).getTime());
    }
    for (const r of inA) expect(bySubject.get(r.id)!.html).toContain("Alpha heading");
    // B's offer: its percent and expiry, one code per B run
    expect(discounts).toHaveLength(inB.length);
    for (const d of discounts) {
      expect(d.percentage).toBe(0.15);
      expect(new Date(d.endsAt).getTime() - new Date(d.startsAt).getTime()).toBe(3 * 86_400_000);
    }
    // over SMTP: one mail per sent message, with that message's subject
    for (const m of sent) {
      const mails = smtp.received.filter((r) => r.to.includes(m.email));
      expect(mails, m.email).toHaveLength(1);
      expect(subjectOf(mails[0].raw)).toBe(m.subject);
    }
    // the buyer: stopped by the order, no email, still counted in B
    expect(await t.db.flowRun.findUniqueOrThrow({ where: { id: buyer.id } })).toMatchObject({ status: "stopped", stopReason: "purchased" });
    expect(smtp.received.filter((r) => r.to.includes(buyer.email!))).toHaveLength(0);
    expect(await t.db.stepExposure.findUniqueOrThrow({ where: { runId_stepId: { runId: buyer.id, stepId } } })).toMatchObject({ arm: B });
    // the holdout: no email, no arm on any row
    const held = runs.filter((r) => r.holdout).map((r) => r.id);
    const heldMessages = await t.db.message.findMany({ where: { flowRunId: { in: held } } });
    expect(heldMessages.every((m) => m.status !== "sent" && m.arm === null)).toBe(true);
    expect(smtp.received.length).toBe(sent.length);
  });

  it("customers/redact deletes the arms of the erased customer's runs, and only theirs", async () => {
    const { redactCustomer } = await import("~/services/privacy.server");
    const victim = await t.db.flowRun.findFirstOrThrow({ where: { shop: SHOP, holdout: false, id: { not: converted!.runId } } });
    const before = await t.db.stepExposure.count({ where: { shop: SHOP } });
    expect(await t.db.stepExposure.count({ where: { runId: victim.id } })).toBe(1);
    await redactCustomer(t.db, { shop: SHOP, customer: { email: victim.email! } });
    expect(await t.db.stepExposure.count({ where: { runId: victim.id } })).toBe(0);
    expect(await t.db.stepExposure.count({ where: { shop: SHOP } })).toBe(before - 1);
    expect(await t.db.flowRun.findUniqueOrThrow({ where: { id: victim.id } })).toMatchObject({ email: null, stopReason: "redacted" });
  });

  it("sends a test of one arm from the editor, and refuses an arm the step does not have", async () => {
    const { sendTestEmail, renderStepPreview } = await import("~/services/email/flow-preview.server");
    const { getEmailSettings } = await import("~/models/flow.server");
    const step = {
      delayMinutes: 60,
      subject: "Alpha: your cart is waiting",
      preheader: "Alpha preview",
      body: body("Alpha heading") as never,
      variants: variants([50, 50]) as never,
    };
    const deps = { appUrl: "http://localhost:3000", now: T0 };
    const b = await sendTestEmail(t.db, SHOP, { flowId, step, to: "merchant@example.com", arm: B }, deps);
    expect(b.ok).toBe(true);
    const row = await t.db.message.findUniqueOrThrow({ where: { id: (b as { messageId: string }).messageId } });
    expect(row).toMatchObject({ kind: "test", arm: B, subject: "[Test] Bravo: 15% off your cart" });
    const plain = await sendTestEmail(t.db, SHOP, { flowId, step, to: "merchant@example.com" }, deps);
    expect(await t.db.message.findUniqueOrThrow({ where: { id: (plain as { messageId: string }).messageId } })).toMatchObject({
      arm: null,
      subject: "[Test] Alpha: your cart is waiting",
    });
    expect(await sendTestEmail(t.db, SHOP, { flowId, step, to: "merchant@example.com", arm: "nosuch" }, deps)).toEqual({
      ok: false,
      reason: 'This email has no variant with id "nosuch"',
    });
    const settings = await getEmailSettings(t.db, SHOP);
    expect((await renderStepPreview(SHOP, settings, step, deps.appUrl, [], A)).subject).toBe("Alpha: your cart is waiting");
    expect((await renderStepPreview(SHOP, settings, step, deps.appUrl, [], B)).subject).toBe("Bravo: 15% off your cart");
  });
});
