/**
 * Demo only: the pretend store's catalog. Ids look like Shopify's numeric REST ids, prices are
 * integer cents (as the Ajax API returns them), images are small SVGs served by
 * /demo/images/<handle>.svg so the storefront makes no external request.
 */
export interface Variant {
  id: number;
  title: string;
  price: number;
  compareAtPrice: number | null;
  sku: string;
  available: boolean;
  grams: number;
}

export interface Product {
  id: number;
  handle: string;
  title: string;
  vendor: string;
  type: string;
  tags: string[];
  description: string;
  collections: string[];
  /** handles shown for intent=complementary */
  complements: string[];
  color: string;
  accent: string;
  shape: Shape;
  createdAt: string;
  variants: Variant[];
}

type Shape = "shirt" | "bag" | "mug" | "hat" | "wallet" | "socks" | "candle" | "bottle";

export interface Collection {
  handle: string;
  title: string;
  description: string;
}

const P = 8_012_345_670_000;
const V = 45_012_345_670_000;

function single(n: number, price: number, sku: string, extra: Partial<Variant> = {}): Variant[] {
  return [{ id: V + n * 10, title: "Default Title", price, compareAtPrice: null, sku, available: true, grams: 300, ...extra }];
}

export const PRODUCTS: Product[] = [
  {
    id: P + 1,
    handle: "linen-shirt",
    title: "Linen Shirt",
    vendor: "Demo Shop",
    type: "Shirts",
    tags: ["linen", "summer", "apparel"],
    description: "A breathable shirt cut from washed European linen. Relaxed fit, mother-of-pearl buttons.",
    collections: ["apparel"],
    complements: ["cotton-socks", "wool-beanie"],
    color: "#dfe7e2",
    accent: "#5b7f6e",
    shape: "shirt",
    createdAt: "2026-03-02T10:00:00Z",
    variants: [
      { id: V + 11, title: "S", price: 6800, compareAtPrice: null, sku: "LS-S", available: true, grams: 250 },
      { id: V + 12, title: "M", price: 6800, compareAtPrice: null, sku: "LS-M", available: true, grams: 260 },
      { id: V + 13, title: "L", price: 6800, compareAtPrice: null, sku: "LS-L", available: true, grams: 270 },
    ],
  },
  {
    id: P + 2,
    handle: "canvas-tote",
    title: "Canvas Tote",
    vendor: "Demo Shop",
    type: "Bags",
    tags: ["canvas", "bags", "accessories"],
    description: "Heavy 16 oz cotton canvas with an inside pocket. Carries a week of groceries.",
    collections: ["accessories"],
    complements: ["leather-wallet", "water-bottle"],
    color: "#efe6d2",
    accent: "#9a7b4f",
    shape: "bag",
    createdAt: "2026-02-11T10:00:00Z",
    variants: single(2, 3200, "CT-01"),
  },
  {
    id: P + 3,
    handle: "ceramic-mug",
    title: "Ceramic Mug",
    vendor: "Kiln & Co",
    type: "Kitchen",
    tags: ["ceramic", "home", "gift"],
    description: "Hand-thrown stoneware mug, 350 ml, glazed inside and out. Dishwasher safe.",
    collections: ["home"],
    complements: ["scented-candle"],
    color: "#e4e9f2",
    accent: "#4f6d9a",
    shape: "mug",
    createdAt: "2026-01-20T10:00:00Z",
    variants: single(3, 2400, "CM-01", { compareAtPrice: 3000 }),
  },
  {
    id: P + 4,
    handle: "wool-beanie",
    title: "Wool Beanie",
    vendor: "Demo Shop",
    type: "Hats",
    tags: ["wool", "winter", "apparel"],
    description: "Ribbed merino beanie, knitted in Portugal. Soft enough to wear all day.",
    collections: ["apparel", "accessories"],
    complements: ["linen-shirt"],
    color: "#f2e1e1",
    accent: "#a05252",
    shape: "hat",
    createdAt: "2026-01-05T10:00:00Z",
    variants: single(4, 2900, "WB-01"),
  },
  {
    id: P + 5,
    handle: "leather-wallet",
    title: "Leather Wallet",
    vendor: "Fold Goods",
    type: "Wallets",
    tags: ["leather", "accessories", "gift"],
    description: "Vegetable-tanned leather bifold with six card slots. Ages beautifully.",
    collections: ["accessories"],
    complements: ["canvas-tote"],
    color: "#ecdccb",
    accent: "#7a4e2d",
    shape: "wallet",
    createdAt: "2025-12-15T10:00:00Z",
    variants: single(5, 5400, "LW-01"),
  },
  {
    id: P + 6,
    handle: "cotton-socks",
    title: "Cotton Socks (3-pack)",
    vendor: "Demo Shop",
    type: "Socks",
    tags: ["cotton", "apparel"],
    description: "Three pairs of combed-cotton crew socks with a reinforced heel and toe.",
    collections: ["apparel"],
    complements: ["linen-shirt", "wool-beanie"],
    color: "#e6f0ea",
    accent: "#3f7d5a",
    shape: "socks",
    createdAt: "2025-11-30T10:00:00Z",
    variants: single(6, 1800, "CS-03"),
  },
  {
    id: P + 7,
    handle: "scented-candle",
    title: "Scented Candle",
    vendor: "Kiln & Co",
    type: "Home fragrance",
    tags: ["home", "gift", "candle"],
    description: "Soy wax with cedar and fig in a reusable ceramic vessel. Burns about 40 hours.",
    collections: ["home"],
    complements: ["ceramic-mug"],
    color: "#f4ead9",
    accent: "#b0823a",
    shape: "candle",
    createdAt: "2025-11-02T10:00:00Z",
    variants: single(7, 3600, "SC-01"),
  },
  {
    id: P + 8,
    handle: "water-bottle",
    title: "Insulated Water Bottle",
    vendor: "Fold Goods",
    type: "Bottles",
    tags: ["outdoor", "accessories"],
    description: "Double-walled steel bottle, 750 ml. Cold for 24 hours, hot for 12.",
    collections: ["accessories", "home"],
    complements: ["canvas-tote"],
    color: "#dcecef",
    accent: "#2f7482",
    shape: "bottle",
    createdAt: "2025-10-10T10:00:00Z",
    variants: single(8, 3900, "WB-750", { available: false }),
  },
];

