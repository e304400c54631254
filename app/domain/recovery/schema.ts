import { z } from "zod";
import { ARM_ID, MAX_ARMS, armIssuePath, armListErrors, type ArmBody } from "../experiments/variants";
import { PLACEHOLDERS, offerPlaceholdersIn, unknownPlaceholders } from "./placeholders";

/**
 * A recovery flow as the merchant edits it. One schema for the admin form and the action
 * that saves it. `delayMinutes` counts from the moment the checkout (cart, browse session)
 * started, not from the previous email, so "24 hours" in the editor means 24 hours after
 * the shopper left; steps must therefore be in increasing order.
 */
export const FLOW_KINDS = ["checkout", "cart", "browse"] as const;
export const AUDIENCES = ["any_email", "marketing_consented", "min_value"] as const;
export const DELIVERY_CHANNELS = ["email", "shopify_flow"] as const;
export const BLOCK_TYPES = ["heading", "text", "items", "button", "discount", "recommendations"] as const;

export const MIN_DELAY_MINUTES = 15;
export const MAX_DELAY_MINUTES = 30 * 24 * 60;
export const MAX_STEPS = 5;
export const MAX_HOLDOUT_PCT = 50;

export type FlowKind = (typeof FLOW_KINDS)[number];
export type Audience = (typeof AUDIENCES)[number];
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
export type BlockType = (typeof BLOCK_TYPES)[number];

const wholeNumber = (what: string) => z.number({ error: `${what} must be a number` }).int(`${what} must be a whole number`);

export const blockSchema = z
  .object({
    type: z.enum(BLOCK_TYPES, { error: `Block type must be one of: ${BLOCK_TYPES.join(", ")}` }),
    text: z.string().trim().max(2000, "Block text can be at most 2000 characters").optional(),
  })
  .strict()
  .superRefine((block, ctx) => {
    if ((block.type === "heading" || block.type === "text") && !block.text) {
      ctx.addIssue({ code: "custom", path: ["text"], message: `A ${block.type} block needs some text` });
    }
    if (block.type === "heading" && block.text && block.text.length > 200) {
      ctx.addIssue({ code: "custom", path: ["text"], message: "A heading can be at most 200 characters" });
    }
  });

/** A stored step's `body` column; parse it with this before rendering. */
export const emailBodySchema = z
  .array(blockSchema, { error: "Body must be a list of blocks" })
  .min(1, "Add at least one block to the email")
  .max(20, "An email can have at most 20 blocks");

const stepShape = {
  delayMinutes: wholeNumber("Delay")
    .min(MIN_DELAY_MINUTES, `Wait at least ${MIN_DELAY_MINUTES} minutes before sending`)
    .max(MAX_DELAY_MINUTES, "Send within 30 days (43200 minutes)"),
  subject: z.string({ error: "Subject is required" }).trim().min(1, "Subject is required").max(150, "Subject can be at most 150 characters"),
  preheader: z.string().trim().max(200, "Preview text can be at most 200 characters").default(""),
  body: emailBodySchema,
  discountPercent: wholeNumber("Discount").min(1, "Discount must be between 1% and 90%").max(90, "Discount must be between 1% and 90%").optional(),
  discountExpiryDays: wholeNumber("Discount expiry")
    .min(1, "Discount expiry must be between 1 and 60 days")
    .max(60, "Discount expiry must be between 1 and 60 days")
    .optional(),
};

type StepCore = z.output<z.ZodObject<typeof stepShape>>;

function refineStep(step: StepCore, ctx: z.RefinementCtx) {
  const texts: Array<[PropertyKey[], string]> = [
    [["subject"], step.subject],
    [["preheader"], step.preheader],
    ...step.body.map((b, i): [PropertyKey[], string] => [["body", i, "text"], b.text ?? ""]),
  ];
  for (const [path, text] of texts) {
    for (const name of unknownPlaceholders(text)) {
      // A copy of the path each time: zod prefixes the parents' path onto the array it is handed.
      ctx.addIssue({
        code: "custom",
        path: [...path],
        message: `Unknown placeholder {{ ${name} }}; use one of: ${PLACEHOLDERS.join(", ")}`,
      });
    }
    if (step.discountPercent == null) {
      for (const name of new Set(offerPlaceholdersIn(text))) {
        ctx.addIssue({ code: "custom", path: [...path], message: `{{ ${name} }} needs a discount on this email` });
      }
    }
  }
  step.body.forEach((b, i) => {
    if (b.type === "discount" && step.discountPercent == null) {
      ctx.addIssue({
        code: "custom",
        path: ["body", i, "type"],
        message: "Set a discount percent for this email or remove the discount block",
      });
    }
  });
  if (step.discountExpiryDays != null && step.discountPercent == null) {
    ctx.addIssue({ code: "custom", path: ["discountExpiryDays"], message: "An expiry needs a discount percent" });
  }
}

