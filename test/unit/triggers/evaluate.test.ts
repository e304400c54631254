import { describe, expect, it } from "vitest";
import { isHoldout } from "~/domain/experiments/assign";
import { evaluate, explain, intentTier, skipReason } from "~/domain/triggers/evaluate";
import type { TriggerFormInput } from "~/domain/triggers/schema";
import type { Signal } from "~/domain/triggers/types";
import { compileConfig } from "~/domain/triggers/compile";
import { config, DAY, exitRecommendations, mouseExit, NOW, row, visitor } from "./fixtures";

const discount: TriggerFormInput = {
  name: "Discount",
  type: "exit_intent",
  content: { kind: "discount_reveal", headline: "10% off", code: "SAVE10" },
  holdoutPct: 0,
  priority: 10,
};
const message: TriggerFormInput = {
  name: "Message",
  type: "exit_intent",
  content: { kind: "message", headline: "Free returns" },
  holdoutPct: 0,
  priority: 1,
};
const engagement = (conditions: TriggerFormInput["conditions"], segment: TriggerFormInput["segment"] = {}): TriggerFormInput => ({
  name: "Engaged",
  type: "page_engagement",
  conditions,
  segment,
  content: { kind: "message", headline: "Hello" },
  holdoutPct: 0,
});

describe("exit intent", () => {
  const cfg = config([row(exitRecommendations, { id: "recs" })]);

  it("fires for a new visitor leaving a product page through the top edge", () => {
    // GIVEN a first-time desktop visitor who has been on a product page for 10 s
    // WHEN the cursor leaves through the top exit zone
    const d = evaluate(cfg, visitor(), mouseExit, NOW);
    // THEN the recommendations trigger fires for the treatment group
    expect(d).toMatchObject({ trigger: { id: "recs" }, variant: "treatment", tier: "low" });
  });

  it("does not fire on other page types", () => {
    expect(evaluate(cfg, visitor({ pageType: "collection" }), mouseExit, NOW)).toBeNull();
    expect(skipReason(cfg, cfg.t[0], visitor({ pageType: "collection" }), mouseExit, NOW)).toBe("page");
  });

  it("waits for the minimum dwell time", () => {
    expect(evaluate(cfg, visitor({ msOnPage: 300 }), mouseExit, NOW)).toBeNull();
    expect(evaluate(cfg, visitor({ msOnPage: 500 }), mouseExit, NOW)).not.toBeNull();
  });

  it("ignores the cursor below the exit zone and over the tab strip on the left", () => {
    expect(evaluate(cfg, visitor(), { ...mouseExit, y: 30 }, NOW)).toBeNull();
    expect(evaluate(cfg, visitor(), { ...mouseExit, y: 29 }, NOW)).not.toBeNull();
    expect(evaluate(cfg, visitor(), { ...mouseExit, xPct: 5 }, NOW)).toBeNull();
  });

  it("lets each rule tune its zone, dwell and tab-strip width", () => {
    const tuned = config([
      row({
        ...exitRecommendations,
        conditions: { pageTypes: ["product"], exit: { topZonePx: 60, minDwellMs: 5000, ignoreLeftPct: 0 } },
      }),
    ]);
    expect(evaluate(tuned, visitor(), { ...mouseExit, y: 55, xPct: 2 }, NOW)).not.toBeNull();
    expect(evaluate(tuned, visitor({ msOnPage: 4000 }), mouseExit, NOW)).toBeNull();
  });

  it("does not read mouse exits on mobile, but fast scroll up and tab return", () => {
    const mobile = visitor({ device: "mobile" });
    expect(evaluate(cfg, mobile, mouseExit, NOW)).toBeNull();
    expect(evaluate(cfg, mobile, { kind: "exit", via: "scroll_up" }, NOW)).not.toBeNull();
    expect(evaluate(cfg, mobile, { kind: "exit", via: "tab" }, NOW)).not.toBeNull();
    expect(evaluate(cfg, visitor(), { kind: "exit", via: "scroll_up" }, NOW)).toBeNull();
  });

  it("uses the back button and inactivity only where the rule turns them on", () => {
    const back: Signal = { kind: "exit", via: "back" };
    const mobile = visitor({ device: "mobile", idleMs: 40_000 });
    expect(evaluate(cfg, mobile, back, NOW)).toBeNull();
    expect(evaluate(cfg, mobile, { kind: "tick" }, NOW)).toBeNull();
    const on = config([row({ ...exitRecommendations, conditions: { pageTypes: ["product"], exit: { backTrap: true, idleSec: 30 } } })]);
    expect(evaluate(on, mobile, back, NOW)).not.toBeNull();
    expect(evaluate(on, mobile, { kind: "tick" }, NOW)).not.toBeNull();
    expect(evaluate(on, { ...mobile, idleMs: 10_000 }, { kind: "tick" }, NOW)).toBeNull();
    expect(evaluate(on, visitor({ idleMs: 40_000 }), { kind: "tick" }, NOW)).toBeNull();
  });

  it("can turn off tab-return and scroll-up signals", () => {
    const off = config([
      row({
        ...exitRecommendations,
        conditions: { pageTypes: ["product"], exit: { tabReturn: false, scrollUp: false } },
      }),
    ]);
    const mobile = visitor({ device: "mobile" });
    expect(evaluate(off, mobile, { kind: "exit", via: "tab" }, NOW)).toBeNull();
    expect(evaluate(off, mobile, { kind: "exit", via: "scroll_up" }, NOW)).toBeNull();
  });
});

