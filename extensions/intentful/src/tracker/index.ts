/**
 * Storefront tracker, loaded deferred by the app embed. Start-up only parses two inline JSON
 * blobs and adds passive listeners: no storage, no layout reads, no network. Everything else
 * waits for the browser to be idle (boot) or the shopper to do something:
 * - ./session: the page's context, the visitor's stored state, the event queue;
 * - ./cart-signals, ./activity (with ./exit): the signals;
 * - ./show: the shared rules decide, the overlay bundle shows.
 */
import { boot } from "./boot";
import { watchCartForms } from "./cart-signals";
import { watchActivity } from "./activity";
import { w } from "./dom";
import { init } from "./session";

/** startMs: the synchronous start-up; readyMs: the idle task that loads the visitor's state */
type Win = { IntentfulTracker?: { startMs: number; readyMs: number } };

function start(): void {
  const t0 = performance.now();
  if (!init()) return;
  watchCartForms();
  watchActivity();
  const stats = ((w as Win).IntentfulTracker = { startMs: 0, readyMs: 0 });
  const ready = () => boot((ms) => (stats.readyMs = ms));
  // Safari has no requestIdleCallback
  if ("requestIdleCallback" in w) requestIdleCallback(ready, { timeout: 1000 });
  else setTimeout(ready, 1);
  stats.startMs = performance.now() - t0;
}

start();
