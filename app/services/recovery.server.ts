import type { Prisma } from "@prisma/client";
import { newId, type Db } from "~/db.server";
import * as rows from "~/models/recovery.server";
import { getEnv } from "~/env.server";
import { decideStep, emailBodySchema, planSteps, type Block, type StepDecision, type StepFacts } from "~/domain/recovery";
import { isHoldout } from "~/domain/experiments/assign";
import { assignStepArm, stepArmContent, stepArms, type StepContent } from "~/domain/recovery/arms";
import { renderRecoveryEmail, type RenderProduct } from "./email/render.server";
import { recommendProducts } from "./email/recommendations.server";
import { refreshShopifyBrand, storefrontClient } from "./email/brand.server";
import { brandKitOf } from "~/domain/recovery/brand";
import { signUnsubscribeToken } from "./email/unsubscribe-token.server";
import { adminQuery, type AdminGraphql } from "./admin-graphql.server";
import { enqueue, type JobContext, type JobHandlers } from "./jobs.server";
import type { JobPayloads } from "./job-kinds";
import { getMailer, linkSignature } from "./mail.server";
import { suppressionHash } from "./privacy.server";
import { logger } from "./logger.server";

/**
 * The recovery engine, run by the job worker:
 * - recovery.start: a checkout with an email and no completed_at enrols in every active
 *   checkout flow of the shop (one FlowRun per flow and checkout; holdout assigned there)
 *   and schedules one recovery.step job per step; a step under an A/B test gets the run's arm
 *   there (StepExposure), which decides its delay and, when it sends, its email;
 * - recovery.step: re-checks everything right before sending (decideSend) and sends at most
 *   once: the Message row (key run:step) is committed as "sending" before the SMTP call, so a
 *   crash after the send and before the commit never sends twice (at-most-once; see
 *   docs/decisions/012-recovery-engine.md).
 */

type AdminFactory = (shop: string) => Promise<AdminGraphql>;

export interface RecoveryDeps {
  admin?: AdminFactory;
  /** Test hook: called after the email was handed to the transport, before the commit. */
  afterSend?: (messageId: string) => Promise<void> | void;
  /** The email renderer (MJML by default); load tests swap in a cheap one. */
  render?: typeof renderRecoveryEmail;
  /** A shop's Storefront API client (Shopify's recommendations); the offline session's by default. */
  storefront?: (shop: string) => Promise<AdminGraphql>;
}

const defaultAdmin: AdminFactory = async (shop) => {
  const { unauthenticated } = await import("~/shopify.server");
  return (await unauthenticated.admin(shop)).admin;
};

