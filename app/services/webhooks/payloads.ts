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
const idLike = z.union([ident.min(1), z.number().int()]).transform(String);
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
  .object({ id: idLike.nullish(), email: text.nullish(), first_name: text.nullish() })
  .nullish();

export const checkoutPayload = z.object({
  id: idLike,
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

export const checkoutDeletePayload = z.object({ id: idLike, token: ident.nullish() });

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

export const orderPayload = z.object({
  id: idLike,
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
});

export const scopesUpdatePayload = z.object({ current: z.array(ident) });

export const customerRedactPayload = z.object({
  shop_domain: z.string().optional(),
  customer: z.object({ id: idLike.nullish(), email: text.nullish(), phone: text.nullish() }),
  orders_to_redact: z.array(idLike).optional(),
});

export const dataRequestPayload = z.object({
  shop_domain: z.string().optional(),
  customer: z.object({ id: idLike.nullish(), email: text.nullish(), phone: text.nullish() }),
  orders_requested: z.array(idLike).optional(),
  data_request: z.object({ id: idLike }).optional(),
});

export const shopRedactPayload = z.object({ shop_domain: z.string().optional() });

export const VISITOR_ATTRIBUTE = "_intentful_vid";

export function visitorIdFrom(attributes: Array<{ name: string; value: string }>): string | null {
  const v = attributes.find((a) => a.name === VISITOR_ATTRIBUTE)?.value;
  return v && /^[A-Za-z0-9_.:-]{1,64}$/.test(v) ? v : null;
}

export function normalizeEmail(email: string | null | undefined): string | null {
  const e = email?.trim().toLowerCase();
  return e && e.length <= 254 && e.includes("@") ? e : null; // 254: the longest valid address; the column is indexed
}
