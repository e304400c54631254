/**
 * The tracker's page session: what the embed says about this page (read once at start), the
 * visitor's stored state (loaded on first need, ./boot) and the event queue. Module state, not
 * an object: the storefront bundle is one scope, so these stay plain variables after minifying
 * (the page-load budget counts every property name).
 */
import type { StorefrontEvent } from "~/domain/events/schema";
import type { CompiledConfig } from "~/domain/triggers/types";
import type { EmbedContext } from "../types";
import { watchCart } from "./cart";
import { onCartChange } from "./cart-signals";
import { readConsent } from "./consent";
import { d, now, on } from "./dom";
import { beacon, eventQueue } from "./events";
import { routesRoot, shopify } from "./shopify";
import { classifySource, isDiscountLanding, newStored, notDesktop, reviveStored, type PageInfo, type Stored } from "./state";

const KEY = "intentful";

export let config: CompiledConfig;
export let ctx: EmbedContext;
export let page: PageInfo;
export let url: URL;
/** when the page loaded (ms): the page's events and session clock, whenever the state loads */
export let pageAt: number;
export let root: string;
/** The page's fetch before the cart watcher wrapped it: the tracker's own requests. */
export let send: typeof fetch;
/** The visitor's stored state: undefined until `load`; read it through ./boot's `ensure()`. */
export let s: Stored;
export let q: ReturnType<typeof eventQueue>;
// Without analytics consent the state lives in sessionStorage only. Consent is read live: the
// theme may load the Customer Privacy API, or the visitor decide, at any time.
let persistent: boolean;

function read<T>(id: string): T | null {
  try {
    return JSON.parse(d.getElementById(id)!.textContent!) as T;
  } catch {
    return null;
  }
}

/** Reads the embed's config and page context; false when nothing can show here. */
export function init(): boolean {
  const cfg = read<CompiledConfig>("intentful-config");
  const c = read<EmbedContext>("intentful-ctx");
  if (!c || !cfg || cfg.v !== 1 || !cfg.t?.length) return false;
  config = cfg;
  ctx = c;
  // The device only where the merchant switched mobile off: the user agent and a media query each
  // cost a first touch of a browser API, and the class itself comes with the rules bundle.
  if (!c.settings.mobile && notDesktop(navigator.userAgent, matchMedia("(pointer:coarse)").matches)) return false;
  root = routesRoot();
  pageAt = now();
  // source and discount landing: read with the state (load)
  page = {
    type: c.page,
    productId: c.product ? String(c.product.id) : null,
    productHandle: c.product ? c.product.handle : null,
    cart: [c.cart.n, c.cart.c],
  } as PageInfo;
  persistent = readConsent().analytics;
  send = watchCart(onCartChange);
  q = eventQueue(root + "apps/intentful/events", () => [s.vid, s.sid], beacon(send));
  on(d, "visitorConsentCollected", () => {
    if (!readConsent().analytics) q.clear();
    save();
  });
  return true;
}

/**
 * The earliest moment (s) a trigger may take a signal nobody causes ("page", "tick", "scroll"):
 * `passiveFrom`, compiled by the server into `g.pf`; -1 when none ever can (then no idle task and
 * no tick timer), and configs published before it read as 0.
 */
export const pf = () => config.g.pf ?? 0;

const store = () => (persistent ? localStorage : sessionStorage);

/**
 * Reads the visitor's state and where this page view came from. The first storage access of a
 * page is a synchronous IPC: called on first need only (./boot).
 */
export function load(): void {
  url = new URL(location.href);
  page.source = classifySource(url, d.referrer);
  // document.cookie is a synchronous IPC in Chromium too: it is read on first interaction (./activity)
  page.discount = isDiscountLanding(url, "");
  try {
    s = reviveStored(store().getItem(KEY), now());
  } catch {
    s = newStored(now());
  }
}

export function save(): void {
  if (!s) return;
  try {
    if (readConsent().analytics !== persistent) {
      store().removeItem(KEY);
      persistent = !persistent;
    }
    store().setItem(KEY, JSON.stringify(s));
  } catch {
    // storage full or blocked: keep the state in memory
  }
}

/** Queues an event: only with analytics consent, and never in the theme editor's preview. */
export function track(e: Omit<StorefrontEvent, "at"> & { at?: number }): void {
  if (readConsent().analytics && !(shopify() as { designMode?: boolean }).designMode) q.push({ at: now(), ...e } as StorefrontEvent);
}
