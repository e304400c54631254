/**
 * A peer queue's worker process (bench `peers` section, recovery steps): the app's recovery-step
 * handler (app/services/recovery.server.ts — decideSend's checks, MJML render, Message claim,
 * nodemailer to SMTP_URL) run from pg-boss or graphile-worker instead of our queue, in a process
 * set up as `npm run worker` sets up its own (production, the same V8 flags, LOG_LEVEL info).
 * pg-boss hands a batch, which goes to `runSteps` whole (its reads shared, as our worker does with
 * a claimed batch); graphile-worker hands one job, which goes to `runStep`.
 *
 * Environment: PEER_QUEUE (pgBoss | graphileWorker), PEER_QUEUE_URL, PEER_QUEUE_SCHEMA, and the
 * app's own (DATABASE_URL, SMTP_URL, EMAIL_FROM, SHOPIFY_*). Prints "peer worker ready" once
 * polling; stops gracefully on SIGTERM.
 */
import type { PeerQueue } from "./queues";

process.env.NODE_ENV ??= "production";
const { assertEnvOrExit } = await import("../../app/env.server");
assertEnvOrExit();
const { getDb } = await import("../../app/db.server");
const { runSteps } = await import("../../app/services/recovery.server");
const { startPeerWorker } = await import("./queues");
type StepPayload = Parameters<typeof runSteps>[1][number];

const db = getDb();
const queue = process.env.PEER_QUEUE as PeerQueue;
const stop = await startPeerWorker(queue, { url: process.env.PEER_QUEUE_URL!, schema: process.env.PEER_QUEUE_SCHEMA!, kind: "steps" }, async (payloads) => {
  const results = await runSteps(db, payloads as StepPayload[], new Date());
  return results.map((r) => r.status === "fulfilled");
});
process.stdout.write("peer worker ready\n");
process.once("SIGTERM", () => {
  void stop()
    .then(() => db.$disconnect())
    .finally(() => process.exit(0));
});
