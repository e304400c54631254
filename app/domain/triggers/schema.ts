import { z } from "zod";
import { ARM_ID, MAX_ARMS, armIssuePath, armListErrors, type ArmBody } from "../experiments/variants";

/**
 * Validation for what a merchant saves on a trigger. One schema serves the admin form (field
 * messages keyed by path, e.g. "content.headline") and the action. Server-side only: the
 * storefront imports types from here, never values.
 */

export const TRIGGER_TYPES = ["exit_intent", "page_engagement", "inactivity", "cart_change"] as const;
export const PAGE_TYPES = [
  "index",
  "product",
  "collection",
  "list-collections",
  "search",
  "cart",
  "page",
  "blog",
  "article",
  "404",
  "customers",
  "other",
] as const;
export const TIERS = ["low", "mid", "high"] as const;
export const DEVICES = ["desktop", "mobile", "tablet"] as const;
export const SOURCES = ["direct", "search", "social", "email", "paid", "referral"] as const;
export const CONTENT_KINDS = ["cart_reminder", "recently_viewed", "recommendations", "email_capture", "discount_reveal", "message"] as const;
export const LAYOUTS = ["default", "modal", "slide_in", "bar"] as const;
/** Content that counts as a marketing offer (hidden without marketing consent). */
export const MARKETING_KINDS: readonly string[] = ["email_capture", "discount_reveal"];

const int = (label: string, min: number, max: number) =>
  z
    .number({ error: `${label} must be a number` })
    .int(`${label} must be a whole number`)
    .min(min, `${label} must be at least ${min}`)
    .max(max, `${label} must be at most ${max}`);

const bool = (label: string) => z.boolean({ error: `${label} must be on or off` });

/**
 * Characters no database here can store: lone UTF-16 surrogates (a JSON body may carry
 * "\ud800"; Prisma's query protocol refuses it) and NUL (PostgreSQL refuses it in text and
 * jsonb). Saving such text failed with a 500; they become U+FFFD, so lengths do not change.
 */
const UNSTORABLE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|\u0000/g;
const toStorable = (s: string) => s.replace(UNSTORABLE, "\ufffd");

const text = (label: string, max: number) =>
  z
    .string({ error: `${label} must be text` })
    .overwrite(toStorable)
    .trim()
    .max(max, `${label}: at most ${max} characters`);

const pick = <T extends readonly [string, ...string[]]>(values: T, label: string) => z.enum(values, { error: `${label}: choose one of ${values.join(", ")}` });

const list = <T extends readonly [string, ...string[]]>(values: T, label: string) =>
  z.array(pick(values, label), { error: `${label} must be a list` }).max(values.length);

const discountCode = z
  .string({ error: "Discount code must be text" })
  .trim()
  .min(1, "Enter the discount code")
  .max(64, "Discount code: at most 64 characters")
  .regex(/^[A-Za-z0-9_-]+$/, "Discount code: letters, digits, - and _ only");

/** A storefront path ("/collections/sale") or an https URL; never javascript: or protocol-relative. */
const linkUrl = z
  .string({ error: "Link must be text" })
  .overwrite(toStorable)
  .trim()
  .max(500, "Link: at most 500 characters")
  .refine((v) => v === "" || /^\/(?!\/)[^\s]*$/.test(v) || /^https:\/\/[^\s/]+(\/[^\s]*)?$/.test(v), {
    message: "Link must start with / (a page of your store) or https://",
  });

export const exitConditionsSchema = z.object({
  /** desktop: height of the exit zone at the top edge */
  topZonePx: int("Exit zone height", 5, 100).default(29),
  /** no exit intent before the visitor has been on the page this long */
  minDwellMs: int("Minimum time on page before exit intent", 0, 60_000).default(500),
  /** desktop: ignore the left part of the top edge (tab strip, back button) */
  ignoreLeftPct: int("Ignored left edge", 0, 30).default(8),
  /** mobile: fast scroll up towards the address bar */
  scrollUp: bool("Fast scroll up").default(true),
  /** any device: leaving the tab and coming back */
  tabReturn: bool("Tab switch and return").default(true),
  /** mobile: inactivity counts as exit intent after this many seconds (0 = off) */
  idleSec: int("Inactivity before exit intent", 0, 600).default(0),
  /** mobile: catch the back button once (only where the merchant turns it on) */
  backTrap: bool("Back-button trap").default(false),
});

