/**
 * Rule evaluation, bundled into the storefront tracker and used by the server for the admin
 * preview. Kept small and free of zod: every byte here ships on every storefront page.
 */
import { isHoldout, pickArm } from "../experiments/assign";
import {
  CAP_DEFAULTS as CAP,
  EXIT_DEFAULTS as EXIT,
  type CompiledArm,
  type CompiledConfig,
  type CompiledContent,
  type CompiledSchedule,
  type CompiledTrigger,
  type Decision,
  type Signal,
  type SkipReason,
  type Tier,
  type VisitorState,
} from "./types";

const TIERS: Tier[] = ["low", "mid", "high"];
const DAY = 86_400_000;

/** low: browsing; mid: repeat product views or a return visit; high: a cart or a started checkout. */
export function intentTier(s: VisitorState): Tier {
  if (s.cartItems > 0 || s.cartAdds > 0 || s.checkoutStarted) return "high";
  if (s.productViews > 1 || s.visits > 1) return "mid";
  return "low";
}

/** Whether showing the content asks for marketing consent (an email, a discount code). */
export function isMarketing(t: { o: CompiledContent }): boolean {
  return t.o.kind === "email_capture" || t.o.kind === "discount_reveal";
}

/**
 * The A/B arm this visitor gets of a trigger under test (undefined when none runs): drawn by
 * `pickArm`, apart from the holdout, so a visitor held out has an arm they would have seen too.
 */
export function armOf(t: CompiledTrigger, visitorId: string): CompiledArm | undefined {
  if (!t.v) return undefined;
  const weights = t.v.map((a) => a.w);
  return t.v[pickArm(t.sa, visitorId, weights)];
}

/** What the visitor would see of `t`: the trigger's own content, or their arm's. */
const shownContent = (t: CompiledTrigger, arm: CompiledArm | undefined): CompiledContent => arm?.o || t.o;

function signalMatches(t: CompiledTrigger, s: VisitorState, sig: Signal): boolean {
  const k = sig.kind;
  if (t.ty === "exit_intent") {
    const x = { ...EXIT, ...t.c.exit };
    const mobile = s.device !== "desktop";
    if (s.msOnPage < x.minDwellMs) return false;
    if (k === "tick") return mobile && !!x.idleSec && s.idleMs >= x.idleSec * 1000;
    if (k !== "exit") return false;
    const via = sig.via;
    return via === "mouse"
      ? !mobile && (sig.y || 0) <= x.topZonePx && (sig.xPct ?? 100) >= x.ignoreLeftPct
      : via === "tab"
        ? x.tabReturn
        : mobile && (via === "scroll_up" ? x.scrollUp : !!x.backTrap);
  }
  if (t.ty === "inactivity") return k === "tick" && s.idleMs >= (t.c.idleSec || 0) * 1000;
  if (t.ty === "cart_change") return k === "cart";
  // page_engagement: fires as soon as the conditions (time on page, scroll depth, ...) hold
  return k !== "exit" && k !== "cart";
}

/**
 * The earliest time on the page (ms) at which a signal the shopper does not cause ("page",
 * "tick", "scroll") can fire any trigger: Infinity when no trigger listens to those. A necessary
 * condition read off signalMatches and conditionsHold (idle time never exceeds time on page),
 * compiled into the config (`g.pf`) so the storefront can leave the rules unloaded until then or
 * until the shopper acts.
 */
export function passiveFrom(config: CompiledConfig): number {
  let at = Infinity;
  for (const t of config.t) {
    const c = t.c;
    const idle = t.ty === "inactivity" ? c.idleSec || 0 : t.ty === "exit_intent" ? c.exit?.idleSec : 0;
    if (t.ty === "cart_change" || (t.ty === "exit_intent" && !idle)) continue;
    at = Math.min(at, Math.max(c.minSeconds || 0, idle || 0, t.ty === "exit_intent" ? (c.exit?.minDwellMs ?? EXIT.minDwellMs) / 1000 : 0) * 1000);
  }
  return at;
}

/**
 * Inside the schedule on the shopper's local clock. A window that wraps past midnight (s > e)
 * belongs to the day it starts on: inside it, an hour before `s` is the morning after, so the
 * day checked is yesterday.
 */
function inSchedule(w: CompiledSchedule, at: number): boolean {
  const d = new Date(at);
  const h = d.getHours();
  return (w.s > w.e ? h >= w.s || h < w.e : h >= w.s && h < w.e) && w.d.includes((d.getDay() + (h < w.s ? 6 : 0)) % 7);
}

function conditionsHold(t: CompiledTrigger, s: VisitorState): boolean {
  const c = t.c;
  return (
    s.msOnPage >= (c.minSeconds || 0) * 1000 &&
    s.scrollPct >= (c.scrollPct || 0) &&
    s.pagesThisSession >= (c.minPages || 0) &&
    s.productViews >= (c.minProductViews || 0) &&
    s.cartItems >= (c.minCartItems || 0) &&
    (c.maxCartCents == null || s.cartCents < c.maxCartCents) &&
    (!c.minDaysAway || (s.daysSinceLastVisit ?? 0) >= c.minDaysAway)
  );
}