export const COLLECTIONS: Collection[] = [
  { handle: "all", title: "All products", description: "Everything in the shop." },
  { handle: "apparel", title: "Apparel", description: "Shirts, socks and hats in natural fibres." },
  { handle: "accessories", title: "Accessories", description: "Bags, wallets and everyday carry." },
  { handle: "home", title: "Home", description: "Ceramics and candles for slow mornings." },
];

export function productByHandle(handle: string): Product | undefined {
  return PRODUCTS.find((p) => p.handle === handle);
}

export function productById(id: number | string): Product | undefined {
  return PRODUCTS.find((p) => String(p.id) === String(id));
}

export function variantById(id: number | string): { product: Product; variant: Variant } | undefined {
  for (const product of PRODUCTS) {
    const variant = product.variants.find((v) => String(v.id) === String(id));
    if (variant) return { product, variant };
  }
  return undefined;
}

export function collectionByHandle(handle: string): Collection | undefined {
  return COLLECTIONS.find((c) => c.handle === handle);
}

export function productsIn(collection: string): Product[] {
  return collection === "all" ? PRODUCTS : PRODUCTS.filter((p) => p.collections.includes(collection));
}

export function isAvailable(p: Product): boolean {
  return p.variants.some((v) => v.available);
}

export function priceOf(p: Product): number {
  return Math.min(...p.variants.map((v) => v.price));
}

export function hasOnlyDefaultVariant(p: Product): boolean {
  return p.variants.length === 1 && p.variants[0].title === "Default Title";
}

