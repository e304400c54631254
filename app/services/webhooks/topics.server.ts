import type { Prisma } from "@prisma/client";
import type { ZodType } from "zod";
import { insertJobOnce, upsertCartSnapshot, upsertCheckoutSnapshot } from "./sql.server";
import {
  cartPayload,
  checkoutDeletePayload,
  checkoutPayload,
  customerRedactPayload,
  dataRequestPayload,
  normalizeEmail,
  orderPayload,
  scopesUpdatePayload,
  shopRedactPayload,
  visitorIdFrom,
} from "./payloads";

type Tx = Prisma.TransactionClient;

export interface ApplyContext<P> {
  shop: string;
  payload: P;
  triggeredAt: Date | null;
  now: Date;
}
export type ApplyResult = void | { outcome: "accepted" | "stale" | "duplicate"; reason?: string };

export interface TopicHandler<P = any> {
  schema: ZodType<P>;
  apply(tx: Tx, ctx: ApplyContext<P>): Promise<ApplyResult>;
}

function define<P>(schema: ZodType<P>, apply: (tx: Tx, ctx: ApplyContext<P>) => Promise<ApplyResult>): TopicHandler<P> {
  return { schema, apply };
}

/** Enqueue inside the webhook's transaction; a job with the same dedupe key is not added twice. */
async function enqueueTx(
  tx: Tx,
  job: { kind: string; shop: string; payload: object; runAt: Date; dedupeKey?: string },
) {
  if (job.dedupeKey) return insertJobOnce(tx, { ...job, dedupeKey: job.dedupeKey });
  await tx.job.create({ data: { kind: job.kind, shop: job.shop, payload: job.payload as Prisma.InputJsonValue, runAt: job.runAt } });
}

const upsertCheckout = define(checkoutPayload, async (tx, { shop, payload: p, now }) => {
  const email = normalizeEmail(p.email ?? p.customer?.email);
  // One statement: insert, or update unless the stored snapshot is newer (then null: stale).
  const status = await upsertCheckoutSnapshot(tx, {
    shop,
    token: p.token,
    shopifyId: p.id,
    cartToken: p.cart_token ?? null,
    email,
    customerId: p.customer?.id ?? null,
    visitorId: visitorIdFrom(p.note_attributes),
    totalCents: p.total_price,
    currency: p.presentment_currency ?? p.currency ?? "USD",
    lineItems: p.line_items,
    abandonedCheckoutUrl: p.abandoned_checkout_url ?? null,
    acceptsMarketing: p.buyer_accepts_marketing ?? false,
    completedAt: p.completed_at ? new Date(p.completed_at) : null,
    shopifyUpdatedAt: new Date(p.updated_at),
    createdAt: p.created_at ? new Date(p.created_at) : now,
  });
  if (status === null) {
    return { outcome: "stale", reason: `updated_at ${p.updated_at} is older than the stored snapshot` };
  }
  if (status === "open" && email) {
    await enqueueTx(tx, {
      kind: "recovery.start",
      shop,
      payload: { shop, checkoutToken: p.token },
      runAt: now,
      dedupeKey: `recovery.start:${shop}:${p.token}`,
    });
  }
});

const deleteCheckout = define(checkoutDeletePayload, async (tx, { shop, payload: p }) => {
  await tx.checkout.updateMany({
    where: { shop, OR: [{ shopifyId: p.id }, ...(p.token ? [{ token: p.token }] : [])] },
    data: { status: "deleted" },
  });
});

const upsertCart = define(cartPayload, async (tx, { shop, payload: p, now }) => {
  const totalCents = p.line_items.reduce((sum, li) => sum + (li.line_price ?? (li.price ?? 0) * li.quantity), 0);
  const fresh = await upsertCartSnapshot(tx, { shop, token: p.token, lineItems: p.line_items, totalCents, shopifyUpdatedAt: new Date(p.updated_at) });
  if (!fresh) {
    return { outcome: "stale", reason: `updated_at ${p.updated_at} is older than the stored snapshot` };
  }
  if (p.line_items.length > 0) {
    await enqueueTx(tx, {
      kind: "recovery.cart",
      shop,
      payload: { shop, cartToken: p.token },
      runAt: now,
      dedupeKey: `recovery.cart:${shop}:${p.token}`,
    });
  }
});

