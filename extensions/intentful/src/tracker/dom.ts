/** The page globals every tracker module uses, named once (one short name each after minifying). */
export const d = document;
export const w = window;
export const now = Date.now;
export const on = (t: EventTarget, type: string, f: (e: never) => void, capture?: boolean) =>
  t.addEventListener(type, f as EventListener, { passive: true, capture });
