import type { Db } from "~/db.server";

/**
 * What the emails' recommendations are counted from, every read bounded and scoped to one shop:
 * the line items of the shop's latest completed checkouts ("bought together"), its latest product
 * views by visitor ("viewed together"), and one visitor's own latest views. See
 * services/email/recommendations.server.ts, which counts and caches.
 */

/** Line items of the latest completed checkouts (newest first). */
export async function recentBaskets(db: Db, shop: string, limit: number): Promise<unknown[]> {
  const rows = await db.checkout.findMany({
    where: { shop, status: "completed" },
    orderBy: { updatedAt: "desc" },
    take: limit,
    select: { lineItems: true },
  });
  return rows.map((r) => r.lineItems);
}

/** Line items of the latest carts: product details (title, price, image) for products not yet bought. */
export async function recentCartItems(db: Db, shop: string, limit: number): Promise<unknown[]> {
  const rows = await db.cart.findMany({ where: { shop }, orderBy: { updatedAt: "desc" }, take: limit, select: { lineItems: true } });
  return rows.map((r) => r.lineItems);
}

/** The latest product views since `since`: who viewed which product. */
export async function recentProductViews(db: Db, shop: string, since: Date, limit: number): Promise<Array<{ visitorId: string; productId: string }>> {
  const rows = await db.event.findMany({
    where: { shop, kind: "product_view", occurredAt: { gte: since }, productId: { not: null } },
    orderBy: { occurredAt: "desc" },
    take: limit,
    select: { visitorId: true, productId: true },
  });
  return rows.flatMap((r) => (r.productId ? [{ visitorId: r.visitorId, productId: r.productId }] : []));
}

/** The products one visitor viewed last (newest first, repeats removed by the caller). */
export async function productsViewedBy(db: Db, shop: string, visitorId: string, limit: number): Promise<string[]> {
  const rows = await db.event.findMany({
    where: { shop, visitorId, kind: "product_view", productId: { not: null } },
    orderBy: { occurredAt: "desc" },
    take: limit,
    select: { productId: true },
  });
  return rows.flatMap((r) => (r.productId ? [r.productId] : []));
}
