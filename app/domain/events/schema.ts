import { z } from "zod";

/**
 * What the storefront sends to the app proxy (`POST /apps/intentful/events`), in batches.
 * Shared by the tracker (which builds batches) and the proxy route (which validates them).
 */
export const EVENT_KINDS = [
  "page_view",
  "product_view",
  "cart_add",
  "impression", // treatment: the overlay was shown
  "control", // holdout: the overlay would have been shown
  "click",
  "dismiss",
  "conversion",
  "email_capture",
  "held", // the overlay would have shown, but the shop's channel gap after a recovery email held it back
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const MAX_BATCH_EVENTS = 20;
export const MAX_BATCH_BYTES = 16 * 1024;

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, "only letters, digits and _ . : -");

export const storefrontEventSchema = z
  .object({
    kind: z.enum(EVENT_KINDS),
    at: z.number().int().positive(),
    triggerId: id.optional(),
    variant: z.enum(["treatment", "control"]).optional(),
    // the A/B arm (variant id) shown, when the trigger runs a test (app/domain/experiments/variants.ts)
    arm: z
      .string()
      .regex(/^[a-z0-9]{4,12}$/, "arm: 4–12 lowercase letters or digits")
      .optional(),
    tier: z.enum(["low", "mid", "high"]).optional(),
    productId: id.optional(),
    // The Ajax cart token (links a visitor to carts/* webhooks); tokens may carry "?key=…".
    cartToken: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[A-Za-z0-9_?=&.:-]+$/)
      .optional(),
    valueCents: z.number().int().min(0).max(1_000_000_000).optional(),
    email: z.string().email().max(254).optional(),
    marketingConsent: z.boolean().optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (["impression", "control", "click", "dismiss", "conversion", "held"].includes(e.kind) && !e.triggerId) {
      ctx.addIssue({ code: "custom", path: ["triggerId"], message: `${e.kind} needs a triggerId` });
    }
    if (e.kind === "email_capture" && !e.email) {
      ctx.addIssue({ code: "custom", path: ["email"], message: "email_capture needs an email" });
    }
  });

export const eventBatchSchema = z
  .object({
    v: z.literal(1),
    visitorId: id,
    sessionId: id.optional(),
    events: z.array(storefrontEventSchema).min(1).max(MAX_BATCH_EVENTS),
  })
  .strict();

export type StorefrontEvent = z.infer<typeof storefrontEventSchema>;
export type EventBatch = z.infer<typeof eventBatchSchema>;