describe("other trigger types", () => {
  it("page engagement waits for time on page and scroll depth", () => {
    const cfg = config([row(engagement({ minSeconds: 8, scrollPct: 30 }))]);
    expect(evaluate(cfg, visitor({ msOnPage: 9000, scrollPct: 10 }), { kind: "tick" }, NOW)).toBeNull();
    expect(evaluate(cfg, visitor({ msOnPage: 5000, scrollPct: 50 }), { kind: "scroll" }, NOW)).toBeNull();
    expect(evaluate(cfg, visitor({ msOnPage: 9000, scrollPct: 50 }), { kind: "scroll" }, NOW)).not.toBeNull();
    expect(evaluate(cfg, visitor({ msOnPage: 9000, scrollPct: 50 }), mouseExit, NOW)).toBeNull();
  });

  it("inactivity fires on a tick after the idle time", () => {
    const cfg = config([
      row({
        name: "Idle",
        type: "inactivity",
        conditions: { idleSec: 20 },
        content: { kind: "message", headline: "Still there?" },
      }),
    ]);
    expect(evaluate(cfg, visitor({ idleMs: 19_000 }), { kind: "tick" }, NOW)).toBeNull();
    expect(evaluate(cfg, visitor({ idleMs: 20_000 }), { kind: "tick" }, NOW)).not.toBeNull();
  });

  it("cart change fires only after a cart change, inside the cart-value window", () => {
    const cfg = config([
      row({
        name: "Nudge",
        type: "cart_change",
        conditions: { minCartItems: 1, maxCartCents: 5000 },
        segment: { minCartCents: 3500 },
        content: { kind: "message", headline: "Almost free shipping" },
      }),
    ]);
    const cart = visitor({ cartItems: 2, cartCents: 4000 });
    expect(evaluate(cfg, cart, { kind: "tick" }, NOW)).toBeNull();
    expect(evaluate(cfg, cart, { kind: "cart" }, NOW)).not.toBeNull();
    expect(evaluate(cfg, { ...cart, cartCents: 5000 }, { kind: "cart" }, NOW)).toBeNull();
    expect(evaluate(cfg, { ...cart, cartCents: 3000 }, { kind: "cart" }, NOW)).toBeNull();
  });
});

describe("priority", () => {
  it("shows the highest-priority trigger when several match", () => {
    const cfg = config([row(message, { id: "low", priority: 1 }), row(message, { id: "high", priority: 9 })]);
    expect(evaluate(cfg, visitor(), mouseExit, NOW)?.trigger.id).toBe("high");
    expect(explain(cfg, visitor(), mouseExit, NOW)).toEqual([
      { id: "high", result: "fire" },
      { id: "low", result: "outranked" },
    ]);
  });
});

