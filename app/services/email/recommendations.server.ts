import type { Db } from "~/db.server";
import { productsViewedBy, recentBaskets, recentCartItems, recentProductViews } from "~/models/recommendation.server";
import { adminQuery, type AdminGraphql } from "../admin-graphql.server";
import { logger } from "../logger.server";
import type { RenderProduct } from "./render.server";

/**
 * The recommendations block's products: what others bought with the shopper's products (the
 * shop's latest completed checkouts) and what others viewed with them (product views, by
 * visitor), counted by the app itself; topped up from Shopify's own recommendations (Storefront
 * API `productRecommendations`) when the shop's counts come up short.
 *
 * Cheap on the send path: the counts are built once per shop from bounded reads (the last 500
 * completed checkouts, 300 carts, 20,000 product views of 30 days) and kept 15 minutes in
 * memory for up to 200 shops; an email then costs a look-up (and, for a shopper without a cart,
 * one indexed read of their last views). Shopify's answers are kept an hour per product. Nothing
 * here fails a send: on any error the block is left out.
 */

export const RECOMMENDATION_LIMITS = {
  baskets: 500,
  carts: 300,
  views: 20_000,
  viewDays: 30,
  /** Products per basket or visitor counted in pairs (a bulk order does not dominate). */
  perGroup: 20,
  ttlMs: 15 * 60_000,
  shops: 200,
  shopifyTtlMs: 60 * 60_000,
} as const;

/** A bought-together pair counts this many viewed-together pairs. */
const PURCHASE_WEIGHT = 3;

interface Known {
  title: string;
  priceCents: number;
  imageUrl: string | null;
  variantId: string | null;
}

interface ShopIndex {
  builtAt: number;
  /** product → other product → score */
  pairs: Map<string, Map<string, number>>;
  products: Map<string, Known>;
}

const indexes = new Map<string, Promise<ShopIndex>>();
const shopifyAnswers = new Map<string, { at: number; products: RenderProduct[] }>();

/** Tests start from an empty cache. */
export function clearRecommendationCache(): void {
  indexes.clear();
  shopifyAnswers.clear();
}

export interface RecommendInput {
  /** Product ids of the shopper's cart or checkout (numeric, as Shopify's webhooks send them). */
  productIds: ReadonlyArray<string>;
  /** The shopper's visitor id: without products, their own latest views are the seeds. */
  visitorId?: string | null;
  limit?: number;
}

export interface RecommendDeps {
  now?: Date;
  /** The shop's Storefront API client, for Shopify's recommendations; without it only the app's counts. */
  storefront?: () => Promise<AdminGraphql>;
}

export async function recommendProducts(db: Db, shop: string, input: RecommendInput, deps: RecommendDeps = {}): Promise<RenderProduct[]> {
  const limit = input.limit ?? 3;
  const now = deps.now ?? new Date();
  try {
    // The shopper's own views only when there is no cart to go by (a browse follow-up): the read
    // costs more than the look-up (about 4 ms on SQLite through Prisma, under 1 ms on PostgreSQL).
    const viewed = input.visitorId && input.productIds.length === 0 ? await productsViewedBy(db, shop, input.visitorId, 10) : [];
    const seeds = unique([...input.productIds.filter(Boolean), ...viewed]);
    if (seeds.length === 0) return [];
    const index = await shopIndex(db, shop, now);
    const own = rank(index, seeds)
      .slice(0, limit)
      .map((id) => card(shop, index.products.get(id)!));
    if (own.length >= limit || !deps.storefront) return own;
    // The shopper's own products by title (Shopify's answer has no numeric ids), and what is already shown.
    const shown = new Set([...seeds.flatMap((id) => index.products.get(id)?.title ?? []), ...own.map((p) => p.title)]);
    const more = (await shopifyRecommendations(shop, seeds[0], deps.storefront, now)).filter((p) => !shown.has(p.title));
    return [...own, ...more].slice(0, limit);
  } catch (error) {
    logger.warn("recommendations left out", { shop, error: error instanceof Error ? error.message : String(error) });
    return [];
  }
}

/** Other products by summed score over the seeds, best first; only products we can show (title known). */
export function rank(index: Pick<ShopIndex, "pairs" | "products">, seeds: ReadonlyArray<string>): string[] {
  const total = new Map<string, number>();
  for (const seed of seeds) {
    for (const [other, score] of index.pairs.get(seed) ?? []) total.set(other, (total.get(other) ?? 0) + score);
  }
  for (const seed of seeds) total.delete(seed);
  return [...total]
    .filter(([id]) => index.products.has(id))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([id]) => id);
}

function card(shop: string, p: Known): RenderProduct {
  // Webhook line items carry no handle: the variant's cart permalink (Shopify's /cart/<variant>:1)
  // puts it in the cart on the storefront; without a variant, the shop's search for the title.
  const url = p.variantId ? `https://${shop}/cart/${encodeURIComponent(p.variantId)}:1` : `https://${shop}/search?q=${encodeURIComponent(p.title)}`;
  return { title: p.title, priceCents: p.priceCents, imageUrl: p.imageUrl, url };
}

