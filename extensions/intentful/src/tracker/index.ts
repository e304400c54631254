/**
 * Storefront tracker, loaded deferred by the app embed. Start-up only parses two inline JSON
 * blobs, reads storage and adds passive listeners: no layout reads, no network. Everything
 * else waits for the shopper (or a timer) to do something.
 */
import type { StorefrontEvent } from "~/domain/events/schema";
import { evaluate } from "~/domain/triggers/evaluate";
import { EXIT_DEFAULTS, type CompiledConfig, type Decision, type Signal } from "~/domain/triggers/types";
import type { OverlayApi } from "../overlay/entry";
import type { EmbedContext, OverlayEvent } from "../types";
import { watchCart, type CartJson, type CartKind } from "./cart";
import { loadConsentApi, readConsent } from "./consent";
import { beacon, eventQueue } from "./events";
import { watchExit } from "./exit";
import { routesRoot, shopify } from "./shopify";
import {
  classifySource,
  deviceClass,
  isDiscountLanding,
  newStored,
  normalisePageType,
  recordCart,
  recordConversion,
  recordDismiss,
  recordExposure,
  reviveStored,
  startPage,
  toVisitorState,
  type PageInfo,
  type Stored,
} from "./state";

/** startMs: the synchronous start-up; readyMs: the idle task that loads the visitor's state */
type Win = Window & { IntentfulOverlay?: OverlayApi; IntentfulTracker?: { startMs: number; readyMs: number } };

const KEY = "intentful";
const d = document;
const w = window as Win;
const now = Date.now;
const on = (t: EventTarget, type: string, f: (e: never) => void, capture?: boolean) => t.addEventListener(type, f as EventListener, { passive: true, capture });

function read<T>(id: string): T | null {
  try {
    return JSON.parse(d.getElementById(id)!.textContent!) as T;
  } catch {
    return null;
  }
}

