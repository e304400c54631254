import type { Audience } from "./schema";
import { inQuietHours, isValidTimeZone, quietHoursEnd, type QuietHours } from "./zoned-time";

/**
 * Whether one recovery step may send now. Called by the worker right before it sends,
 * with facts read fresh from the database, so a purchase, an unsubscribe or another
 * flow's email that happened since the step was scheduled is seen.
 */
export interface SendInput {
  checkout: {
    status: "open" | "completed" | "deleted";
    email: string | null | undefined;
    acceptsMarketing: boolean;
    totalCents: number;
  };
  /** An order matching the checkout token, cart token, email or customer arrived after the run started. */
  orderSeenSinceStart: boolean;
  /** The address is on the shop's suppression list (unsubscribed, bounced, complained). */
  suppressed: boolean;
  /** The run was assigned to the holdout group when it started. */
  holdout: boolean;
  flow: {
    /** Defaults to true; a flow switched off after the run started stops sending. */
    enabled?: boolean;
    audience: Audience;
    minCartCents: number;
    respectQuiet: boolean;
  };
  /** When this shopper was last emailed by any flow of the shop (any order, any length). */
  recentSends: ReadonlyArray<Date>;
  /** At most `emailsPerWindow` emails per shopper in any `emailWindowHours`. Values below 1 turn the cap off. */
  budget?: { emailsPerWindow: number; emailWindowHours: number };
  /** When an overlay was last shown to this shopper (not held out), if ever. */
  lastOverlayAt?: Date | null;
  /** The budget across channels: an email waits until this many hours after the last overlay (0 = off). */
  channelGapHours?: number;
  /** The shop's quiet hours, or null when it has none. An unknown time zone is read as UTC. */
  quietHours: QuietHours | null;
  /** When the step was planned to run; with maxLatenessMinutes, bounds how far the cap may push it. */
  dueAt?: Date;
  /** How late a step may go out when the frequency cap holds it back (default 24 h). */
  maxLatenessMinutes?: number;
}

export type SkipReason =
  "purchased" | "checkout_deleted" | "no_email" | "suppressed" | "flow_disabled" | "no_marketing_consent" | "below_min_value" | "frequency_cap" | "holdout";

export type DeferReason = "quiet_hours" | "frequency_cap" | "channel_gap";

export type SendDecision = { action: "send" } | { action: "skip"; reason: SkipReason } | { action: "defer"; until: Date; reason: DeferReason };

export const DEFAULT_BUDGET = { emailsPerWindow: 1, emailWindowHours: 16 } as const;
export const DEFAULT_MAX_LATENESS_MINUTES = 24 * 60;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function decideSend(input: SendInput, now: Date = new Date()): SendDecision {
  const { checkout, flow } = input;

  if (checkout.status === "completed" || input.orderSeenSinceStart) return skip("purchased");
  if (checkout.status === "deleted") return skip("checkout_deleted");
  const email = checkout.email?.trim();
  if (!email || !EMAIL.test(email)) return skip("no_email");
  if (input.suppressed) return skip("suppressed");
  if (flow.enabled === false) return skip("flow_disabled");
  if (flow.audience === "marketing_consented" && !checkout.acceptsMarketing) return skip("no_marketing_consent");
  if (flow.audience === "min_value" && checkout.totalCents < flow.minCartCents) return skip("below_min_value");

  let sendAt = now;
  let deferReason: DeferReason | null = null;

  const freeAt = budgetFreesAt(input.recentSends, input.budget ?? DEFAULT_BUDGET, now);
  if (freeAt > now) {
    const dueAt = input.dueAt ?? now;
    const latest = dueAt.getTime() + (input.maxLatenessMinutes ?? DEFAULT_MAX_LATENESS_MINUTES) * 60_000;
    if (freeAt.getTime() > latest) return skip("frequency_cap");
    sendAt = freeAt;
    deferReason = "frequency_cap";
  }

  // One budget across channels: a shopper just shown an overlay is not emailed on its heels.
  const gapMs = (input.channelGapHours ?? 0) * 3_600_000;
  if (input.lastOverlayAt && gapMs > 0 && input.lastOverlayAt.getTime() + gapMs > sendAt.getTime()) {
    sendAt = new Date(input.lastOverlayAt.getTime() + gapMs);
    deferReason ??= "channel_gap";
  }

  if (flow.respectQuiet && input.quietHours) {
    const quiet = isValidTimeZone(input.quietHours.timeZone) ? input.quietHours : { ...input.quietHours, timeZone: "UTC" };
    if (inQuietHours(sendAt, quiet)) {
      sendAt = quietHoursEnd(sendAt, quiet);
      deferReason ??= "quiet_hours";
    }
  }

  // A holdout run goes through every check a treated run does, so "would have sent"
  // is counted under the same conditions and at the same moment; it just never sends.
  if (deferReason) return { action: "defer", until: sendAt, reason: deferReason };
  return holdoutOr(input, { action: "send" });
}

/** A step's facts: what decideSend weighs, and whether a browsing shopper carted since the run began. */
export type StepFacts = SendInput & { cartedSinceStart: boolean };

export type StepDecision = SendDecision | { action: "stop"; reason: "carted" };

/**
 * What to do with one due recovery step. A browse follow-up whose shopper added to cart after
 * it began stops (the cart flows take over); everything else is decideSend's.
 */
export function decideStep(facts: StepFacts, now: Date = new Date()): StepDecision {
  if (facts.cartedSinceStart) return { action: "stop", reason: "carted" };
  return decideSend(facts, now);
}

function skip(reason: SkipReason): SendDecision {
  return { action: "skip", reason };
}

function holdoutOr(input: SendInput, decision: SendDecision): SendDecision {
  return input.holdout && decision.action === "send" ? skip("holdout") : decision;
}

/**
 * The earliest instant at or after `now` when fewer than `emailsPerWindow` sends fall in
 * the trailing window `(t - hours, t]`. Sends stamped in the future (clock skew) count as in the window.
 */
export function budgetFreesAt(sends: ReadonlyArray<Date>, budget: { emailsPerWindow: number; emailWindowHours: number }, now: Date): Date {
  const limit = Math.floor(budget.emailsPerWindow);
  const windowMs = budget.emailWindowHours * 3_600_000;
  if (limit < 1 || !(windowMs > 0)) return now;
  const inWindow = sends
    .map((d) => d.getTime())
    .filter((t) => t > now.getTime() - windowMs)
    .sort((a, b) => a - b);
  if (inWindow.length < limit) return now;
  // Enough of the oldest must age out to leave room for one more.
  const mustAgeOut = inWindow[inWindow.length - limit];
  return new Date(Math.max(now.getTime(), mustAgeOut + windowMs));
}
