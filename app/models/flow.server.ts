import { Prisma } from "@prisma/client";
import { z } from "zod";
import { jsonNull, type Db } from "~/db.server";
import { newArmId } from "~/domain/experiments/variants";
import { nextTestStart } from "~/models/trigger.server";
import { brandKitOf, resolveBrandKit, type BrandKit } from "~/domain/recovery/brand";
import {
  AUDIENCES,
  DELIVERY_CHANNELS,
  FLOW_KINDS,
  emailBodySchema,
  flowTemplates,
  stepArmSchema,
  type StepArm,
  type Audience,
  type Block,
  type DeliveryChannel,
  type FlowInput,
  type FlowKind,
} from "~/domain/recovery";

/**
 * Recovery flows as stored: small verb-named functions, every one filtered by `shop`, so an
 * id from another shop behaves exactly like an id that does not exist.
 */

export interface FlowListItem {
  id: string;
  name: string;
  kind: FlowKind;
  enabled: boolean;
  audience: Audience;
  holdoutPct: number;
  deliverVia: DeliveryChannel;
  stepCount: number;
  firstDelayMinutes: number | null;
  updatedAt: Date;
}

export interface FlowStep {
  id: string;
  position: number;
  delayMinutes: number;
  subject: string;
  preheader: string;
  body: Block[];
  discountPercent: number | null;
  discountExpiryDays: number | null;
  /** The A/B test's arms (arm A = the fields above), or null when no test runs. */
  variants: StepArm[] | null;
  testStartedAt: Date | null;
  autoPromote: boolean;
}

export interface FlowDetail {
  id: string;
  name: string;
  kind: FlowKind;
  enabled: boolean;
  audience: Audience;
  minCartCents: number;
  holdoutPct: number;
  respectQuiet: boolean;
  deliverVia: DeliveryChannel;
  stopOnOrder: boolean;
  createdAt: Date;
  updatedAt: Date;
  steps: FlowStep[];
}

const stepSelect = {
  id: true,
  position: true,
  delayMinutes: true,
  subject: true,
  preheader: true,
  body: true,
  discountPercent: true,
  discountExpiryDays: true,
  variants: true,
  testStartedAt: true,
  autoPromote: true,
} satisfies Prisma.RecoveryStepSelect;

const detailSelect = {
  id: true,
  name: true,
  kind: true,
  enabled: true,
  audience: true,
  minCartCents: true,
  holdoutPct: true,
  respectQuiet: true,
  deliverVia: true,
  stopOnOrder: true,
  createdAt: true,
  updatedAt: true,
  steps: { select: stepSelect, orderBy: { position: "asc" } },
} satisfies Prisma.RecoveryFlowSelect;

const oneOf = <T extends string>(values: readonly T[], value: string, fallback: T): T =>
  (values as readonly string[]).includes(value) ? (value as T) : fallback;

/** A stored body that no longer parses (edited by hand, old format) shows as one text block. */
function readBody(body: Prisma.JsonValue): Block[] {
  const parsed = emailBodySchema.safeParse(body);
  return parsed.success ? parsed.data : [{ type: "text", text: "This email's content could not be read; rewrite it here." }];
}

const storedArmsSchema = z.array(stepArmSchema).min(2);

/** A stored arm list that no longer parses (edited by hand) reads as no test. */
function readArms(variants: Prisma.JsonValue): StepArm[] | null {
  const parsed = storedArmsSchema.safeParse(variants);
  return parsed.success ? parsed.data : null;
}

export async function listFlows(db: Db, shop: string): Promise<FlowListItem[]> {
  const rows = await db.recoveryFlow.findMany({
    where: { shop },
    select: {
      id: true,
      name: true,
      kind: true,
      enabled: true,
      audience: true,
      holdoutPct: true,
      deliverVia: true,
      updatedAt: true,
      steps: { select: { delayMinutes: true }, orderBy: { position: "asc" } },
    },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    kind: oneOf(FLOW_KINDS, r.kind, "checkout"),
    enabled: r.enabled,
    audience: oneOf(AUDIENCES, r.audience, "any_email"),
    holdoutPct: r.holdoutPct,
    deliverVia: oneOf(DELIVERY_CHANNELS, r.deliverVia, "email"),
    stepCount: r.steps.length,
    firstDelayMinutes: r.steps[0]?.delayMinutes ?? null,
    updatedAt: r.updatedAt,
  }));
}

