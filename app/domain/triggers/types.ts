/**
 * Types shared by the server (compile, admin preview) and the storefront tracker (evaluate).
 * Type-only imports from ./schema are erased by the bundler, so zod never reaches the storefront.
 */
import type { Conditions, Content, ExitConditions, FrequencyCap, Segment, TriggerType } from "./schema";

export type Tier = "low" | "mid" | "high";
export type Device = "desktop" | "mobile" | "tablet";
export type TrafficSource = "direct" | "search" | "social" | "email" | "paid" | "referral";
export type ContentKind = Content["kind"];
export type Layout = "modal" | "slide_in" | "bar";

/** A trigger as the storefront receives it: defaults are left out to keep the metafield small. */
export interface CompiledTrigger {
  id: string;
  /** when it fires */
  ty: TriggerType;
  /** priority: higher wins */
  pr: number;
  /** holdout percentage 0..50 */
  ho: number;
  /** holdout salt */
  sa: string;
  c: Partial<Omit<Conditions, "exit" | "schedule">> & { exit?: Partial<ExitConditions>; sc?: CompiledSchedule };
  s: Partial<Segment>;
  f: Partial<FrequencyCap>;
  /** what it shows; empty optional fields left out */
  o: CompiledContent;
  /**
   * the A/B test's arms, only when it has 2..4 (app/domain/experiments/variants.ts): k = arm id,
   * w = weight (whole percent), o = the arm's content (left out on arm A, which shows `o` above)
   */
  v?: CompiledArm[];
}

export interface CompiledArm {
  k: string;
  w: number;
  o?: CompiledContent;
}

/**
 * conditions.schedule, compacted: d = days (0 = Sunday, sorted), s = start hour, e = end hour
 * (exclusive; s > e wraps past midnight). Checked against the shopper's local clock.
 */
export interface CompiledSchedule {
  d: number[];
  s: number;
  e: number;
}

export type CompiledContent = { kind: ContentKind; headline: string } & Partial<
  Record<"body" | "button" | "layout" | "consentLabel" | "successText" | "code" | "url" | "intent" | "question" | "teaser", string>
> &
  Partial<Record<"showCheckout" | "requireConsent" | "addToCart", boolean>> &
  Partial<Record<"limit" | "expiresMinutes" | "goalCents", number>>;

export interface CompiledConfig {
  v: 1;
  /** global caps: ps = overlays per session (a page view never shows more than one); cg = hours
   * after a recovery email brought the shopper during which no overlay shows (left out = off) */
  g: {
    ps: number;
    cg?: number;
    /**
     * passive from: seconds on the page before which no trigger can take a signal the shopper does
     * not cause ("page", "tick", "scroll"); -1 when none ever can (`passiveFrom`). The storefront
     * leaves the rules bundle unloaded until then, or until the shopper acts. Configs published
     * before it are read as 0.
     */
    pf: number;
  };
  /** active triggers, highest priority first */
  t: CompiledTrigger[];
}

/** What the visitor has already seen of one trigger. */
export interface TriggerHistory {
  /** exposures (shown or held out) this session */
  s: number;
  /** timestamps (ms) of recent exposures, newest last, at most 10 */
  ts: number[];
  /** converted after an exposure */
  cv?: boolean;
  /** dismissed */
  dm?: boolean;
  /** the A/B arm (variant id) last shown, which the trigger's conversion events carry */
  a?: string;
}

/** Everything evaluate() needs to know about the visitor and the page, as plain data. */
export interface VisitorState {
  visitorId: string;
  /** sessions so far, including this one (1 = new visitor) */
  visits: number;
  daysSinceLastVisit: number | null;
  pagesThisSession: number;
  /** Shopify request.page_type, normalised (see PAGE_TYPES) */
  pageType: string;
  /** views of the current product on product pages; elsewhere the highest count for any product */
  productViews: number;
  cartItems: number;
  cartCents: number;
  /** cart adds this session */
  cartAdds: number;
  checkoutStarted: boolean;
  msOnPage: number;
  scrollPct: number;
  idleMs: number;
  device: Device;
  source: TrafficSource;
  /** ISO 3166-1 alpha-2, "" when unknown */
  country: string;
  /** aovCents: the average past order (0 when none is known), see Segment.minAovCents */
  customer: { loggedIn: boolean; ordersCount: number; aovCents: number };
  discountSensitive: boolean;
  consent: { analytics: boolean; marketing: boolean };
  caps: {
    /** overlays shown or held out on this page view */
    page: number;
    /** overlays shown or held out this session */
    session: number;
    byTrigger: Record<string, TriggerHistory | undefined>;
    /** when a recovery email last brought the shopper to the store (ms; 0 = never) */
    em?: number;
  };
}

export type ExitVia = "mouse" | "scroll_up" | "tab" | "back";

export type Signal =
  | { kind: "page" | "tick" | "scroll" | "cart" }
  /** y: cursor distance from the top edge (px); xPct: horizontal position (0..100) */
  | { kind: "exit"; via: ExitVia; y?: number; xPct?: number };

export interface Decision {
  trigger: CompiledTrigger;
  /** held: it would have shown, but the shop's channel gap after a recovery email holds it back */
  variant: "treatment" | "control" | "held";
  tier: Tier;
  /**
   * the A/B arm (variant id) shown, on treatment decisions of a trigger under test (then `trigger.o`
   * is that arm's content); never on control or held decisions
   */
  arm?: string;
}

/** Why a trigger did not fire; the admin preview shows these. */
export type SkipReason = "signal" | "outside_schedule" | "page" | "tier" | "conditions" | "segment" | "frequency" | "consent" | "global_cap" | "channel_gap";

/**
 * Values the storefront assumes when the compiled config leaves a field out (compileConfig
 * drops fields equal to their default). A test keeps these equal to the zod defaults.
 */
export const EXIT_DEFAULTS = {
  topZonePx: 29,
  minDwellMs: 500,
  ignoreLeftPct: 8,
  scrollUp: true,
  tabReturn: true,
  idleSec: 0,
  backTrap: false,
};

export const CAP_DEFAULTS: {
  perSession: number;
  perPeriod: { count: number; days: number } | null;
  stopAfterConversion: boolean;
  stopAfterDismiss: boolean;
  afterEmail: boolean;
} = { perSession: 1, perPeriod: null, stopAfterConversion: true, stopAfterDismiss: false, afterEmail: false };
