/** The lazily loaded storefront chunk: registers the renderer for the tracker. */
import type { StorefrontEvent } from "~/domain/events/schema";
import { CAP_DEFAULTS, type CompiledTrigger, type Decision } from "~/domain/triggers/types";
import { recordConversion, recordDismiss, recordExposure, type Stored } from "../tracker/state";
import type { EmbedContext, OverlayEvent } from "../types";
import { mountOverlay } from "./render";
import { specFromEmbed } from "./spec";

/**
 * What the tracker lends the overlay while it shows: the visitor's stored state and the event
 * queue. The overlay records what the shopper does with it, so that code loads only when an
 * overlay shows, not with every page.
 */
export interface OverlayHost {
  s: Stored;
  /** the exposure every event belongs to */
  base: { triggerId: string; tier: Decision["tier"]; variant: "treatment"; arm?: string };
  track(e: Omit<StorefrontEvent, "at">): void;
  save(): void;
  /** sends the queued events now (an email capture should not wait for the page to close) */
  flush(): void;
  /** the overlay closed: another trigger may show on this page */
  closed(): void;
}

export interface OverlayApi {
  mountOverlay: typeof mountOverlay;
  /** Renders a trigger's overlay in a fresh element at the end of <body>; the element goes when it closes. */
  show(trigger: CompiledTrigger, ctx: EmbedContext, host: OverlayHost): void;
}

/** The tracker's record of what the shopper did with an overlay. The overlay's events are the tracker's kinds; "empty" closes without one. */
export function record(triggerId: string, e: OverlayEvent, host: OverlayHost): void {
  const { s, base } = host;
  if (e.type === "email_capture") {
    host.track({ kind: e.type, ...base, email: e.email, marketingConsent: e.marketingConsent });
    recordConversion(s, [triggerId]);
    s.kn = true;
    host.flush();
  } else if (e.type !== "empty") host.track({ kind: e.type, ...base });
  if (e.type === "click" && e.target === "reveal") s.ds = true;
  if (e.type === "dismiss") recordDismiss(s, triggerId);
  if (e.type === "dismiss" || e.type === "empty") host.closed();
  host.save();
}

/**
 * Whether the trigger's frequency cap has room for one more showing: a teaser's reopen counts
 * as one. "Stop after dismissal" does not hide the teaser: reopening is the shopper's own choice.
 */
export function capRoom(t: CompiledTrigger, s: Stored, now: number): boolean {
  const f = { ...CAP_DEFAULTS, ...t.f };
  const h = s.h[t.id];
  const p = f.perPeriod;
  return (
    !h || !((f.perSession && h.s >= f.perSession) || (f.stopAfterConversion && h.cv) || (p && h.ts.filter((x) => x > now - p.days * 864e5).length >= p.count))
  );
}

const TEASER_CSS = `:host{all:initial}div{position:fixed;left:16px;bottom:16px;z-index:2147483646;display:flex;align-items:stretch;font:600 15px/1.2 var(--font,inherit);box-shadow:0 4px 16px rgba(0,0,0,.25);border-radius:var(--r);animation:in .2s ease-out}
button{font:inherit;border:0;margin:0;cursor:pointer;background:var(--btn);color:var(--bfg);min-height:44px}
.t{padding:10px 16px;border-radius:var(--r) 0 0 var(--r)}
.x{width:36px;border-left:1px solid rgba(127,127,127,.5);border-radius:0 var(--r) var(--r) 0;font-size:20px}
:focus-visible{outline:2px solid var(--btn);outline-offset:2px}
@keyframes in{from{opacity:0;transform:translateY(8px)}}@media (prefers-reduced-motion:reduce){div{animation:none}}`;

/**
 * The teaser tab: after the shopper closed an offer, a small tab in the corner reopens it (while
 * the frequency cap has room) or goes away with its ×. This page only.
 */
function teaser(trigger: CompiledTrigger, ctx: EmbedContext, reopen: () => void): void {
  const el = document.createElement("intentful-teaser");
  const shadow = el.attachShadow({ mode: "open" });
  const S = ctx.settings;
  const box = document.createElement("div");
  for (const [k, v] of [
    ["--btn", S.btn],
    ["--bfg", S.btnFg],
    ["--r", `${Math.max(0, Math.min(24, Number(S.radius) || 0))}px`],
    ["--font", S.font],
  ])
    if (v) box.style.setProperty(k, v);
  const open = document.createElement("button");
  open.className = "t";
  open.textContent = trigger.o.teaser || "";
  open.onclick = () => {
    el.remove();
    reopen();
  };
  const x = document.createElement("button");
  x.className = "x";
  x.textContent = "×";
  x.setAttribute("aria-label", ctx.strings.close);
  x.onclick = () => el.remove();
  box.append(open, x);
  const style = document.createElement("style");
  style.textContent = TEASER_CSS;
  shadow.append(style, box);
  document.body.appendChild(el);
}

const api: OverlayApi = {
  mountOverlay,
  show(trigger, ctx, host) {
    const el = document.createElement("intentful-overlay");
    document.body.appendChild(el);
    const shopify = (window as { Shopify?: object }).Shopify || {};
    const spec = specFromEmbed(trigger, ctx, host.s.rv, shopify, getComputedStyle(document.body).fontFamily);
    mountOverlay(el, spec, {
      onEvent(e) {
        if (e.type === "dismiss" || e.type === "empty") el.remove();
        record(trigger.id, e, host);
        if (e.type === "dismiss" && trigger.o.teaser && capRoom(trigger, host.s, Date.now()))
          teaser(trigger, ctx, () => {
            recordExposure(host.s, trigger.id, Date.now(), host.base.arm);
            host.save();
            api.show(trigger, ctx, host);
          });
      },
    });
  },
};

(window as { IntentfulOverlay?: OverlayApi }).IntentfulOverlay = api;
