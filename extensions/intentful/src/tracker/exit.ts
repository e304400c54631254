import type { Signal } from "~/domain/triggers/types";
import { d, now as clock, on, w } from "./dom";

export interface ExitOptions {
  /** desktop: the largest exit zone any rule uses (px) */
  zone: number;
  mobile: boolean;
  scrollUp: boolean;
  backTrap: boolean;
}

const FAST_UP_PX = 200;
const FAST_UP_MS = 400;

/**
 * Exit-intent detectors. Desktop: the cursor moves up into the top zone or leaves through the
 * top edge. Mobile: a fast scroll up, and (where a rule turns it on) the back button once.
 * Whether a given signal counts for a rule is decided by evaluate(), per rule.
 * Tab switch and return is reported by the tracker's visibility handler.
 */
/** `fire` returns true when it shows an overlay; otherwise a trapped back press goes back after all. */
export function watchExit(o: ExitOptions, fire: (s: Signal) => boolean): void {
  if (!o.mobile) {
    let lastY = 1e9;
    let lastAt = 0;
    const exit = (x: number, y: number) => {
      const now = clock();
      if (now - lastAt < 300) return;
      lastAt = now;
      fire({ kind: "exit", via: "mouse", y: Math.max(0, y), xPct: (x / innerWidth) * 100 });
    };
    on(d, "mousemove", (e: MouseEvent) => {
      if (e.clientY <= o.zone && e.clientY < lastY) exit(e.clientX, e.clientY);
      lastY = e.clientY;
    });
    on(d, "mouseout", (e: MouseEvent) => {
      if (!e.relatedTarget && e.clientY <= o.zone && e.clientY <= lastY) exit(e.clientX, e.clientY);
    });
    return;
  }
  if (o.scrollUp) {
    let anchorY = 0;
    let anchorAt = 0;
    on(w, "scroll", () => {
      const y = scrollY;
      const now = clock();
      if (y > anchorY || now - anchorAt > FAST_UP_MS) {
        anchorY = y;
        anchorAt = now;
      } else if (anchorY - y > FAST_UP_PX) {
        anchorY = y;
        fire({ kind: "exit", via: "scroll_up" });
      }
    });
  }
  if (o.backTrap) {
    // Chrome skips history entries added without a user gesture, so arm on the first touch.
    let armed = false;
    const arm = () => {
      if (armed) return;
      armed = true;
      history.pushState({ intentful: 1 }, "");
      on(w, "popstate", () => {
        if (armed && !fire({ kind: "exit", via: "back" })) history.back();
        armed = false;
      });
    };
    on(d, "touchstart", arm);
    on(d, "pointerdown", arm);
  }
}