/**
 * When a trigger may fire, in the SHOPPER'S local time (the browser clock, not the shop's time
 * zone): on `days` (0 = Sunday .. 6 = Saturday), from `startHour` (inclusive) to `endHour`
 * (exclusive; 24 = midnight). A start after the end wraps past midnight (22 → 6 is 22:00–06:00)
 * and belongs to the day it starts on: Friday 22 → 6 covers Friday 22:00 to Saturday 06:00.
 */
export const scheduleSchema = z
  .object(
    {
      days: z
        .array(int("Day", 0, 6), { error: "Days must be a list" })
        .min(1, "Choose at least one day")
        .max(7, "Days: at most 7")
        .refine((d) => new Set(d).size === d.length, "Choose each day only once"),
      startHour: int("Start hour", 0, 23),
      endHour: int("End hour", 1, 24),
    },
    { error: "Schedule must have days, a start hour and an end hour" },
  )
  .refine((w) => w.startHour !== w.endHour, {
    path: ["endHour"],
    message: "End hour must differ from the start hour (use 00:00 to 24:00 for the whole day)",
  });

export const conditionsSchema = z.object({
  /** empty = every page type */
  pageTypes: list(PAGE_TYPES, "Page type").default([]),
  minTier: pick(TIERS, "Minimum intent").default("low"),
  minSeconds: int("Time on page", 0, 3600).default(0),
  scrollPct: int("Scroll depth", 0, 100).default(0),
  minPages: int("Pages this session", 0, 100).default(0),
  /** views of the current product (or, off product pages, of any one product) */
  minProductViews: int("Product views", 0, 50).default(0),
  minCartItems: int("Items in cart", 0, 100).default(0),
  /** cart value must be below this (cents); null = no upper bound */
  maxCartCents: int("Cart value below", 1, 1_000_000_000).nullable().default(null),
  /** inactivity triggers: seconds without input */
  idleSec: int("Inactivity", 0, 3600).default(0),
  /** returning visitors: days since the last visit */
  minDaysAway: int("Days since last visit", 0, 365).default(0),
  exit: exitConditionsSchema.prefault({}),
  /** absent = any day, any time */
  schedule: scheduleSchema.optional(),
});

export const segmentSchema = z.object({
  visitor: pick(["any", "new", "returning"] as const, "Visitor").default("any"),
  /** first_time: no known order yet (anonymous or orders_count 0); repeat: a logged-in customer with orders */
  purchaser: pick(["any", "first_time", "repeat"] as const, "Purchaser").default("any"),
  discount: pick(["any", "sensitive", "not_sensitive"] as const, "Discount sensitivity").default("any"),
  /** high order value: cart at least this much (cents); 0 = any */
  minCartCents: int("Cart value at least", 0, 1_000_000_000).default(0),
  /**
   * high order value from past orders (cents): a logged-in customer's average (Shopify's total
   * spent / orders), or a known shopper's average order with this shop; 0 = any. Shoppers with
   * no known order are outside it.
   */
  minAovCents: int("Average order value at least", 0, 1_000_000_000).default(0),
  /** empty = all */
  devices: list(DEVICES, "Device").default([]),
  sources: list(SOURCES, "Traffic source").default([]),
  countries: z
    .array(
      z
        .string({ error: "Country must be text" })
        .trim()
        .toUpperCase()
        .regex(/^[A-Z]{2}$/, "Country: use two-letter codes such as US or DE"),
      { error: "Countries must be a list" },
    )
    .max(250)
    .default([]),
});

