import { z } from "zod";

/**
 * What we read of each webhook payload. Only the fields we use are validated (Shopify adds
 * fields over time; unknown ones pass through untouched). A payload that fails here is
 * recorded as rejected and acknowledged, so Shopify does not retry a payload that can never
 * succeed.
 */
const money = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const n = typeof v === "number" ? v : Number(v);
  if (!Number.isFinite(n) || n < 0) {
    ctx.addIssue({ code: "custom", message: "must be a non-negative decimal amount" });
    return z.NEVER;
  }
  return Math.round(n * 100);
});
const idLike = z.union([z.string().min(1), z.number().int()]).transform(String);
const dateTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO date-time");
const noteAttributes = z
  .array(z.object({ name: z.string(), value: z.union([z.string(), z.number(), z.null()]).transform((v) => (v == null ? "" : String(v))) }))
  .nullish()
  .transform((v) => v ?? []);

export const lineItemSchema = z.object({
  title: z.string().default(""),
  variant_title: z.string().nullish(),
  quantity: z.number().int().min(0).default(1),
  price: money.optional(),
  line_price: money.optional(),
  variant_id: idLike.nullish(),
  product_id: idLike.nullish(),
  sku: z.string().nullish(),
  image_url: z.string().nullish(),
});

const customerSchema = z
  .object({ id: idLike.nullish(), email: z.string().nullish(), first_name: z.string().nullish() })
  .nullish();

export const checkoutPayload = z.object({
  id: idLike,
  token: z.string().min(1),
  cart_token: z.string().nullish(),
  email: z.string().nullish(),
  customer: customerSchema,
  total_price: money,
  currency: z.string().length(3).optional(),
  presentment_currency: z.string().length(3).optional(),
  line_items: z.array(lineItemSchema),
  abandoned_checkout_url: z.string().nullish(),
  buyer_accepts_marketing: z.boolean().nullish(),
  completed_at: dateTime.nullish(),
  created_at: dateTime.optional(),
  updated_at: dateTime,
  note_attributes: noteAttributes,
});

export const checkoutDeletePayload = z.object({ id: idLike, token: z.string().nullish() });

export const cartPayload = z.object({
  id: z.string().min(1),
  token: z.string().min(1),
  line_items: z.array(lineItemSchema),
  updated_at: dateTime,
  created_at: dateTime.optional(),
  note: z.string().nullish(),
});

export const orderPayload = z.object({
  id: idLike,
  name: z.string().nullish(),
  email: z.string().nullish(),
  contact_email: z.string().nullish(),
  customer: customerSchema,
  checkout_token: z.string().nullish(),
  cart_token: z.string().nullish(),
  total_price: money,
  currency: z.string().length(3).optional(),
  created_at: dateTime,
  note_attributes: noteAttributes,
});

export const scopesUpdatePayload = z.object({ current: z.array(z.string()) });

export const customerRedactPayload = z.object({
  shop_domain: z.string().optional(),
  customer: z.object({ id: idLike.nullish(), email: z.string().nullish(), phone: z.string().nullish() }),
  orders_to_redact: z.array(idLike).optional(),
});

export const dataRequestPayload = z.object({
  shop_domain: z.string().optional(),
  customer: z.object({ id: idLike.nullish(), email: z.string().nullish(), phone: z.string().nullish() }),
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
  return e && e.includes("@") ? e : null;
}