export async function getFlow(db: Db, shop: string, id: string): Promise<FlowDetail | null> {
  const row = await db.recoveryFlow.findFirst({ where: { id, shop }, select: detailSelect });
  if (!row) return null;
  return {
    ...row,
    kind: oneOf(FLOW_KINDS, row.kind, "checkout"),
    audience: oneOf(AUDIENCES, row.audience, "any_email"),
    deliverVia: oneOf(DELIVERY_CHANNELS, row.deliverVia, "email"),
    steps: row.steps.map((s) => ({ ...s, body: readBody(s.body), variants: readArms(s.variants) })),
  };
}

/** The editor's starting values for a stored flow. */
export function flowToInput(flow: FlowDetail): FlowInput {
  return {
    name: flow.name,
    kind: flow.kind,
    enabled: flow.enabled,
    audience: flow.audience,
    minCartCents: flow.minCartCents,
    holdoutPct: flow.holdoutPct,
    respectQuiet: flow.respectQuiet,
    deliverVia: flow.deliverVia,
    steps: flow.steps.map((s) => ({
      delayMinutes: s.delayMinutes,
      subject: s.subject,
      preheader: s.preheader,
      body: s.body,
      ...(s.discountPercent != null ? { discountPercent: s.discountPercent } : {}),
      ...(s.discountExpiryDays != null ? { discountExpiryDays: s.discountExpiryDays } : {}),
      ...(s.variants ? { variants: s.variants, autoPromote: s.autoPromote } : {}),
    })),
  };
}

/** One step's columns without its test's start (see `stepRows`, `updateFlow`). */
/** `noArms`: what a step without a test writes (left out on create, SQL NULL on update). */
function stepColumns(s: FlowInput["steps"][number], position: number, noArms?: typeof Prisma.DbNull) {
  const arms = s.variants && s.variants.length >= 2 ? s.variants : null;
  return {
    position,
    delayMinutes: s.delayMinutes,
    subject: s.subject,
    preheader: s.preheader,
    body: s.body as Prisma.InputJsonValue,
    discountPercent: s.discountPercent ?? null,
    discountExpiryDays: s.discountExpiryDays ?? null,
    ...(arms ? { variants: arms as Prisma.InputJsonValue } : noArms ? { variants: noArms } : {}),
    autoPromote: arms ? (s.autoPromote ?? false) : false,
  };
}

/** A flow's columns and step rows as Prisma creates them (shared by the editor and install); a step's test starts now. */
export function stepRows(steps: FlowInput["steps"], now: Date = new Date()) {
  return steps.map((s, position) => ({ ...stepColumns(s, position), testStartedAt: nextTestStart({ variants: null, testStartedAt: null }, s.variants, now) }));
}

export function flowColumns(input: FlowInput) {
  return {
    name: input.name,
    kind: input.kind,
    enabled: input.enabled,
    audience: input.audience,
    minCartCents: input.minCartCents,
    holdoutPct: input.holdoutPct,
    respectQuiet: input.respectQuiet,
    deliverVia: input.deliverVia,
  };
}

async function createFlow(db: Db, shop: string, input: FlowInput): Promise<{ id: string }> {
  return db.recoveryFlow.create({
    data: { shop, ...flowColumns(input), steps: { create: stepRows(input.steps) } },
    select: { id: true },
  });
}

/** A new flow from a template, switched off so the merchant reviews it before it sends. */
export async function createFlowFromTemplate(db: Db, shop: string, kind: FlowKind): Promise<{ id: string }> {
  const template = flowTemplates[kind];
  if (!template) throw new RangeError(`unknown flow template "${kind}"`);
  return createFlow(db, shop, { ...template, enabled: false });
}

/**
 * Saves a validated flow: its settings and its steps, in one transaction, so a reader never sees
 * half the old steps and half the new. Steps keep their ids by position (email 1 stays the row
 * it was, edited in place; emails past the old last are added, emails past the new last removed):
 * a step's id is its A/B test's salt and the key of its exposures, so a save must not move
 * anyone to another arm. Each step's test start follows `nextTestStart` (a new arm or a new split
 * restarts the comparison, content edits keep it). False when the flow is not this shop's.
 */
