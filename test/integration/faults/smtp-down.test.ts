import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "~/db.server";
import { createTestDb, type TestDb } from "../../support/db";
import { freePort } from "../../support/net";
import { webhookRequest } from "../../support/shopify";
import { at, checkoutPayload, notBefore } from "../webhooks/fixtures";
import { installRecoveryShop } from "./helpers";
import { startGatedSmtpPeer, type GatedSmtpPeer } from "./smtp-gate";

/**
 * The SMTP server is down (connection refused) or answers "try later" (451) when a recovery
 * email is due: the send is known not to have happened, so the Message goes back to pending and
 * the step's job is retried with exponential backoff (30 s, 1 min, 2 min …); once the server
 * answers, exactly one email arrives. A server that never comes back ends in the dead letter
 * with nothing sent. Worker clock pinned (drainDue with `now`), as the worker's `--once --now`.
 */
const SHOP = "faults-smtp.myshopify.com";

let t: TestDb;
let port: number;
let peer: GatedSmtpPeer | undefined;
let rcptFailures = 0;
let receiveWebhook: (db: Db, r: Request) => Promise<Response>;
let appDb: Db;
let runDue: (now: Date) => Promise<{ ran: number; failed: number }>;
let backoffMs: (attempts: number) => number;
let mail: typeof import("~/services/mail.server");

beforeAll(async () => {
  t = await createTestDb();
  process.env.DATABASE_URL = t.url;
  ({ receiveWebhook } = await import("~/services/webhooks/intake.server"));
  ({ default: appDb } = await import("~/db.server"));
  mail = await import("~/services/mail.server");
  const { createMailer } = await import("~/services/email/mailer.server");
  // Where the app expects its SMTP server; nothing listens there yet.
  port = await freePort();
  mail.setMailerForTests(
    createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, from: "recovery@faults.example", timeouts: { connection: 2000, greeting: 2000, socket: 5000 } }),
  );
  const jobs = await import("~/services/jobs.server");
  backoffMs = jobs.backoffMs;
  const { jobHandlers } = await import("~/services/job-handlers.server");
  runDue = (now) => jobs.drainDue({ db: t.db, handlers: jobHandlers(), now: () => now });
  await installRecoveryShop(t.db, SHOP, { delayMinutes: 60 });
});

afterAll(async () => {
  mail.setMailerForTests(undefined);
  await peer?.close();
  await t.cleanup();
});

beforeEach(async () => {
  await peer?.close();
  peer = undefined;
  rcptFailures = 0;
});

async function checkoutWithDueEmail(email: string) {
  const checkout = checkoutPayload({ email });
  expect((await receiveWebhook(appDb, webhookRequest("checkouts/create", checkout, { shop: SHOP }))).status).toBe(200);
  await runDue(notBefore(at(1))); // enrolled; the email is due at +60 min
  const run = await t.db.flowRun.findFirstOrThrow({ where: { shop: SHOP, email } });
  const job = await t.db.job.findFirstOrThrow({ where: { kind: "recovery.step", dedupeKey: { startsWith: `step:${run.id}:` } } });
  return { run, jobId: job.id };
}

const stepJob = (id: string) => t.db.job.findUniqueOrThrow({ where: { id } });
const messageOf = (runId: string) => t.db.message.findFirst({ where: { flowRunId: runId } });

describe("recovery email with the SMTP server down", () => {
  it("retries with backoff while the server refuses connections, and sends exactly one email once it is back", async () => {
    const { run, jobId } = await checkoutWithDueEmail("smtp-down@example.com");
    // WHEN the email is due and nothing listens on the SMTP port
    let now = at(65);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const r = await runDue(now);
      expect(r).toMatchObject({ ran: 1, failed: 1 });
      const job = await stepJob(jobId);
      // THEN the job is pending again, one attempt more, due after the backoff for that attempt
      expect(job).toMatchObject({ status: "pending", attempts: attempt });
      expect(job.lastError).toMatch(/temporary mail failure/);
      expect(job.runAt.getTime() - now.getTime()).toBe(backoffMs(attempt));
      delays.push(job.runAt.getTime() - now.getTime());
      // AND the send was given back: the message is pending, not "sending" (it is known unsent)
      expect(await messageOf(run.id)).toMatchObject({ status: "pending", sentAt: null });
      expect(await runDue(new Date(job.runAt.getTime() - 1))).toEqual({ ran: 0, failed: 0 }); // not before its time
      now = job.runAt;
    }
    expect(delays).toEqual([30_000, 60_000, 120_000]);

    // WHEN the SMTP server comes back on its port
    peer = await startGatedSmtpPeer({ port });
    expect(await runDue(now)).toMatchObject({ ran: 1, failed: 0 });
    // THEN exactly one email arrives, and later runs send nothing more
    await runDue(new Date(now.getTime() + 3600_000));
    await runDue(new Date(now.getTime() + 86_400_000));
    expect(peer.received.filter((m) => m.to.includes("smtp-down@example.com"))).toHaveLength(1);
    expect(await stepJob(jobId)).toMatchObject({ status: "done", attempts: 4 });
    expect(await messageOf(run.id)).toMatchObject({ status: "sent", attempts: 4 });
  });

  it("retries after a 451 (try later) to RCPT TO the same way, and sends once", async () => {
    // GIVEN a server that answers 451 twice, then accepts
    rcptFailures = 2;
    peer = await startGatedSmtpPeer({
      port,
      rcptReply: () => (rcptFailures-- > 0 ? { code: 451, message: "4.3.0 Mailbox temporarily unavailable" } : undefined),
    });
    const { run, jobId } = await checkoutWithDueEmail("smtp-451@example.com");
    let now = at(65);
    for (let attempt = 1; attempt <= 2; attempt++) {
      expect(await runDue(now)).toMatchObject({ ran: 1, failed: 1 });
      const job = await stepJob(jobId);
      expect(job.lastError).toMatch(/451|temporar/i);
      expect(job.runAt.getTime() - now.getTime()).toBe(backoffMs(attempt));
      now = job.runAt;
    }
    expect(peer.received).toHaveLength(0);
    expect(await runDue(now)).toMatchObject({ ran: 1, failed: 0 });
    await runDue(new Date(now.getTime() + 86_400_000));
    expect(peer.received.filter((m) => m.to.includes("smtp-451@example.com"))).toHaveLength(1);
    expect(await messageOf(run.id)).toMatchObject({ status: "sent" });
  });

  it("dead-letters the job after its attempts when the server never comes back, with nothing sent", async () => {
    const { run, jobId } = await checkoutWithDueEmail("smtp-never@example.com");
    const { maxAttempts } = await stepJob(jobId);
    let now = at(65);
    for (let i = 0; i < maxAttempts; i++) {
      await runDue(now);
      now = (await stepJob(jobId)).runAt;
    }
    const job = await stepJob(jobId);
    expect(job).toMatchObject({ status: "dead", attempts: maxAttempts });
    expect(job.lastError).toMatch(/temporary mail failure/);
    // the message was never handed over: still pending, never "sending"
    expect(await messageOf(run.id)).toMatchObject({ status: "pending", sentAt: null });
  });
});
