import { http, HttpResponse } from "msw";
import { PRODUCTS, imagePath, priceOf, recommendations } from "./catalog";

/**
 * Demo only: the Storefront API calls the recovery emails make (the shop's brand, Shopify's
 * product recommendations) and the Admin API's sample products for the email preview, answered
 * from the demo catalog. Registered beside the Admin API mock (mock-admin.server.ts).
 */
type Vars = Record<string, any>;

const appUrl = () => process.env.SHOPIFY_APP_URL ?? "http://localhost:3000";
const asset = (path: string) => new URL(path, appUrl()).toString();

/** The demo shop's brand settings, as Settings → Brand in the Shopify admin would hold them. */
export const DEMO_BRAND = { logoPath: "/demo/logo.svg", primary: "#1f4d3a", secondary: "#f3e3c3" } as const;

const storefrontOperations: Record<string, (vars: Vars) => unknown> = {
  IntentfulShopBrand: () => ({
    shop: {
      brand: {
        logo: { image: { url: asset(DEMO_BRAND.logoPath) } },
        colors: {
          primary: [{ background: DEMO_BRAND.primary, foreground: "#ffffff" }],
          secondary: [{ background: DEMO_BRAND.secondary, foreground: "#1f2a24" }],
        },
      },
    },
  }),
  IntentfulProductRecommendations: (vars) => {
    const id = String(vars.productId ?? "").replace("gid://shopify/Product/", "");
    return {
      productRecommendations: recommendations(id, { limit: 10 }).map((p) => ({
        title: p.title,
        handle: p.handle,
        onlineStoreUrl: asset(`/demo/products/${p.handle}`),
        featuredImage: { url: asset(imagePath(p.handle)) },
        priceRange: { minVariantPrice: { amount: (priceOf(p) / 100).toFixed(2) } },
      })),
    };
  },
};

/** Admin API operations of the email preview (merged into mock-admin's table). */
export const emailAdminOperations: Record<string, (vars: Vars) => unknown> = {
  IntentfulSampleProducts: () => ({
    products: {
      nodes: PRODUCTS.slice(0, 5).map((p) => ({
        title: p.title,
        handle: p.handle,
        onlineStoreUrl: asset(`/demo/products/${p.handle}`),
        featuredMedia: { preview: { image: { url: asset(imagePath(p.handle)) } } },
        priceRangeV2: { minVariantPrice: { amount: (priceOf(p) / 100).toFixed(2) } },
      })),
    },
  }),
};

function operationName(query: string, explicit?: string): string | undefined {
  if (explicit) return explicit;
  return /\b(?:query|mutation)\s+([A-Za-z0-9_]+)/.exec(query)?.[1];
}

export const storefrontApiHandlers = [
  http.post("https://:shop/api/:version/graphql.json", async ({ request }) => {
    const body = (await request.json()) as { query?: string; operationName?: string; variables?: Vars };
    const name = operationName(body.query ?? "", body.operationName);
    const resolver = name ? storefrontOperations[name] : undefined;
    if (!resolver) return HttpResponse.json({ errors: [{ message: `demo Storefront API: operation ${name ?? "(anonymous)"} is not mocked` }] });
    return HttpResponse.json({ data: resolver(body.variables ?? {}) });
  }),
];