export const frequencyCapSchema = z.object({
  /** exposures per session; 0 = no per-session limit */
  perSession: int("Times per session", 0, 20).default(1),
  /** at most `count` exposures in any `days` days; null = no limit */
  perPeriod: z
    .object({ count: int("Times per period", 1, 100), days: int("Period (days)", 1, 365) }, { error: "Frequency period must have a count and days" })
    .nullable()
    .default(null),
  stopAfterConversion: bool("Stop after conversion").default(true),
  stopAfterDismiss: bool("Stop after dismissal").default(false),
  /** shown even to a shopper a recovery email just brought back (the shop's channel gap) */
  afterEmail: bool("Show right after a recovery email").default(false),
});

const copy = {
  headline: z.string({ error: "Enter a headline" }).overwrite(toStorable).trim().min(1, "Enter a headline").max(100, "Headline: at most 100 characters"),
  body: text("Body text", 300).default(""),
  /** empty = the translated default for the content kind */
  button: text("Button text", 40).default(""),
  /** default = the position chosen in the theme editor */
  layout: pick(LAYOUTS, "Layout").default("default"),
};

/** An offer's code may run out: a countdown, then gone (per shopper, from the first showing). */
const offer = {
  /** minutes from the shopper's first sight of the offer; 0 = no countdown */
  expiresMinutes: int("Offer expires after (minutes)", 0, 1440).default(0),
  /** a small tab that reopens the offer after the shopper closed it; empty = none */
  teaser: text("Teaser tab text", 40).default(""),
};

export const contentSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("cart_reminder"), ...copy, showCheckout: bool("Checkout button").default(true) }),
    z.object({
      kind: z.literal("recently_viewed"),
      ...copy,
      limit: int("Products shown", 1, 8).default(4),
      addToCart: bool("Add-to-cart buttons").default(true),
    }),
    z.object({
      kind: z.literal("recommendations"),
      ...copy,
      intent: pick(["related", "complementary"] as const, "Recommendation type").default("related"),
      limit: int("Products shown", 1, 10).default(4),
      addToCart: bool("Add-to-cart buttons").default(true),
    }),
    z.object({
      kind: z.literal("email_capture"),
      ...copy,
      /** empty = translated default */
      consentLabel: text("Consent text", 200).default(""),
      successText: text("Thank-you text", 150).default(""),
      requireConsent: bool("Require consent").default(true),
      /** revealed after sign-up; empty = none */
      code: z.union([z.literal(""), discountCode]).default(""),
      /** two steps: this yes/no question first, the form after a yes; empty = the form at once */
      question: text("Question", 120).default(""),
      ...offer,
    }),
    z.object({ kind: z.literal("discount_reveal"), ...copy, code: discountCode, ...offer }),
    z.object({
      kind: z.literal("message"),
      ...copy,
      url: linkUrl.default(""),
      /** free-shipping progress: a bar towards this cart value (cents); 0 = none */
      goalCents: int("Progress goal", 0, 1_000_000_000).default(0),
    }),
  ],
  { error: `Content: choose one of ${CONTENT_KINDS.join(", ")}` },
);

/**
 * One arm of an A/B test on a trigger (see app/domain/experiments/variants.ts): the first arm is
 * the trigger's own `content` and carries none; every other arm its complete content.
 */
/** Where a trigger's arms keep what they show (see armListErrors). */
export const TRIGGER_ARM_BODY: ArmBody = { key: "content", own: "the trigger's own content", what: "content" };

export const triggerArmSchema = z
  .object({
    id: z.string({ error: "Variant id must be text" }).regex(ARM_ID, "Variant id must be 4–12 lowercase letters or digits"),
    weight: int("Traffic share", 0, 100),
    content: contentSchema.optional(),
  })
  .strict();

