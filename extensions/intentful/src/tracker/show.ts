/**
 * Deciding and showing: every signal asks the shared rules (`evaluate`, the same code the server
 * compiles them with) whether a trigger fires, and a firing trigger loads the overlay bundle.
 */
import { evaluate } from "~/domain/triggers/evaluate";
import type { Decision, Signal } from "~/domain/triggers/types";
import type { OverlayApi } from "../overlay/entry";
import { lastInput, scrollPct } from "./activity";
import { readConsent } from "./consent";
import { d, now, w } from "./dom";
import { config, ctx, device, page, q, s, save, track } from "./session";
import { shopify } from "./shopify";
import { recordExposure, toVisitorState } from "./state";

let shown = 0;
let open = false;
let held = 0;
let overlay: Promise<OverlayApi> | undefined;

/** Evaluates the rules for a signal; true when an overlay is about to show (the back trap relies on it). */
export function fire(sig: Signal): boolean {
  if (!s || open || shown) return false;
  const live = { msOnPage: performance.now(), scrollPct, idleMs: now() - lastInput, pageExposures: shown };
  const env = { device, country: ctx.country || shopify().country || "", customer: ctx.customer, consent: readConsent() };
  const decision = evaluate(config, toVisitorState(s, page, live, env, now()), sig, now());
  if (decision) act(decision);
  return decision?.variant === "treatment";
}

function act({ trigger: t, variant, tier }: Decision): void {
  // Held back by the channel gap: counted once per page, nothing shown, no exposure.
  if (variant === "held") return void (held++ || track({ kind: "held", triggerId: t.id, tier }));
  const base = { triggerId: t.id, tier, variant };
  shown++;
  recordExposure(s, t.id, now());
  save();
  if (variant === "control") return track({ kind: "control", ...base });
  open = true;
  loadOverlay(ctx.overlay)
    .then((api) => api.show(t, ctx, { s, base: { ...base, variant }, track, save, flush: q.flush, closed: () => (open = false) }))
    .catch(() => {
      open = false;
    });
}

type Overlay = { IntentfulOverlay?: OverlayApi };

const loadOverlay = (src: string) =>
  (overlay ||= new Promise<OverlayApi>((resolve, reject) => {
    if ((w as Overlay).IntentfulOverlay) return resolve((w as Overlay).IntentfulOverlay!);
    const el = d.createElement("script");
    el.src = src;
    el.onload = () => ((w as Overlay).IntentfulOverlay ? resolve((w as Overlay).IntentfulOverlay!) : reject());
    el.onerror = reject;
    d.head.appendChild(el);
  }));
