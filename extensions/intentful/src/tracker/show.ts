/**
 * Deciding and showing: every signal asks the shared rules (`evaluate`, in the rules bundle)
 * whether a trigger fires, and a firing trigger loads the overlay bundle. The rules bundle loads
 * on the shopper's first action, on a signal a trigger listens to, or when a time-based trigger's
 * earliest moment comes (`passiveFrom`, compiled into `config.g.pf`), and only while an overlay may still show this session.
 */
import type { Decision, Signal } from "~/domain/triggers/types";
import type { OverlayApi } from "../overlay/entry";
import type { RulesApi } from "../rules/entry";
import { lastInput, scrollPct } from "./activity";
import { ensure } from "./boot";
import { readConsent } from "./consent";
import { d, now, w } from "./dom";
import { config, ctx, page, pf, q, s, save, track } from "./session";
import { shopify } from "./shopify";
import { recordExposure, sessionExposures } from "./state";

let shown = 0;
let open = false;
let held = 0;
let rules: RulesApi | undefined;
let pending: Signal | undefined;

/** Evaluates the rules for a signal; true when an overlay is about to show (the back trap relies on it). */
export function fire(sig: Signal): boolean {
  if (open || shown) return false;
  if (!rules) {
    // "page", "tick" and "scroll" wait for the earliest moment a trigger could take them (`pf`;
    // loaded two seconds early)
    const at = pf();
    if (sig.kind == "exit" || sig.kind == "cart" || (at >= 0 && performance.now() > at * 1e3 - 2e3)) {
      pending = sig;
      needRules();
    }
    return false;
  }
  const live = { msOnPage: performance.now(), scrollPct, idleMs: now() - lastInput, pageExposures: shown };
  const env = { country: ctx.country || shopify().country || "", customer: ctx.customer, consent: readConsent() };
  const decision = rules.decide(config, ensure(), page, live, env, sig, now());
  if (decision) act(decision);
  return decision?.variant == "treatment";
}

/** Loads the rules bundle unless the session's overlay budget is spent; then the pending signal is decided. */
export function needRules(): void {
  if (sessionExposures(ensure()) < config.g.ps)
    load<RulesApi>(ctx.rules, "IntentfulRules").then(
      (r) => {
        if (rules) return;
        rules = r;
        r.watch(config, fire);
        if (pending) fire(pending);
      },
      () => {},
    );
}

function act({ trigger: t, variant, tier, arm }: Decision): void {
  // Held back by the channel gap: counted once per page, nothing shown, no exposure.
  if (variant == "held") return void (held++ || track({ kind: "held", triggerId: t.id, tier }));
  // the A/B arm (only on treatment) goes with every event of the exposure, and with a later conversion
  const base = { triggerId: t.id, tier, variant, arm };
  shown++;
  recordExposure(s, t.id, now(), arm);
  save();
  if (variant == "control") return track({ kind: "control", ...base });
  open = true;
  load<OverlayApi>(ctx.overlay, "IntentfulOverlay")
    .then((api) => api.show(t, ctx, { s, base: { ...base, variant }, track, save, flush: q.flush, closed: () => (open = false) }))
    .catch(() => {
      open = false;
    });
}

const loading: Record<string, Promise<never>> = {};

/** A lazily loaded bundle: a script that sets window[name]. */
const load = <T>(src: string, name: string): Promise<T> =>
  (loading[name] ||= new Promise((resolve, reject) => {
    const el = d.createElement("script");
    el.src = src;
    el.onload = () => ((w as never)[name] ? resolve((w as never)[name]) : reject());
    el.onerror = reject;
    d.head.appendChild(el);
  }));
