import { z } from "zod";

/**
 * What we read of each webhook payload. Only the fields we use are validated (Shopify adds
 * fields over time; unknown ones pass through untouched). A payload that fails here is
 * recorded as rejected and acknowledged, so Shopify does not retry a payload that can never
 * succeed.
 */

/**
 * Strings we store must survive the trip to the database: JSON.parse lets a lone UTF-16
 * surrogate ("\ud800") through, which Prisma's query protocol cannot carry, and PostgreSQL
 * refuses NUL in text and jsonb. Both would fail the write with a 5xx (and a retry storm).
 * Free text is repaired (U+FFFD); identifiers we match on are refused instead of rewritten.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const storable = (s: string) => !s.includes("\u0000") && s.replace(LONE_SURROGATE, "") === s;
const text = z.string().transform((s) => s.replace(LONE_SURROGATE, "\ufffd").replaceAll("\u0000", "\ufffd"));
/** Tokens and ids: indexed columns, so also bounded (a PostgreSQL btree entry holds ~2.7 KB). */
const ident = z.string().max(255).refine(storable, "must be well-formed text without NUL characters");

/** Cents columns are 32-bit integers (PostgreSQL `integer`): a larger amount cannot be stored. */
export const MAX_CENTS = 2_147_483_647;

const money = z.union([z.string(), z.number()]).transform((v, ctx) => {
  // Number("") and Number(" ") are 0, Number("0x10") is 16: a string must be a plain decimal.
  const n = typeof v === "number" ? v : /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < 0) {
    ctx.addIssue({ code: "custom", message: "must be a non-negative decimal amount" });
    return z.NEVER;
  }
  const cents = Math.round(n * 100);
  if (cents > MAX_CENTS) {
    ctx.addIssue({ code: "custom", message: `must be at most ${MAX_CENTS / 100}` });
    return z.NEVER;
  }
  return cents;
});
/**
 * Shopify ids are 64-bit: its own sample payloads carry ids above 2^53 (820982911946154508).
 * `parseWebhookJson` keeps such digits as strings; an id that still arrives as an unsafe number
 * has lost digits already and is refused rather than stored wrong. Kept as decimal strings.
 */
const idLike = z.union([ident.min(1), z.number().int().refine(Number.isSafeInteger, "is a number too large to read exactly")]).transform(String);
/** `gid://shopify/Order/820982911946154508`: the exact id Shopify also sends as a string. */
const gid = z.string().max(255).nullish();
/** The numeric id of a GID, or null. */
export function idFromGid(value: string | null | undefined): string | null {
  const m = value ? /^gid:\/\/shopify\/[A-Za-z]+\/(\d{1,20})(?:\?.*)?$/.exec(value) : null;
  return m ? m[1] : null;
}
/** An object's id, preferring its `admin_graphql_api_id` (always a string, so always exact). */
const withExactId = <T extends { id?: string | null; admin_graphql_api_id?: string | null }>(o: T) => ({
  ...o,
  id: idFromGid(o.admin_graphql_api_id) ?? o.id ?? null,
});
const currency = ident.length(3);
/** Years 1000–9999: Date.parse accepts ±271 821, which neither Prisma nor PostgreSQL can store. */
const dateTime = z.string().refine((s) => {
  const ms = Date.parse(s);
  return ms >= Date.UTC(1000, 0, 1) && ms < Date.UTC(10_000, 0, 1);
}, "must be an ISO date-time");
const noteAttributes = z
  .array(z.object({ name: z.string(), value: z.union([z.string(), z.number(), z.null()]).transform((v) => (v == null ? "" : String(v))) }))
  .nullish()
  .transform((v) => v ?? []);

export const lineItemSchema = z.object({
  title: text.default(""),
  variant_title: text.nullish(),
  quantity: z.number().int().min(0).default(1),
  price: money.optional(),
  line_price: money.optional(),
  variant_id: idLike.nullish(),
  product_id: idLike.nullish(),
  sku: text.nullish(),
  image_url: text.nullish(),
});

const customerSchema = z
  .object({ id: idLike.nullish(), admin_graphql_api_id: gid, email: text.nullish(), first_name: text.nullish() })
  .transform(withExactId)
  .nullish();

/**
 * checkouts/create and checkouts/update, API 2026-10. Keyed by `token`: Shopify removed `id` from
 * these payloads in 2026-04 (developer changelog 2026-03-06, "Removed Checkout ID from checkout
 * and order webhooks"); an `id` sent by an older API version is ignored.
 */
