import type { Prisma } from "@prisma/client";
import db, { type Db } from "~/db.server";
import { getEnv } from "~/env.server";
import { decideSend, emailBodySchema, planSteps, type Block } from "~/domain/recovery";
import { isHoldout } from "~/domain/experiments/assign";
import { renderRecoveryEmail } from "./email/render.server";
import { signUnsubscribeToken } from "./email/unsubscribe-token.server";
import { adminQuery, type AdminGraphql } from "./admin-graphql.server";
import { enqueue, type JobHandler } from "./jobs.server";
import { getMailer, linkSignature } from "./mail.server";
import { logger } from "./logger.server";

/**
 * The recovery engine, run by the job worker:
 * - recovery.start: a checkout with an email and no completed_at enrols in every active
 *   checkout flow of the shop (one FlowRun per flow and checkout; holdout assigned there)
 *   and schedules one recovery.step job per step;
 * - recovery.step: re-checks everything right before sending (decideSend) and sends at most
 *   once: the Message row (key run:step) is committed as "sending" before the SMTP call, so a
 *   crash after the send and before the commit never sends twice (at-most-once; see
 *   docs/decisions/012-recovery-engine.md).
 */

type AdminFactory = (shop: string) => Promise<AdminGraphql>;

export interface RecoveryDeps {
  db?: Db;
  admin?: AdminFactory;
  /** Test hook: called after the email was handed to the transport, before the commit. */
  afterSend?: (messageId: string) => Promise<void> | void;
  /** The email renderer (MJML by default); load tests swap in a cheap one. */
  render?: typeof renderRecoveryEmail;
}

const defaultAdmin: AdminFactory = async (shop) => {
  const { unauthenticated } = await import("~/shopify.server");
  return (await unauthenticated.admin(shop)).admin;
};

export function recoveryHandlers(deps: RecoveryDeps = {}): Record<string, JobHandler> {
  const database = () => deps.db ?? db;
  return {
    "recovery.start": (payload: { shop: string; checkoutToken: string }, ctx) =>
      startCheckoutRecovery(database(), payload, ctx.now),
    "recovery.step": (payload: { runId: string; stepId: string; position?: number }, ctx) => runStep(database(), payload, ctx.now, deps),
    "recovery.cart": (payload: { shop: string; cartToken: string }, ctx) => startCartRecovery(database(), payload, ctx.now),
    "recovery.flow-trigger": (payload: { runId: string }, ctx) => fireFlowTrigger(database(), payload, ctx.now, deps),
    "recovery.browse": (payload: { shop: string; visitorId: string; productId: string }, ctx) =>
      startBrowseRecovery(database(), payload, ctx.now),
  };
}

export async function startCheckoutRecovery(database: Db, p: { shop: string; checkoutToken: string }, now: Date) {
  const checkout = await database.checkout.findUnique({ where: { shop_token: { shop: p.shop, token: p.checkoutToken } } });
  if (!checkout || checkout.status !== "open" || !checkout.email) return;
  const flows = await database.recoveryFlow.findMany({
    where: { shop: p.shop, kind: "checkout", enabled: true },
    include: { steps: { orderBy: { position: "asc" } } },
  });
  for (const flow of flows) {
    if (flow.audience === "min_value" && checkout.totalCents < flow.minCartCents) continue;
    const holdout = isHoldout(flow.id, checkout.token, flow.holdoutPct);
    const run = await createRunOnce(database, {
      shop: p.shop,
      flowId: flow.id,
      subjectKey: `checkout:${checkout.token}`,
      checkoutId: checkout.id,
      cartToken: checkout.cartToken,
      email: checkout.email,
      customerId: checkout.customerId,
      visitorId: checkout.visitorId,
      holdout,
      startedAt: checkout.createdAt,
    });
    if (!run) continue;
    await scheduleRun(database, run, flow, checkout.createdAt, now);
  }
}