export function recoveryHandlers(
  db: Db,
  deps: RecoveryDeps = {},
): Pick<JobHandlers, "recovery.start" | "recovery.step" | "recovery.cart" | "recovery.flow-trigger" | "recovery.browse"> {
  return {
    "recovery.start": (payload, ctx) => startCheckoutRecovery(db, payload, ctx.now),
    "recovery.step": Object.assign((payload: StepPayload, ctx: JobContext) => runStep(db, payload, ctx.now, deps), {
      batch: (jobs: Array<{ payload: StepPayload }>, ctx: { now: Date }) =>
        runSteps(
          db,
          jobs.map((j) => j.payload),
          ctx.now,
          deps,
        ),
    }),
    "recovery.cart": (payload, ctx) => startCartRecovery(db, payload, ctx.now),
    "recovery.flow-trigger": (payload, ctx) => fireFlowTrigger(db, payload, ctx.now, deps),
    "recovery.browse": (payload, ctx) => startBrowseRecovery(db, payload, ctx.now),
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
  // The tie to the shopper can arrive after they went on: a checkout for this cart belongs to
  // checkout recovery, an order ends it (orders/create stops runs that already started).
  const [ordered, checkedOut] = await Promise.all([
    database.order.findFirst({ where: { shop: p.shop, cartToken: cart.token }, select: { id: true } }),
    database.checkout.findFirst({ where: { shop: p.shop, cartToken: cart.token }, select: { id: true } }),
  ]);
  if (ordered || checkedOut) return;
  const event = await database.event.findFirst({
    where: { shop: p.shop, cartToken: p.cartToken },
    select: { visitorId: true },
  });
  const visitorId = cart.visitorId ?? event?.visitorId ?? null;
  const contact = visitorId ? await database.contact.findFirst({ where: { shop: p.shop, visitorId }, orderBy: { updatedAt: "desc" } }) : null;
  if (!contact) return;
  const flows = await database.recoveryFlow.findMany({
    where: { shop: p.shop, kind: "cart", enabled: true },
    include: { steps: { orderBy: { position: "asc" } } },
  });
  for (const flow of flows) {
    // A storefront capture is a claim anyone can make about any address: cart and browse emails
    // go only to a contact whose consent stands (double opt-in followed, or single opt-in), whatever the audience.
    if (!contact.marketingConsent) continue;
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
  // The rule became true at the second view (the shopper's clock, as their cart adds): the delay
  // counts from there, and a cart add after it, stored before or after this check, stops the run.
  const became = views[1].occurredAt < now ? views[1].occurredAt : now;
  const contact = await database.contact.findFirst({ where: { shop: p.shop, visitorId: p.visitorId }, orderBy: { updatedAt: "desc" } });
  if (!contact) return;
  const flows = await database.recoveryFlow.findMany({
    where: { shop: p.shop, kind: "browse", enabled: true },
    include: { steps: { orderBy: { position: "asc" } } },
  });
  for (const flow of flows) {
    // A storefront capture is a claim anyone can make about any address: cart and browse emails
    // go only to a contact whose consent stands (double opt-in followed, or single opt-in), whatever the audience.
    if (!contact.marketingConsent) continue;
    const subjectKey = `browse:${p.visitorId}:${p.productId}:${now.toISOString().slice(0, 10)}`;
    const run = await createRunOnce(database, {
      shop: p.shop,
      flowId: flow.id,
      subjectKey,
      email: contact.email,
      customerId: contact.customerId,
      visitorId: p.visitorId,
      holdout: isHoldout(flow.id, subjectKey, flow.holdoutPct),
      startedAt: became,
    });
    if (run) await scheduleRun(database, run, flow, became, now);
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

type SchedulableStep = StepContent & { id: string; position: number; variants: unknown };

async function scheduleRun(
  database: Db,
  run: { id: string; shop: string; flowId: string; subjectKey: string; holdout: boolean },
  flow: { deliverVia: string; steps: SchedulableStep[] },
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
  // A/B tests (issue 21): the arm is drawn here, where the step's delay clock starts, because it
  // decides the delay as well as the email; the exposure is written before the job, so a run
  // that converts before its arm's (longer) delay still counts in that arm. Holdout runs get none.
  const arms = new Map(
    flow.steps.flatMap((s) => {
      const assigned = assignStepArm(s, run);
      return assigned ? [[s.id, assigned] as const] : [];
    }),
  );
  await rows.recordStepExposures(
    database,
    [...arms].map(([stepId, a]) => ({ shop: run.shop, flowId: run.flowId, stepId, runId: run.id, arm: a.arm, at: now })),
  );
  const delays = flow.steps.map((s) => ({ id: s.id, position: s.position, delayMinutes: arms.get(s.id)?.delayMinutes ?? s.delayMinutes }));
  for (const planned of planSteps({ steps: delays }, startedAt)) {
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

type StepPayload = JobPayloads["recovery.step"];
type StepResult = void | { retryAt: Date };

/** One recovery step (the job handler for a single job): see runSteps. */
export async function runStep(database: Db, p: StepPayload, now: Date, deps: RecoveryDeps = {}): Promise<StepResult> {
  const [result] = await runSteps(database, [p], now, deps);
  if (result.status === "rejected") throw result.reason;
  return result.value;
}

/**
 * Due recovery steps, several at once: load (every row the batch needs, a fixed number of
 * queries whatever its size) → decide (pure: `decideStep`, app/domain/recovery) → record what
 * was decided → deliver (prepare, claim, send, commit). Results are per payload, in order: a
 * failing step fails its own job only.
 */
export async function runSteps(database: Db, payloads: StepPayload[], now: Date, deps: RecoveryDeps = {}): Promise<Array<PromiseSettledResult<StepResult>>> {
  const results: Array<PromiseSettledResult<StepResult>> = payloads.map(() => ({ status: "fulfilled", value: undefined }));
  const fail = (i: number, reason: unknown) => (results[i] = { status: "rejected", reason });

  const items = await loadSteps(database, payloads);
  if (items.length === 0) return results;
  const facts = await loadSendFacts(database, items, now);

  const toSend: StepItem[] = [];
  for (const x of items) {
    try {
      const outcome = decideStep(stepFacts(x, facts, now), now);
      const retryAt = await recordOutcome(database, x, outcome, now);
      if (retryAt) results[x.i] = { status: "fulfilled", value: { retryAt } };
      if (outcome.action === "send") {
        // A later step to the same shopper in this batch sees this one in its budget.
        if (x.run.email) facts.sentTo(x.run.shop, x.run.email).push(now);
        toSend.push(x);
      }
    } catch (error) {
      fail(x.i, error);
    }
  }
  await deliver(database, toSend, now, deps, fail);
  return results;
}

type StepItem = Awaited<ReturnType<typeof loadSteps>>[number];
type SendFacts = Awaited<ReturnType<typeof loadSendFacts>>;

/** The active runs' steps still to send, each with its flow, step, shop and checkout rows. */
async function loadSteps(database: Db, payloads: StepPayload[]) {
  const keyOf = (p: StepPayload) => `${p.runId}:${p.stepId}`;
  const [runs, priors] = await rows.runsAndPriorMessages(
    database,
    payloads.map((p) => p.runId),
    payloads.map(keyOf),
  );
  const runById = new Map(runs.map((r) => [r.id, r]));
  const priorByKey = new Map(priors.map((m) => [m.idempotencyKey, m]));
  // A prior message that is sent, sending (maybe sent), suppressed or failed: never again. Two
  // jobs for one step (not enqueued by us: the dedupe key forbids it) — the first one runs it.
  const seen = new Set<string>();
  const live = payloads.flatMap((p, i) => {
    const run = runById.get(p.runId);
    const key = keyOf(p);
    const prior = priorByKey.get(key);
    if (seen.has(key)) return [];
    seen.add(key);
    return run?.status === "active" && (!prior || prior.status === "pending") ? [{ i, p, run, prior, key }] : [];
  });
  if (live.length === 0) return [];

  const flowIds = unique(live.map((x) => x.run.flowId));
  const { flows, steps, checkouts, shops } = await rows.batchRows(database, {
    flows: flowIds,
    checkouts: live.flatMap((x) => (x.run.checkoutId ? [x.run.checkoutId] : [])),
    shops: live.map((x) => x.run.shop),
  });
  const shopByName = new Map(shops.map((s) => [s.shop, s]));
  const checkoutById = new Map(checkouts.map((c) => [c.id, c]));
  const found = live.flatMap((x) => {
    const flow = flows.find((f) => f.id === x.run.flowId && f.shop === x.run.shop);
    // Saving a flow replaces its steps (new ids): fall back to the step at the same position,
    // so editing copy never drops the emails already scheduled.
    const ofFlow = steps.filter((s) => s.flowId === x.run.flowId);
    const step = ofFlow.find((s) => s.id === x.p.stepId) ?? (x.p.position != null ? ofFlow.find((s) => s.position === x.p.position) : undefined);
    const shop = shopByName.get(x.run.shop);
    const found = x.run.checkoutId ? checkoutById.get(x.run.checkoutId) : undefined;
    const checkout = found && found.shop === x.run.shop ? found : null;
    return flow && step && shop ? [{ ...x, flow, step, shop, checkout }] : [];
  });
  // A/B tests: the arm each run was scheduled in (one statement, only when a step of the batch
  // runs a test). Read, not drawn again, so a split changed since does not switch a shopper's email.
  const testing = found.filter((x) => stepArms(x.step));
  const exposures = testing.length
    ? await rows.stepExposuresOf(
        database,
        testing.map((x) => x.run.id),
        testing.map((x) => x.p.stepId),
      )
    : [];
  const armOf = new Map(exposures.map((e) => [`${e.runId}:${e.stepId}`, e.arm]));
  return found.map((x) => {
    const arm = stepArms(x.step) ? (armOf.get(`${x.run.id}:${x.p.stepId}`) ?? null) : null;
    // An arm the merchant removed since: the step's own email (arm A), still recorded as the run's arm.
    return { ...x, arm, content: stepArmContent(x.step, arm) ?? stepArmContent(x.step, null)! };
  });
}

/** What the decision needs besides the rows, for every step at once: orders, suppressions, recent sends, cart adds, overlays. */
async function loadSendFacts(database: Db, items: StepItem[], now: Date) {
  const shopNames = unique(items.map((x) => x.run.shop));
  const emails = unique(items.flatMap((x) => (x.run.email ? [x.run.email] : [])));
  const earliestStart = new Date(Math.min(...items.map((x) => x.run.startedAt.getTime())));
  const earliestWindow = new Date(now.getTime() - Math.max(...items.map((x) => x.shop.emailWindowHours)) * 3600_000);
  const browsing = items.filter((x) => x.flow.kind === "browse" && x.run.visitorId);
  const [orders, suppressions, recent, cartAdds] = await Promise.all([
    ordersOf(
      database,
      items.map((x) => ({ ...x.run, checkoutToken: x.checkout?.token ?? null })),
    ),
    // the address, or its hash where a customers/redact erased it (privacy.server)
    rows.suppressionsOf(
      database,
      shopNames,
      emails.length ? [...emails, ...unique(items.flatMap((x) => (x.run.email ? [suppressionHash(x.run.shop, x.run.email)] : [])))] : [],
    ),
    rows.recentRecoverySends(database, shopNames, emails, earliestWindow),
    rows.cartAddsSince(
      database,
      shopNames,
      browsing.map((x) => x.run.visitorId!),
      earliestStart,
    ),
  ]);
  const lastOverlay = await lastOverlaysOf(database, items, now);
  const shopper = (shop: string, email: string) => `${shop}\u0000${email}`;
  const suppressed = new Set(suppressions.map((s) => shopper(s.shop, s.email)));
  const sendsTo = new Map<string, Date[]>();
  const sentTo = (shop: string, email: string) => {
    const key = shopper(shop, email);
    if (!sendsTo.has(key)) sendsTo.set(key, []);
    return sendsTo.get(key)!;
  };
  for (const m of recent) if (m.sentAt) sentTo(m.shop, m.email).push(m.sentAt);
  return {
    orders,
    cartAdds,
    lastOverlay,
    sentTo,
    isSuppressed: (shop: string, email: string) => suppressed.has(shopper(shop, email)) || suppressed.has(shopper(shop, suppressionHash(shop, email))),
  };
}

/** One step's facts, shaped for the pure decision. */
function stepFacts(x: StepItem, facts: SendFacts, now: Date): StepFacts {
  const { run, flow, shop, checkout } = x;
  const email = run.email;
  const windowStart = now.getTime() - shop.emailWindowHours * 3600_000;
  return {
    cartedSinceStart:
      flow.kind === "browse" &&
      !!run.visitorId &&
      facts.cartAdds.some((e) => e.shop === run.shop && e.visitorId === run.visitorId && e.occurredAt >= run.startedAt),
    checkout: {
      status: (checkout?.status as "open" | "completed" | "deleted") ?? "open",
      email,
      acceptsMarketing: checkout?.acceptsMarketing ?? true,
      totalCents: checkout?.totalCents ?? 0,
    },
    orderSeenSinceStart: facts.orders.some((o) => orderMatches(o, { ...run, checkoutToken: checkout?.token ?? null })),
    suppressed: email ? facts.isSuppressed(run.shop, email) : false,
    holdout: run.holdout,
    flow: { enabled: flow.enabled, audience: flow.audience as "any_email", minCartCents: flow.minCartCents, respectQuiet: flow.respectQuiet },
    recentSends: email ? facts.sentTo(run.shop, email).filter((d) => d.getTime() >= windowStart) : [],
    budget: { emailsPerWindow: shop.emailsPerWindow, emailWindowHours: shop.emailWindowHours },
    lastOverlayAt: facts.lastOverlay(run),
    channelGapHours: shop.channelGapHours,
    quietHours:
      shop.quietHoursStart != null && shop.quietHoursEnd != null
        ? { startHour: shop.quietHoursStart, endHour: shop.quietHoursEnd, timeZone: shop.timezone }
        : null,
  };
}

/** Writes what the decision means for the run and the email log; returns when to retry (a deferral). */
async function recordOutcome(database: Db, x: StepItem, outcome: StepDecision, now: Date): Promise<Date | undefined> {
  const { run, flow } = x;
  if (outcome.action === "stop") {
    // The shopper added to cart after all: the browse follow-up is moot (cart flows take over).
    await database.flowRun.updateMany({ where: { id: run.id, status: "active" }, data: { status: "stopped", stopReason: outcome.reason, stoppedAt: now } });
  } else if (outcome.action === "defer") {
    // Counted, so the cost of the budget is visible in analytics ("held back by the budget").
    if (outcome.reason !== "quiet_hours") await database.flowRun.update({ where: { id: run.id }, data: { budgetHolds: { increment: 1 } } });
    return outcome.until;
  } else if (outcome.action === "skip") {
    if (["purchased", "checkout_deleted", "suppressed", "flow_disabled"].includes(outcome.reason)) {
      await database.flowRun.updateMany({
        where: { id: run.id, status: "active" },
        data: { status: "stopped", stopReason: outcome.reason, stoppedAt: now },
      });
    }
    await upsertMessage(database, x.key, {
      shop: run.shop,
      flowId: flow.id,
      flowRunId: run.id,
      stepId: x.step.id,
      arm: x.arm,
      email: run.email ?? "",
      status: "suppressed",
      reason: outcome.reason,
    });
  }
  return undefined;
}

/**
 * Sends the steps decided "send": prepares everything that can fail first (discount code,
 * rendering; nothing claimed yet, so a failure is simply retried), claims the sends, hands each
 * to the transport, then commits what went out.
 */
async function deliver(database: Db, toSend: StepItem[], now: Date, deps: RecoveryDeps, fail: (i: number, reason: unknown) => void) {
  if (toSend.length === 0) return;
  const env = getEnv();
  await readUnreadBrands(database, toSend, now, deps);
  const prepared = (
    await Promise.all(
      toSend.map(async (x) => {
        try {
          return { ...x, ...(await prepareEmail(database, x, now, env, deps)) };
        } catch (error) {
          // Shown on the email log (pending, with the reason) while the job retries: never a silent stall.
          await notePending(database, x, error).catch(() => undefined);
          fail(x.i, error);
          return null;
        }
      }),
    )
  ).filter((x) => x !== null);
  if (prepared.length === 0) return;

  // Claim the sends: each Message row is committed as "sending" BEFORE its transport call. If the
  // process dies after a send and before the commit below, the retry finds "sending" and does not resend.
  const claimed = await claimSends(database, prepared, now);
  const delivered: Array<{ id: string; transportId: string }> = [];
  await Promise.all(
    prepared.map(async (x) => {
      try {
        // Someone else's row under this key (a worker whose lease ran out): read it again next time.
        if (!claimed.has(x.messageId)) throw new Error(`message ${x.key} changed while this step ran; retrying`);
        const sent = await sendOne(database, x, deps);
        if (sent) delivered.push({ id: x.messageId, transportId: sent });
      } catch (error) {
        fail(x.i, error);
      }
    }),
  );
  await markSent(database, delivered, now);
  logger.info("recovery emails sent", {
    sent: delivered.length,
    notSent: prepared.length - delivered.length,
    shops: unique(prepared.map((x) => x.run.shop)).length,
  });
}

/**
 * One claimed email to the transport: its transport id when sent; undefined when refused for
 * good (failed, the address suppressed on a bounce); throws on a temporary failure (retried).
 */
async function sendOne(database: Db, x: StepItem & Awaited<ReturnType<typeof prepareEmail>>, deps: RecoveryDeps): Promise<string | undefined> {
  const { run, shop } = x;
  const result = await getMailer().send({
    to: run.email!,
    from: shop.senderEmail ? { name: shop.senderName || run.shop, address: shop.senderEmail } : undefined,
    replyTo: shop.replyTo || undefined,
    subject: x.rendered.subject,
    html: x.rendered.html,
    text: x.rendered.text,
    idempotencyKey: x.key,
    unsubscribe: { url: x.unsubscribeUrl },
  });
  if (result.ok) {
    await deps.afterSend?.(x.messageId);
    return result.transportId;
  }
  if (result.permanent) {
    await database.message.update({ where: { id: x.messageId }, data: { status: "failed", reason: result.reason.slice(0, 300) } });
    if (result.recipientRejected) {
      await database.suppression.upsert({
        where: { shop_email: { shop: run.shop, email: run.email! } },
        create: { shop: run.shop, email: run.email!, reason: "bounced" },
        update: {},
      });
    }
    return undefined;
  }
  // Temporary failure: nothing went out; give the send back and let the queue retry with backoff.
  await database.message.update({ where: { id: x.messageId }, data: { status: "pending", reason: result.reason.slice(0, 300), sentAt: null } });
  throw new Error(`temporary mail failure: ${result.reason}`);
}

/** The discount code (created once per run), the links and the rendered email of a step about to be sent. */
async function prepareEmail(
  database: Db,
  x: {
    run: { id: string; shop: string; email: string | null; discountCode: string | null; visitorId: string | null };
    /** the email of the run's arm (the step's own when no test) */
    content: StepContent;
    shop: {
      senderName: string;
      currency: string;
      timezone: string;
      brandLogoUrl: string;
      brandColor: string;
      brandAccentColor: string;
      shopifyBrand: unknown;
    };
    checkout: { lineItems: unknown; totalCents: number; currency: string; abandonedCheckoutUrl: string | null } | null;
    prior?: { id: string };
  },
  now: Date,
  env: ReturnType<typeof getEnv>,
  deps: RecoveryDeps,
) {
  const { run, content: step, shop, checkout } = x;
  let discountCode = run.discountCode;
  if (step.discountPercent && !discountCode) {
    discountCode = await createDiscountCode(deps.admin ?? defaultAdmin, run, step.discountPercent, step.discountExpiryDays ?? 7, now);
    await database.flowRun.update({ where: { id: run.id }, data: { discountCode } });
  }
  // A step retried after a temporary failure keeps its row (and so its click-tracking link).
  const messageId = x.prior?.id ?? newId("m");
  const body = emailBodySchema.safeParse(step.body);
  const lineItems = ((checkout?.lineItems as Array<Record<string, unknown>>) ?? []).map((li) => ({
    title: String(li.title ?? ""),
    variantTitle: (li.variant_title as string | null) ?? null,
    quantity: Number(li.quantity ?? 1),
    priceCents: Number(li.price ?? 0),
    imageUrl: (li.image_url as string | null) ?? null,
    productId: li.product_id == null ? null : String(li.product_id),
  }));
  const unsubscribeUrl = `${env.SHOPIFY_APP_URL}/unsubscribe?token=${signUnsubscribeToken({ shop: run.shop, email: run.email! }, env.SHOPIFY_API_SECRET)}`;
  // Every flow's button goes through the click link (attribution, and the storefront learns a
  // recovery email brought the shopper): to the checkout's own recovery URL, else the cart.
  const recoveryUrl = `${env.SHOPIFY_APP_URL}/r/${messageId}?s=${linkSignature(messageId)}`;
  const blocks = body.success ? (body.data as Block[]) : [];
  // Only for an email that shows them: bounded, cached per shop, never failing the send.
  const recommendations: RenderProduct[] = blocks.some((b) => b.type === "recommendations")
    ? await recommendProducts(
        database,
        run.shop,
        { productIds: lineItems.map((li) => li.productId).filter((id): id is string => id !== null), visitorId: run.visitorId },
        { now, storefront: () => (deps.storefront ?? storefrontClient)(run.shop) },
      )
    : [];
  const rendered = await (deps.render ?? renderRecoveryEmail)({
    shop: { name: shop.senderName || run.shop, currency: checkout?.currency ?? shop.currency, timezone: shop.timezone },
    brand: brandKitOf(shop),
    recommendations,
    now,
    step: {
      subject: step.subject,
      preheader: step.preheader,
      body: blocks,
      discountPercent: step.discountPercent,
      discountExpiryDays: step.discountExpiryDays,
    },
    checkout: { lineItems, totalCents: checkout?.totalCents ?? 0, currency: checkout?.currency ?? shop.currency, recoveryUrl },
    discountCode,
    unsubscribeUrl,
  });
  return { messageId, discountCode, unsubscribeUrl, rendered };
}

/** How long a send waits for a shop's first brand read before going out with the overrides or the default. */
const BRAND_READ_WAIT_MS = 3_000;

/**
 * Shops whose brand was never read (nobody opened Settings or a flow since install): read once
 * here, one call per shop in parallel, waited for at most 3 s, and written to the shop row (one
 * statement per such shop, on its first batch only). After that the row carries a read time (a
 * failed read too), so later batches go by the cache and the editors refresh it daily.
 */
async function readUnreadBrands(database: Db, items: StepItem[], now: Date, deps: RecoveryDeps): Promise<void> {
  const unread = unique(items.filter((x) => x.shop.shopifyBrandAt == null).map((x) => x.shop));
  await Promise.all(
    unread.map(async (shop) => {
      const known = { brand: shop.shopifyBrand, at: shop.shopifyBrandAt };
      const read = refreshShopifyBrand(database, shop.shop, () => (deps.storefront ?? storefrontClient)(shop.shop), now, known);
      const timeout = new Promise<null>((resolve) => setTimeout(resolve, BRAND_READ_WAIT_MS, null).unref());
      const brand = await Promise.race([read.catch(() => null), timeout]);
      if (brand) shop.shopifyBrand = brand;
      shop.shopifyBrandAt = now;
    }),
  );
}

const WRITE_CHUNK = 200;

/**
 * pending → sending for every prepared step, in one statement per 200: a new row is inserted as
 * "sending"; a row left "pending" by an earlier temporary failure is taken over only if it is the
 * row the email was rendered for (same id, so its links are right). Returns the ids claimed. The
 * rendered email is stored with the claim, so the outbox shows what went out.
 */
/**
 * When each run's shopper was last shown an overlay (not held out), within the longest channel
 * gap of the shops in the batch: by the run's visitor id and those of the shopper's contacts
 * (the same email captured on another device). Nothing is read when no shop keeps a gap.
 */
async function lastOverlaysOf(
  database: Db,
  items: ReadonlyArray<{ run: { shop: string; email: string | null; visitorId: string | null }; shop: { channelGapHours: number } }>,
  now: Date,
): Promise<(run: { shop: string; email: string | null; visitorId: string | null }) => Date | null> {
  const gapHours = Math.max(0, ...items.map((x) => x.shop.channelGapHours));
  const withGap = items.filter((x) => x.shop.channelGapHours > 0);
  if (gapHours === 0 || withGap.length === 0) return () => null;
  const shops = unique(withGap.map((x) => x.run.shop));
  const emails = unique(withGap.flatMap((x) => (x.run.email ? [x.run.email] : [])));
  const visitors = unique(withGap.flatMap((x) => (x.run.visitorId ? [x.run.visitorId] : [])));
  // One statement, both halves on indexes: exposures of the runs' visitor ids, and of the visitor
  // ids of contacts with the runs' emails (the shopper on another device).
  const since = new Date(now.getTime() - gapHours * 3_600_000);
  const shown = await rows.overlaysShownSince(database, shops, visitors, emails, since);
  return (run) => {
    let at = 0;
    for (const r of shown) {
      if (r.shop === run.shop && (r.visitorId === run.visitorId || (run.email && r.email === run.email))) at = Math.max(at, new Date(r.lastAt).getTime());
    }
    return at > 0 ? new Date(at) : null;
  };
}

async function claimSends(
  database: Db,
  items: Array<{
    messageId: string;
    key: string;
    run: { id: string; shop: string; flowId: string; email: string | null };
    step: { id: string };
    arm: string | null;
    discountCode: string | null;
    rendered: { subject: string; html: string; text: string };
  }>,
  now: Date,
): Promise<Set<string>> {
  const claimed = new Set<string>();
  for (let from = 0; from < items.length; from += WRITE_CHUNK) {
    const claims = items.slice(from, from + WRITE_CHUNK).flatMap((x) =>
      x.run.email
        ? [
            {
              id: x.messageId,
              shop: x.run.shop,
              idempotencyKey: x.key,
              flowId: x.run.flowId,
              flowRunId: x.run.id,
              stepId: x.step.id,
              email: x.run.email,
              subject: x.rendered.subject,
              html: x.rendered.html,
              text: x.rendered.text,
              discountCode: x.discountCode,
              arm: x.arm,
            },
          ]
        : [],
    );
    for (const id of await rows.claimSends(database, claims, now)) claimed.add(id);
  }
  return claimed;
}

/** sending → sent with each message's transport id, in one statement per 200. */
async function markSent(database: Db, sent: Array<{ id: string; transportId: string }>, now: Date) {
  for (let from = 0; from < sent.length; from += WRITE_CHUNK) await rows.markSent(database, sent.slice(from, from + WRITE_CHUNK), now);
}

type OrderProbe = {
  shop: string;
  startedAt: Date;
  cartToken: string | null;
  email: string | null;
  customerId: string | null;
  checkoutToken: string | null;
};
type OrderRow = { shop: string; checkoutToken: string | null; cartToken: string | null; email: string | null; customerId: string | null; orderedAt: Date };

/** Orders that could stop any of these runs, in one query; orderMatches pairs them with a run. */
async function ordersOf(database: Db, runs: OrderProbe[]): Promise<OrderRow[]> {
  const tokens = unique(runs.flatMap((r) => (r.checkoutToken ? [r.checkoutToken] : [])));
  const carts = unique(runs.flatMap((r) => (r.cartToken ? [r.cartToken] : [])));
  const emails = unique(runs.flatMap((r) => (r.email ? [r.email] : [])));
  const customers = unique(runs.flatMap((r) => (r.customerId ? [r.customerId] : [])));
  const since = new Date(Math.min(...runs.map((r) => r.startedAt.getTime())));
  if (!tokens.length && !carts.length && !emails.length && !customers.length) return [];
  // An empty list matches nothing: its branch drops out of the OR.
  return rows.ordersFor(database, { shops: unique(runs.map((r) => r.shop)), checkoutTokens: tokens, cartTokens: carts, emails, customerIds: customers, since });
}

/** The purchase rule: an order of the same checkout or cart, or the shopper's order since the run started. */
function orderMatches(o: OrderRow, run: OrderProbe): boolean {
  if (o.shop !== run.shop) return false;
  if (run.checkoutToken && o.checkoutToken === run.checkoutToken) return true;
  if (run.cartToken && o.cartToken === run.cartToken) return true;
  if (o.orderedAt < run.startedAt) return false;
  return (run.email !== null && o.email === run.email) || (run.customerId !== null && o.customerId === run.customerId);
}

async function orderSeen(database: Db, run: Omit<OrderProbe, "checkoutToken">, checkoutToken: string | null) {
  const probe = { ...run, checkoutToken };
  return (await ordersOf(database, [probe])).some((o) => orderMatches(o, probe));
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** Why a step could not be prepared, in the merchant's words (the email log shows it). */
export function pendingReason(error: unknown): string {
  const name = (error as { name?: string } | null)?.name;
  const message = error instanceof Error ? error.message : String(error);
  if (name === "SessionNotFoundError" || /Could not find a session/i.test(message))
    return "Waiting for Shopify access: the app has no access token for this store (it was removed or expired). Open Intentful from your Shopify admin to reconnect it; the email is retried.";
  if (/\b401\b|Unauthorized|Invalid API key or access token/i.test(message))
    return "Waiting for Shopify access: Shopify refused the app's access token. Open Intentful from your Shopify admin to reconnect it; the email is retried.";
  return `Not sent yet, retrying: ${message}`;
}

async function notePending(
  database: Db,
  x: {
    key: string;
    prior?: { id: string } | null;
    run: { shop: string; flowId: string; id: string; email: string | null };
    step: { id: string };
    arm: string | null;
  },
  error: unknown,
) {
  const reason = pendingReason(error).slice(0, 300);
  if (x.prior) {
    await database.message.updateMany({ where: { id: x.prior.id, status: "pending" }, data: { reason } });
    return;
  }
  await upsertMessage(database, x.key, {
    shop: x.run.shop,
    flowId: x.run.flowId,
    flowRunId: x.run.id,
    stepId: x.step.id,
    arm: x.arm,
    email: x.run.email ?? "",
    status: "pending",
    reason,
  });
}

async function upsertMessage(
  database: Db,
  idempotencyKey: string,
  data: { shop: string; flowId: string; flowRunId: string; stepId: string; arm: string | null; email: string; status: string; reason?: string },
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
