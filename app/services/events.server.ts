import type { Prisma } from "@prisma/client";
import { enqueue } from "./jobs.server";
import type { Db } from "~/db.server";
import { isKnownVisitor } from "~/models/contact.server";
import { eventBatchSchema, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, type EventBatch } from "~/domain/events/schema";
import { recordCapturedEmail } from "./contacts.server";
import { storeEvents } from "./event-store.server";
import { clientAddress, eventRateLimiter, type EventRateLimiter } from "./rate-limit.server";
import type { Refusal } from "./app-proxy.server";

/**
 * Storefront event batches arriving through the app proxy (`POST /apps/intentful/events`,
 * sent with navigator.sendBeacon by the tracker). Each step returns a discriminated result;
 * the route turns failures into statuses. A batch is all-or-nothing: nothing is stored unless
 * every event in it is valid.
 */

/** An event's own time (the browser's clock) is kept only within this window, else the receive time. */
const EVENT_MAX_AGE_MS = 7 * 24 * 3600_000;
const EVENT_MAX_FUTURE_MS = 60_000;

/** Reads the body as text, stopping as soon as it passes `maxBytes` (Content-Length is checked first). */
/** How far back the views that can start a browse follow-up go (startBrowseRecovery's window). */
const BROWSE_LOOKBACK_MS = 24 * 3_600_000;

export async function readCappedText(request: Request, maxBytes = MAX_BATCH_BYTES): Promise<{ ok: true; text: string } | Refusal> {
  const tooLarge: Refusal = { ok: false, status: 413, reason: `body larger than ${maxBytes} bytes` };
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge;
  if (!request.body) return { ok: true, text: "" };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return tooLarge;
    }
    chunks.push(value);
  }
  return { ok: true, text: Buffer.concat(chunks).toString("utf8") };
}

export function parseEventBatch(text: string): { ok: true; batch: EventBatch } | Refusal {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, status: 400, reason: `malformed JSON: ${error instanceof Error ? error.message : "cannot parse"}` };
  }
  const events = (value as { events?: unknown } | null)?.events;
  if (Array.isArray(events) && events.length > MAX_BATCH_EVENTS) {
    return { ok: false, status: 400, reason: `too many events: ${events.length} (at most ${MAX_BATCH_EVENTS} per batch)` };
  }
  const parsed = eventBatchSchema.safeParse(value);
  if (parsed.success) return { ok: true, batch: parsed.data };
  const reasons = parsed.error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.map(String).join(".");
    if (issue.path.at(-1) === "kind" && Array.isArray(events)) {
      const kind = (events[Number(issue.path[1])] as { kind?: unknown } | undefined)?.kind;
      return `${path}: unknown event kind ${JSON.stringify(kind)}`;
    }
    return `${path || "batch"}: ${issue.message}`;
  });
  return { ok: false, status: 400, reason: `invalid batch: ${reasons.join("; ")}` };
}

export function eventRows(shop: string, batch: EventBatch, now: Date): Prisma.EventCreateManyInput[] {
  const t = now.getTime();
  return batch.events.map((e) => ({
    shop,
    visitorId: batch.visitorId,
    sessionId: batch.sessionId ?? null,
    kind: e.kind,
    triggerId: e.triggerId ?? null,
    variant: e.variant ?? null,
    arm: e.arm ?? null,
    intentTier: e.tier ?? null,
    productId: e.productId ?? null,
    // /cart.js tokens carry "?key=…"; webhooks carry the bare id. Store the id so they match.
    cartToken: e.cartToken ? e.cartToken.split("?")[0] : null,
    valueCents: e.valueCents ?? null,
    occurredAt: new Date(e.at > t + EVENT_MAX_FUTURE_MS || e.at < t - EVENT_MAX_AGE_MS ? t : e.at),
    // Never the email: it lives only in Contact.
  }));
}

/** What ties this visitor to flows lately: products viewed and carts added to (their tokens). */
export async function recentTies(database: Db, shop: string, visitorId: string, now: Date) {
  const since = new Date(now.getTime() - BROWSE_LOOKBACK_MS);
  const [views, adds] = await Promise.all([
    database.event.findMany({
      where: { shop, visitorId, kind: "product_view", productId: { not: null }, occurredAt: { gte: since } },
      select: { productId: true },
      distinct: ["productId"],
      take: 20,
    }),
    database.event.findMany({
      where: { shop, visitorId, kind: "cart_add", cartToken: { not: null }, occurredAt: { gte: since } },
      select: { cartToken: true },
      distinct: ["cartToken"],
      take: 5,
    }),
  ]);
  return { productIds: views.map((v) => v.productId!), cartTokens: adds.map((a) => a.cartToken!) };
}