/** Carts start flows only for shoppers we know: a visitor who gave us an email, or a logged-in customer. */
export async function startCartRecovery(database: Db, p: { shop: string; cartToken: string }, now: Date) {
  const cart = await database.cart.findUnique({ where: { shop_token: { shop: p.shop, token: p.cartToken } } });
  if (!cart || cart.status !== "open") return;
  const event = await database.event.findFirst({
    where: { shop: p.shop, cartToken: p.cartToken },
    select: { visitorId: true },
  });
  const visitorId = cart.visitorId ?? event?.visitorId ?? null;
  const contact = visitorId
    ? await database.contact.findFirst({ where: { shop: p.shop, visitorId }, orderBy: { updatedAt: "desc" } })
    : null;
  if (!contact) return;
  const flows = await database.recoveryFlow.findMany({
    where: { shop: p.shop, kind: "cart", enabled: true },
    include: { steps: { orderBy: { position: "asc" } } },
  });
  for (const flow of flows) {
    if (flow.audience === "marketing_consented" && !contact.marketingConsent) continue;
    const run = await createRunOnce(database, {
      shop: p.shop,
      flowId: flow.id,
      subjectKey: `cart:${cart.token}`,
      cartToken: cart.token,
      email: contact.email,
      customerId: contact.customerId,
      visitorId,
      holdout: isHoldout(flow.id, cart.token, flow.holdoutPct),
      startedAt: now,
    });
    if (run) await scheduleRun(database, run, flow, now, now);
  }
}

/**
 * Browse abandonment: a known shopper (Contact with this visitor id) viewed the same product at
 * least twice in the last 24 hours and has not added to cart since the first of those views.
 * The flow's first delay is the "no cart add within N hours" window: runStep re-checks it.
 */
export async function startBrowseRecovery(database: Db, p: { shop: string; visitorId: string; productId: string }, now: Date) {
  const since = new Date(now.getTime() - 24 * 3600_000);
  const views = await database.event.findMany({
    where: { shop: p.shop, visitorId: p.visitorId, kind: "product_view", productId: p.productId, occurredAt: { gte: since } },
    orderBy: { occurredAt: "asc" },
    select: { occurredAt: true },
  });
  if (views.length < 2) return;
  const carted = await database.event.count({
    where: { shop: p.shop, visitorId: p.visitorId, kind: "cart_add", occurredAt: { gte: views[0].occurredAt } },
  });
  if (carted) return;
  const contact = await database.contact.findFirst({ where: { shop: p.shop, visitorId: p.visitorId }, orderBy: { updatedAt: "desc" } });
  if (!contact) return;
  const flows = await database.recoveryFlow.findMany({
    where: { shop: p.shop, kind: "browse", enabled: true },
    include: { steps: { orderBy: { position: "asc" } } },
  });
  for (const flow of flows) {
    if (flow.audience === "marketing_consented" && !contact.marketingConsent) continue;
    const subjectKey = `browse:${p.visitorId}:${p.productId}:${now.toISOString().slice(0, 10)}`;
    const run = await createRunOnce(database, {
      shop: p.shop,
      flowId: flow.id,
      subjectKey,
      email: contact.email,
      customerId: contact.customerId,
      visitorId: p.visitorId,
      holdout: isHoldout(flow.id, subjectKey, flow.holdoutPct),
      startedAt: now,
    });
    if (run) await scheduleRun(database, run, flow, now, now);
  }
}

async function createRunOnce(database: Db, data: Prisma.FlowRunUncheckedCreateInput) {
  const existing = await database.flowRun.findUnique({
    where: { flowId_subjectKey: { flowId: data.flowId, subjectKey: data.subjectKey } },
  });
  if (existing) return null;
  try {
    return await database.flowRun.create({ data });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") return null;
    throw error;
  }
}

async function scheduleRun(
  database: Db,
  run: { id: string; shop: string },
  flow: { deliverVia: string; steps: Array<{ id: string; position: number; delayMinutes: number }> },
  startedAt: Date,
  now: Date,
) {
  if (flow.deliverVia === "shopify_flow") {
    const first = flow.steps[0];
    await enqueue(database, {
      kind: "recovery.flow-trigger",
      shop: run.shop,
      payload: { runId: run.id },
      runAt: new Date(Math.max(now.getTime(), startedAt.getTime() + (first?.delayMinutes ?? 60) * 60_000)),
      dedupeKey: `flow-trigger:${run.id}`,
    });
    return;
  }
  for (const planned of planSteps({ steps: flow.steps.map((s) => ({ id: s.id, position: s.position, delayMinutes: s.delayMinutes })) }, startedAt)) {
    await enqueue(database, {
      kind: "recovery.step",
      shop: run.shop,
      // position too: the merchant may edit the flow (new step ids) before this step is due.
      payload: { runId: run.id, stepId: planned.stepId, position: planned.position },
      runAt: planned.runAt,
      dedupeKey: `step:${run.id}:${planned.stepId}`,
    });
  }
}

