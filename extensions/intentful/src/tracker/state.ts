/**
 * The tracker's per-visitor memory, as pure functions over a small JSON object (persisted in
 * localStorage with analytics consent, sessionStorage without). No DOM access here.
 */
import type { Device, TrafficSource, TriggerHistory, VisitorState } from "~/domain/triggers/types";

export const SESSION_GAP_MS = 30 * 60_000;
const DAY = 86_400_000;
const MAX_PRODUCTS = 30;
const MAX_RECENT = 10;
const MAX_EXPOSURES = 10;

export interface Stored {
  /** visitor id, session id */
  vid: string;
  sid: string;
  /** sessions so far */
  n: number;
  /** last activity; last activity of the previous session (0 = none) */
  last: number;
  prev: number;
  /** pages this session */
  pg: number;
  /** product id -> views */
  pv: Record<string, number>;
  /** recently viewed product handles, newest first */
  rv: string[];
  /** collection views and searches this session */
  cl: number;
  sr: number;
  /** cart adds this session; checkout started this session */
  ca: number;
  co: boolean;
  /** cart snapshot: items, cents */
  cart: [number, number];
  /** discount-sensitive */
  ds: boolean;
  /** traffic source of this session */
  src: TrafficSource;
  /** per-trigger exposure history; triggers exposed this session */
  h: Record<string, TriggerHistory>;
  sx: string[];
  /** ever exposed to a trigger (only then are funnel events sent) */
  exp: boolean;
  /** session id in which _intentful_vid was written to the cart */
  cv: string;
  /** a classic (non-Ajax) cart add happened: the next page reads /cart.js and counts it */
  pa?: boolean;
  /** the last cart token sent with a cart add (each new cart is tied to the visitor once) */
  ct?: string;
  /**
   * when a recovery email was last sent to the shopper: the landing of its link (utm_source=intentful)
   * or the app's answer to the status request (/apps/intentful/status)
   */
  em?: number;
  /** the shopper gave an email here (an overlay's capture): the status request may know them */
  kn?: boolean;
  /** the highest average-order threshold of the shop's triggers their past orders meet (status) */
  ao?: number;
}

export interface PageInfo {
  type: string;
  productId: string | null;
  productHandle: string | null;
  cart: [number, number];
  /** traffic source and discount landing of this page view (used when a session starts) */
  source: TrafficSource;
  discount: boolean;
}

export function randomId(random: () => number = Math.random): string {
  let s = "";
  for (let i = 0; i < 4; i++)
    s += Math.floor(random() * 2 ** 32)
      .toString(36)
      .padStart(7, "0");
  return s;
}

export function newStored(now: number, random?: () => number): Stored {
  return {
    vid: randomId(random),
    sid: randomId(random),
    n: 0,
    last: 0,
    prev: 0,
    pg: 0,
    pv: {},
    rv: [],
    cl: 0,
    sr: 0,
    ca: 0,
    co: false,
    cart: [0, 0],
    ds: false,
    src: "direct",
    h: {},
    sx: [],
    exp: false,
    cv: "",
  };
}

/** Accepts whatever storage held; anything that is not a recognisable state starts fresh. */
export function reviveStored(raw: string | null, now: number, random?: () => number): Stored {
  try {
    const s = raw && JSON.parse(raw);
    if (s && typeof s.vid === "string" && typeof s.h === "object" && Array.isArray(s.rv)) return s as Stored;
  } catch {
    // corrupt storage: start over
  }
  return newStored(now, random);
}

/** Records a page view: rolls the session over after 30 minutes of inactivity. */
export function startPage(s: Stored, page: PageInfo, now: number, random?: () => number): Stored {
  if (!s.last || now - s.last > SESSION_GAP_MS) {
    s.prev = s.last;
    s.n++;
    s.sid = s.n > 1 || !s.sid ? randomId(random) : s.sid;
    s.pg = s.cl = s.sr = s.ca = 0;
    s.co = false;
    s.sx = [];
    s.src = page.source;
    for (const id in s.h) s.h[id].s = 0;
  }
  s.pg++;
  s.last = now;
  s.cart = page.cart;
  if (page.discount) s.ds = true;
  if (page.type === "collection") s.cl++;
  if (page.type === "search") s.sr++;
  if (page.productId) {
    const id = page.productId;
    s.pv[id] = (s.pv[id] || 0) + 1;
    const ids = Object.keys(s.pv);
    if (ids.length > MAX_PRODUCTS) delete s.pv[ids[0] === id ? ids[1] : ids[0]];
  }
  if (page.productHandle) s.rv = [page.productHandle, ...s.rv.filter((h) => h !== page.productHandle)].slice(0, MAX_RECENT);
  return s;
}

export function recordCart(s: Stored, items: number, cents: number, added: boolean): Stored {
  s.cart = [items, cents];
  if (added) s.ca++;
  return s;
}

/** A trigger's history, created on first use. */
const history = (s: Stored, triggerId: string): TriggerHistory => s.h[triggerId] || (s.h[triggerId] = { s: 0, ts: [] });

