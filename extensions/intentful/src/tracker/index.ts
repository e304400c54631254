/**
 * Storefront tracker, loaded deferred by the app embed. Start-up only parses two inline JSON
 * blobs and adds passive listeners: no storage, no layout reads, no network. Everything else
 * waits for the shopper to do something, the cart to change or a timed trigger to come due:
 * - ./session: the page's context, the visitor's stored state, the event queue;
 * - ./boot: `ensure`, the visitor's state on first need;
 * - ./cart-signals, ./activity: the signals;
 * - ./show: the shared rules (the rules bundle) decide, the overlay bundle shows.
 */
import { ensure, stats } from "./boot";
import { watchCartForms } from "./cart-signals";
import { watchActivity } from "./activity";
import { idle, w } from "./dom";
import { ctx, init, pf } from "./session";
import { fire } from "./show";

function start(): void {
  const t0 = performance.now();
  if (!init()) return;
  watchCartForms();
  watchActivity();
  (w as { IntentfulTracker?: typeof stats }).IntentfulTracker = stats;
  // The idle task, when there is something to do before the shopper acts: something in the cart
  // (the state now; a classic cart form post on the last page is counted here), or a trigger that
  // takes the page signal. Else none (readyMs 0): the shopper's first action, a cart change or
  // leaving the page brings the rest.
  if (ctx.cart.n || pf() >= 0)
    idle(() => {
      const t = performance.now();
      if (ctx.cart.n) ensure();
      fire({ kind: "page" });
      stats.readyMs = performance.now() - t;
    });
  else stats.readyMs = 0;
  stats.startMs = performance.now() - t0;
}

start();
