import { describe, expect, it } from "vitest";
import { createEventRateLimiter, TokenBuckets } from "~/services/rate-limit.server";

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
    const limiter = createEventRateLimiter({ visitor: { capacity: 5, perMinute: 5 }, shop: { capacity: 3, perMinute: 3 } });
    expect(["a", "b", "c"].map((v) => limiter.take("s1", v, T0).ok)).toEqual([true, true, true]);
    expect(limiter.take("s1", "d", T0)).toEqual({ ok: false, scope: "shop", retryAfterSec: 20 });
    expect(limiter.take("s2", "d", T0).ok).toBe(true);
  });

  it("limits one visitor without touching the shop's budget for others", () => {
    const limiter = createEventRateLimiter({ visitor: { capacity: 2, perMinute: 2 }, shop: { capacity: 100, perMinute: 100 } });
    expect(limiter.take("s", "v", T0).ok).toBe(true);
    expect(limiter.take("s", "v", T0).ok).toBe(true);
    expect(limiter.take("s", "v", T0)).toEqual({ ok: false, scope: "visitor", retryAfterSec: 30 });
    expect(limiter.take("s", "w", T0).ok).toBe(true);
  });
});
