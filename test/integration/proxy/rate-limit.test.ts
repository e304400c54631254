import { describe, expect, it } from "vitest";
import { clientAddress, createEventRateLimiter, EVENT_LIMITS, TokenBuckets } from "~/services/rate-limit.server";

const T0 = 1_800_000_000_000;

describe("token buckets", () => {
  it("allows a burst up to capacity, then refills at the per-minute rate", () => {
    const buckets = new TokenBuckets({ capacity: 3, perMinute: 60 });
    expect([1, 2, 3].map(() => buckets.take("k", T0).ok)).toEqual([true, true, true]);
    expect(buckets.take("k", T0)).toEqual({ ok: false, retryAfterSec: 1 });
    expect(buckets.take("k", T0 + 1000).ok).toBe(true);
    expect(buckets.take("k", T0 + 1000).ok).toBe(false);
  });

  it("keeps memory bounded by dropping full and least recently used buckets", () => {
    const buckets = new TokenBuckets({ capacity: 2, perMinute: 60 }, 100);
    for (let i = 0; i < 1000; i++) buckets.take(`k${i}`, T0 + i);
    expect(buckets.size).toBeLessThanOrEqual(100);
  });
});

describe("event rate limiter", () => {
  it("limits per shop across visitors, and a refused shop batch costs the visitor nothing", () => {
    const limiter = createEventRateLimiter({
      client: { capacity: 100, perMinute: 100 },
      visitor: { capacity: 5, perMinute: 5 },
      shop: { capacity: 3, perMinute: 3 },
    });
    expect(["a", "b", "c"].map((v) => limiter.take("s1", v, T0).ok)).toEqual([true, true, true]);
    expect(limiter.take("s1", "d", T0)).toEqual({ ok: false, scope: "shop", retryAfterSec: 20 });
    expect(limiter.take("s2", "d", T0).ok).toBe(true);
  });

  it("limits one visitor without touching the shop's budget for others", () => {
    const limiter = createEventRateLimiter({
      client: { capacity: 100, perMinute: 100 },
      visitor: { capacity: 2, perMinute: 2 },
      shop: { capacity: 100, perMinute: 100 },
    });
    expect(limiter.take("s", "v", T0).ok).toBe(true);
    expect(limiter.take("s", "v", T0).ok).toBe(true);
    expect(limiter.take("s", "v", T0)).toEqual({ ok: false, scope: "visitor", retryAfterSec: 30 });
    expect(limiter.take("s", "w", T0).ok).toBe(true);
  });
});

describe("one source cannot starve a shop", () => {
  it("refuses a client rotating visitor ids once its own budget is spent, while another client's batches pass", () => {
    const limiter = createEventRateLimiter(EVENT_LIMITS);
    // GIVEN a flood from one address with a new visitor id every batch, for a minute
    let refused = 0;
    for (let i = 0; i < 3_000; i++) {
      const verdict = limiter.take("s", `forged-${i}`, T0 + i * 20, "203.0.113.9");
      if (!verdict.ok) {
        refused++;
        expect(verdict.scope).toBe("client");
      }
    }
    expect(refused).toBeGreaterThan(2_000);
    // THEN a real shopper on another address is not refused, batch after batch
    for (let i = 0; i < 50; i++) expect(limiter.take("s", "real-shopper", T0 + 60_000 + i * 1000, "198.51.100.7").ok).toBe(true);
  });

  it("takes the address Shopify's proxy wrote, not one the shopper put in front of it", () => {
    const h = (xff: string) => new Headers({ "X-Forwarded-For": xff });
    expect(clientAddress(h("198.51.100.7"))).toBe("198.51.100.7");
    expect(clientAddress(h("6.6.6.6, 198.51.100.7"))).toBe("198.51.100.7");
    expect(clientAddress(h("6.6.6.6, 198.51.100.7, 10.0.0.2"), 1)).toBe("198.51.100.7");
    expect(clientAddress(new Headers())).toBe("unknown");
  });
});
