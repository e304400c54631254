import type { Db } from "~/db.server";

/**
 * What the storefront may know about a shopper the app has met before, asked once per session
 * by the tracker (`GET /apps/intentful/status`) for a visitor who gave an email, carted, or is
 * logged in:
 *
 * - `em`: when a recovery email was last sent to them (ms since the epoch, 0 for never). The
 *   tracker keeps overlays away for the shop's channel gap after it, whether or not the shopper
 *   came back through the email's link.
 * - `ao`: the highest "average order value at least" threshold of the shop's enabled triggers
 *   that their past orders with this shop meet (0 for none). Never the average itself: the
 *   storefront learns only what a segment needs.
 *
 * The shopper is found through what ties a visitor to an email here: a captured contact, the
 * logged-in customer (the app proxy's signed logged_in_customer_id), and the checkouts of the
 * visitor's carts. Every query is scoped to the shop and bounded.
 */
export interface ShopperStatus {
  em: number;
  ao: number;
}

const MAX_EMAILS = 10;

export async function shopperStatus(database: Db, shop: string, visitorId: string, customerId: string | null): Promise<ShopperStatus> {
  const [contacts, carts] = await Promise.all([
    database.contact.findMany({
      // contacts hold the Admin API's customer GID; orders and the proxy the numeric id
      where: { shop, OR: [{ visitorId }, ...(customerId ? [{ customerId: `gid://shopify/Customer/${customerId}` }] : [])] },
      select: { email: true },
      take: MAX_EMAILS,
    }),
    database.cart.findMany({ where: { shop, visitorId }, select: { token: true }, orderBy: { updatedAt: "desc" }, take: MAX_EMAILS }),
  ]);
  const checkouts = carts.length
    ? await database.checkout.findMany({
        where: { shop, cartToken: { in: carts.map((c) => c.token) }, email: { not: null } },
        select: { email: true },
        take: MAX_EMAILS,
      })
    : [];
  const emails = [...new Set([...contacts, ...checkouts].map((r) => r.email!.toLowerCase()))].slice(0, MAX_EMAILS);
  if (!emails.length && !customerId) return { em: 0, ao: 0 };

  const [lastEmail, orders, triggers] = await Promise.all([
    emails.length
      ? database.message.findFirst({
          where: { shop, email: { in: emails }, kind: "recovery", status: "sent", sentAt: { not: null } },
          select: { sentAt: true },
          orderBy: { sentAt: "desc" },
        })
      : null,
    database.order.aggregate({
      where: { shop, OR: [...(emails.length ? [{ email: { in: emails } }] : []), ...(customerId ? [{ customerId }] : [])] },
      _avg: { totalCents: true },
      _count: { _all: true },
    }),
    database.trigger.findMany({ where: { shop, enabled: true }, select: { segment: true } }),
  ]);
  const average = orders._count._all ? (orders._avg.totalCents ?? 0) : 0;
  let ao = 0;
  for (const t of triggers) {
    const min = Number((t.segment as { minAovCents?: unknown } | null)?.minAovCents) || 0;
    if (min > ao && average >= min) ao = min;
  }
  return { em: lastEmail?.sentAt?.getTime() ?? 0, ao };
}
