/** The page globals every tracker module uses, named once (one short name each after minifying). */
export const d = document;
export const w = window;
export const now = Date.now;
export const on = (t: EventTarget, type: string, f: (e: never) => void, capture?: boolean) =>
  t.addEventListener(type, f as EventListener, { passive: true, capture });
/** Runs `f` when the browser is idle (Safari has no requestIdleCallback). */
export const idle = (f: () => void) => ("requestIdleCallback" in w ? requestIdleCallback(f, { timeout: 1000 }) : setTimeout(f, 1));