describe("frequency caps", () => {
  const cfg = config([row({ ...message, frequencyCap: { perSession: 2, perPeriod: { count: 3, days: 7 } } }, { id: "m" })]);
  const seen = (s: number, ts: number[], more = {}) => visitor({ caps: { page: 0, session: 0, byTrigger: { m: { s, ts, ...more } } } });

  it("allows the trigger up to its per-session cap", () => {
    expect(evaluate(cfg, seen(1, [NOW - 1000]), mouseExit, NOW)).not.toBeNull();
    expect(skipReason(cfg, cfg.t[0], seen(2, [NOW - 2000, NOW - 1000]), mouseExit, NOW)).toBe("frequency");
  });

  it("counts exposures inside the period only", () => {
    expect(evaluate(cfg, seen(0, [NOW - 3 * DAY, NOW - 2 * DAY, NOW - DAY]), mouseExit, NOW)).toBeNull();
    expect(evaluate(cfg, seen(0, [NOW - 8 * DAY, NOW - 2 * DAY, NOW - DAY]), mouseExit, NOW)).not.toBeNull();
  });

  it("stops for good after a conversion, and after a dismissal where the rule says so", () => {
    expect(evaluate(cfg, seen(0, [], { cv: true }), mouseExit, NOW)).toBeNull();
    expect(evaluate(cfg, seen(0, [], { dm: true }), mouseExit, NOW)).not.toBeNull();
    const strict = config([row({ ...message, frequencyCap: { stopAfterDismiss: true } }, { id: "m" })]);
    expect(evaluate(strict, seen(0, [], { dm: true }), mouseExit, NOW)).toBeNull();
  });

  it("never shows more than one overlay per page view or the global number per session", () => {
    const cfg2 = config([row(message)], 2);
    expect(evaluate(cfg2, visitor({ caps: { page: 1, session: 1, byTrigger: {} } }), mouseExit, NOW)).toBeNull();
    expect(evaluate(cfg2, visitor({ caps: { page: 0, session: 2, byTrigger: {} } }), mouseExit, NOW)).toBeNull();
    expect(evaluate(cfg2, visitor({ caps: { page: 0, session: 1, byTrigger: {} } }), mouseExit, NOW)).not.toBeNull();
    expect(evaluate(config([row(message)], 0), visitor(), mouseExit, NOW)).toBeNull();
  });
});

describe("one budget across channels", () => {
  const HOUR = 3_600_000;
  const emailed = (ago: number) => visitor({ caps: { page: 0, session: 0, byTrigger: {}, em: NOW - ago } });
  const withGap = (rows: ReturnType<typeof row>[], hours: number) => compileConfig(rows, { overlaysPerSession: 3, channelGapHours: hours });

  it("shows no overlay within the shop's channel gap after a recovery email: the decision is held, to be counted", () => {
    const cfg = withGap([row(message, { id: "m" })], 4);
    expect(cfg.g.cg).toBe(4);
    expect(skipReason(cfg, cfg.t[0], emailed(HOUR), mouseExit, NOW)).toBe("channel_gap");
    expect(evaluate(cfg, emailed(HOUR), mouseExit, NOW)).toMatchObject({ trigger: { id: "m" }, variant: "held" });
    expect(evaluate(cfg, emailed(4 * HOUR + 1), mouseExit, NOW)?.variant).toBe("treatment");
    expect(evaluate(cfg, visitor(), mouseExit, NOW)?.variant).toBe("treatment"); // never emailed
  });

  it("holds back only what would have shown: another reason to skip wins, and a trigger allowed after an email fires instead", () => {
    const cfg = withGap([row(message, { id: "m" })], 4);
    // the signal does not match: nothing would have shown, so nothing is held (or counted)
    expect(skipReason(cfg, cfg.t[0], emailed(HOUR), { kind: "tick" }, NOW)).toBe("signal");
    expect(evaluate(cfg, emailed(HOUR), { kind: "tick" }, NOW)).toBeNull();
    // a lower-priority trigger that may show right after an email is shown instead of the held one
    const two = withGap([row(message, { id: "m", priority: 2 }), row({ ...message, frequencyCap: { afterEmail: true } }, { id: "a", priority: 1 })], 4);
    expect(two.t.map((t) => t.id)).toEqual(["m", "a"]);
    expect(evaluate(two, emailed(HOUR), mouseExit, NOW)).toMatchObject({ trigger: { id: "a" }, variant: "treatment" });
  });

  it("shows it when the trigger allows overlays right after an email, or the shop turned the gap off", () => {
    const allowed = withGap([row({ ...message, frequencyCap: { afterEmail: true } }, { id: "m" })], 4);
    expect(evaluate(allowed, emailed(HOUR), mouseExit, NOW)).not.toBeNull();
    const off = withGap([row(message, { id: "m" })], 0);
    expect(off.g.cg).toBeUndefined();
    expect(evaluate(off, emailed(HOUR), mouseExit, NOW)).not.toBeNull();
  });
});

