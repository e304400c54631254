import { createHash } from "node:crypto";
import type { Prisma } from "@prisma/client";
import type { Db } from "~/db.server";
import { deleteDeliveriesBefore, deleteFinishedJobs, jobsNaming } from "~/models/erasure.server";
import type { CustomerRef } from "./job-kinds";

/**
 * Data lifecycle for the compliance webhooks and retention:
 * - customers/data_request → everything stored about that customer, kept as a DataExport the
 *   merchant can download;
 * - customers/redact → that customer's checkouts, carts, orders, contacts, messages, runs and
 *   storefront events and exposures (through the visitor ids tied to them) deleted, and the A/B
 *   arms their runs were in (StepExposure) with them;
 * - shop/redact → all of the shop's data deleted (ended A/B tests' records too);
 * - retention → events older than the shop's setting deleted, with their exposures and roll-ups.
 */

/**
 * Suppressions outlive an erasure as a hash only: enough to keep honouring an unsubscribe (the
 * worker checks both forms), not enough to read the address back.
 */
export function suppressionHash(shop: string, email: string): string {
  return `sha256:${createHash("sha256").update(`${shop}\u0000${email.trim().toLowerCase()}`).digest("hex")}`;
}

/**
 * Every visitor id ever tied to the customer: on their checkouts, contacts, orders, carts and
 * runs, and on storefront events that carried the token of one of their carts or checkouts
 * (the visitor id of another device or an earlier session).
 */
async function visitorIdsOf(database: Db, shop: string, or: Array<{ email: string } | { customerId: string }>) {
  if (!or.length) return { visitorIds: [] as string[], cartTokens: [] as string[] };
  const [checkouts, contacts, orders, carts, runs] = await Promise.all([
    database.checkout.findMany({ where: { shop, OR: or }, select: { visitorId: true, cartToken: true } }),
    database.contact.findMany({ where: { shop, OR: or }, select: { visitorId: true } }),
    database.order.findMany({ where: { shop, OR: or }, select: { visitorId: true, cartToken: true } }),
    database.cart.findMany({ where: { shop, OR: or }, select: { visitorId: true, token: true } }),
    database.flowRun.findMany({ where: { shop, OR: or }, select: { visitorId: true, cartToken: true } }),
  ]);
  const cartTokens = new Set<string>();
  for (const r of [...checkouts, ...orders, ...runs]) if (r.cartToken) cartTokens.add(r.cartToken);
  for (const c of carts) cartTokens.add(c.token);
  const visitors = new Set([...checkouts, ...contacts, ...orders, ...carts, ...runs].map((r) => r.visitorId).filter((v): v is string => Boolean(v)));
  if (cartTokens.size) {
    const tied = await database.event.findMany({ where: { shop, cartToken: { in: [...cartTokens] } }, select: { visitorId: true }, distinct: ["visitorId"] });
    for (const e of tied) visitors.add(e.visitorId);
  }
  if (visitors.size) {
    const more = await database.cart.findMany({ where: { shop, visitorId: { in: [...visitors] } }, select: { token: true } });
    for (const c of more) cartTokens.add(c.token);
  }
  return { visitorIds: [...visitors], cartTokens: [...cartTokens] };
}