async function orderSeen(database: Db, run: { shop: string; startedAt: Date; cartToken: string | null; email: string | null; customerId: string | null }, checkoutToken: string | null) {
  const or: Prisma.OrderWhereInput[] = [];
  if (checkoutToken) or.push({ checkoutToken });
  if (run.cartToken) or.push({ cartToken: run.cartToken });
  if (run.email) or.push({ email: run.email, orderedAt: { gte: run.startedAt } });
  if (run.customerId) or.push({ customerId: run.customerId, orderedAt: { gte: run.startedAt } });
  if (!or.length) return false;
  return (await database.order.count({ where: { shop: run.shop, OR: or } })) > 0;
}

export async function runStep(database: Db, p: { runId: string; stepId: string; position?: number }, now: Date, deps: RecoveryDeps = {}) {
  const run = await database.flowRun.findUnique({ where: { id: p.runId } });
  if (!run || run.status !== "active") return;
  const idempotencyKey = `${run.id}:${p.stepId}`;
  const prior = await database.message.findUnique({ where: { idempotencyKey } });
  if (prior && prior.status !== "pending") return; // sent, sending (maybe sent), suppressed or failed: never again

  const [flow, step, checkout, shop] = await Promise.all([
    database.recoveryFlow.findFirst({ where: { id: run.flowId, shop: run.shop } }),
    // Saving a flow replaces its steps (new ids): fall back to the step at the same position,
    // so editing copy never drops the emails already scheduled.
    database.recoveryStep.findFirst({
      where: { flowId: run.flowId, OR: [{ id: p.stepId }, ...(p.position != null ? [{ position: p.position }] : [])] },
      orderBy: { position: "asc" },
    }),
    run.checkoutId ? database.checkout.findFirst({ where: { id: run.checkoutId, shop: run.shop } }) : Promise.resolve(null),
    database.shop.findUnique({ where: { shop: run.shop } }),
  ]);
  if (!flow || !step || !shop) return;
  if (flow.kind === "browse" && run.visitorId) {
    // The shopper added to cart after all: the browse follow-up is moot (cart flows take over).
    const carted = await database.event.count({
      where: { shop: run.shop, visitorId: run.visitorId, kind: "cart_add", occurredAt: { gte: run.startedAt } },
    });
    if (carted) {
      await database.flowRun.updateMany({ where: { id: run.id, status: "active" }, data: { status: "stopped", stopReason: "carted", stoppedAt: now } });
      return;
    }
  }
  const email = run.email;
  const windowStart = new Date(now.getTime() - shop.emailWindowHours * 3600_000);
  const [purchased, suppressed, recent] = await Promise.all([
    orderSeen(database, run, checkout?.token ?? null),
    email ? database.suppression.findUnique({ where: { shop_email: { shop: run.shop, email } } }) : null,
    email
      ? database.message.findMany({
          where: { shop: run.shop, email, kind: { not: "test" }, status: { in: ["sent", "sending"] }, sentAt: { gte: windowStart } },
          select: { sentAt: true },
        })
      : [],
  ]);
  const decision = decideSend(
    {
      checkout: {
        status: (checkout?.status as "open" | "completed" | "deleted") ?? "open",
        email,
        acceptsMarketing: checkout?.acceptsMarketing ?? true,
        totalCents: checkout?.totalCents ?? 0,
      },
      orderSeenSinceStart: purchased,
      suppressed: Boolean(suppressed),
      holdout: run.holdout,
      flow: { enabled: flow.enabled, audience: flow.audience as "any_email", minCartCents: flow.minCartCents, respectQuiet: flow.respectQuiet },
      recentSends: recent.map((m) => m.sentAt!).filter(Boolean),
      budget: { emailsPerWindow: shop.emailsPerWindow, emailWindowHours: shop.emailWindowHours },
      quietHours:
        shop.quietHoursStart != null && shop.quietHoursEnd != null
          ? { startHour: shop.quietHoursStart, endHour: shop.quietHoursEnd, timeZone: shop.timezone }
          : null,
    },
    now,
  );
  if (decision.action === "defer") return { retryAt: decision.until };
  if (decision.action === "skip") {
    if (["purchased", "checkout_deleted", "suppressed", "flow_disabled"].includes(decision.reason)) {
      await database.flowRun.updateMany({
        where: { id: run.id, status: "active" },
        data: { status: "stopped", stopReason: decision.reason, stoppedAt: now },
      });
    }
    await upsertMessage(database, idempotencyKey, {
      shop: run.shop, flowId: flow.id, flowRunId: run.id, stepId: step.id, email: email ?? "", status: "suppressed", reason: decision.reason,
    });
    return;
  }

  // Decided to send. Prepare everything that can fail first (discount code, rendering);
  // nothing is claimed yet, so a failure here is simply retried.
  const message = await upsertMessage(database, idempotencyKey, {
    shop: run.shop, flowId: flow.id, flowRunId: run.id, stepId: step.id, email: email!, status: "pending",
  });
  const env = getEnv();
  let discountCode = run.discountCode;
  if (step.discountPercent && !discountCode) {
    discountCode = await createDiscountCode(deps.admin ?? defaultAdmin, run, step.discountPercent, step.discountExpiryDays ?? 7, now);
    await database.flowRun.update({ where: { id: run.id }, data: { discountCode } });
  }
  const body = emailBodySchema.safeParse(step.body);
  const lineItems = ((checkout?.lineItems as Array<Record<string, unknown>>) ?? []).map((li) => ({
    title: String(li.title ?? ""),
    variantTitle: (li.variant_title as string | null) ?? null,
    quantity: Number(li.quantity ?? 1),
    priceCents: Number(li.price ?? 0),
    imageUrl: (li.image_url as string | null) ?? null,
  }));
  const unsubscribeUrl = `${env.SHOPIFY_APP_URL}/unsubscribe?token=${signUnsubscribeToken({ shop: run.shop, email: email! }, env.SHOPIFY_API_SECRET)}`;
  const recoveryUrl = checkout?.abandonedCheckoutUrl
    ? `${env.SHOPIFY_APP_URL}/r/${message.id}?s=${linkSignature(message.id)}`
    : `https://${run.shop}/cart`;
  const rendered = await (deps.render ?? renderRecoveryEmail)({
    shop: { name: shop.senderName || run.shop, currency: checkout?.currency ?? shop.currency },
    step: {
      subject: step.subject,
      preheader: step.preheader,
      body: body.success ? (body.data as Block[]) : [],
      discountPercent: step.discountPercent,
      discountExpiryDays: step.discountExpiryDays,
    },
    checkout: { lineItems, totalCents: checkout?.totalCents ?? 0, currency: checkout?.currency ?? shop.currency, recoveryUrl },
    discountCode,
    unsubscribeUrl,
  });

  // Claim the send: pending → sending, committed BEFORE the transport call. If the process dies
  // after the send and before the commit below, the retry finds "sending" and does not resend.
  const claimed = await database.message.updateMany({
    where: { id: message.id, status: "pending" },
    data: { status: "sending", sentAt: now, attempts: { increment: 1 } },
  });
  if (claimed.count !== 1) return;
  const result = await getMailer().send({
    to: email!,
    from: shop.senderEmail ? { name: shop.senderName || run.shop, address: shop.senderEmail } : undefined,
    replyTo: shop.replyTo || undefined,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    idempotencyKey,
    unsubscribe: { url: unsubscribeUrl },
  });
  if (result.ok) {
    await deps.afterSend?.(message.id);
    await database.message.update({
      where: { id: message.id },
      data: { status: "sent", transportId: result.transportId, subject: rendered.subject, html: rendered.html, text: rendered.text, discountCode },
    });
    return;
  }
  if (result.permanent) {
    await database.message.update({ where: { id: message.id }, data: { status: "failed", reason: result.reason.slice(0, 300) } });
    if (result.recipientRejected) {
      await database.suppression.upsert({
        where: { shop_email: { shop: run.shop, email: email! } },
        create: { shop: run.shop, email: email!, reason: "bounced" },
        update: {},
      });
    }
    return;
  }
  // Temporary failure: nothing went out; give the send back and let the queue retry with backoff.
  await database.message.update({ where: { id: message.id }, data: { status: "pending", reason: result.reason.slice(0, 300), sentAt: null } });
  throw new Error(`temporary mail failure: ${result.reason}`);
}