/** Queues the browse and cart checks (recovery.browse, recovery.cart) for this visitor. */
export async function enqueueFlowChecks(database: Db, shop: string, visitorId: string, ties: { productIds: string[]; cartTokens: string[] }, now: Date) {
  for (const productId of ties.productIds) {
    await enqueue(database, {
      kind: "recovery.browse",
      shop,
      payload: { shop, visitorId, productId },
      runAt: now,
      dedupeKey: `browse:${shop}:${visitorId}:${productId}:${now.getTime()}`,
    });
  }
  for (const cartToken of ties.cartTokens) {
    await enqueue(database, {
      kind: "recovery.cart",
      shop,
      payload: { shop, cartToken },
      runAt: now,
      dedupeKey: `cart-tie:${shop}:${cartToken}:${now.getTime()}`,
    });
  }
}

export interface IngestOptions {
  /** Proxies of our own in front of the app that append to X-Forwarded-For (TRUSTED_PROXY_HOPS). */
  proxyHops?: number;
  limiter?: EventRateLimiter;
  now?: Date;
}

/**
 * Reads, validates, rate-limits and stores one batch for `shop` (taken from the verified proxy
 * parameters, never from the body). Events go in one write (with their exposure and roll-up
 * rows: event-store.server.ts); captured emails become Contacts.
 */
export async function ingestEventBatch(
  db: Db,
  request: Request,
  shop: string,
  options: IngestOptions = {},
): Promise<{ ok: true; stored: number; emails: number } | Refusal> {
  const now = options.now ?? new Date();
  const body = await readCappedText(request);
  if (!body.ok) return body;
  const parsed = parseEventBatch(body.text);
  if (!parsed.ok) return parsed;
  const { batch } = parsed;
  const client = clientAddress(request.headers, options.proxyHops ?? 0);
  const rate = (options.limiter ?? eventRateLimiter()).take(shop, batch.visitorId, now.getTime(), client);
  if (!rate.ok) return { ok: false, status: 429, reason: `too many batches for this ${rate.scope}`, retryAfterSec: rate.retryAfterSec };

  const count = await storeEvents(db, eventRows(shop, batch, now));

  const captured = new Map<string, { consent: boolean; triggerId: string | null }>();
  for (const e of batch.events) {
    if (e.kind === "email_capture" && e.email) {
      const email = e.email.trim().toLowerCase();
      const before = captured.get(email);
      captured.set(email, { consent: (before?.consent ?? false) || e.marketingConsent === true, triggerId: e.triggerId ?? before?.triggerId ?? null });
    }
  }
  for (const [email, { consent, triggerId }] of captured) {
    await recordCapturedEmail(db, { shop, email, visitorId: batch.visitorId, marketingConsent: consent, triggerId }, now);
  }
  // Browse abandonment and the cart reminder are checked whenever they can become true, whatever
  // the order of events: a product view or a cart add (with its token) by a shopper we know, and
  // the moment a shopper who viewed or carted becomes known (an email captured afterwards; the
  // double opt-in confirmed, consent.server). Shopify's carts/* webhook usually arrives before the
  // tracker's batch that ties the cart to this visitor; a check before the webhook finds no cart
  // and the webhook checks again. Runs start once per shopper, product and day, or per cart.
  const viewed = new Set(batch.events.filter((e) => e.kind === "product_view" && e.productId).map((e) => e.productId!));
  const carts = new Set(batch.events.filter((e) => e.kind === "cart_add" && e.cartToken).map((e) => e.cartToken!.split("?")[0]));
  if (captured.size) {
    const recent = await recentTies(db, shop, batch.visitorId, now);
    for (const p of recent.productIds) viewed.add(p);
    for (const c of recent.cartTokens) carts.add(c);
  }
  if ((viewed.size || carts.size) && (captured.size > 0 || (await isKnownVisitor(db, shop, batch.visitorId)))) {
    await enqueueFlowChecks(db, shop, batch.visitorId, { productIds: [...viewed], cartTokens: [...carts] }, now);
  }
  return { ok: true, stored: count, emails: captured.size };
}
