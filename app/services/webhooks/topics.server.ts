import type { Prisma } from "@prisma/client";
import type { ZodType } from "zod";
import type { Db } from "~/db.server";
import {
  applySnapshot,
  deliverSnapshot,
  type CartSnapshot,
  type CheckoutSnapshot,
  type Delivery,
  type DeliveryOutcome,
  type SnapshotKind,
  type SnapshotWrite,
} from "~/models/snapshot.server";
import { enqueue } from "../jobs.server";
import {
  cartPayload,
  cartTotalCents,
  checkoutDeletePayload,
  checkoutPayload,
  customerRedactPayload,
  dataRequestPayload,
  normalizeEmail,
  orderPayload,
  scopesUpdatePayload,
  shopRedactPayload,
  appUninstalledPayload,
  visitorIdFrom,
} from "./payloads";
import type { JobKind, PayloadOf } from "../job-kinds";

type Tx = Prisma.TransactionClient;

export interface ApplyContext<P> {
  shop: string;
  payload: P;
  triggeredAt: Date | null;
  now: Date;
}
export type ApplyResult = void | { outcome: "accepted" | "stale" | "duplicate" | "refused"; reason?: string };

export interface TopicHandler<P = any> {
  schema: ZodType<P>;
  /** The topic's writes, inside the intake's transaction after the delivery row was recorded. */
  apply(tx: Tx, ctx: ApplyContext<P>): Promise<ApplyResult>;
  /**
   * Optional: the delivery row AND the topic's writes the fast way for the database (one statement
   * on PostgreSQL, the direct connection on SQLite: models/snapshot.server.ts), with exactly the
   * effects of recording the delivery and then `apply`. "repeat" when the webhook id was already
   * recorded; null when nothing was written (then the intake takes the transaction).
   */
  fast?(db: Db, delivery: Delivery, ctx: ApplyContext<P>): Promise<DeliveryOutcome | null>;
}

function define<P>(schema: ZodType<P>, apply: (tx: Tx, ctx: ApplyContext<P>) => Promise<ApplyResult>): TopicHandler<P> {
  return { schema, apply };
}

/**
 * A snapshot topic (checkouts, carts): one upsert guarded by the staleness rule, then at most one
 * follow-up job. `write` says what a delivery writes; `apply` writes it step by step, `fast` the
 * database's fast way.
 */
function defineSnapshot<P, K extends SnapshotKind>(
  schema: ZodType<P>,
  kind: K,
  write: (ctx: ApplyContext<P>) => SnapshotWrite<K extends "checkout" ? CheckoutSnapshot : CartSnapshot>,
): TopicHandler<P> {
  return {
    schema,
    async apply(tx, ctx) {
      const w = write(ctx);
      if ((await applySnapshot(tx, kind, w)) === "stale") return { outcome: "stale", reason: w.staleReason };
    },
    fast: (db, delivery, ctx) => deliverSnapshot(db, kind, delivery, write(ctx)),
  };
}

/** Enqueue inside the webhook's transaction; a job with the same dedupe key is not added twice. */
async function enqueueTx<K extends JobKind>(tx: Tx, job: { kind: K; shop: string; payload: PayloadOf<K>; runAt: Date; dedupeKey?: string }) {
  await enqueue(tx, job);
}

const staleReason = (updatedAt: string) => `updated_at ${updatedAt} is older than the stored snapshot`;

/** A checkout's snapshot, then recovery.start (once per checkout) if the stored checkout is open and has an email. */
const upsertCheckout = defineSnapshot(checkoutPayload, "checkout", ({ shop, payload: p, now }): SnapshotWrite<CheckoutSnapshot> => {
  const email = normalizeEmail(p.email ?? p.customer?.email);
  return {
    snapshot: {
      shop,
      token: p.token,
      shopifyId: null,
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
    },
    job: email
      ? {
          kind: "recovery.start",
          shop,
          payload: { shop, checkoutToken: p.token },
          runAt: now,
          dedupeKey: `recovery.start:${shop}:${p.token}`,
          whenStatus: "open",
        }
      : null,
    staleReason: staleReason(p.updated_at),
  };
});

const deleteCheckout = define(checkoutDeletePayload, async (tx, { shop, payload: p }) => {
  const where: Prisma.CheckoutWhereInput = p.token
    ? { shop, token: p.token }
    : { shop, OR: [...(p.id ? [{ shopifyId: p.id }] : []), ...(p.cart_token ? [{ cartToken: p.cart_token, status: "open" }] : [])] };
  await tx.checkout.updateMany({ where, data: { status: "deleted" } });
});

/** A cart's snapshot, then recovery.cart (once per cart) if the delivered cart has line items. */
const upsertCart = defineSnapshot(cartPayload, "cart", ({ shop, payload: p, now }): SnapshotWrite<CartSnapshot> => ({
  snapshot: { shop, token: p.token, lineItems: p.line_items, totalCents: cartTotalCents(p.line_items), shopifyUpdatedAt: new Date(p.updated_at) },
  job:
    p.line_items.length > 0
      ? { kind: "recovery.cart", shop, payload: { shop, cartToken: p.token }, runAt: now, dedupeKey: `recovery.cart:${shop}:${p.token}` }
      : null,
  staleReason: staleReason(p.updated_at),
}));

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
  const checkoutIds = p.checkout_token ? (await tx.checkout.findMany({ where: { shop, token: p.checkout_token }, select: { id: true } })).map((c) => c.id) : [];
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

const appUninstalled = define(appUninstalledPayload, async (tx, { shop, now }) => {
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
  await enqueueTx(tx, {
    kind: "privacy.redact-customer",
    shop,
    payload: { shop, customer: payload.customer, orders: payload.orders_to_redact ?? [] },
    runAt: now,
  });
});

const shopRedact = define(shopRedactPayload, async (tx, { shop, now }) => {
  // Shopify sends shop/redact 48 hours after an uninstall. While the app is installed, it is a
  // replay of an old one (the headers that would tell are unsigned): nothing is erased.
  const installed = await tx.shop.findUnique({ where: { shop }, select: { uninstalledAt: true } });
  if (installed && installed.uninstalledAt === null) {
    return { outcome: "refused", reason: "the app is installed on this shop: shop/redact comes only after an uninstall" };
  }
  await enqueueTx(tx, {
    kind: "privacy.redact-shop",
    shop,
    payload: { shop },
    runAt: now,
    dedupeKey: `privacy.redact-shop:${shop}:${now.toISOString().slice(0, 10)}`,
  });
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

/** The topics this app subscribes to (shopify.app.toml), each served at /webhooks/<topic>. */
export const SUBSCRIBED_TOPICS: readonly string[] = Object.keys(topicHandlers);
