import type { Prisma } from "@prisma/client";
import type { Db } from "~/db.server";

/**
 * Data lifecycle for the compliance webhooks and retention:
 * - customers/data_request → everything stored about that customer, kept as a DataExport the
 *   merchant can download;
 * - customers/redact → that customer's checkouts, carts, orders, contacts, messages, runs and
 *   storefront events and exposures (through the visitor ids tied to them) deleted;
 * - shop/redact → all of the shop's data deleted;
 * - retention → events older than the shop's setting deleted, with their exposures and roll-ups.
 */
type CustomerRef = { id?: string | null; email?: string | null };

async function visitorIdsOf(database: Db, shop: string, email: string | null, customerId: string | null) {
  const or = [...(email ? [{ email }] : []), ...(customerId ? [{ customerId }] : [])];
  if (!or.length) return [];
  const [checkouts, contacts, orders] = await Promise.all([
    database.checkout.findMany({ where: { shop, OR: or }, select: { visitorId: true } }),
    database.contact.findMany({ where: { shop, OR: or }, select: { visitorId: true } }),
    database.order.findMany({ where: { shop, OR: or }, select: { visitorId: true } }),
  ]);
  return [...new Set([...checkouts, ...contacts, ...orders].map((r) => r.visitorId).filter((v): v is string => Boolean(v)))];
}

function refs(customer: CustomerRef) {
  const email = customer.email?.trim().toLowerCase() || null;
  const customerId = customer.id != null ? String(customer.id) : null;
  return { email, customerId, or: [...(email ? [{ email }] : []), ...(customerId ? [{ customerId }] : [])] };
}

export async function exportCustomerData(database: Db, p: { shop: string; customer: CustomerRef }) {
  const { email, customerId, or } = refs(p.customer);
  if (!or.length) return;
  const visitorIds = await visitorIdsOf(database, p.shop, email, customerId);
  const [checkouts, orders, contacts, messages, events, exposures] = await Promise.all([
    database.checkout.findMany({ where: { shop: p.shop, OR: or } }),
    database.order.findMany({ where: { shop: p.shop, OR: or } }),
    database.contact.findMany({ where: { shop: p.shop, OR: or } }),
    email ? database.message.findMany({ where: { shop: p.shop, email }, select: { id: true, subject: true, status: true, sentAt: true, createdAt: true } }) : [],
    visitorIds.length ? database.event.findMany({ where: { shop: p.shop, visitorId: { in: visitorIds } }, take: 10_000 }) : [],
    visitorIds.length ? database.exposure.findMany({ where: { shop: p.shop, visitorId: { in: visitorIds } }, take: 10_000 }) : [],
  ]);
  await database.dataExport.create({
    data: {
      shop: p.shop,
      customerId,
      email,
      payload: JSON.parse(JSON.stringify({ checkouts, orders, contacts, messages, events, exposures })) as Prisma.InputJsonValue,
    },
  });
}

export async function redactCustomer(database: Db, p: { shop: string; customer: CustomerRef }) {
  const { email, customerId, or } = refs(p.customer);
  if (!or.length) return;
  const visitorIds = await visitorIdsOf(database, p.shop, email, customerId);
  await database.$transaction([
    ...(visitorIds.length
      ? [
          database.event.deleteMany({ where: { shop: p.shop, visitorId: { in: visitorIds } } }),
          database.exposure.deleteMany({ where: { shop: p.shop, visitorId: { in: visitorIds } } }),
        ]
      : []),
    database.checkout.deleteMany({ where: { shop: p.shop, OR: or } }),
    database.order.updateMany({ where: { shop: p.shop, OR: or }, data: { email: null, customerId: null, visitorId: null } }),
    database.contact.deleteMany({ where: { shop: p.shop, OR: or } }),
    database.flowRun.updateMany({ where: { shop: p.shop, OR: or }, data: { email: null, customerId: null, visitorId: null, status: "stopped", stopReason: "redacted" } }),
    ...(email ? [database.message.deleteMany({ where: { shop: p.shop, email } })] : []),
    database.dataExport.deleteMany({ where: { shop: p.shop, OR: or } }),
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