export const checkoutPayload = z.object({
  token: ident.min(1),
  cart_token: ident.nullish(),
  email: text.nullish(),
  customer: customerSchema,
  total_price: money,
  currency: currency.optional(),
  presentment_currency: currency.optional(),
  line_items: z.array(lineItemSchema),
  abandoned_checkout_url: text.nullish(),
  buyer_accepts_marketing: z.boolean().nullish(),
  completed_at: dateTime.nullish(),
  created_at: dateTime.optional(),
  updated_at: dateTime,
  note_attributes: noteAttributes,
});

/**
 * checkouts/delete: the published 2026-07 sample still carries `id` and `cart_token` but no `token`,
 * while checkouts/create|update no longer carry `id`: the checkout is found by token when sent,
 * else by the id stored from an older API version, else as the open checkout of its cart.
 */
export const checkoutDeletePayload = z
  .object({ id: idLike.nullish(), token: ident.nullish(), cart_token: ident.nullish() })
  .refine((p) => p.id != null || p.token != null || p.cart_token != null, { message: "needs the checkout's token, id or cart_token" });

export const cartPayload = z
  .object({
    id: z.string().min(1),
    token: ident.min(1),
    line_items: z.array(lineItemSchema),
    updated_at: dateTime,
    created_at: dateTime.optional(),
    note: z.string().nullish(),
  })
  .refine((c) => cartTotalCents(c.line_items) <= MAX_CENTS, { path: ["line_items"], message: `cart total must be at most ${MAX_CENTS / 100}` });

/** A cart's value as the carts/* handler stores it: each line's line_price, else price × quantity. */
export function cartTotalCents(lines: Array<{ quantity: number; price?: number; line_price?: number }>): number {
  return lines.reduce((sum, li) => sum + (li.line_price ?? (li.price ?? 0) * li.quantity), 0);
}

/**
 * orders/create, API 2026-10: finds its checkout by `checkout_token` (`checkout_id` was removed in
 * 2026-04). The order id is read from `admin_graphql_api_id` when present.
 */
export const orderPayload = z
  .object({
    id: idLike,
    admin_graphql_api_id: gid,
    name: text.nullish(),
    email: text.nullish(),
    contact_email: text.nullish(),
    customer: customerSchema,
    checkout_token: ident.nullish(),
    cart_token: ident.nullish(),
    total_price: money,
    currency: currency.optional(),
    created_at: dateTime,
    note_attributes: noteAttributes,
  })
  .transform((o) => ({ ...o, id: idFromGid(o.admin_graphql_api_id) ?? o.id }));

export const scopesUpdatePayload = z.object({ current: z.array(ident) });

/** The shop a compliance payload names; intake refuses one that is not the delivery's shop. */
const shopDomain = z.string().min(1).max(255);

export const customerRedactPayload = z.object({
  shop_domain: shopDomain,
  customer: z.object({ id: idLike.nullish(), email: text.nullish(), phone: text.nullish() }),
  orders_to_redact: z.array(idLike).optional(),
});

export const dataRequestPayload = z.object({
  shop_domain: shopDomain,
  customer: z.object({ id: idLike.nullish(), email: text.nullish(), phone: text.nullish() }),
  orders_requested: z.array(idLike).optional(),
  data_request: z.object({ id: idLike }).optional(),
});

export const shopRedactPayload = z.object({ shop_domain: shopDomain });

/** app/uninstalled sends the Shop resource: its `myshopify_domain` (and `domain`) name the shop. */
export const appUninstalledPayload = z
  .object({ myshopify_domain: z.string().max(255).nullish(), domain: z.string().max(255).nullish() })
  .refine((p) => !!(p.myshopify_domain || p.domain), { message: "names no shop (myshopify_domain or domain)" });

/** The shop domains a payload names, for topics whose effect is destructive. */
export function payloadShops(payload: { shop_domain?: string | null; myshopify_domain?: string | null; domain?: string | null }): string[] {
  return [payload.shop_domain, payload.myshopify_domain, payload.domain].filter((d): d is string => !!d).map((d) => d.toLowerCase());
}

export const VISITOR_ATTRIBUTE = "_intentful_vid";

export function visitorIdFrom(attributes: Array<{ name: string; value: string }>): string | null {
  const v = attributes.find((a) => a.name === VISITOR_ATTRIBUTE)?.value;
  return v && /^[A-Za-z0-9_.:-]{1,64}$/.test(v) ? v : null;
}

export function normalizeEmail(email: string | null | undefined): string | null {
  const e = email?.trim().toLowerCase();
  return e && e.length <= 254 && e.includes("@") ? e : null; // 254: the longest valid address; the column is indexed
}
