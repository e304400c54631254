import { resumeAdd } from "./cart-signals";
import { readConsent } from "./consent";
import { d } from "./dom";
import { ctx, load, page, pageAt, root, s, save, send, track, url } from "./session";
import { startPage, type Stored } from "./state";

/** startMs: the synchronous start; readyMs: the idle task after it (0: none needed); stateMs: `ensure`, when first needed (-1: not yet). */
export const stats = { startMs: 0, readyMs: -1, stateMs: -1 };

/**
 * The visitor's state, loaded on first need: the shopper acts (./activity), the cart changes
 * (./cart-signals), a signal needs the rules (./show), or the page is hidden or left. The first
 * storage access of a page is a synchronous IPC (about a millisecond in Chromium), so a page
 * nobody touches pays for it only as it goes. Counts the page as of its load (`pageAt`).
 */
export function ensure(): Stored {
  if (!s) boot();
  return s;
}

function boot(): void {
  const b0 = performance.now();
  load();
  startPage(s, page, pageAt);
  if (/utm_source=intentful/.test(url.search)) s.em = pageAt;
  // A shopper the app may have emailed (gave an email, carted, logged in): on a session's first
  // page, when they were last emailed (the channel gap, with or without a click) and their past orders.
  if ((s.kn || s.cv || ctx.customer) && s.pg < 2 && !d.hidden && readConsent().analytics)
    send(root + "apps/intentful/status?v=" + s.vid)
      .then((r) => r.json())
      .then((j: { em: number; ao: number }) => {
        s.em = Math.max(s.em || 0, j.em || 0);
        s.ao = j.ao || 0;
        save();
      })
      .catch(() => {});
  // until /cart.js answers: a page left sooner tries again on the next
  if (s.pa) resumeAdd();
  save();
  if (s.exp) {
    track({ kind: "page_view", at: pageAt });
    if (page.productId) track({ kind: "product_view", productId: page.productId, at: pageAt });
  }
  stats.stateMs = performance.now() - b0;
}
