import type { Db } from "~/db.server";

/**
 * Credits an order (orders/create) to what touched the shopper inside the shop's attribution
 * window (default 5 days), for BOTH arms, so analytics can compare treatment with holdout:
 * - flows: the run for this checkout/cart/email; treatment when an email of it was sent (or
 *   clicked) in the window, control when the run was held out;
 * - overlays: the first exposure per trigger of the visitor id in the cart attributes —
 *   "impression" events are treatment, "control" events are the holdout.
 * One Attribution per order and touch (unique key), so a replayed job changes nothing.
 * Under an A/B test the touch carries its arm: the overlay exposure's (the first impression's;
 * "mixed" when the visitor's Exposure saw two), the credited message's for a flow; "" otherwise.
 */
type Touch = {
  source: string;
  key: string;
  triggerId?: string;
  flowId?: string;
  messageId?: string;
  variant: string;
  arm?: string;
  visitorId?: string | null;
};
type OrderRow = NonNullable<Awaited<ReturnType<Db["order"]["findUnique"]>>>;

export async function attributeOrder(db: Db, p: { shop: string; orderId: string }) {
  const order = await db.order.findUnique({ where: { shop_orderId: { shop: p.shop, orderId: p.orderId } } });
  if (!order) return;
  const shop = await db.shop.findUnique({ where: { shop: p.shop }, select: { attributionWindowDays: true } });
  const windowStart = new Date(order.orderedAt.getTime() - (shop?.attributionWindowDays ?? 5) * 86_400_000);
  const rows = [...(await flowTouches(db, order, windowStart)), ...(await overlayTouches(db, order, windowStart))];
  for (const r of rows) {
    await db.attribution.upsert({
      where: { shop_key: { shop: p.shop, key: r.key } },
      update: {},
      create: {
        shop: p.shop,
        orderId: order.orderId,
        orderName: order.name,
        totalCents: order.totalCents,
        currency: order.currency,
        source: r.source,
        triggerId: r.triggerId ?? null,
        flowId: r.flowId ?? null,
        messageId: r.messageId ?? null,
        visitorId: r.visitorId ?? null,
        variant: r.variant,
        arm: r.arm ?? "",
        key: r.key,
        occurredAt: order.orderedAt,
      },
    });
  }
  return rows.length;
}

/** The recovery runs for this order's checkout, cart or email started in the window: held out, or sent an email in it. */
async function flowTouches(db: Db, order: OrderRow, windowStart: Date): Promise<Touch[]> {
  const checkout = order.checkoutToken
    ? await db.checkout.findUnique({ where: { shop_token: { shop: order.shop, token: order.checkoutToken } }, select: { id: true } })
    : null;
  const runOr = [
    ...(checkout ? [{ checkoutId: checkout.id }] : []),
    ...(order.cartToken ? [{ cartToken: order.cartToken }] : []),
    ...(order.email ? [{ email: order.email }] : []),
  ];
  if (!runOr.length) return [];
  const runs = await db.flowRun.findMany({
    where: { shop: order.shop, startedAt: { gte: windowStart, lte: order.orderedAt }, OR: runOr },
    select: { id: true, flowId: true, holdout: true },
  });
  const rows: Touch[] = [];
  for (const run of runs) {
    const key = `${order.orderId}:flow:${run.flowId}`;
    if (run.holdout) {
      rows.push({ source: "flow", key, flowId: run.flowId, variant: "control" });
      continue;
    }
    const message = await db.message.findFirst({
      where: { shop: order.shop, flowRunId: run.id, status: "sent", sentAt: { gte: windowStart, lte: order.orderedAt } },
      orderBy: [{ clickedAt: "desc" }, { sentAt: "desc" }],
      select: { id: true, arm: true },
    });
    if (message) rows.push({ source: "flow", key, flowId: run.flowId, messageId: message.id, variant: "treatment", arm: message.arm ?? "" });
  }
  return rows;
}

/**
 * The first exposure per trigger of the order's visitor in the window: impression = treatment,
 * control = holdout. A treatment exposure's arm is the visitor's Exposure row's (the arm analytics
 * counts them in: the first shown, "mixed" after two), else the first impression's.
 */
async function overlayTouches(db: Db, order: OrderRow, windowStart: Date): Promise<Touch[]> {
  if (!order.visitorId) return [];
  const exposures = await db.event.findMany({
    where: { shop: order.shop, visitorId: order.visitorId, kind: { in: ["impression", "control"] }, occurredAt: { gte: windowStart, lte: order.orderedAt } },
    orderBy: { occurredAt: "asc" },
    select: { triggerId: true, kind: true, arm: true },
  });
  const seen = new Set<string>();
  const rows: Touch[] = [];
  for (const e of exposures) {
    if (!e.triggerId || seen.has(e.triggerId)) continue;
    seen.add(e.triggerId);
    const variant = e.kind === "impression" ? "treatment" : "control";
    const arm = variant === "treatment" ? (e.arm ?? "") : "";
    rows.push({ source: "overlay", key: `${order.orderId}:overlay:${e.triggerId}`, triggerId: e.triggerId, variant, arm, visitorId: order.visitorId });
  }
  const treated = rows.filter((r) => r.variant === "treatment");
  if (treated.length) {
    const stored = await db.exposure.findMany({
      where: { shop: order.shop, visitorId: order.visitorId, triggerId: { in: treated.map((r) => r.triggerId!) } },
      select: { triggerId: true, arm: true },
    });
    const armOf = new Map(stored.map((x) => [x.triggerId, x.arm]));
    for (const r of treated) r.arm = armOf.get(r.triggerId!) || r.arm;
  }
  return rows;
}
