/**
 * What the shopper does on the page besides the cart: input (idle time, the first interaction),
 * scrolling, leaving the tab or the page, and time passing. Listeners are passive. The exit-intent
 * detectors (./exit) come with the rules bundle, which the first interaction loads (./show).
 */
import { ensure } from "./boot";
import { loadConsentApi } from "./consent";
import { fire, needRules } from "./show";
import { d, idle, now, on, w } from "./dom";
import { config, pf, q, save, url } from "./session";
import { isDiscountLanding } from "./state";

export let scrollPct = 0;
export let lastInput = now();
let interacted = false;
let hiddenAt = 0;
let frame = 0;

export function watchActivity(): void {
  // Mouse events, not pointer events: the page's first pointer listener costs Chromium about
  // 0.05 ms more to register, and a tap still arrives as a mousedown (or a scroll).
  for (const type of ["mousedown", "mousemove", "keydown", "scroll"]) on(w, type, input, true);
  on(d, "visibilitychange", () => {
    if (d.hidden) {
      hiddenAt = now();
      leave();
    } else if (hiddenAt && now() - hiddenAt > 1000) fire({ kind: "exit", via: "tab" });
  });
  on(w, "pagehide", leave);
  const needScroll = config.t.some((t) => t.c.scrollPct);
  if (needScroll)
    on(w, "scroll", () => {
      frame ||= requestAnimationFrame(() => {
        frame = 0;
        measureScroll();
        fire({ kind: "scroll" });
      });
    });
  // time passing: for a trigger that takes ticks, and for a scroll condition on a page nobody scrolls
  if (needScroll || pf() >= 0)
    setInterval(() => {
      if (d.hidden) return;
      if (needScroll && !scrollPct) measureScroll();
      fire({ kind: "tick" });
    }, 1000);
}

// The first interaction: the state, the discount cookie, the consent API and the rules, when idle.
function input(): void {
  lastInput = now();
  if (interacted) return;
  interacted = true;
  idle(() => {
    const s = ensure();
    if (isDiscountLanding(url, d.cookie)) s.ds = true;
    loadConsentApi(save);
    needRules();
  });
}

function leave(): void {
  ensure();
  q.flush();
  save();
}

function measureScroll(): void {
  const h = d.documentElement.scrollHeight;
  scrollPct = Math.max(scrollPct, h ? Math.min(100, ((scrollY + innerHeight) / h) * 100) : 100);
}