async function shopIndex(db: Db, shop: string, now: Date): Promise<ShopIndex> {
  const cached = indexes.get(shop);
  if (cached) {
    const index = await cached;
    if (now.getTime() - index.builtAt < RECOMMENDATION_LIMITS.ttlMs) return index;
    indexes.delete(shop);
  }
  const building = buildIndex(db, shop, now);
  indexes.set(shop, building);
  building.catch(() => indexes.delete(shop));
  if (indexes.size > RECOMMENDATION_LIMITS.shops) indexes.delete(indexes.keys().next().value!);
  return building;
}

/** Counts pairs from the bounded reads; exported for the test of the counting. */
export async function buildIndex(db: Db, shop: string, now: Date): Promise<ShopIndex> {
  const L = RECOMMENDATION_LIMITS;
  const [baskets, carts, views] = await Promise.all([
    recentBaskets(db, shop, L.baskets),
    recentCartItems(db, shop, L.carts),
    recentProductViews(db, shop, new Date(now.getTime() - L.viewDays * 86_400_000), L.views),
  ]);
  const pairs = new Map<string, Map<string, number>>();
  const products = new Map<string, Known>();
  const count = (group: Iterable<string>, weight: number) => {
    const ids = unique([...group]).slice(0, L.perGroup);
    for (const a of ids) {
      for (const b of ids) {
        if (a === b) continue;
        let row = pairs.get(a);
        if (!row) pairs.set(a, (row = new Map()));
        row.set(b, (row.get(b) ?? 0) + weight);
      }
    }
  };
  // Newest first, so the first details seen of a product are its latest title, price and image.
  for (const items of [...baskets, ...carts]) for (const li of lineItemsOf(items)) if (!products.has(li.productId)) products.set(li.productId, li);
  for (const items of baskets)
    count(
      lineItemsOf(items).map((li) => li.productId),
      PURCHASE_WEIGHT,
    );
  const byVisitor = new Map<string, string[]>();
  for (const v of views) {
    const list = byVisitor.get(v.visitorId);
    if (list) list.push(v.productId);
    else byVisitor.set(v.visitorId, [v.productId]);
  }
  for (const group of byVisitor.values()) count(group, 1);
  return { builtAt: now.getTime(), pairs, products };
}

function lineItemsOf(value: unknown): Array<Known & { productId: string }> {
  let items = value;
  if (typeof items === "string") {
    try {
      items = JSON.parse(items);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(items)) return [];
  return items.flatMap((raw) => {
    const li = (raw ?? {}) as Record<string, unknown>;
    const productId = li.product_id == null ? "" : String(li.product_id);
    const title = typeof li.title === "string" ? li.title.trim() : "";
    if (!productId || !title) return [];
    return [
      {
        productId,
        title,
        priceCents: Math.max(0, Math.round(Number(li.price ?? 0)) || 0),
        imageUrl: typeof li.image_url === "string" && li.image_url ? li.image_url : null,
        variantId: li.variant_id == null ? null : String(li.variant_id),
      },
    ];
  });
}

export const PRODUCT_RECOMMENDATIONS_QUERY = `#graphql
  query IntentfulProductRecommendations($productId: ID!) {
    productRecommendations(productId: $productId, intent: RELATED) {
      title
      handle
      onlineStoreUrl
      featuredImage { url }
      priceRange { minVariantPrice { amount } }
    }
  }`;

interface RecommendationsResponse {
  productRecommendations: Array<{
    title: string;
    handle: string;
    onlineStoreUrl: string | null;
    featuredImage: { url: string } | null;
    priceRange: { minVariantPrice: { amount: string } };
  }> | null;
}

/** Shopify's related products for one product, kept an hour; [] when the call fails (scope not granted, no session). */
async function shopifyRecommendations(shop: string, productId: string, storefront: () => Promise<AdminGraphql>, now: Date): Promise<RenderProduct[]> {
  const key = `${shop}\u0000${productId}`;
  const hit = shopifyAnswers.get(key);
  if (hit && now.getTime() - hit.at < RECOMMENDATION_LIMITS.shopifyTtlMs) return hit.products;
  let products: RenderProduct[] = [];
  try {
    const data = await adminQuery<RecommendationsResponse>(
      await storefront(),
      PRODUCT_RECOMMENDATIONS_QUERY,
      { productId: `gid://shopify/Product/${productId}` },
      { tries: 1 },
    );
    products = (data.productRecommendations ?? []).map((p) => ({
      title: p.title,
      priceCents: Math.round(Number(p.priceRange.minVariantPrice.amount) * 100) || 0,
      imageUrl: p.featuredImage?.url ?? null,
      url: p.onlineStoreUrl || `https://${shop}/products/${encodeURIComponent(p.handle)}`,
    }));
  } catch (error) {
    logger.warn("Shopify's recommendations not read", { shop, error: error instanceof Error ? error.message : String(error) });
  }
  shopifyAnswers.set(key, { at: now.getTime(), products });
  if (shopifyAnswers.size > RECOMMENDATION_LIMITS.shops * 10) shopifyAnswers.delete(shopifyAnswers.keys().next().value!);
  return products;
}

function unique<T>(xs: Iterable<T>): T[] {
  return [...new Set(xs)];
}
