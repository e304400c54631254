import type { Db } from "~/db.server";
import { seedSession } from "../../support/shopify";

/**
 * An installed shop whose checkout flow is on, without holdout, with one email step
 * `delayMinutes` after the checkout (0: due at once), optionally with a discount code
 * (which makes the step call the Admin API before it sends).
 */
export async function installRecoveryShop(
  db: Db,
  shop: string,
  options: { delayMinutes?: number; discountPercent?: number | null } = {},
): Promise<{ flowId: string; stepId: string }> {
  const { onShopInstalled } = await import("~/services/install.server");
  await seedSession(db, shop);
  await onShopInstalled(db, { shop });
  const flow = await db.recoveryFlow.findFirstOrThrow({ where: { shop, kind: "checkout" }, include: { steps: { orderBy: { position: "asc" } } } });
  await db.recoveryStep.deleteMany({ where: { flowId: flow.id, position: { gt: 0 } } });
  const step = await db.recoveryStep.update({
    where: { id: flow.steps[0].id },
    data: {
      delayMinutes: options.delayMinutes ?? 60,
      discountPercent: options.discountPercent ?? null,
      discountExpiryDays: options.discountPercent ? 7 : null,
    },
  });
  await db.recoveryFlow.update({ where: { id: flow.id }, data: { enabled: true, holdoutPct: 0 } });
  return { flowId: flow.id, stepId: step.id };
}

/** Polls `check` until it returns a truthy value (returned) or the time is up (throws with `what`). */
export async function eventually<T>(check: () => Promise<T> | T, what: string, timeoutMs = 20_000, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
