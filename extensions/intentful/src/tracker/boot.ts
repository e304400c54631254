import { resumeAdd } from "./cart-signals";
import { readConsent } from "./consent";
import { fire } from "./show";
import { now } from "./dom";
import { ctx, load, page, root, s, save, send, track, url } from "./session";
import { startPage } from "./state";

/**
 * The idle task after start-up: loads the visitor's state, counts the page, and gives the rules
 * their first look ("page" signal). `done` gets the time it took.
 */
export function boot(done: (ms: number) => void): void {
  const b0 = performance.now();
  load();
  startPage(s, page, now());
  if (/utm_source=intentful/.test(url.search)) s.em = now();
  // A shopper the app may have emailed (gave an email, carted, logged in): on a session's first
  // page, when they were last emailed (the channel gap, with or without a click) and their past orders.
  if ((s.kn || s.cv || ctx.customer) && s.pg < 2 && readConsent().analytics)
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
    track({ kind: "page_view" });
    if (page.productId) track({ kind: "product_view", productId: page.productId });
  }
  fire({ kind: "page" });
  done(performance.now() - b0);
}
