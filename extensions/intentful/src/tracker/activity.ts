/**
 * What the shopper does on the page besides the cart: input (idle time, the first interaction),
 * scrolling, leaving the tab or the page, time passing, and the exit-intent detectors (./exit).
 * Listeners are passive; only the detectors a published trigger uses are attached.
 */
import { EXIT_DEFAULTS } from "~/domain/triggers/types";
import { loadConsentApi } from "./consent";
import { watchExit } from "./exit";
import { fire } from "./show";
import { d, now, on, w } from "./dom";
import { config, device, q, s, save, url } from "./session";
import { isDiscountLanding } from "./state";

export let scrollPct = 0;
export let lastInput = now();
let interacted = false;
let hiddenAt = 0;
let frame = 0;

export function watchActivity(): void {
  for (const type of ["pointerdown", "pointermove", "keydown", "scroll"]) on(w, type, input, true);
  on(d, "visibilitychange", () => {
    if (d.hidden) {
      hiddenAt = now();
      leave();
    } else if (hiddenAt && now() - hiddenAt > 1000) fire({ kind: "exit", via: "tab" });
  });
  on(w, "pagehide", leave);
  watchExitIntent();
  const needScroll = config.t.some((t) => t.c.scrollPct);
  if (needScroll)
    on(w, "scroll", () => {
      frame ||= requestAnimationFrame(() => {
        frame = 0;
        measureScroll();
        fire({ kind: "scroll" });
      });
    });
  if (config.t.some((t) => t.ty !== "cart_change"))
    setInterval(() => {
      if (d.hidden) return;
      if (needScroll && !scrollPct) measureScroll();
      fire({ kind: "tick" });
    }, 1000);
}

function input(): void {
  lastInput = now();
  if (interacted || !s) return;
  interacted = true;
  if (isDiscountLanding(url, d.cookie)) s.ds = true;
  loadConsentApi(save);
}

function leave(): void {
  q.flush();
  save();
}

function measureScroll(): void {
  const h = d.documentElement.scrollHeight;
  scrollPct = Math.max(scrollPct, h ? Math.min(100, ((scrollY + innerHeight) / h) * 100) : 100);
}

/** One set of exit detectors for every exit-intent trigger: the widest zone, any rule's options. */
function watchExitIntent(): void {
  const exits = config.t.filter((t) => t.ty === "exit_intent").map((t) => t.c.exit || {});
  if (exits.length)
    watchExit(
      {
        zone: Math.max(...exits.map((x) => x.topZonePx ?? EXIT_DEFAULTS.topZonePx)),
        mobile: device !== "desktop",
        scrollUp: exits.some((x) => x.scrollUp !== false),
        backTrap: exits.some((x) => x.backTrap),
      },
      fire,
    );
}
