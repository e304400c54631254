import { randomBytes } from "node:crypto";
import type { Prisma } from "@prisma/client";
import type { Db } from "~/db.server";
import { TEMPLATE_KEYS, triggerTemplates } from "~/domain/triggers";
import { flowTemplates, FLOW_KINDS } from "~/domain/recovery";
import { flowColumns, stepRows } from "~/models/flow.server";

export function newSalt(): string {
  return randomBytes(6).toString("base64url");
}

/**
 * Called after auth (the library's afterAuth hook) and by the demo seed. A new shop gets its
 * settings row plus the starter triggers and recovery flows from templates, all switched off.
 * A reinstall keeps whatever the merchant had (unless shop/redact erased it).
 */
export async function onShopInstalled(database: Db, { shop }: { shop: string; admin?: unknown }): Promise<{ created: boolean }> {
  const existing = await database.shop.findUnique({ where: { shop }, select: { shop: true } });
  if (existing) {
    await database.shop.update({ where: { shop }, data: { uninstalledAt: null } });
    return { created: false };
  }
  await database.$transaction(async (tx) => {
    await tx.shop.create({ data: { shop } });
    for (const key of TEMPLATE_KEYS) {
      const t = triggerTemplates[key];
      await tx.trigger.create({
        data: {
          shop,
          name: t.name,
          type: t.type,
          template: key,
          enabled: false,
          conditions: t.conditions as Prisma.InputJsonValue,
          segment: t.segment as Prisma.InputJsonValue,
          content: t.content as Prisma.InputJsonValue,
          frequencyCap: t.frequencyCap as Prisma.InputJsonValue,
          holdoutPct: t.holdoutPct,
          priority: t.priority,
          salt: newSalt(),
        },
      });
    }
    for (const kind of FLOW_KINDS) {
      const f = flowTemplates[kind];
      await tx.recoveryFlow.create({
        data: { shop, ...flowColumns(f), enabled: false, steps: { create: stepRows(f.steps) } },
      });
    }
  });
  return { created: true };
}