function refs(customer: CustomerRef) {
  const email = customer.email?.trim().toLowerCase() || null;
  const customerId = customer.id != null ? String(customer.id) : null;
  // Shopify's payloads carry the numeric id; what we stored may be the GraphQL gid of it.
  const ids = customerId
    ? [
        ...new Set([
          customerId,
          customerId.replace(/^gid:\/\/shopify\/Customer\//, ""),
          `gid://shopify/Customer/${customerId.replace(/^gid:\/\/shopify\/Customer\//, "")}`,
        ]),
      ]
    : [];
  return {
    email,
    customerId,
    or: [...(email ? [{ email }] : []), ...ids.map((id) => ({ customerId: id }))] as Array<{ email: string } | { customerId: string }>,
    needles: [...(email ? [email] : []), ...ids.filter((id) => id.length >= 6)],
  };
}

export async function exportCustomerData(database: Db, p: { shop: string; customer: CustomerRef }) {
  const { email, customerId, or } = refs(p.customer);
  if (!or.length) return;
  const { visitorIds, cartTokens } = await visitorIdsOf(database, p.shop, or);
  const byVisitor = visitorIds.length ? { shop: p.shop, visitorId: { in: visitorIds } } : null;
  const [checkouts, orders, contacts, messages, events, exposures, carts, runs, suppressions] = await Promise.all([
    database.checkout.findMany({ where: { shop: p.shop, OR: or } }),
    database.order.findMany({ where: { shop: p.shop, OR: or } }),
    database.contact.findMany({ where: { shop: p.shop, OR: or } }),
    email
      ? database.message.findMany({
          where: { shop: p.shop, email },
          select: { id: true, kind: true, subject: true, status: true, sentAt: true, clickedAt: true, createdAt: true },
        })
      : [],
    byVisitor ? database.event.findMany({ where: byVisitor, take: 10_000 }) : [],
    byVisitor ? database.exposure.findMany({ where: byVisitor, take: 10_000 }) : [],
    cartTokens.length ? database.cart.findMany({ where: { shop: p.shop, token: { in: cartTokens } } }) : [],
    database.flowRun.findMany({
      where: { shop: p.shop, OR: or },
      select: { id: true, flowId: true, status: true, stopReason: true, startedAt: true, stoppedAt: true, discountCode: true },
    }),
    email ? database.suppression.findMany({ where: { shop: p.shop, email } }) : [],
  ]);
  // which A/B variant of each flow email their runs were given
  const variantsGiven = runs.length
    ? await database.stepExposure.findMany({
        where: { shop: p.shop, runId: { in: runs.map((r) => r.id) } },
        select: { runId: true, stepId: true, arm: true, at: true },
      })
    : [];
  await database.dataExport.create({
    data: {
      shop: p.shop,
      customerId,
      email,
      payload: JSON.parse(
        JSON.stringify({ checkouts, orders, contacts, carts, recoveryRuns: runs, variantsGiven, messages, suppressions, events, exposures }),
      ) as Prisma.InputJsonValue,
    },
  });
}

/**
 * customers/redact: every copy of the customer goes — deleted, or anonymised where the row is
 * the shop's own record (orders and runs keep their amounts and outcomes for analytics): all
 * visitor ids ever tied to them (events, exposures, attributions' visitor), carts, checkouts,
 * contacts, messages, data exports, job payloads (pending ones deleted, finished ones emptied),
 * and the suppression kept as a hash so an unsubscribe is still honoured.
 */
export async function redactCustomer(database: Db, p: { shop: string; customer: CustomerRef; orders?: Array<string | number> }) {
  const { email, or, needles } = refs(p.customer);
  if (!or.length) return;
  const { visitorIds, cartTokens } = await visitorIdsOf(database, p.shop, or);
  // Jobs of the shop whose payload names the customer (contact syncs, confirmations, exports, this redact).
  const jobs = await jobsNaming(database, p.shop, needles);
  const runs = await database.flowRun.findMany({
    where: { shop: p.shop, OR: [...or, ...(visitorIds.length ? [{ visitorId: { in: visitorIds } }] : [])] },
    select: { id: true },
  });
  const suppressed = email ? await database.suppression.findUnique({ where: { shop_email: { shop: p.shop, email } } }) : null;
  const byVisitor = { shop: p.shop, visitorId: { in: visitorIds } };
  await database.$transaction([
    ...(visitorIds.length
      ? [
          database.event.deleteMany({ where: byVisitor }),
          database.exposure.deleteMany({ where: byVisitor }),
          database.attribution.updateMany({ where: byVisitor, data: { visitorId: null } }),
          database.contact.deleteMany({ where: byVisitor }),
        ]
      : []),
    ...(cartTokens.length ? [database.cart.deleteMany({ where: { shop: p.shop, token: { in: cartTokens } } })] : []),
    database.cart.deleteMany({ where: { shop: p.shop, OR: or } }),
    database.checkout.deleteMany({ where: { shop: p.shop, OR: or } }),
    database.order.updateMany({
      where: { shop: p.shop, OR: or },
      data: { email: null, customerId: null, visitorId: null, cartToken: null, checkoutToken: null },
    }),
    ...(visitorIds.length
      ? [database.order.updateMany({ where: byVisitor, data: { email: null, customerId: null, visitorId: null, cartToken: null, checkoutToken: null } })]
      : []),
    // Shopify's orders_to_redact, by id, whatever they carry
    ...(p.orders?.length
      ? [
          database.order.updateMany({
            where: { shop: p.shop, orderId: { in: p.orders.map(String) } },
            data: { email: null, customerId: null, visitorId: null, cartToken: null, checkoutToken: null },
          }),
        ]
      : []),
    database.contact.deleteMany({ where: { shop: p.shop, OR: or } }),
    ...runs.map((r) =>
      database.flowRun.updateMany({
        where: { id: r.id },
        data: { email: null, customerId: null, visitorId: null, cartToken: null, subjectKey: `redacted:${r.id}`, status: "stopped", stopReason: "redacted" },
      }),
    ),
    ...(email ? [database.message.deleteMany({ where: { shop: p.shop, email } })] : []),
    ...(runs.length ? [database.message.deleteMany({ where: { shop: p.shop, flowRunId: { in: runs.map((r) => r.id) } } })] : []),
    // The arms their runs were scheduled in go with the runs' messages (the runs stay, anonymised).
    ...(runs.length ? [database.stepExposure.deleteMany({ where: { shop: p.shop, runId: { in: runs.map((r) => r.id) } } })] : []),
    database.dataExport.deleteMany({ where: { shop: p.shop, OR: or } }),
    ...(email && suppressed
      ? [
          database.suppression.delete({ where: { shop_email: { shop: p.shop, email } } }),
          database.suppression.upsert({
            where: { shop_email: { shop: p.shop, email: suppressionHash(p.shop, email) } },
            create: { shop: p.shop, email: suppressionHash(p.shop, email), reason: suppressed.reason },
            update: {},
          }),
        ]
      : []),
    // Pending jobs about them must not run later; finished ones (and this one, running) keep no copy.
    database.job.deleteMany({ where: { id: { in: jobs.filter((j) => j.status === "pending").map((j) => j.id) } } }),
    database.job.updateMany({
      where: { id: { in: jobs.filter((j) => j.status !== "pending").map((j) => j.id) } },
      data: { payload: { redacted: true }, dedupeKey: null, lastError: null },
    }),
  ]);
}

export async function redactShop(database: Db, p: { shop: string }) {
  const shop = p.shop;
  await database.$transaction([
    database.event.deleteMany({ where: { shop } }),
    database.exposure.deleteMany({ where: { shop } }),
    database.eventRollup.deleteMany({ where: { shop } }),
    database.attribution.deleteMany({ where: { shop } }),
    database.message.deleteMany({ where: { shop } }),
    database.stepExposure.deleteMany({ where: { shop } }),
    database.experimentRecord.deleteMany({ where: { shop } }),
    database.flowRun.deleteMany({ where: { shop } }),
    database.recoveryFlow.deleteMany({ where: { shop } }),
    database.trigger.deleteMany({ where: { shop } }),
    database.checkout.deleteMany({ where: { shop } }),
    database.cart.deleteMany({ where: { shop } }),
    database.order.deleteMany({ where: { shop } }),
    database.contact.deleteMany({ where: { shop } }),
    database.suppression.deleteMany({ where: { shop } }),
    database.dataExport.deleteMany({ where: { shop } }),
    database.webhookDelivery.deleteMany({ where: { shop } }),
    database.session.deleteMany({ where: { shop } }),
    database.shop.deleteMany({ where: { shop } }),
    database.job.deleteMany({ where: { shop, kind: { not: "privacy.redact-shop" } } }),
  ]);
}

const SWEEP_BATCH = 5_000;

/**
 * Finished and dead jobs and webhook delivery records older than `days` days, deleted in
 * batches of 5,000 rows (each its own short statement, the event loop let go between them) so
 * the sweep never holds a lock long however many rows it has to remove. Jobs by `runAt` first
 * (indexed with status; a job finishes after it was due) and `finishedAt`, deliveries by
 * `receivedAt` (indexed). Returns the rows deleted, the statements run and the longest in ms.
 */
export async function sweepOperational(database: Db, now: Date, days: number, batch = SWEEP_BATCH) {
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  let longestBatchMs = 0;
  let statements = 0;
  const drain = async (deleteBatch: () => Promise<number>) => {
    let total = 0;
    for (;;) {
      const started = performance.now();
      const n = await deleteBatch();
      statements++;
      longestBatchMs = Math.max(longestBatchMs, performance.now() - started);
      total += n;
      if (n < batch) return total;
      await new Promise((r) => setImmediate(r));
    }
  };
  const jobs = await drain(() => deleteFinishedJobs(database, cutoff, batch));
  const deliveries = await drain(() => deleteDeliveriesBefore(database, cutoff, batch));
  return { jobs, deliveries, statements, longestBatchMs: Math.round(longestBatchMs) };
}

/**
 * Deletes events older than each shop's retention setting, and what was derived from them
 * (exposures last seen before the cutoff, hourly roll-ups before it); returns how many events went.
 */
export async function sweepRetention(database: Db, now: Date) {
  const shops = await database.shop.findMany({ select: { shop: true, retentionDays: true } });
  let deleted = 0;
  for (const s of shops) {
    const cutoff = new Date(now.getTime() - s.retentionDays * 86_400_000);
    const [events] = await database.$transaction([
      database.event.deleteMany({ where: { shop: s.shop, occurredAt: { lt: cutoff } } }),
      database.exposure.deleteMany({ where: { shop: s.shop, lastAt: { lt: cutoff } } }),
      // Whole hours only: an hour straddling the cutoff still counts events that are kept.
      database.eventRollup.deleteMany({ where: { shop: s.shop, hour: { lt: new Date(Math.floor(cutoff.getTime() / 3_600_000) * 3_600_000) } } }),
    ]);
    deleted += events.count;
  }
  return deleted;
}
