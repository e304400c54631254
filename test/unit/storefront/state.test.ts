import { describe, expect, it } from "vitest";
import {
  classifySource,
  deviceClass,
  notDesktop,
  isDiscountLanding,
  newStored,
  recordCart,
  recordConversion,
  recordDismiss,
  recordExposure,
  reviveStored,
  SESSION_GAP_MS,
  sessionExposures,
  startPage,
  toVisitorState,
  type PageInfo,
} from "../../../extensions/intentful/src/tracker/state";

const T0 = Date.UTC(2026, 10, 28, 9, 0, 0);
const DAY = 86_400_000;
const seq = () => {
  let i = 0;
  return () => (i++ * 0.137) % 1;
};
const page = (p: Partial<PageInfo> = {}): PageInfo => ({
  type: "index",
  productId: null,
  productHandle: null,
  cart: [0, 0],
  source: "direct",
  discount: false,
  ...p,
});
const live = { msOnPage: 1000, scrollPct: 0, idleMs: 0, pageExposures: 0 };
const env = {
  device: "desktop" as const,
  country: "DE",
  customer: null,
  consent: { analytics: true, marketing: true },
};

describe("tracker state", () => {
  it("starts a first visit on the first page", () => {
    const s = startPage(newStored(T0, seq()), page({ source: "search" }), T0, seq());
    expect(s).toMatchObject({ n: 1, pg: 1, prev: 0, src: "search" });
    const v = toVisitorState(s, page(), live, env, T0);
    expect(v).toMatchObject({
      visits: 1,
      daysSinceLastVisit: null,
      pagesThisSession: 1,
      source: "search",
      country: "DE",
    });
    expect(v.visitorId).toMatch(/^[a-z0-9]{28}$/);
  });

  it("counts pages within a session and starts a new session after 30 idle minutes", () => {
    const s = startPage(newStored(T0, seq()), page(), T0, seq());
    const sid = s.sid;
    startPage(s, page({ type: "collection" }), T0 + 60_000, seq());
    expect(s).toMatchObject({ n: 1, pg: 2, cl: 1, sid });
    startPage(s, page({ source: "email" }), T0 + 60_000 + SESSION_GAP_MS + 1, () => 0.5);
    expect(s).toMatchObject({ n: 2, pg: 1, cl: 0, src: "email" });
    expect(s.sid).not.toBe(sid);
    expect(s.prev).toBe(T0 + 60_000);
  });

  it("reports days since the last visit for returning visitors", () => {
    const s = startPage(newStored(T0, seq()), page(), T0, seq());
    startPage(s, page(), T0 + 3 * DAY + 5, seq());
    expect(toVisitorState(s, page(), live, env, T0 + 3 * DAY + 5)).toMatchObject({ visits: 2, daysSinceLastVisit: 3 });
  });

  it("counts repeat product views and keeps recently viewed handles, newest first", () => {
    const s = newStored(T0, seq());
    let t = T0;
    for (const [id, handle] of [
      ["1", "hat"],
      ["2", "scarf"],
      ["1", "hat"],
    ])
      startPage(s, page({ type: "product", productId: id, productHandle: handle }), (t += 1000));
    expect(s.pv).toEqual({ 1: 2, 2: 1 });
    expect(s.rv).toEqual(["hat", "scarf"]);
    const onHat = page({ type: "product", productId: "1", productHandle: "hat" });
    expect(toVisitorState(s, onHat, live, env, t).productViews).toBe(2);
    expect(toVisitorState(s, page({ type: "product", productId: "2" }), live, env, t).productViews).toBe(1);
    expect(toVisitorState(s, page(), live, env, t).productViews).toBe(2);
  });

  it("bounds what it stores", () => {
    const s = newStored(T0, seq());
    for (let i = 0; i < 50; i++) startPage(s, page({ productId: String(i), productHandle: `p${i}` }), T0 + i);
    expect(Object.keys(s.pv).length).toBeLessThanOrEqual(30);
    expect(s.rv).toHaveLength(10);
    for (let i = 0; i < 15; i++) recordExposure(s, "t", T0 + i);
    expect(s.h.t.ts).toHaveLength(10);
  });

  it("remembers a discount landing for good", () => {
    const s = startPage(newStored(T0, seq()), page({ discount: true }), T0);
    startPage(s, page(), T0 + 2 * SESSION_GAP_MS);
    expect(s.ds).toBe(true);
  });

  it("records cart snapshots, adds, exposures, dismissals and conversions", () => {
    const s = startPage(newStored(T0, seq()), page(), T0);
    recordCart(s, 2, 4500, true);
    recordExposure(s, "a", T0);
    recordExposure(s, "a", T0 + 1);
    recordExposure(s, "b", T0 + 2);
    recordDismiss(s, "b");
    expect(recordConversion(s, s.sx)).toEqual(["a", "b"]);
    expect(recordConversion(s, s.sx)).toEqual([]);
    expect(sessionExposures(s)).toBe(3);
    const v = toVisitorState(s, page(), { ...live, pageExposures: 1 }, env, T0);
    expect(v).toMatchObject({ cartItems: 2, cartCents: 4500, cartAdds: 1, caps: { page: 1, session: 3 } });
    expect(v.caps.byTrigger).toMatchObject({ a: { s: 2, cv: true }, b: { s: 1, dm: true, cv: true } });
    expect(s.exp).toBe(true);
  });

  it("resets per-session exposure counts in a new session but keeps the history", () => {
    const s = startPage(newStored(T0, seq()), page(), T0);
    recordExposure(s, "a", T0);
    startPage(s, page(), T0 + SESSION_GAP_MS + 1);
    expect(s.h.a).toMatchObject({ s: 0, ts: [T0] });
    expect(s.sx).toEqual([]);
  });

  it("starts over when storage holds something else", () => {
    expect(reviveStored("{not json", T0, seq()).n).toBe(0);
    expect(reviveStored('{"foo":1}', T0, seq()).n).toBe(0);
    const s = startPage(newStored(T0, seq()), page(), T0);
    expect(reviveStored(JSON.stringify(s), T0)).toEqual(s);
  });

  it("passes consent and customer through", () => {
    const s = startPage(newStored(T0, seq()), page(), T0);
    const v = toVisitorState(s, page(), live, { ...env, customer: { orders: 3 }, consent: { analytics: false, marketing: false } }, T0);
    expect(v.customer).toEqual({ loggedIn: true, ordersCount: 3, aovCents: 0 });
    expect(v.consent).toEqual({ analytics: false, marketing: false });
  });
});

