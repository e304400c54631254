import type { Db } from "~/db.server";

/** Outcomes of a delivery whose effect did not happen: the platform sent what we could not use. */
export const PROBLEM_OUTCOMES = ["rejected", "refused", "expired"] as const;

export interface DeliveryProblem {
  topic: string;
  outcome: string;
  count: number;
  lastReason: string | null;
  lastAt: Date;
}

/**
 * Deliveries of the last `hours` that were not applied, grouped by topic and outcome, newest
 * reason first: what the admin home's banner says ("12 checkout updates could not be read: …").
 */
export async function deliveryProblems(db: Db, shop: string, since: Date): Promise<DeliveryProblem[]> {
  const groups = await db.webhookDelivery.groupBy({
    by: ["topic", "outcome"],
    where: { shop, outcome: { in: [...PROBLEM_OUTCOMES] }, receivedAt: { gte: since } },
    _count: { _all: true },
    _max: { receivedAt: true },
  });
  const problems: DeliveryProblem[] = [];
  for (const g of groups) {
    const last = await db.webhookDelivery.findFirst({
      where: { shop, topic: g.topic, outcome: g.outcome, receivedAt: { gte: since } },
      orderBy: { receivedAt: "desc" },
      select: { reason: true, receivedAt: true },
    });
    problems.push({
      topic: g.topic,
      outcome: g.outcome,
      count: g._count._all,
      lastReason: last?.reason ?? null,
      lastAt: last?.receivedAt ?? g._max.receivedAt ?? since,
    });
  }
  return problems.sort((a, b) => b.count - a.count);
}

/**
 * The shop's most recent deliveries, with their outcomes and reasons, for the settings page: the
 * newest few of each subscribed topic (each an indexed range on [shop, topic, receivedAt]), merged.
 */
export async function recentDeliveries(db: Db, shop: string, topics: readonly string[], take = 25) {
  const perTopic = await Promise.all(
    topics.map((topic) =>
      db.webhookDelivery.findMany({
        where: { shop, topic },
        orderBy: { receivedAt: "desc" },
        take,
        select: { webhookId: true, topic: true, outcome: true, reason: true, receivedAt: true, triggeredAt: true },
      }),
    ),
  );
  return perTopic
    .flat()
    .sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime())
    .slice(0, take);
}