export const triggerInputSchema = z
  .object({
    name: z.string({ error: "Give the trigger a name" }).overwrite(toStorable).trim().min(1, "Give the trigger a name").max(80, "Name: at most 80 characters"),
    type: pick(TRIGGER_TYPES, "Fires on"),
    enabled: bool("Enabled").default(false),
    conditions: conditionsSchema.prefault({}),
    segment: segmentSchema.prefault({}),
    content: contentSchema,
    frequencyCap: frequencyCapSchema.prefault({}),
    holdoutPct: int("Holdout", 0, 50).default(10),
    /** higher wins when several triggers fire at once */
    priority: int("Priority", 0, 1000).default(0),
    /** the A/B test's arms (2..4), or null when none runs */
    variants: z
      .array(triggerArmSchema, { error: "Variants must be a list" })
      .max(MAX_ARMS, `A test can have at most ${MAX_ARMS} variants`)
      .nullable()
      .default(null),
    /** promote a variant on its own once it beats every other arm (always-valid intervals) */
    autoPromote: bool("Auto-promote").default(false),
  })
  .superRefine((t, ctx) => {
    if (t.variants) {
      for (const [k, message] of Object.entries(armListErrors(t.variants, TRIGGER_ARM_BODY))) ctx.addIssue({ code: "custom", path: armIssuePath(k), message });
      t.variants.forEach((arm, i) => {
        if (i > 0 && arm.content)
          for (const [path, message] of contentIssues(arm.content, t.conditions)) {
            // a variant's content that needs other shared conditions is reported on those conditions
            ctx.addIssue({ code: "custom", path: path[0] === "conditions" ? path : ["variants", i, ...path], message });
          }
      });
    }
    if (t.type === "inactivity" && t.conditions.idleSec < 5) {
      ctx.addIssue({
        code: "custom",
        path: ["conditions", "idleSec"],
        message: "Inactivity triggers need at least 5 seconds of inactivity",
      });
    }
    const max = t.conditions.maxCartCents;
    if (max !== null && max <= t.segment.minCartCents) {
      ctx.addIssue({
        code: "custom",
        path: ["conditions", "maxCartCents"],
        message: "Cart value below must be higher than the segment's minimum cart value",
      });
    }
    if (t.content.kind === "cart_reminder" && t.conditions.minCartItems < 1) {
      ctx.addIssue({
        code: "custom",
        path: ["conditions", "minCartItems"],
        message: "A cart reminder needs at least 1 item in the cart",
      });
    }
    for (const [path, message] of contentIssues(t.content, t.conditions)) ctx.addIssue({ code: "custom", path, message });
  });

/** What a content (the trigger's, or a variant's) asks of itself and of the shared conditions. */
function contentIssues(content: z.output<typeof contentSchema>, conditions: z.output<typeof conditionsSchema>): Array<[PropertyKey[], string]> {
  const issues: Array<[PropertyKey[], string]> = [];
  if (content.kind === "email_capture" && (content.expiresMinutes > 0 || content.teaser) && !content.code) {
    issues.push([["content", "code"], "A countdown or teaser tab needs a discount code to offer"]);
  }
  const pages = conditions.pageTypes;
  if (content.kind === "recommendations" && (pages.length === 0 || pages.some((p) => p !== "product"))) {
    issues.push([["conditions", "pageTypes"], "Recommendations follow the product being viewed: limit this trigger to product pages"]);
  }
  return issues;
}

export type TriggerType = (typeof TRIGGER_TYPES)[number];
export type ExitConditions = z.output<typeof exitConditionsSchema>;
export type Schedule = z.output<typeof scheduleSchema>;
export type Conditions = z.output<typeof conditionsSchema>;
export type Segment = z.output<typeof segmentSchema>;
export type FrequencyCap = z.output<typeof frequencyCapSchema>;
export type Content = z.output<typeof contentSchema>;
export type TriggerInput = z.output<typeof triggerInputSchema>;
export type TriggerArm = z.output<typeof triggerArmSchema>;
/** What a form may send: fields with defaults are optional. */
export type TriggerFormInput = z.input<typeof triggerInputSchema>;

export type FieldErrors = Record<string, string>;
export type ParseResult<T> = { valid: true; data: T } | { valid: false; errors: FieldErrors };

/** First message per field, keyed by dotted path ("content.headline"); "" for the whole object. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".");
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}

export function parseTriggerInput(input: unknown): ParseResult<TriggerInput> {
  const r = triggerInputSchema.safeParse(input);
  return r.success ? { valid: true, data: r.data } : { valid: false, errors: fieldErrors(r.error) };
}