const createOrder = define(orderPayload, async (tx, { shop, payload: p, now }) => {
  const existing = await tx.order.findUnique({ where: { shop_orderId: { shop, orderId: p.id } }, select: { id: true } });
  if (existing) return { outcome: "duplicate", reason: "order already recorded" };
  const email = normalizeEmail(p.email ?? p.contact_email ?? p.customer?.email);
  const customerId = p.customer?.id ?? null;
  const orderedAt = new Date(p.created_at);
  await tx.order.create({
    data: {
      shop,
      orderId: p.id,
      name: p.name ?? null,
      checkoutToken: p.checkout_token ?? null,
      cartToken: p.cart_token ?? null,
      email,
      customerId,
      visitorId: visitorIdFrom(p.note_attributes),
      totalCents: p.total_price,
      currency: p.currency ?? "USD",
      orderedAt,
    },
  });
  if (p.checkout_token) {
    await tx.checkout.updateMany({
      where: { shop, token: p.checkout_token },
      data: { status: "completed", completedAt: orderedAt },
    });
  }
  // Stop every active recovery run this order answers: same checkout, cart, email or customer.
  const checkoutIds = p.checkout_token
    ? (await tx.checkout.findMany({ where: { shop, token: p.checkout_token }, select: { id: true } })).map((c) => c.id)
    : [];
  const matches: Prisma.FlowRunWhereInput[] = [];
  if (checkoutIds.length) matches.push({ checkoutId: { in: checkoutIds } });
  if (p.cart_token) matches.push({ cartToken: p.cart_token });
  if (email) matches.push({ email });
  if (customerId) matches.push({ customerId });
  if (matches.length) {
    await tx.flowRun.updateMany({
      where: { shop, status: "active", OR: matches },
      data: { status: "stopped", stopReason: "purchased", stoppedAt: now },
    });
  }
  await enqueueTx(tx, {
    kind: "order.attribute",
    shop,
    payload: { shop, orderId: p.id },
    runAt: now,
    dedupeKey: `order.attribute:${shop}:${p.id}`,
  });
});

const appUninstalled = define(shopRedactPayload.passthrough(), async (tx, { shop, now }) => {
  await tx.session.deleteMany({ where: { shop } });
  await tx.shop.updateMany({ where: { shop }, data: { uninstalledAt: now } });
  await tx.job.updateMany({ where: { shop, status: { in: ["pending", "running"] } }, data: { status: "cancelled", lockedUntil: null } });
  await tx.flowRun.updateMany({ where: { shop, status: "active" }, data: { status: "stopped", stopReason: "uninstalled", stoppedAt: now } });
});

const scopesUpdate = define(scopesUpdatePayload, async (tx, { shop, payload }) => {
  await tx.session.updateMany({ where: { shop }, data: { scope: payload.current.join(",") } });
});

const dataRequest = define(dataRequestPayload, async (tx, { shop, payload, now }) => {
  await enqueueTx(tx, { kind: "privacy.export", shop, payload: { shop, customer: payload.customer }, runAt: now });
});

const customerRedact = define(customerRedactPayload, async (tx, { shop, payload, now }) => {
  await enqueueTx(tx, { kind: "privacy.redact-customer", shop, payload: { shop, customer: payload.customer, orders: payload.orders_to_redact ?? [] }, runAt: now });
});

const shopRedact = define(shopRedactPayload, async (tx, { shop, now }) => {
  await enqueueTx(tx, { kind: "privacy.redact-shop", shop, payload: { shop }, runAt: now, dedupeKey: `privacy.redact-shop:${shop}:${now.toISOString().slice(0, 10)}` });
});

export const topicHandlers: Record<string, TopicHandler> = {
  "checkouts/create": upsertCheckout,
  "checkouts/update": upsertCheckout,
  "checkouts/delete": deleteCheckout,
  "carts/create": upsertCart,
  "carts/update": upsertCart,
  "orders/create": createOrder,
  "app/uninstalled": appUninstalled,
  "app/scopes_update": scopesUpdate,
  "customers/data_request": dataRequest,
  "customers/redact": customerRedact,
  "shop/redact": shopRedact,
};
