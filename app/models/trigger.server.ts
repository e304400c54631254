import { randomBytes } from "node:crypto";
import { Prisma } from "@prisma/client";
import { jsonNull, type Db, type DbOrTx } from "~/db.server";
import { triggerTemplates, type TemplateKey, type TriggerInput } from "~/domain/triggers";
import { armsOf, newArmId, type ArmBase } from "~/domain/experiments/variants";

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
  variants: true,
} satisfies Prisma.TriggerSelect;

const fullSelect = {
  ...listSelect,
  conditions: true,
  segment: true,
  frequencyCap: true,
  variants: true,
  testStartedAt: true,
  autoPromote: true,
  createdAt: true,
} satisfies Prisma.TriggerSelect;

export type TriggerListRow = Prisma.TriggerGetPayload<{ select: typeof listSelect }>;
export type TriggerRecord = Prisma.TriggerGetPayload<{ select: typeof fullSelect }>;

const newSalt = () => randomBytes(6).toString("base64url");
const json = (v: unknown) => v as Prisma.InputJsonValue;

/** A nullable JSON column's value: SQL NULL for null (Prisma refuses a bare null there). */
const jsonOrNull = (db: DbOrTx, v: unknown) => (v == null ? jsonNull(db) : json(v));
/** The same on create, where leaving the column out makes it NULL. */
const jsonIfAny = (v: unknown) => (v == null ? {} : { variants: json(v) });

/** What identifies a comparison: the arms' ids and weights, in order (content edits leave it alone). */
const armsKey = (arms: ArmBase[] | null) => (arms ? JSON.stringify(arms.map((a) => [a.id, a.weight])) : "");

/**
 * When the test of a row starts, given the arms it had and the arms it gets (issue 21):
 * no arms → null (no test; taking a test down to one arm ends it without a record — the
 * analytics page's Promote keeps one); arms where there were none, a new arm, a removed arm or
 * a new split → now (a new comparison, counted from units first exposed from now on); the same
 * arm ids and weights → the old start (editing an arm's content keeps the comparison going).
 */
export function nextTestStart(before: { variants: unknown; testStartedAt: Date | null }, after: ArmBase[] | null | undefined, now: Date): Date | null {
  if (!after || after.length < 2) return null;
  const previous = armsOf<ArmBase>(before.variants);
  if (before.testStartedAt && armsKey(previous) === armsKey(after)) return before.testStartedAt;
  return now;
}

/** The A/B columns as stored: the arms (arm A without content), auto-promote only while a test runs. */
function variantColumns(db: DbOrTx | null, input: Pick<TriggerInput, "variants" | "autoPromote">) {
  const arms = input.variants && input.variants.length >= 2 ? input.variants : null;
  return { ...(db ? { variants: jsonOrNull(db, arms) } : jsonIfAny(arms)), autoPromote: arms ? input.autoPromote : false };
}

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

export async function createTrigger(db: Db, shop: string, input: TriggerInput, template: string | null = null, now: Date = new Date()) {
  return db.trigger.create({
    data: {
      shop,
      template,
      salt: newSalt(),
      ...columns(input),
      ...variantColumns(null, input),
      testStartedAt: nextTestStart({ variants: null, testStartedAt: null }, input.variants, now),
    },
    select: { id: true },
  });
}

/** A new trigger from a template, switched off so the merchant reviews it first. */
export function createTriggerFromTemplate(db: Db, shop: string, key: TemplateKey) {
  return createTrigger(db, shop, { ...triggerTemplates[key], enabled: false }, key);
}

/**
 * false when the trigger does not exist for this shop. Saves the A/B arms too, and sets
 * `testStartedAt` by `nextTestStart` (the arms before and after read and written in one transaction).
 */
export async function updateTrigger(db: Db, shop: string, id: string, input: TriggerInput, now: Date = new Date()): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const before = await tx.trigger.findFirst({ where: { shop, id }, select: { variants: true, testStartedAt: true } });
    if (!before) return false;
    const testStartedAt = nextTestStart(before, input.variants, now);
    const { count } = await tx.trigger.updateMany({ where: { shop, id }, data: { ...columns(input), ...variantColumns(tx, input), testStartedAt } });
    return count > 0;
  });
}

export async function setTriggerEnabled(db: Db, shop: string, id: string, enabled: boolean): Promise<boolean> {
  const { count } = await db.trigger.updateMany({ where: { shop, id }, data: { enabled } });
  return count > 0;
}

/**
 * A copy (switched off, with its own holdout salt), or null when the trigger does not exist for
 * this shop. An A/B test is copied as a new test: the same contents and split under fresh arm
 * ids, started at the copy's creation (the copy has its own salt and no exposures, so nothing
 * of the original's test carries over; auto-promote as the original had it).
 */
export async function duplicateTrigger(db: Db, shop: string, id: string, now: Date = new Date()) {
  const source = await db.trigger.findFirst({ where: { shop, id } });
  if (!source) return null;
  const arms = armsOf<ArmBase>(source.variants)?.map((a) => ({ ...a, id: newArmId() })) ?? null;
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
      ...jsonIfAny(arms),
      testStartedAt: arms ? now : null,
      autoPromote: arms ? source.autoPromote : false,
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