function inSegment(t: CompiledTrigger, s: VisitorState): boolean {
  const g = t.s;
  const repeat = s.customer.loggedIn && s.customer.ordersCount > 0;
  return (
    (!g.visitor || g.visitor === "any" || (g.visitor === "new") === s.visits <= 1) &&
    (!g.purchaser || g.purchaser === "any" || (g.purchaser === "repeat") === repeat) &&
    (!g.discount || g.discount === "any" || (g.discount === "sensitive") === s.discountSensitive) &&
    s.cartCents >= (g.minCartCents || 0) &&
    s.customer.aovCents >= (g.minAovCents || 0) &&
    (!g.devices?.length || g.devices.includes(s.device)) &&
    (!g.sources?.length || g.sources.includes(s.source)) &&
    (!g.countries?.length || g.countries.includes(s.country))
  );
}

function withinCaps(t: CompiledTrigger, s: VisitorState, now: number): boolean {
  const f = { ...CAP, ...t.f };
  const h = s.caps.byTrigger[t.id];
  const p = f.perPeriod;
  return (
    !h ||
    !(
      (f.perSession && h.s >= f.perSession) ||
      (f.stopAfterConversion && h.cv) ||
      (f.stopAfterDismiss && h.dm) ||
      (p && h.ts.filter((ts) => ts > now - p.days * DAY).length >= p.count)
    )
  );
}

/** Why `t` would not fire for this visitor and signal, or null if it would. */
export function skipReason(config: CompiledConfig, t: CompiledTrigger, s: VisitorState, sig: Signal, now: number | Date): SkipReason | null {
  const at = +now;
  const c = t.c;
  // At most one overlay per page view and config.g.ps per session (0 turns overlays off).
  if (s.caps.page > 0 || s.caps.session >= config.g.ps) return "global_cap";
  if (!signalMatches(t, s, sig)) return "signal";
  if (c.sc && !inSchedule(c.sc, at)) return "outside_schedule";
  if (c.pageTypes?.length && !c.pageTypes.includes(s.pageType as never)) return "page";
  if (TIERS.indexOf(intentTier(s)) < TIERS.indexOf(c.minTier || "low")) return "tier";
  if (!conditionsHold(t, s)) return "conditions";
  if (!inSegment(t, s)) return "segment";
  if (!withinCaps(t, s, at)) return "frequency";
  // Email capture sends an event, so it needs analytics consent as well as marketing consent.
  // Judged on what this visitor's arm shows (a holdout visitor's too: the control group is drawn
  // from the same visitors as the arms).
  const o = shownContent(t, armOf(t, s.visitorId));
  if (isMarketing({ o }) && (!s.consent.marketing || (o.kind === "email_capture" && !s.consent.analytics))) return "consent";
  // One budget across channels: no overlay on the heels of a recovery email, unless the trigger
  // allows it. Checked last, so "channel_gap" means the overlay would have shown (it is counted).
  if (at < (s.caps.em || 0) + (config.g.cg || 0) * 36e5 && !t.f.afterEmail) return "channel_gap";
  return null;
}

/**
 * The trigger to act on for this signal, if any: the first (highest-priority) trigger whose
 * signal, page, intent, conditions, segment, caps and consent all pass. Visitors in its holdout
 * get variant "control": the caller logs a `control` event and shows nothing. Under an A/B test,
 * the others get their arm: `arm` is its id and `trigger.o` its content.
 */
export function evaluate(config: CompiledConfig, s: VisitorState, sig: Signal, now: number | Date): Decision | null {
  let held: CompiledTrigger | undefined;
  for (const t of config.t) {
    const skip = skipReason(config, t, s, sig, now);
    if (skip === null) {
      const tier = intentTier(s);
      if (t.ho > 0 && isHoldout(t.sa, s.visitorId, t.ho)) return { trigger: t, variant: "control", tier };
      const arm = armOf(t, s.visitorId);
      return arm ? { trigger: { ...t, o: shownContent(t, arm) }, variant: "treatment", tier, arm: arm.k } : { trigger: t, variant: "treatment", tier };
    }
    if (skip === "channel_gap") held ||= t;
  }
  // Nothing may show, but the first trigger the channel gap held back is reported (the caller
  // logs a `held` event, shows nothing, and counts no exposure).
  return held ? { trigger: held, variant: "held", tier: intentTier(s) } : null;
}

/** For the admin preview: every trigger with the reason it would not fire ("fire" if it would). */
export function explain(
  config: CompiledConfig,
  s: VisitorState,
  sig: Signal,
  now: number | Date,
): Array<{ id: string; result: SkipReason | "fire" | "outranked" }> {
  let fired = false;
  return config.t.map((t) => {
    const reason = skipReason(config, t, s, sig, now);
    if (reason) return { id: t.id, result: reason };
    const result = fired ? "outranked" : "fire";
    fired = true;
    return { id: t.id, result };
  });
}
