/** The parts of Shopify's storefront globals the tracker reads. */
export interface CustomerPrivacy {
  analyticsProcessingAllowed(): boolean;
  marketingAllowed(): boolean;
}

export interface ShopifyGlobal {
  routes?: { root?: string };
  customerPrivacy?: CustomerPrivacy;
  loadFeatures?: (features: Array<{ name: string; version: string }>, cb: (error?: unknown) => void) => void;
  country?: string;
  locale?: string;
  currency?: { active?: string };
}

export function shopify(): ShopifyGlobal {
  return ((window as unknown as { Shopify?: ShopifyGlobal }).Shopify ||= {});
}

export function routesRoot(): string {
  const r = shopify().routes?.root || "/";
  return r.endsWith("/") ? r : r + "/";
}