async function upsertMessage(
  database: Db,
  idempotencyKey: string,
  data: { shop: string; flowId: string; flowRunId: string; stepId: string; email: string; status: string; reason?: string },
) {
  const existing = await database.message.findUnique({ where: { idempotencyKey } });
  if (existing) {
    if (existing.status === "pending" && data.status !== "pending") {
      return database.message.update({ where: { id: existing.id }, data: { status: data.status, reason: data.reason ?? null } });
    }
    return existing;
  }
  try {
    return await database.message.create({ data: { ...data, idempotencyKey, reason: data.reason ?? null } });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") return database.message.findUniqueOrThrow({ where: { idempotencyKey } });
    throw error;
  }
}

const DISCOUNT_CREATE = `#graphql
  mutation IntentfulDiscountCreate($basicCodeDiscount: DiscountCodeBasicInput!) {
    discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
      codeDiscountNode { id }
      userErrors { field message code }
    }
  }`;

async function createDiscountCode(adminFor: AdminFactory, run: { id: string; shop: string }, percent: number, expiryDays: number, now: Date) {
  const code = `BACK-${run.id.slice(-8).toUpperCase()}`;
  const admin = await adminFor(run.shop);
  const data = await adminQuery<{ discountCodeBasicCreate: { userErrors: Array<{ message: string; code?: string }> } }>(admin, DISCOUNT_CREATE, {
    basicCodeDiscount: {
      title: `Intentful recovery ${code}`,
      code,
      startsAt: now.toISOString(),
      endsAt: new Date(now.getTime() + expiryDays * 86_400_000).toISOString(),
      context: { all: "ALL" },
      customerGets: { value: { percentage: percent / 100 }, items: { all: true } },
      appliesOncePerCustomer: true,
      usageLimit: 1,
    },
  });
  const errors = data.discountCodeBasicCreate.userErrors.filter((e) => e.code !== "TAKEN");
  if (errors.length) throw new Error(`discount code not created: ${errors.map((e) => e.message).join("; ")}`);
  return code;
}

