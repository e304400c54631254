import { createHmac, randomUUID } from "node:crypto";
import { getEnv } from "~/env.server";
import { apiVersion } from "~/shopify.server";
import { logger } from "~/services/logger.server";
import { checkoutTotals, pricedLines, type CartLine, type CartRecord, type CheckoutRecord } from "./cart.server";
import { hasOnlyDefaultVariant, imagePath } from "./catalog";
import { DEMO_SHOP } from "./constants";

/**
 * Demo only: Shopify's side of webhooks. Builds carts/*, checkouts/* and orders/create
 * payloads from the demo store's state and delivers them, signed like Shopify signs them
 * (base64 HMAC-SHA256 of the raw body with the app secret), to the app's own webhook routes.
 * Delivery never blocks or breaks the shopper: failures are logged and kept in a small
 * in-memory log that the storefront shows and /demo/webhooks.json lists.
 */
export type Topic = "carts/create" | "carts/update" | "checkouts/create" | "checkouts/update" | "orders/create";

export interface Delivery {
  topic: Topic;
  webhookId: string;
  eventId: string;
  status: number | null;
  ok: boolean;
  error?: string;
  at: string;
  ms: number;
  /** the cart id, checkout token or order id the payload is about */
  subject: string;
}

const MAX_LOG = 200;
const log: Delivery[] = [];

export function recentDeliveries(): Delivery[] {
  return [...log];
}

export function signWebhookBody(body: string, secret = getEnv().SHOPIFY_API_SECRET): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("base64");
}

/** Where Shopify would deliver: the app URL (in the demo, this same server). */
function webhookUrl(topic: Topic): string {
  return new URL(`/webhooks/${topic}`, getEnv().SHOPIFY_APP_URL).toString();
}

export interface SendOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
  now?: Date;
}

