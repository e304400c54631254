import type { Prisma } from "@prisma/client";
import type { Db } from "~/db.server";
import { getEnv } from "~/env.server";
import { onShopInstalled } from "~/services/install.server";
import { publishRules } from "~/services/publish.server";
import { unauthenticated } from "~/shopify.server";
import { DEMO_SHOP } from "./constants";

/**
 * Demo seed (idempotent): the demo shop with an offline session, the starter triggers and
 * flows, and three of them switched on — an exit-intent trigger on product pages for new
 * visitors with a 10% holdout, a cart reminder, and checkout recovery (first email 1 hour
 * after the checkout, to any checkout with an email).
 */
export async function seedDemo(db: Db): Promise<void> {
  const env = getEnv();
  await db.session.upsert({
    where: { id: `offline_${DEMO_SHOP}` },
    update: {},
    create: {
      id: `offline_${DEMO_SHOP}`,
      shop: DEMO_SHOP,
      state: "demo",
      isOnline: false,
      scope: env.SCOPES,
      accessToken: "shpat_demo_offline_token",
    },
  });
  const { created } = await onShopInstalled(db, { shop: DEMO_SHOP });
  if (created) {
    await db.shop.update({
      where: { shop: DEMO_SHOP },
      data: { senderName: "Demo Shop", senderEmail: "hello@demo-shop.example", timezone: "America/New_York" },
    });
    const exit = await db.trigger.findFirstOrThrow({ where: { shop: DEMO_SHOP, template: "exit_intent_recommendations" } });
    await db.trigger.update({
      where: { id: exit.id },
      data: {
        name: "Exit intent: new visitors on product pages",
        enabled: true,
        holdoutPct: 10,
        segment: { ...(exit.segment as Record<string, unknown>), visitor: "new" } as Prisma.InputJsonValue,
      },
    });
    await db.trigger.updateMany({ where: { shop: DEMO_SHOP, template: "exit_intent_cart_reminder" }, data: { enabled: true } });
    // No flow holdout in the demo, so every demo checkout with an email gets its email.
    await db.recoveryFlow.updateMany({ where: { shop: DEMO_SHOP, kind: "checkout" }, data: { enabled: true, holdoutPct: 0 } });
  }
  const { admin } = await unauthenticated.admin(DEMO_SHOP);
  await publishRules(db, DEMO_SHOP, admin);
}
