import type { Prisma } from "@prisma/client";
import { z } from "zod";
import type { Db } from "~/db.server";
import { fieldErrors, type ParseResult } from "~/domain/triggers";
import { brandOverridesSchema, type BrandValues } from "~/domain/recovery/brand";

/** Shop settings and onboarding state; every query filtered by shop. */

const settingsSelect = {
  shop: true,
  currency: true,
  senderName: true,
  senderEmail: true,
  replyTo: true,
  timezone: true,
  quietHoursStart: true,
  quietHoursEnd: true,
  overlaysPerSession: true,
  channelGapHours: true,
  optIn: true,
  emailsPerWindow: true,
  emailWindowHours: true,
  attributionWindowDays: true,
  retentionDays: true,
  publishedAt: true,
  publishError: true,
  brandLogoUrl: true,
  brandColor: true,
  brandAccentColor: true,
  shopifyBrand: true,
  shopifyBrandAt: true,
} as const;

export async function getShopSettings(db: Db, shop: string) {
  const row = await db.shop.findUnique({ where: { shop }, select: settingsSelect });
  // authenticate.admin's afterAuth normally creates the row; create it if a session predates that.
  return row ?? db.shop.create({ data: { shop }, select: settingsSelect });
}
export type ShopSettings = Awaited<ReturnType<typeof getShopSettings>>;

export function getPublishState(db: Db, shop: string) {
  return db.shop.findUnique({ where: { shop }, select: { publishedAt: true, publishError: true } });
}

const EMAIL = /^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/;

const whole = (label: string, min: number, max: number) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .min(1, `${label} is required`)
    .regex(/^-?\d+$/, `${label} must be a whole number`)
    .transform(Number)
    .pipe(z.number().min(min, `${label} must be at least ${min}`).max(max, `${label} must be at most ${max}`));

const hour = (label: string) =>
  z
    .string()
    .trim()
    .default("")
    .transform((v) => (v === "" ? null : v))
    .pipe(
      z.union([
        z.null(),
        z
          .string()
          .regex(/^\d{1,2}$/, `${label}: choose an hour`)
          .transform(Number)
          .pipe(z.number().max(23, `${label}: choose an hour`)),
      ]),
    );

const email = (label: string, required: boolean) =>
  z
    .string()
    .trim()
    .default("")
    .refine((v) => (required ? v !== "" : true), `Enter the ${label.toLowerCase()}`)
    .refine((v) => v === "" || (v.length <= 254 && EMAIL.test(v)), `${label} must be an email address such as hello@yourstore.com`);

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return tz.length > 0;
  } catch {
    return false;
  }
}

/** What the settings form sends (all strings, as FormData gives them). */
export const settingsSchema = z
  .object({
    senderName: z.string().trim().max(80, "Sender name: at most 80 characters").default(""),
    senderEmail: email("Sender email", false),
    replyTo: email("Reply-to address", false),
    timezone: z.string().trim().refine(isTimeZone, "Choose a time zone such as America/New_York"),
    quietHoursStart: hour("Quiet hours start"),
    quietHoursEnd: hour("Quiet hours end"),
    overlaysPerSession: whole("Overlays per session", 0, 10),
    emailsPerWindow: whole("Emails per shopper", 1, 10),
    emailWindowHours: whole("Email window", 1, 168),
    channelGapHours: whole("Time between an overlay and an email", 0, 72),
    optIn: z.enum(["double", "single"], { error: "Email sign-ups: choose double or single opt-in" }).default("double"),
    attributionWindowDays: whole("Attribution window", 1, 30),
    retentionDays: whole("Data retention", 30, 1095),
    ...brandOverridesSchema.shape,
  })
  .superRefine((s, ctx) => {
    if ((s.quietHoursStart === null) !== (s.quietHoursEnd === null)) {
      const path = s.quietHoursStart === null ? "quietHoursStart" : "quietHoursEnd";
      ctx.addIssue({ code: "custom", path: [path], message: "Set both the start and the end of quiet hours, or neither" });
    } else if (s.quietHoursStart !== null && s.quietHoursStart === s.quietHoursEnd) {
      ctx.addIssue({ code: "custom", path: ["quietHoursEnd"], message: "Quiet hours must end at a different hour than they start" });
    }
  });
export type SettingsInput = z.output<typeof settingsSchema>;

export function parseSettings(input: Record<string, unknown>): ParseResult<SettingsInput> {
  const r = settingsSchema.safeParse(input);
  return r.success ? { valid: true, data: r.data } : { valid: false, errors: fieldErrors(r.error) };
}

export function updateShopSettings(db: Db, shop: string, data: SettingsInput) {
  return db.shop.update({ where: { shop }, data, select: settingsSelect });
}

/** Shopify's brand as last read (logo, colours) and when; null before the first read. */
export async function getShopifyBrandCache(db: Db, shop: string): Promise<{ brand: unknown; at: Date | null } | null> {
  const row = await db.shop.findUnique({ where: { shop }, select: { shopifyBrand: true, shopifyBrandAt: true } });
  return row ? { brand: row.shopifyBrand, at: row.shopifyBrandAt } : null;
}

/** Keeps what Shopify's brand settings said (or, after a failed read, the old value with the new time). */
export async function saveShopifyBrand(db: Db, shop: string, brand: BrandValues | null, at: Date): Promise<void> {
  await db.shop.updateMany({
    where: { shop },
    data: brand ? { shopifyBrand: brand as Prisma.InputJsonValue, shopifyBrandAt: at } : { shopifyBrandAt: at },
  });
}

/** Jobs that failed every attempt (operators look at these). */
export function deadJobCount(db: Db, shop: string) {
  return db.job.count({ where: { shop, status: "dead" } });
}

/** Puts this shop's dead-lettered jobs back in the queue for one more round of attempts. */
export async function retryDeadJobs(db: Db, shop: string, now: Date = new Date()) {
  const { count } = await db.job.updateMany({
    where: { shop, status: "dead" },
    data: { status: "pending", attempts: 0, runAt: now, lockedBy: null, lockedUntil: null, finishedAt: null },
  });
  return count;
}

export interface Onboarding {
  firstTriggerOn: boolean;
  senderEmailSet: boolean;
  firstFlowOn: boolean;
}

export async function getOnboarding(db: Db, shop: string): Promise<Onboarding> {
  const [triggers, flows, settings] = await Promise.all([
    db.trigger.count({ where: { shop, enabled: true } }),
    db.recoveryFlow.count({ where: { shop, enabled: true } }),
    db.shop.findUnique({ where: { shop }, select: { senderEmail: true } }),
  ]);
  return { firstTriggerOn: triggers > 0, senderEmailSet: !!settings?.senderEmail, firstFlowOn: flows > 0 };
}