describe("holdout", () => {
  const cfg = config([row({ ...message, holdoutPct: 50 }, { id: "h", salt: "salt-h" })]);
  const ids = Array.from({ length: 200 }, (_, i) => `v${i}`);

  it("puts the visitors isHoldout() selects in control and everyone else in treatment", () => {
    for (const id of ids) {
      const d = evaluate(cfg, visitor({ visitorId: id }), mouseExit, NOW);
      expect(d?.variant).toBe(isHoldout("salt-h", id, 50) ? "control" : "treatment");
    }
    const control = ids.filter((id) => evaluate(cfg, visitor({ visitorId: id }), mouseExit, NOW)?.variant === "control");
    expect(control.length).toBeGreaterThan(60);
    expect(control.length).toBeLessThan(140);
  });

  it("decides control only when the trigger would have fired", () => {
    const held = ids.find((id) => isHoldout("salt-h", id, 50))!;
    expect(evaluate(cfg, visitor({ visitorId: held, msOnPage: 100 }), mouseExit, NOW)).toBeNull();
    expect(evaluate(cfg, visitor({ visitorId: held }), mouseExit, NOW)).toMatchObject({
      variant: "control",
      trigger: { id: "h" },
    });
  });

  it("never holds anyone out at 0%", () => {
    const none = config([row({ ...message, holdoutPct: 0 })]);
    expect(ids.every((id) => evaluate(none, visitor({ visitorId: id }), mouseExit, NOW)?.variant === "treatment")).toBe(true);
  });
});

describe("consent", () => {
  const cfg = config([row(discount, { id: "offer" }), row(message, { id: "info" })]);

  it("shows no marketing offer without marketing consent and falls back to the next trigger", () => {
    const s = visitor({ consent: { analytics: true, marketing: false } });
    expect(skipReason(cfg, cfg.t[0], s, mouseExit, NOW)).toBe("consent");
    expect(evaluate(cfg, s, mouseExit, NOW)?.trigger.id).toBe("info");
    expect(evaluate(cfg, visitor(), mouseExit, NOW)?.trigger.id).toBe("offer");
  });

  it("shows email capture only with both analytics and marketing consent", () => {
    const capture = config([row({ ...message, content: { kind: "email_capture", headline: "Join us" } })]);
    expect(evaluate(capture, visitor({ consent: { analytics: false, marketing: true } }), mouseExit, NOW)).toBeNull();
    expect(evaluate(capture, visitor({ consent: { analytics: true, marketing: false } }), mouseExit, NOW)).toBeNull();
    expect(evaluate(capture, visitor(), mouseExit, NOW)).not.toBeNull();
  });

  it("still shows non-marketing help without any consent", () => {
    const s = visitor({ consent: { analytics: false, marketing: false } });
    expect(evaluate(config([row(message)]), s, mouseExit, NOW)).not.toBeNull();
  });
});

