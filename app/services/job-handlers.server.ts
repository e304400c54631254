import db from "~/db.server";
import type { JobHandlers } from "./jobs.server";
import { enqueue } from "./jobs.server";
import { publishRules } from "./publish.server";
import { recoveryHandlers } from "./recovery.server";
import { attributeOrder } from "./attribution.server";
import { CONTACT_CONFIRM, CONTACT_SYNC, contactSyncJob } from "./contacts.server";
import { sendConfirmation } from "./consent.server";
import { AUTO_PROMOTE_EVERY_MS, autoPromoteKey, sweepAutoPromote } from "./experiments.server";
import { exportCustomerData, redactCustomer, redactShop, sweepOperational, sweepRetention } from "./privacy.server";

const adminFor = async (shop: string) => {
  const { unauthenticated } = await import("~/shopify.server");
  return (await unauthenticated.admin(shop)).admin;
};

/** Starts the daily retention sweep if none is scheduled (idempotent: one per day by key). */
export async function scheduleMaintenance(now = new Date()) {
  const day = now.toISOString().slice(0, 10);
  await enqueue(db, { kind: "retention.sweep", runAt: now, dedupeKey: `retention:${day}` });
  await enqueue(db, { kind: "experiments.auto-promote", runAt: now, dedupeKey: autoPromoteKey(now) });
}

/** Every job kind the worker knows, and what it does. */
export function jobHandlers(): JobHandlers {
  return {
    "publish-rules": async ({ shop }) => {
      const result = await publishRules(db, shop, await adminFor(shop), { retryOnFailure: false });
      // The cause carries Retry-After (RetryLaterError) when the Admin API asked us to wait.
      if (!result.ok) throw new Error(result.error, { cause: result.cause });
    },
    ...recoveryHandlers(db),
    [CONTACT_SYNC]: (payload) => contactSyncJob(db, payload),
    [CONTACT_CONFIRM]: async (payload) => {
      await sendConfirmation(db, payload);
    },
    "order.attribute": async (p) => void (await attributeOrder(db, p)),
    "privacy.export": (p) => exportCustomerData(db, p),
    "privacy.redact-customer": (p) => redactCustomer(db, p),
    "privacy.redact-shop": (p) => redactShop(db, p),
    "retention.sweep": async (_p, ctx) => {
      await sweepRetention(db, ctx.now);
      // Operational tables stay bounded: finished jobs and webhook delivery records (OPS_RETENTION_DAYS).
      const { getEnv } = await import("~/env.server");
      await sweepOperational(db, ctx.now, getEnv().OPS_RETENTION_DAYS);
      // Daily, for as long as the app runs.
      const next = new Date(ctx.now.getTime() + 86_400_000);
      await enqueue(db, { kind: "retention.sweep", runAt: next, dedupeKey: `retention:${next.toISOString().slice(0, 10)}` });
    },
    // A/B tests with auto-promote (issue 21): hourly, for as long as the app runs.
    "experiments.auto-promote": async (_p, ctx) => {
      await sweepAutoPromote(db, ctx.now);
      const next = new Date(ctx.now.getTime() + AUTO_PROMOTE_EVERY_MS);
      await enqueue(db, { kind: "experiments.auto-promote", runAt: next, dedupeKey: autoPromoteKey(next) });
    },
  };
}