/** The trigger was shown (treatment, in A/B arm `arm` when under test) or would have been (control). */
export function recordExposure(s: Stored, triggerId: string, now: number, arm?: string): Stored {
  const h = history(s, triggerId);
  h.s++;
  h.a = arm;
  h.ts = [...h.ts, now].slice(-MAX_EXPOSURES);
  if (!s.sx.includes(triggerId)) s.sx.push(triggerId);
  s.exp = true;
  return s;
}

export function recordDismiss(s: Stored, triggerId: string): Stored {
  history(s, triggerId).dm = true;
  return s;
}

/** Marks the given triggers converted; returns those newly converted. */
export function recordConversion(s: Stored, triggerIds: string[]): string[] {
  const fresh: string[] = [];
  for (const id of triggerIds) {
    const h = history(s, id);
    if (!h.cv) fresh.push(id);
    h.cv = true;
  }
  return fresh;
}

/** Overlays shown or held out this session, across triggers. */
export function sessionExposures(s: Stored): number {
  let n = 0;
  for (const id in s.h) n += s.h[id].s;
  return n;
}

export interface LiveState {
  msOnPage: number;
  scrollPct: number;
  idleMs: number;
  pageExposures: number;
}

export interface Env {
  device: Device;
  country: string;
  customer: { orders: number; aov?: number } | null;
  consent: { analytics: boolean; marketing: boolean };
}

export function toVisitorState(s: Stored, page: PageInfo, live: LiveState, env: Env, now: number): VisitorState {
  let views = 0;
  if (page.productId) views = s.pv[page.productId] || 0;
  else for (const id in s.pv) views = Math.max(views, s.pv[id]);
  return {
    visitorId: s.vid,
    visits: s.n,
    daysSinceLastVisit: s.prev ? Math.floor((now - s.prev) / DAY) : null,
    pagesThisSession: s.pg,
    pageType: page.type,
    productViews: views,
    cartItems: s.cart[0],
    cartCents: s.cart[1],
    cartAdds: s.ca,
    checkoutStarted: s.co,
    msOnPage: live.msOnPage,
    scrollPct: live.scrollPct,
    idleMs: live.idleMs,
    device: env.device,
    source: s.src,
    country: env.country,
    customer: {
      loggedIn: !!env.customer,
      ordersCount: env.customer ? env.customer.orders : 0,
      aovCents: Math.max(env.customer?.aov || 0, s.ao || 0),
    },
    discountSensitive: s.ds,
    consent: env.consent,
    caps: { page: live.pageExposures, session: sessionExposures(s), byTrigger: s.h, em: s.em },
  };
}

const SEARCH = /(^|\.)(google|bing|yahoo|duckduckgo|baidu|yandex|ecosia|naver)\./;
const SOCIAL = /(^|\.)(facebook|instagram|t\.co|twitter|x\.com|pinterest|tiktok|linkedin|reddit|youtube|snapchat)/;

/** Where the visit came from: UTM medium first, then ad click ids, then the referrer's host. */
export function classifySource(url: URL, referrer: string): TrafficSource {
  const medium = (url.searchParams.get("utm_medium") || "").toLowerCase();
  if (/cpc|ppc|paid|display|affiliate/.test(medium) || /[?&](gclid|fbclid|msclkid|ttclid)=/.test(url.search)) return "paid";
  if (/mail|newsletter|sms/.test(medium)) return "email";
  if (/social/.test(medium)) return "social";
  let host = "";
  try {
    host = new URL(referrer).hostname;
  } catch {
    // no or unparsable referrer
  }
  return !host || host === url.hostname
    ? medium
      ? "referral"
      : "direct"
    : /(^|\.)(mail|outlook)\./.test(host)
      ? "email"
      : SEARCH.test(host)
        ? "search"
        : SOCIAL.test(host)
          ? "social"
          : "referral";
}

/** Arrived through a discount link (/discount/CODE, Shopify's discount_code cookie) or a promo campaign. */
export function isDiscountLanding(url: URL, cookie: string): boolean {
  const p = url.searchParams;
  return (
    /\/discount\//.test(url.pathname) ||
    p.has("discount") ||
    /(^|;\s*)discount_code=/.test(cookie) ||
    /discount|coupon|promo|voucher|deal|sale/i.test(`${p.get("utm_campaign") || ""} ${p.get("utm_source") || ""} ${p.get("utm_term") || ""}`)
  );
}

/**
 * deviceClass(...) != "desktop" without the screen's size: the page-load tracker's check where the
 * merchant switched mobile off (the class itself comes with the rules bundle). One regex, the union
 * of deviceClass's two: sharing those as constants costs the page-load bundle 23 B gzip, and the
 * unit test "notDesktop agrees with deviceClass" holds the two together.
 */
export function notDesktop(ua: string, coarse: boolean): boolean {
  return coarse || /Mobi|iPhone|iPod|iPad|Android|Tablet|PlayBook|Silk/i.test(ua);
}

/** Device class from the user agent and pointer, without layout reads. */
export function deviceClass(ua: string, coarse: boolean, shortSide: number): Device {
  if (/iPad|Tablet|PlayBook|Silk|Android(?!.*Mobile)/i.test(ua) || (coarse && shortSide >= 600 && !/Mobi/i.test(ua))) return "tablet";
  if (/Mobi|iPhone|iPod|Android/i.test(ua) || coarse) return "mobile";
  return "desktop";
}