/** Case-insensitive match on every word against title, type, vendor and tags. */
export function searchProducts(query: string): Product[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [];
  return PRODUCTS.filter((p) => {
    const text = [p.title, p.type, p.vendor, ...p.tags].join(" ").toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/**
 * Like Shopify's product recommendations: related = products sharing a collection or tag,
 * best overlap first; complementary = the merchant's hand-picked list (Search & Discovery).
 * Never the product itself, sold-out or free products, or anything in `exclude` (the cart).
 */
export function recommendations(
  productId: number | string,
  { intent = "related", limit = 10, exclude = [] }: { intent?: "related" | "complementary"; limit?: number; exclude?: Array<number | string> } = {},
): Product[] {
  const source = productById(productId);
  if (!source) return [];
  const skip = new Set([String(source.id), ...exclude.map(String)]);
  const eligible = (p: Product) => !skip.has(String(p.id)) && isAvailable(p) && priceOf(p) > 0;
  const capped = Math.max(1, Math.min(10, Math.trunc(limit) || 10));
  if (intent === "complementary") {
    return source.complements
      .map((h) => productByHandle(h))
      .filter((p): p is Product => !!p && eligible(p))
      .slice(0, capped);
  }
  const score = (p: Product) => p.collections.filter((c) => source.collections.includes(c)).length * 2 + p.tags.filter((t) => source.tags.includes(t)).length;
  return PRODUCTS.filter(eligible)
    .map((p, i) => ({ p, s: score(p), i }))
    .filter((x) => x.s > 0)
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((x) => x.p)
    .slice(0, capped);
}

export function imagePath(handle: string): string {
  return `/demo/images/${handle}.svg`;
}

const SHAPES: Record<Shape, string> = {
  shirt: '<path d="M220 150l-90 50 35 80 45-20v190h180V260l45 20 35-80-90-50c-10 30-40 50-80 50s-70-20-80-50z"/>',
  bag: '<path d="M170 240h260l-20 230H190z"/><path d="M240 240v-40a60 60 0 0 1 120 0v40" fill="none" stroke-width="18" stroke="currentColor"/>',
  mug: '<path d="M180 200h200v210a40 40 0 0 1-40 40H220a40 40 0 0 1-40-40z"/><path d="M380 250h30a45 45 0 0 1 0 90h-30" fill="none" stroke-width="22" stroke="currentColor"/>',
  hat: '<path d="M170 380c0-120 50-190 130-190s130 70 130 190z"/><rect x="150" y="370" width="300" height="60" rx="20"/><circle cx="300" cy="175" r="28"/>',
  wallet: '<rect x="150" y="210" width="300" height="190" rx="22"/><rect x="330" y="270" width="120" height="70" rx="14" opacity=".6"/>',
  socks: '<path d="M230 150h80v190l60 50a40 40 0 0 1-40 70l-100-70z"/><path d="M300 170h70v160l50 40a35 35 0 0 1-35 60l-85-60z" opacity=".6"/>',
  candle: '<rect x="210" y="250" width="180" height="200" rx="18"/><path d="M300 170c20 25 22 45 0 65-22-20-20-40 0-65z"/>',
  bottle: '<rect x="230" y="200" width="140" height="260" rx="40"/><rect x="255" y="150" width="90" height="60" rx="12"/>',
};

/** A 600×600 SVG product shot: a tinted background and a simple silhouette. */
export function productSvg(p: Product): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 600" width="600" height="600" role="img" aria-label="${p.title.replace(/[&<>"]/g, "")}"><rect width="600" height="600" fill="${p.color}"/><g fill="${p.accent}" color="${p.accent}">${SHAPES[p.shape]}</g></svg>`;
}

/** A product as Shopify's `/products/<handle>.js` and recommendations return it (prices in cents). */
export function productJson(p: Product) {
  const prices = p.variants.map((v) => v.price);
  const compare = p.variants.map((v) => v.compareAtPrice ?? 0);
  const image = imagePath(p.handle);
  const defaultOnly = hasOnlyDefaultVariant(p);
  return {
    id: p.id,
    title: p.title,
    handle: p.handle,
    description: `<p>${p.description}</p>`,
    published_at: p.createdAt,
    created_at: p.createdAt,
    vendor: p.vendor,
    type: p.type,
    tags: p.tags,
    price: Math.min(...prices),
    price_min: Math.min(...prices),
    price_max: Math.max(...prices),
    available: isAvailable(p),
    price_varies: new Set(prices).size > 1,
    compare_at_price: Math.max(...compare) || null,
    compare_at_price_min: Math.min(...compare),
    compare_at_price_max: Math.max(...compare),
    compare_at_price_varies: new Set(compare).size > 1,
    variants: p.variants.map((v) => ({
      id: v.id,
      title: v.title,
      option1: v.title,
      option2: null,
      option3: null,
      sku: v.sku,
      requires_shipping: true,
      taxable: true,
      featured_image: null,
      available: v.available,
      name: defaultOnly ? p.title : `${p.title} - ${v.title}`,
      public_title: defaultOnly ? null : v.title,
      options: [v.title],
      price: v.price,
      weight: v.grams,
      compare_at_price: v.compareAtPrice,
      inventory_management: "shopify",
      barcode: null,
    })),
    images: [image],
    featured_image: image,
    options: [{ name: defaultOnly ? "Title" : "Size", position: 1, values: p.variants.map((v) => v.title) }],
    url: `/demo/products/${p.handle}`,
    media: [
      {
        alt: p.title,
        id: p.id + 1,
        position: 1,
        preview_image: { aspect_ratio: 1, height: 600, width: 600, src: image },
        aspect_ratio: 1,
        height: 600,
        media_type: "image",
        src: image,
        width: 600,
      },
    ],
  };
}