/** Delivers one webhook; resolves with the delivery record, never rejects. */
export async function sendWebhook(topic: Topic, payload: unknown, subject: string, options: SendOptions = {}): Promise<Delivery> {
  const body = JSON.stringify(payload);
  const now = options.now ?? new Date();
  const delivery: Delivery = {
    topic,
    webhookId: randomUUID(),
    eventId: randomUUID(),
    status: null,
    ok: false,
    at: now.toISOString(),
    ms: 0,
    subject,
  };
  const started = performance.now();
  try {
    const response = await (options.fetch ?? fetch)(webhookUrl(topic), {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "Shopify-Captain-Hook",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": signWebhookBody(body),
        "X-Shopify-Shop-Domain": DEMO_SHOP,
        "X-Shopify-API-Version": apiVersion,
        "X-Shopify-Webhook-Id": delivery.webhookId,
        "X-Shopify-Triggered-At": now.toISOString(),
        "X-Shopify-Event-Id": delivery.eventId,
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
    await response.arrayBuffer().catch(() => undefined);
    delivery.status = response.status;
    delivery.ok = response.status >= 200 && response.status < 300;
  } catch (error) {
    delivery.error = error instanceof Error ? error.message : String(error);
  }
  delivery.ms = Math.round(performance.now() - started);
  log.unshift(delivery);
  log.length = Math.min(log.length, MAX_LOG);
  const meta = { topic, webhookId: delivery.webhookId, status: delivery.status, ms: delivery.ms, error: delivery.error };
  if (delivery.ok) logger.info("demo webhook delivered", meta);
  else logger.warn("demo webhook not accepted (the storefront carries on)", meta);
  return delivery;
}

// Cart webhooks go out in order per cart, after the shopper's response.
const cartQueues = new Map<string, Promise<unknown>>();

export function sendCartWebhook(kind: "create" | "update", cart: CartRecord, options: SendOptions = {}): Promise<Delivery> {
  const payload = cartPayload(cart);
  const previous = cartQueues.get(cart.id) ?? Promise.resolve();
  const next = previous.then(() => sendWebhook(`carts/${kind}`, payload, cart.id, options));
  cartQueues.set(cart.id, next);
  void next.finally(() => {
    if (cartQueues.get(cart.id) === next) cartQueues.delete(cart.id);
  });
  return next;
}

const money = (cents: number) => (cents / 100).toFixed(2);
const set = (cents: number, currency: string) => ({
  shop_money: { amount: money(cents), currency_code: currency },
  presentment_money: { amount: money(cents), currency_code: currency },
});

function lineItems(lines: CartLine[], currency: string, kind: "cart" | "checkout" | "order", origin: string) {
  return pricedLines(lines).map(({ line, product: p, variant: v, linePrice }, i) => {
    const base = {
      id: kind === "order" ? 16_000_000_000_000 + i : kind === "cart" ? v.id : line.key,
      key: line.key,
      title: p.title,
      variant_title: hasOnlyDefaultVariant(p) ? null : v.title,
      quantity: line.quantity,
      price: money(v.price),
      line_price: money(linePrice),
      variant_id: v.id,
      product_id: p.id,
      sku: v.sku,
      vendor: p.vendor,
      grams: v.grams,
      taxable: true,
      gift_card: false,
      requires_shipping: true,
      properties: Object.entries(line.properties).map(([name, value]) => ({ name, value })),
      image_url: origin + imagePath(p.handle),
    };
    if (kind === "cart") {
      return {
        ...base,
        properties: line.properties,
        discounted_price: money(v.price),
        discounts: [],
        original_line_price: money(linePrice),
        original_price: money(v.price),
        total_discount: "0.00",
        price_set: set(v.price, currency),
        line_price_set: set(linePrice, currency),
      };
    }
    return {
      ...base,
      variant_price: money(v.price),
      compare_at_price: v.compareAtPrice === null ? null : money(v.compareAtPrice),
      applied_discounts: [],
      discount_allocations: [],
      tax_lines: [],
      fulfillment_service: "manual",
    };
  });
}

const noteAttributes = (attributes: Record<string, string>) => Object.entries(attributes).map(([name, value]) => ({ name, value }));

export function cartPayload(cart: CartRecord, currency = "USD") {
  return {
    id: cart.id,
    token: cart.id,
    line_items: lineItems(cart.lines, currency, "cart", ""),
    note: cart.note || null,
    updated_at: cart.updatedAt,
    created_at: cart.createdAt,
  };
}

function discountCodes(c: CheckoutRecord, amount: number) {
  return c.discount ? [{ code: c.discount.code, amount: money(amount), type: "percentage" }] : [];
}

export function checkoutPayload(c: CheckoutRecord, origin: string, currency = "USD") {
  const t = checkoutTotals(c);
  // API 2026-10: no `id` (removed from checkouts/* in 2026-04); `token` is the key.
  return {
    token: c.token,
    cart_token: c.cartId,
    email: c.email,
    gateway: null,
    buyer_accepts_marketing: c.acceptsMarketing,
    buyer_accepts_sms_marketing: false,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    completed_at: c.completedAt,
    closed_at: null,
    landing_site: "/demo/",
    referring_site: "",
    note: c.note || null,
    note_attributes: noteAttributes(c.attributes),
    taxes_included: false,
    total_weight: pricedLines(c.lines).reduce((n, l) => n + l.variant.grams * l.line.quantity, 0),
    currency,
    presentment_currency: currency,
    customer_locale: "en",
    source_name: "web",
    source_url: null,
    name: `#${c.id}`,
    phone: null,
    sms_marketing_phone: null,
    line_items: lineItems(c.lines, currency, "checkout", origin),
    shipping_lines: [],
    tax_lines: [],
    discount_codes: discountCodes(c, t.discount),
    abandoned_checkout_url: `${origin}/demo/checkout/${c.token}`,
    subtotal_price: money(t.total),
    total_line_items_price: money(t.subtotal),
    total_discounts: money(t.discount),
    total_tax: "0.00",
    total_duties: null,
    total_price: money(t.total),
    billing_address: null,
    shipping_address: null,
    customer: null,
  };
}

export function orderPayload(c: CheckoutRecord, origin: string, currency = "USD") {
  const order = c.order;
  if (!order) throw new Error("the checkout has no order yet");
  const t = checkoutTotals(c);
  return {
    id: order.id,
    admin_graphql_api_id: `gid://shopify/Order/${order.id}`,
    name: order.name,
    order_number: order.number,
    number: order.number - 1000,
    token: c.token.split("").reverse().join(""),
    checkout_token: c.token,
    cart_token: c.cartId,
    email: c.email,
    contact_email: c.email,
    buyer_accepts_marketing: c.acceptsMarketing,
    created_at: order.createdAt,
    updated_at: order.createdAt,
    processed_at: order.createdAt,
    currency,
    presentment_currency: currency,
    financial_status: "paid",
    fulfillment_status: null,
    source_name: "web",
    test: true,
    note: c.note || null,
    note_attributes: noteAttributes(c.attributes),
    subtotal_price: money(t.total),
    total_line_items_price: money(t.subtotal),
    total_discounts: money(t.discount),
    total_tax: "0.00",
    total_price: money(t.total),
    total_price_set: set(t.total, currency),
    discount_codes: discountCodes(c, t.discount),
    order_status_url: `${origin}/demo/checkout/${c.token}/thank_you`,
    line_items: lineItems(c.lines, currency, "order", origin),
    customer: null,
  };
}