function start(): void {
  const t0 = performance.now();
  const config = read<CompiledConfig>("intentful-config");
  const ctx = read<EmbedContext>("intentful-ctx");
  if (!ctx || !config || config.v !== 1 || !config.t?.length) return;
  const S = ctx.settings;
  const device = deviceClass(navigator.userAgent, matchMedia("(pointer:coarse)").matches, Math.min(screen.width, screen.height));
  if (device !== "desktop" && !S.mobile) return;

  const sh = shopify();
  const root = routesRoot();
  const url = new URL(location.href);
  const page: PageInfo = {
    type: normalisePageType(ctx.page || ""),
    productId: ctx.product ? String(ctx.product.id) : null,
    productHandle: ctx.product ? ctx.product.handle : null,
    cart: [ctx.cart.n, ctx.cart.c],
    source: classifySource(url, d.referrer),
    // document.cookie is a synchronous IPC in Chromium: it is read on first interaction instead
    discount: isDiscountLanding(url, ""),
  };
  // Consent is read live: the theme may load the Customer Privacy API, or the visitor decide, at any time.
  // Without analytics consent the state lives in sessionStorage only.
  let persistent = readConsent().analytics;
  const store = () => (persistent ? localStorage : sessionStorage);
  // Loaded in an idle callback: the first storage access of a page is a synchronous IPC.
  let s!: Stored;
  const save = () => {
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
  };

  let pendingAdds = 0;
  let cartTimer: ReturnType<typeof setTimeout> | undefined;
  const origFetch = watchCart((kind: CartKind) => {
    if (kind === "add") pendingAdds++;
    clearTimeout(cartTimer);
    cartTimer = setTimeout(refreshCart, 250);
  });

  // The theme editor previews the store: show overlays, but never count anything.
  const q = eventQueue(root + "apps/intentful/events", () => [s.vid, s.sid], beacon(origFetch));
  const track = (e: Omit<StorefrontEvent, "at">) => {
    if (readConsent().analytics && !(sh as { designMode?: boolean }).designMode) q.push({ at: now(), ...e } as StorefrontEvent);
  };

  on(d, "visitorConsentCollected", () => {
    if (!readConsent().analytics) q.clear();
    save();
  });

  let scrollPct = 0;
  let lastInput = now();
  let shownOnPage = 0;
  let open = false;
  const vstate = () =>
    toVisitorState(
      s,
      page,
      { msOnPage: performance.now(), scrollPct, idleMs: now() - lastInput, pageExposures: shownOnPage },
      { device, country: ctx.country || sh.country || "", customer: ctx.customer, consent: readConsent() },
      now(),
    );

  /** Evaluates the rules for a signal; true when an overlay is about to show (the back trap relies on it). */
  const fire = (sig: Signal): boolean => {
    if (!s || open || shownOnPage) return false;
    const decision = evaluate(config, vstate(), sig, now());
    if (decision) act(decision);
    return decision?.variant === "treatment";
  };

  let held = 0;
  const act = ({ trigger: t, variant, tier }: Decision) => {
    // Held back by the channel gap: counted once per page, nothing shown, no exposure.
    if (variant === "held") return held++ || track({ kind: "held", triggerId: t.id, tier });
    const base = { triggerId: t.id, tier, variant };
    shownOnPage++;
    recordExposure(s, t.id, now());
    save();
    if (variant === "control") return track({ kind: "control", ...base });
    open = true;
    loadOverlay(ctx.overlay)
      .then((api) =>
        api.show(t, ctx, s.rv, (e: OverlayEvent) => {
          if (e.type === "impression") track({ kind: "impression", ...base });
          else if (e.type === "click") {
            track({ kind: "click", ...base });
            if (e.target === "reveal") s.ds = true;
          } else if (e.type === "email_capture") {
            track({ kind: "email_capture", ...base, email: e.email, marketingConsent: e.marketingConsent });
            recordConversion(s, [t.id]);
            s.kn = true;
            q.flush();
          } else {
            if (e.type === "dismiss") {
              recordDismiss(s, t.id);
              track({ kind: "dismiss", ...base });
            }
            open = false;
          }
          save();
        }),
      )
      .catch(() => {
        open = false;
      });
  };

  let overlay: Promise<OverlayApi> | undefined;
  const loadOverlay = (src: string) =>
    (overlay ||= new Promise<OverlayApi>((resolve, reject) => {
      if (w.IntentfulOverlay) return resolve(w.IntentfulOverlay);
      const el = d.createElement("script");
      el.src = src;
      el.onload = () => (w.IntentfulOverlay ? resolve(w.IntentfulOverlay) : reject());
      el.onerror = reject;
      d.head.appendChild(el);
    }));

  // The visitor id goes on the cart (for order attribution) only after an add, and only with consent.
  const writeVid = () => {
    if (!readConsent().analytics || s.cv === s.sid) return;
    s.cv = s.sid;
    origFetch(root + "cart/update.js", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ attributes: { _intentful_vid: s.vid } }),
    }).catch(() => {});
  };

  // The cart token ties the add to the cart Shopify's carts/* webhooks name (cart reminders):
  // sent once per new cart even for a visitor no trigger reached, else only funnel events.
  const afterAdd = (valueCents?: number, cartToken?: string) => {
    if (s.exp || (cartToken && s.ct !== cartToken)) track({ kind: "cart_add", productId: page.productId || undefined, valueCents, cartToken });
    if (cartToken) s.ct = cartToken;
    for (const id of recordConversion(s, s.sx)) track({ kind: "conversion", triggerId: id, valueCents });
  };

  const refreshCart = () => {
    if (s)
      origFetch(root + "cart.js", { headers: { accept: "application/json" } })
        .then((r) => r.json() as Promise<CartJson>)
        .then((c) => {
          const added = pendingAdds > 0;
          pendingAdds = 0;
          s.pa = false;
          recordCart(s, c.item_count, c.total_price, added);
          if (added) {
            afterAdd(c.total_price, c.token);
            writeVid();
          }
          save();
          fire({ kind: "cart" });
        })
        .catch(() => {});
  };

  // A classic (non-Ajax) cart form post: the page navigates, and the next page reads /cart.js for
  // the cart's token (a new cart has none before the post) and counts the add there (boot).
  // Checked after dispatch, so a theme listener that turns it into an Ajax add has run.
  on(d, "submit", (e: SubmitEvent) => {
    if (s && /\/cart\/add/.test((e.target as HTMLFormElement).action))
      setTimeout(() => {
        if (e.defaultPrevented) return;
        s.pa = true;
        save();
      });
  });
  // Checkout buttons and links (implicit form submission clicks the default button too).
  on(
    d,
    "click",
    (e: MouseEvent) => {
      if (s && (e.target as Element).closest?.('a[href*="/checkout"],[name="checkout"]')) {
        s.co = true;
        save();
      }
    },
    true,
  );

  let interacted = false;
  const input = () => {
    lastInput = now();
    if (interacted || !s) return;
    interacted = true;
    if (isDiscountLanding(url, d.cookie)) s.ds = true;
    loadConsentApi(save);
  };
  for (const type of ["pointerdown", "pointermove", "keydown", "scroll"]) on(w, type, input, true);

  let hiddenAt = 0;
  on(d, "visibilitychange", () => {
    if (d.hidden) {
      hiddenAt = now();
      q.flush();
      save();
    } else if (hiddenAt && now() - hiddenAt > 1000) fire({ kind: "exit", via: "tab" });
  });
  on(w, "pagehide", () => {
    q.flush();
    save();
  });

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

  const measureScroll = () => {
    const h = d.documentElement.scrollHeight;
    scrollPct = Math.max(scrollPct, h ? Math.min(100, ((scrollY + innerHeight) / h) * 100) : 100);
  };
  let frame = 0;
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

  const boot = () => {
    const b0 = performance.now();
    try {
      s = reviveStored(store().getItem(KEY), now());
    } catch {
      s = newStored(now());
    }
    startPage(s, page, now());
    if (/utm_source=intentful/.test(url.search)) s.em = now();
    // A shopper the app may have emailed (gave an email, carted, logged in): on a session's first
    // page, when they were last emailed (the channel gap, with or without a click) and their past orders.
    if ((s.kn || s.cv || ctx.customer) && s.pg < 2 && readConsent().analytics)
      origFetch(root + "apps/intentful/status?v=" + s.vid)
        .then((r) => r.json())
        .then((j: { em: number; ao: number }) => {
          s.em = Math.max(s.em || 0, j.em || 0);
          s.ao = j.ao || 0;
          save();
        })
        .catch(() => {});
    // until /cart.js answers: a page left sooner tries again on the next
    if (s.pa) {
      pendingAdds++;
      refreshCart();
    }
    save();
    if (s.exp) {
      track({ kind: "page_view" });
      if (page.productId) track({ kind: "product_view", productId: page.productId });
    }
    fire({ kind: "page" });
    stats.readyMs = performance.now() - b0;
  };
  const stats = (w.IntentfulTracker = { startMs: 0, readyMs: 0 });
  // Safari has no requestIdleCallback
  if ("requestIdleCallback" in w) requestIdleCallback(boot, { timeout: 1000 });
  else setTimeout(boot, 1);
  stats.startMs = performance.now() - t0;
}

start();
