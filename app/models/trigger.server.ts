import { randomBytes } from "node:crypto";
import type { Prisma } from "@prisma/client";
import type { Db } from "~/db.server";
import { triggerTemplates, type TemplateKey, type TriggerInput } from "~/domain/triggers";

/**
 * Trigger data access. Every function takes the shop first and filters by it, so an id from
 * another shop behaves exactly like an id that does not exist (null / false → the route's 404).
 */

const listSelect = {
  id: true,
  name: true,
  type: true,
  template: true,
  enabled: true,
  content: true,
  holdoutPct: true,
  priority: true,
  updatedAt: true,
} satisfies Prisma.TriggerSelect;

const fullSelect = {
  ...listSelect,
  conditions: true,
  segment: true,
  frequencyCap: true,
  createdAt: true,
} satisfies Prisma.TriggerSelect;

export type TriggerListRow = Prisma.TriggerGetPayload<{ select: typeof listSelect }>;
export type TriggerRecord = Prisma.TriggerGetPayload<{ select: typeof fullSelect }>;

const newSalt = () => randomBytes(6).toString("base64url");
const json = (v: unknown) => v as Prisma.InputJsonValue;

function columns(input: TriggerInput) {
  return {
    name: input.name,
    type: input.type,
    enabled: input.enabled,
    conditions: json(input.conditions),
    segment: json(input.segment),
    content: json(input.content),
    frequencyCap: json(input.frequencyCap),
    holdoutPct: input.holdoutPct,
    priority: input.priority,
  };
}

export function listTriggers(db: Db, shop: string): Promise<TriggerListRow[]> {
  return db.trigger.findMany({
    where: { shop },
    select: listSelect,
    orderBy: [{ priority: "desc" }, { createdAt: "asc" }],
  });
}

export function getTrigger(db: Db, shop: string, id: string): Promise<TriggerRecord | null> {
  return db.trigger.findFirst({ where: { shop, id }, select: fullSelect });
}

export async function createTrigger(db: Db, shop: string, input: TriggerInput, template: string | null = null) {
  return db.trigger.create({
    data: { shop, template, salt: newSalt(), ...columns(input) },
    select: { id: true },
  });
}

/** A new trigger from a template, switched off so the merchant reviews it first. */
export function createTriggerFromTemplate(db: Db, shop: string, key: TemplateKey) {
  return createTrigger(db, shop, { ...triggerTemplates[key], enabled: false }, key);
}

/** false when the trigger does not exist for this shop. */
export async function updateTrigger(db: Db, shop: string, id: string, input: TriggerInput): Promise<boolean> {
  const { count } = await db.trigger.updateMany({ where: { shop, id }, data: columns(input) });
  return count > 0;
}

export async function setTriggerEnabled(db: Db, shop: string, id: string, enabled: boolean): Promise<boolean> {
  const { count } = await db.trigger.updateMany({ where: { shop, id }, data: { enabled } });
  return count > 0;
}

/** A copy (switched off, with its own holdout salt), or null when the trigger does not exist for this shop. */
export async function duplicateTrigger(db: Db, shop: string, id: string) {
  const source = await db.trigger.findFirst({ where: { shop, id } });
  if (!source) return null;
  return db.trigger.create({
    data: {
      shop,
      name: `Copy of ${source.name}`.slice(0, 80),
      type: source.type,
      template: source.template,
      enabled: false,
      conditions: json(source.conditions),
      segment: json(source.segment),
      content: json(source.content),
      frequencyCap: json(source.frequencyCap),
      holdoutPct: source.holdoutPct,
      priority: source.priority,
      salt: newSalt(),
    },
    select: { id: true, name: true },
  });
}

export async function deleteTrigger(db: Db, shop: string, id: string): Promise<boolean> {
  const { count } = await db.trigger.deleteMany({ where: { shop, id } });
  return count > 0;
}

export const REVIEW_AFTER_DAYS = 90;

/**
 * Active triggers neither changed nor marked reviewed for `days` days: the quarterly review
 * reminder on the home page, the triggers list and settings (offers and copy go stale).
 */
export function staleTriggers(db: Db, shop: string, now: Date = new Date(), days = REVIEW_AFTER_DAYS) {
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  return db.trigger.findMany({
    where: { shop, enabled: true, updatedAt: { lt: cutoff }, OR: [{ reviewedAt: null }, { reviewedAt: { lt: cutoff } }] },
    select: { id: true, name: true, enabled: true, updatedAt: true, reviewedAt: true },
    orderBy: { updatedAt: "asc" },
  });
}

/** "Still fits": the merchant looked at these triggers (of this shop only); returns how many. */
export async function markTriggersReviewed(db: Db, shop: string, ids: string[], now: Date = new Date()): Promise<number> {
  const { count } = await db.trigger.updateMany({ where: { shop, id: { in: ids } }, data: { reviewedAt: now } });
  return count;
}
