import { randomUUID } from "node:crypto";

/** Checkouts are created "now" (webhook intake schedules from the real clock); tests move the worker's clock from here. */
export const T0 = new Date(Math.floor(Date.now() / 60_000) * 60_000);
export const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
/**
 * `when`, or the real time if that is later. T0 is the last whole minute when the file loaded,
 * and the intake schedules its jobs at the real time: a worker run at `at(1)` found no due
 * recovery.start when a file's first webhook came more than a minute after T0 (a CI run on
 * PostgreSQL, three smtp-down tests). Run the worker that enrols at `notBefore(at(1))`.
 */
export const notBefore = (when: Date) => new Date(Math.max(when.getTime(), Date.now()));

export function checkoutPayload(overrides: Record<string, unknown> = {}) {
  const token = `ck_${randomUUID().replace(/-/g, "").slice(0, 20)}`;
  const created = T0.toISOString();
  // API 2026-10: checkouts carry no `id` (removed in 2026-04); `token` is the key.
  return {
    token,
    cart_token: `ct_${token.slice(3)}`,
    email: "Shopper@Example.com",
    customer: null,
    total_price: "59.00",
    currency: "USD",
    presentment_currency: "USD",
    buyer_accepts_marketing: false,
    abandoned_checkout_url: `https://shop-a.myshopify.com/checkouts/${token}/recover`,
    line_items: [
      { title: "Linen Shirt", variant_title: "M / Sand", quantity: 1, price: "39.00", variant_id: 11, product_id: 1, sku: "LS-M" },
      { title: "Canvas Tote", variant_title: null, quantity: 1, price: "20.00", variant_id: 22, product_id: 2, sku: "CT" },
    ],
    completed_at: null,
    created_at: created,
    updated_at: created,
    note_attributes: [{ name: "_intentful_vid", value: "v_abc123" }],
    ...overrides,
  };
}

export function orderPayload(checkout: { token: string; cart_token?: string; email?: string }, overrides: Record<string, unknown> = {}) {
  return {
    id: Math.floor(Math.random() * 1e12),
    name: "#1001",
    email: checkout.email ?? null,
    checkout_token: checkout.token,
    cart_token: checkout.cart_token ?? null,
    total_price: "59.00",
    currency: "USD",
    created_at: at(30).toISOString(),
    note_attributes: [{ name: "_intentful_vid", value: "v_abc123" }],
    customer: null,
    line_items: [],
    ...overrides,
  };
}
