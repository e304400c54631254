import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/db.server";
import { startWorkerProcess, type ChildHandle } from "../../support/app-process";
import { createTestDb, type TestDb } from "../../support/db";
import { webhookRequest } from "../../support/shopify";
import { checkoutPayload } from "../webhooks/fixtures";
import { eventually, installRecoveryShop } from "./helpers";
import { startGatedSmtpPeer, type GatedSmtpPeer } from "./smtp-gate";

/**
 * A worker process (scripts/worker.ts, a real child) is SIGKILLed while it holds a recovery
 * email job; a second worker takes the job over once the lease (WORKER_LEASE_MS) has expired.
 * Three crash points, each with what the at-most-once design (recovery.server.ts: the Message
 * row goes pending → sending in its own commit BEFORE the SMTP call) makes of it:
 *
 *  A. after the claim, before the send is claimed (the worker hangs in the Admin API call that
 *     creates the discount code): the message is still "pending" → the second worker sends it:
 *     exactly one email.
 *  B. during the send, after the SMTP server took the whole message but before its final 250:
 *     the message is "sending" → the second worker does not resend: exactly one email (the
 *     first worker's), and the row stays "sending" (it cannot know the peer accepted).
 *  C. during the send, before the server took the message (held at MAIL FROM): "sending" →
 *     not resent: NO email. This is the price of at-most-once (decision 012), shown here.
 */
const PG = Boolean(process.env.TEST_DATABASE_URL);
const LEASE_MS = 3000;
const PRELOAD = path.join(import.meta.dirname, "admin-api.preload.ts");

let t: TestDb;
let receiveWebhook: (db: Db, r: Request) => Promise<Response>;
let appDb: Db;
const children: ChildHandle[] = [];
const peers: GatedSmtpPeer[] = [];

beforeAll(async () => {
  t = await createTestDb();
  process.env.DATABASE_URL = t.url;
  ({ receiveWebhook } = await import("~/services/webhooks/intake.server"));
  ({ default: appDb } = await import("~/db.server"));
});

afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.stop(2000)));
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

afterAll(async () => {
  await t.cleanup();
});

function worker(smtpUrl: string, adminMode: "stall" | "ok") {
  return startWorkerProcess({
    databaseUrl: t.url,
    preload: [PRELOAD],
    env: {
      SMTP_URL: smtpUrl,
      EMAIL_FROM: "recovery@faults.example",
      WORKER_LEASE_MS: String(LEASE_MS),
      WORKER_POLL_MS: "200",
      WORKER_BATCH_SIZE: "1",
      FAULT_ADMIN_MODE: adminMode,
    },
  }).then((w) => {
    children.push(w);
    return w;
  });
}

/** A checkout whose email is due at once, for its own shop (no budget or flow shared between cases). */
async function dueCheckout(shop: string, email: string, discountPercent: number | null) {
  await installRecoveryShop(t.db, shop, { delayMinutes: 0, discountPercent });
  const checkout = checkoutPayload({ email });
  expect((await receiveWebhook(appDb, webhookRequest("checkouts/create", checkout, { shop }))).status).toBe(200);
  return checkout;
}

const stepJobOf = async (shop: string) => (await t.db.job.findFirst({ where: { shop, kind: "recovery.step", status: "running" } })) ?? undefined;

/** Kills `first` and returns the lease it held on the shop's step job. */
async function killHolding(first: ChildHandle, shop: string) {
  const held = await eventually(() => stepJobOf(shop), "the step job to be running");
  expect(held.lockedBy).toMatch(new RegExp(`^worker-${first.pid}-`));
  await first.kill("SIGKILL");
  return { jobId: held.id, lockedUntil: held.lockedUntil!, attempts: held.attempts };
}