describe("segments", () => {
  const fires = (segment: TriggerFormInput["segment"], s = visitor()) => evaluate(config([row(engagement({}, segment))]), s, { kind: "page" }, NOW) !== null;

  it("tells new from returning visitors", () => {
    expect(fires({ visitor: "new" })).toBe(true);
    expect(fires({ visitor: "returning" })).toBe(false);
    expect(fires({ visitor: "returning" }, visitor({ visits: 3 }))).toBe(true);
    expect(fires({ visitor: "new" }, visitor({ visits: 3 }))).toBe(false);
  });

  it("tells first-time from repeat purchasers", () => {
    const repeat = visitor({ customer: { loggedIn: true, ordersCount: 2, aovCents: 4000 } });
    const firstTimer = visitor({ customer: { loggedIn: true, ordersCount: 0, aovCents: 0 } });
    expect(fires({ purchaser: "repeat" }, repeat)).toBe(true);
    expect(fires({ purchaser: "first_time" }, repeat)).toBe(false);
    expect(fires({ purchaser: "first_time" }, firstTimer)).toBe(true);
    expect(fires({ purchaser: "first_time" })).toBe(true);
    expect(fires({ purchaser: "repeat" })).toBe(false);
  });

  it("tells high-value shoppers by their past orders' average, not by today's cart", () => {
    const known = (aovCents: number) => visitor({ customer: { loggedIn: false, ordersCount: 0, aovCents } });
    expect(fires({ minAovCents: 5000 }, known(5000))).toBe(true);
    expect(fires({ minAovCents: 5000 }, known(4999))).toBe(false);
    expect(fires({ minAovCents: 5000 }, visitor())).toBe(false); // no known order
    expect(fires({ minAovCents: 5000 }, visitor({ cartCents: 90_000 }))).toBe(false); // a big cart is not a history
    expect(fires({ minAovCents: 0 }, visitor())).toBe(true);
  });

  it("selects high cart values", () => {
    expect(fires({ minCartCents: 10_000 }, visitor({ cartItems: 1, cartCents: 9_999 }))).toBe(false);
    expect(fires({ minCartCents: 10_000 }, visitor({ cartItems: 1, cartCents: 10_000 }))).toBe(true);
  });

  it("selects discount-sensitive visitors", () => {
    expect(fires({ discount: "sensitive" })).toBe(false);
    expect(fires({ discount: "sensitive" }, visitor({ discountSensitive: true }))).toBe(true);
    expect(fires({ discount: "not_sensitive" }, visitor({ discountSensitive: true }))).toBe(false);
  });

  it("selects by device, traffic source and country", () => {
    expect(fires({ devices: ["mobile", "tablet"] })).toBe(false);
    expect(fires({ devices: ["mobile", "tablet"] }, visitor({ device: "tablet" }))).toBe(true);
    expect(fires({ sources: ["email", "paid"] })).toBe(false);
    expect(fires({ sources: ["email", "paid"] }, visitor({ source: "paid" }))).toBe(true);
    expect(fires({ countries: ["DE", "AT"] })).toBe(false);
    expect(fires({ countries: ["de"] }, visitor({ country: "DE" }))).toBe(true);
  });
});

describe("intent tiers", () => {
  it("rates browsing low, repeat views and return visits mid, carts and checkout high", () => {
    expect(intentTier(visitor())).toBe("low");
    expect(intentTier(visitor({ productViews: 2 }))).toBe("mid");
    expect(intentTier(visitor({ visits: 2 }))).toBe("mid");
    expect(intentTier(visitor({ cartItems: 1 }))).toBe("high");
    expect(intentTier(visitor({ cartAdds: 1 }))).toBe("high");
    expect(intentTier(visitor({ checkoutStarted: true }))).toBe("high");
  });

  it("holds a trigger back until the visitor reaches its minimum tier", () => {
    const cfg = config([row(engagement({ minTier: "mid" }))]);
    expect(skipReason(cfg, cfg.t[0], visitor(), { kind: "page" }, NOW)).toBe("tier");
    expect(evaluate(cfg, visitor({ productViews: 3 }), { kind: "page" }, NOW)).toMatchObject({ tier: "mid" });
  });

  it("reports the tier with the decision", () => {
    const cfg = config([row(message)]);
    expect(evaluate(cfg, visitor({ cartItems: 2 }), mouseExit, NOW)?.tier).toBe("high");
  });
});

describe("conditions", () => {
  it("checks pages this session, product views, days away and cart contents", () => {
    const cfg = config([row(engagement({ minPages: 3, minProductViews: 2, minDaysAway: 7, minCartItems: 1 }))]);
    const ok = visitor({ pagesThisSession: 3, productViews: 2, daysSinceLastVisit: 7, cartItems: 1, visits: 2 });
    expect(evaluate(cfg, ok, { kind: "page" }, NOW)).not.toBeNull();
    for (const miss of [{ pagesThisSession: 2 }, { productViews: 1 }, { daysSinceLastVisit: 6 }, { cartItems: 0 }]) {
      expect(skipReason(cfg, cfg.t[0], { ...ok, ...miss }, { kind: "page" }, NOW)).toBe("conditions");
    }
  });

  it("accepts the clock as a Date", () => {
    const cfg = config([row(message)]);
    expect(evaluate(cfg, visitor(), mouseExit, new Date(NOW))).not.toBeNull();
  });
});