export async function updateFlow(db: Db, shop: string, id: string, input: FlowInput, now: Date = new Date()): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.recoveryFlow.updateMany({ where: { id, shop }, data: flowColumns(input) });
    if (count === 0) return false;
    const existing = await tx.recoveryStep.findMany({
      where: { flowId: id },
      select: { id: true, position: true, variants: true, testStartedAt: true },
      orderBy: { position: "asc" },
    });
    const atPosition = new Map(existing.map((s) => [s.position, s]));
    await tx.recoveryStep.deleteMany({ where: { flowId: id, position: { gte: input.steps.length } } });
    for (const [position, step] of input.steps.entries()) {
      const before = atPosition.get(position);
      const testStartedAt = nextTestStart(before ?? { variants: null, testStartedAt: null }, step.variants, now);
      const data = { ...stepColumns(step, position, jsonNull(tx)), testStartedAt };
      if (before) await tx.recoveryStep.update({ where: { id: before.id }, data });
      else await tx.recoveryStep.create({ data: { ...data, flowId: id } });
    }
    return true;
  });
}

export async function setFlowEnabled(db: Db, shop: string, id: string, enabled: boolean): Promise<boolean> {
  const { count } = await db.recoveryFlow.updateMany({ where: { id, shop }, data: { enabled } });
  return count > 0;
}

/** Steps go with the flow; its runs, messages and attributions stay for reporting. */
export async function deleteFlow(db: Db, shop: string, id: string): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const owned = await tx.recoveryFlow.findFirst({ where: { id, shop }, select: { id: true } });
    if (!owned) return false;
    // Explicit rather than relying on the FK cascade, which SQLite only applies with foreign_keys on.
    await tx.recoveryStep.deleteMany({ where: { flowId: id } });
    await tx.recoveryFlow.deleteMany({ where: { id, shop } });
    return true;
  });
}

/** A switched-off copy named "Copy of …"; null when the flow is not this shop's. */
export async function duplicateFlow(db: Db, shop: string, id: string): Promise<{ id: string } | null> {
  const flow = await getFlow(db, shop, id);
  if (!flow) return null;
  const input = flowToInput(flow);
  // a running test is copied as a new one: fresh arm ids, started at the copy's creation (its steps have new ids, so new salts)
  const steps = input.steps.map((s) => (s.variants ? { ...s, variants: s.variants.map((a) => ({ ...a, id: newArmId() })) } : s));
  return createFlow(db, shop, { ...input, steps, name: `Copy of ${flow.name}`.slice(0, 80), enabled: false });
}

// ---------------------------------------------------------------------------------------------
// Preview and test sends. The editor shows each email rendered exactly as the worker renders
// it, filled with a sample checkout; a test send goes through the same mailer as real sends.

export interface EmailSettings {
  shopName: string;
  /** Logo and colours: the merchant's overrides, else Shopify's brand as last read, else the default. */
  brand: BrandKit;
  currency: string;
  senderName: string;
  senderEmail: string;
  replyTo: string;
  timezone: string;
  quietHoursStart: number | null;
  quietHoursEnd: number | null;
}

export async function getEmailSettings(db: Db, shop: string): Promise<EmailSettings> {
  const row = await db.shop.findUnique({
    where: { shop },
    select: {
      currency: true,
      senderName: true,
      senderEmail: true,
      replyTo: true,
      timezone: true,
      quietHoursStart: true,
      quietHoursEnd: true,
      brandLogoUrl: true,
      brandColor: true,
      brandAccentColor: true,
      shopifyBrand: true,
    },
  });
  return {
    shopName: row?.senderName || shop.replace(/\.myshopify\.com$/, ""),
    brand: row ? brandKitOf(row) : resolveBrandKit(),
    currency: row?.currency ?? "USD",
    senderName: row?.senderName ?? "",
    senderEmail: row?.senderEmail ?? "",
    replyTo: row?.replyTo ?? "",
    timezone: row?.timezone ?? "UTC",
    quietHoursStart: row?.quietHoursStart ?? null,
    quietHoursEnd: row?.quietHoursEnd ?? null,
  };
}
