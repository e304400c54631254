/** The lazily loaded storefront chunk: registers the renderer for the tracker. */
import type { StorefrontEvent } from "~/domain/events/schema";
import type { CompiledTrigger, Decision } from "~/domain/triggers/types";
import { recordConversion, recordDismiss, type Stored } from "../tracker/state";
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
  base: { triggerId: string; tier: Decision["tier"]; variant: "treatment" };
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
      },
    });
  },
};

(window as { IntentfulOverlay?: OverlayApi }).IntentfulOverlay = api;