/** One email of a flow without a test: its delay, subject, preview text, body and discount. */
export const stepCoreSchema = z.object(stepShape).strict().superRefine(refineStep);

/**
 * One arm of an A/B test on a flow step (see app/domain/experiments/variants.ts): the first arm
 * is the step's own fields and carries none; every other arm its complete email in `step`
 * (delay, subject, preview text, body, discount).
 */
/** Where a flow email's arms keep their email (see armListErrors). */
export const STEP_ARM_BODY: ArmBody = { key: "step", own: "the email's own fields", what: "email" };

export const stepArmSchema = z
  .object({
    id: z.string({ error: "Variant id must be text" }).regex(ARM_ID, "Variant id must be 4–12 lowercase letters or digits"),
    weight: wholeNumber("Traffic share").min(0, "Traffic share must be from 0 to 100").max(100, "Traffic share must be from 0 to 100"),
    step: stepCoreSchema.optional(),
  })
  .strict();

export const stepInputSchema = z
  .object({
    ...stepShape,
    /** the A/B test's arms (2..4), or null when none runs */
    variants: z.array(stepArmSchema, { error: "Variants must be a list" }).max(MAX_ARMS, `A test can have at most ${MAX_ARMS} variants`).nullish(),
    /** promote a variant on its own once it beats every other arm */
    autoPromote: z.boolean({ error: "Auto-promote must be true or false" }).optional(),
  })
  .strict()
  .superRefine((step, ctx) => {
    const { variants, autoPromote: _autoPromote, ...core } = step;
    refineStep(core, ctx);
    if (!variants) return;
    for (const [k, message] of Object.entries(armListErrors(variants, STEP_ARM_BODY))) ctx.addIssue({ code: "custom", path: armIssuePath(k), message });
  });

/** Every delay a step may use: its own and its variants'. */
export const stepDelays = (step: { delayMinutes: number; variants?: Array<{ step?: { delayMinutes: number } }> | null }): number[] => [
  step.delayMinutes,
  ...(step.variants ?? []).flatMap((a) => (a.step ? [a.step.delayMinutes] : [])),
];

export const flowInputSchema = z
  .object({
    name: z.string({ error: "Name is required" }).trim().min(1, "Name is required").max(80, "Name can be at most 80 characters"),
    kind: z.enum(FLOW_KINDS, { error: `Kind must be one of: ${FLOW_KINDS.join(", ")}` }),
    enabled: z.boolean({ error: "Enabled must be true or false" }),
    audience: z.enum(AUDIENCES, { error: `Audience must be one of: ${AUDIENCES.join(", ")}` }),
    minCartCents: wholeNumber("Minimum cart value")
      .min(0, "Minimum cart value cannot be negative")
      .max(100_000_000, "Minimum cart value is too large")
      .default(0),
    holdoutPct: wholeNumber("Holdout")
      .min(0, `Holdout must be between 0% and ${MAX_HOLDOUT_PCT}%`)
      .max(MAX_HOLDOUT_PCT, `Holdout must be between 0% and ${MAX_HOLDOUT_PCT}%`),
    respectQuiet: z.boolean({ error: "Respect quiet hours must be true or false" }).default(true),
    deliverVia: z.enum(DELIVERY_CHANNELS, { error: `Deliver via must be one of: ${DELIVERY_CHANNELS.join(", ")}` }).default("email"),
    steps: z
      .array(stepInputSchema, { error: "Steps must be a list" })
      .min(1, "Add at least one email")
      .max(MAX_STEPS, `A flow can have at most ${MAX_STEPS} emails`),
  })
  .strict()
  .superRefine((flow, ctx) => {
    if (flow.audience === "min_value" && flow.minCartCents <= 0) {
      ctx.addIssue({
        code: "custom",
        path: ["minCartCents"],
        message: "Set a minimum cart value above 0 for this audience",
      });
    }
    for (let i = 1; i < flow.steps.length; i++) {
      if (flow.steps[i].delayMinutes <= flow.steps[i - 1].delayMinutes) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", i, "delayMinutes"],
          message: `Email ${i + 1} must be sent later than email ${i} (delays count from when the shopper left)`,
        });
      } else if (Math.min(...stepDelays(flow.steps[i])) <= Math.max(...stepDelays(flow.steps[i - 1]))) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", i, "delayMinutes"],
          message: `Every variant of email ${i + 1} must be sent later than every variant of email ${i}`,
        });
      }
    }
  });

export type Block = z.output<typeof blockSchema>;
export type StepInput = z.output<typeof stepInputSchema>;
export type StepArm = z.output<typeof stepArmSchema>;
export type FlowInput = z.output<typeof flowInputSchema>;
/** What a form or API may send: fields with defaults can be left out. */
export type FlowInputDraft = z.input<typeof flowInputSchema>;

/** Field errors keyed by dotted path (`steps.1.subject`), first message per field, for forms. */
export function flowFieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".") || "_";
    out[key] ??= issue.message;
  }
  return out;
}