/** Waits until the job is finished and checks that a second worker took it after the lease. */
async function expectResumedAfterLease(second: ChildHandle, jobId: string, lease: { lockedUntil: Date; attempts: number }) {
  const done = await eventually(
    async () => {
      const j = await t.db.job.findUniqueOrThrow({ where: { id: jobId } });
      return j.status === "done" ? j : null;
    },
    "the second worker to finish the job",
    30_000,
  );
  expect(done.lockedBy).toMatch(new RegExp(`^worker-${second.pid}-`));
  expect(done.attempts).toBe(lease.attempts + 1);
  // finishedAt is the second worker's claim instant: not before the first worker's lease ran out
  expect(done.finishedAt!.getTime()).toBeGreaterThanOrEqual(lease.lockedUntil.getTime());
  return done;
}

describe(`a worker killed while holding a recovery email job (${PG ? "postgres" : "sqlite"})`, () => {
  it("A. killed after the claim, before the send: the next worker sends it, once", async () => {
    const shop = "crash-a.myshopify.com";
    const email = "crash-a@example.com";
    const peer = await startGatedSmtpPeer();
    peers.push(peer);
    await dueCheckout(shop, email, 10);
    // GIVEN a worker that hangs in the Admin API call creating the discount code
    const first = await worker(peer.url, "stall");
    await first.waitFor(/FAULT admin-call IntentfulDiscountCreate/, 30_000);
    // WHEN it is killed there
    const lease = await killHolding(first, shop);
    // nothing claimed for sending yet: the Message row is written by the claim, right before the send
    expect(await t.db.message.findFirst({ where: { shop, email } })).toBeNull();
    expect(peer.received).toHaveLength(0);
    // THEN a second worker takes the job over after the lease and sends exactly one email
    const second = await worker(peer.url, "ok");
    await expectResumedAfterLease(second, lease.jobId, lease);
    await new Promise((r) => setTimeout(r, 1000)); // time for a duplicate to show up, if any
    expect(peer.received.filter((m) => m.to.includes(email))).toHaveLength(1);
    expect(await t.db.message.findFirstOrThrow({ where: { shop, email } })).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("B. killed after the SMTP server took the message, before its 250: not resent, exactly one email", async () => {
    const shop = "crash-b.myshopify.com";
    const email = "crash-b@example.com";
    const peer = await startGatedSmtpPeer({ hold: "data-end" });
    peers.push(peer);
    await dueCheckout(shop, email, null);
    const first = await worker(peer.url, "ok");
    // GIVEN the server has the whole message and has not answered yet
    await peer.held();
    expect(peer.received.filter((m) => m.to.includes(email))).toHaveLength(1);
    // WHEN the worker is killed there
    const lease = await killHolding(first, shop);
    expect(await t.db.message.findFirstOrThrow({ where: { shop, email } })).toMatchObject({ status: "sending" });
    peer.release();
    // THEN the second worker finishes the job without sending again
    const second = await worker(peer.url, "ok");
    await expectResumedAfterLease(second, lease.jobId, lease);
    await new Promise((r) => setTimeout(r, 1000));
    expect(peer.received.filter((m) => m.to.includes(email))).toHaveLength(1);
    // (the row stays "sending": the app cannot know the server accepted it)
    expect(await t.db.message.findFirstOrThrow({ where: { shop, email } })).toMatchObject({ status: "sending", attempts: 1 });
  });

  it("C. killed mid-SMTP before the server took the message: not resent, so no email (at-most-once)", async () => {
    const shop = "crash-c.myshopify.com";
    const email = "crash-c@example.com";
    const peer = await startGatedSmtpPeer({ hold: "mail-from" });
    peers.push(peer);
    await dueCheckout(shop, email, null);
    const first = await worker(peer.url, "ok");
    await peer.held();
    const lease = await killHolding(first, shop);
    expect(await t.db.message.findFirstOrThrow({ where: { shop, email } })).toMatchObject({ status: "sending" });
    peer.release();
    const second = await worker(peer.url, "ok");
    await expectResumedAfterLease(second, lease.jobId, lease);
    await new Promise((r) => setTimeout(r, 1000));
    expect(peer.received.filter((m) => m.to.includes(email))).toHaveLength(0);
    expect(await t.db.message.findFirstOrThrow({ where: { shop, email } })).toMatchObject({ status: "sending", attempts: 1 });
  });
});