const FLOW_TRIGGER = `#graphql
  mutation IntentfulFlowTrigger($handle: String!, $payload: JSON!) {
    flowTriggerReceive(handle: $handle, payload: $payload) { userErrors { field message } }
  }`;

/** Routes recovery through Shopify Flow instead of our emails ("Checkout abandoned with high intent"). */
async function fireFlowTrigger(database: Db, p: { runId: string }, now: Date, deps: RecoveryDeps) {
  const run = await database.flowRun.findUnique({ where: { id: p.runId } });
  if (!run || run.status !== "active" || run.holdout) return;
  const checkout = run.checkoutId ? await database.checkout.findUnique({ where: { id: run.checkoutId } }) : null;
  if (await orderSeen(database, run, checkout?.token ?? null)) return;
  const admin = await (deps.admin ?? defaultAdmin)(run.shop);
  await adminQuery(admin, FLOW_TRIGGER, {
    handle: "checkout-abandoned-high-intent",
    payload: {
      // Keys match the fields of extensions/checkout-abandoned-flow/shopify.extension.toml.
      ...(run.customerId ? { customer_id: Number(run.customerId) } : {}),
      "Checkout URL": checkout?.abandonedCheckoutUrl ?? "",
      "Cart value": (checkout?.totalCents ?? 0) / 100,
      Email: run.email ?? "",
    },
  });
  await database.flowRun.update({ where: { id: run.id }, data: { status: "completed", stoppedAt: now } });
}

export function logRecovery(msg: string, meta: Record<string, unknown>) {
  logger.info(msg, meta);
}