describe("traffic source", () => {
  const at = (q = "") => new URL(`https://shop.example/products/hat${q}`);

  it("reads UTM medium and ad click ids first", () => {
    expect(classifySource(at("?utm_medium=cpc"), "https://www.google.com/")).toBe("paid");
    expect(classifySource(at("?gclid=abc"), "")).toBe("paid");
    expect(classifySource(at("?utm_medium=email"), "")).toBe("email");
    expect(classifySource(at("?utm_medium=social"), "")).toBe("social");
  });

  it("falls back to the referrer's host", () => {
    expect(classifySource(at(), "")).toBe("direct");
    expect(classifySource(at(), "https://shop.example/collections/all")).toBe("direct");
    expect(classifySource(at(), "https://www.google.de/")).toBe("search");
    expect(classifySource(at(), "https://duckduckgo.com/")).toBe("search");
    expect(classifySource(at(), "https://l.instagram.com/")).toBe("social");
    expect(classifySource(at(), "https://t.co/xyz")).toBe("social");
    expect(classifySource(at(), "https://mail.google.com/")).toBe("email");
    expect(classifySource(at(), "https://blog.example.org/post")).toBe("referral");
    expect(classifySource(at(), "not a url")).toBe("direct");
  });
});

describe("discount landing", () => {
  it("spots discount links, Shopify's discount cookie and promo campaigns", () => {
    expect(isDiscountLanding(new URL("https://s.example/discount/SAVE10"), "")).toBe(true);
    expect(isDiscountLanding(new URL("https://s.example/?discount=SAVE10"), "")).toBe(true);
    expect(isDiscountLanding(new URL("https://s.example/"), "a=1; discount_code=SAVE10")).toBe(true);
    expect(isDiscountLanding(new URL("https://s.example/?utm_campaign=black-friday-sale"), "")).toBe(true);
    expect(isDiscountLanding(new URL("https://s.example/products/hat?utm_campaign=spring"), "cart=1")).toBe(false);
  });
});

describe("device class", () => {
  const iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148";
  const ipad = "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148";
  const androidTablet = "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 Chrome/120 Safari/537.36";
  const mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 Chrome/120 Safari/537.36";

  it("tells phones, tablets and desktops apart", () => {
    expect(deviceClass(iphone, true, 390)).toBe("mobile");
    expect(deviceClass(ipad, true, 820)).toBe("tablet");
    expect(deviceClass(androidTablet, true, 800)).toBe("tablet");
    expect(deviceClass(mac, false, 900)).toBe("desktop");
    // iPadOS reports a Mac user agent; the coarse pointer and size give it away
    expect(deviceClass(mac, true, 834)).toBe("tablet");
  });

  // The page-load tracker's mobile switch-off reads only the user agent and the pointer; the
  // class itself comes with the rules bundle. Both must agree on "not a desktop".
  it("notDesktop agrees with deviceClass on every user agent, pointer and screen", () => {
    const agents = [
      iphone,
      ipad,
      androidTablet,
      mac,
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36",
      "Mozilla/5.0 (iPod touch; CPU iPhone OS 15_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
      "Mozilla/5.0 (Linux; U; Android 4.0.3; en-us; KFTT Build/IML74K) AppleWebKit/534.30 Silk/3.68 Safari/534.30",
      "Mozilla/5.0 (PlayBook; U; RIM Tablet OS 2.1.0; en-US) AppleWebKit/536.2+ Safari/536.2+",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64; Tablet PC 2.0) like Gecko",
      "",
    ];
    let checked = 0;
    for (const ua of agents)
      for (const coarse of [false, true])
        for (const side of [320, 599, 600, 834, 1200]) {
          expect(notDesktop(ua, coarse), `${ua} coarse=${coarse} ${side}`).toBe(deviceClass(ua, coarse, side) !== "desktop");
          checked++;
        }
    expect(checked).toBe(agents.length * 10);
    expect(notDesktop(mac, false)).toBe(false);
    expect(notDesktop(iphone, false)).toBe(true);
  });
});
