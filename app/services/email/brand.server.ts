import type { Db } from "~/db.server";
import { isHexColor, isLogoUrl, readShopifyBrand, type BrandValues } from "~/domain/recovery/brand";
import { getShopifyBrandCache, saveShopifyBrand } from "~/models/shop.server";
import { adminQuery, type AdminGraphql } from "../admin-graphql.server";
import { logger } from "../logger.server";

/**
 * Shopify's brand settings (Settings → Brand in the Shopify admin: logo, primary and secondary
 * colours) for the recovery emails' brand kit. The Admin GraphQL API has no `shop.brand` (its
 * `Branding*` types are checkout branding, Plus only); the Storefront API's `shop.brand` is where
 * an app reads them, with the unauthenticated_read_product_listings scope (docs/decisions/011).
 * Read when the merchant opens Settings or a flow, at most once a day, and kept on the shop row,
 * so sending an email never waits on Shopify for it.
 */
export const SHOP_BRAND_QUERY = `#graphql
  query IntentfulShopBrand {
    shop {
      brand {
        logo { image { url } }
        colors { primary { background foreground } secondary { background foreground } }
      }
    }
  }`;

interface BrandResponse {
  shop: {
    brand: {
      logo: { image: { url: string | null } | null } | null;
      colors: { primary: Array<{ background: string | null }>; secondary: Array<{ background: string | null }> } | null;
    } | null;
  };
}

export const BRAND_MAX_AGE_MS = 24 * 3_600_000;

/** The brand as Shopify's Storefront API answers it; values that are not https URLs or #rrggbb are dropped. */
export async function fetchShopifyBrand(storefront: AdminGraphql): Promise<BrandValues> {
  const data = await adminQuery<BrandResponse>(storefront, SHOP_BRAND_QUERY, undefined, { tries: 1 });
  const brand = data.shop.brand;
  const logoUrl = brand?.logo?.image?.url ?? null;
  const primary = brand?.colors?.primary?.[0]?.background ?? null;
  const accent = brand?.colors?.secondary?.[0]?.background ?? null;
  return {
    logoUrl: isLogoUrl(logoUrl) ? logoUrl : null,
    primaryColor: isHexColor(primary) ? primary.toLowerCase() : null,
    accentColor: isHexColor(accent) ? accent.toLowerCase() : null,
  };
}

/**
 * Shopify's brand for `shop`, read again when the cached copy is older than a day. A failed read
 * (the scope not granted yet, no storefront session, Shopify down) keeps the old copy and is not
 * tried again for a day: the emails then use the overrides or the neutral default.
 */
export async function refreshShopifyBrand(
  db: Db,
  shop: string,
  storefront: () => Promise<AdminGraphql>,
  now = new Date(),
  /** The shop row's cached brand when the caller has it (the worker): saves the read. */
  known?: { brand: unknown; at: Date | null },
): Promise<BrandValues> {
  const cached = known ?? (await getShopifyBrandCache(db, shop));
  if (!cached) return {};
  if (cached.at && now.getTime() - cached.at.getTime() < BRAND_MAX_AGE_MS) return readShopifyBrand(cached.brand);
  try {
    const brand = await fetchShopifyBrand(await storefront());
    await saveShopifyBrand(db, shop, brand, now);
    return brand;
  } catch (error) {
    logger.warn("shop brand not read; emails use the overrides or the default", { shop, error: error instanceof Error ? error.message : String(error) });
    await saveShopifyBrand(db, shop, null, now);
    return readShopifyBrand(cached.brand);
  }
}

/** The storefront client of a shop's offline session (the library's, built on first use). */
export async function storefrontClient(shop: string): Promise<AdminGraphql> {
  const { unauthenticated } = await import("~/shopify.server");
  return (await unauthenticated.storefront(shop)).storefront as unknown as AdminGraphql;
}
