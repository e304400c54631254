/**
 * In-memory token buckets. Each key holds up to `capacity` tokens and regains `perMinute`
 * tokens a minute; a request takes one. Per process: with N web instances the effective limit
 * is N times higher, which is fine for what this guards against (a runaway or hostile
 * storefront script flooding the events endpoint), see docs/decisions/050-demo-storefront.md.
 */
export interface BucketLimits {
  capacity: number;
  perMinute: number;
}

export type Verdict = { ok: true } | { ok: false; retryAfterSec: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    readonly limits: BucketLimits,
    private readonly maxKeys = 100_000,
  ) {
    this.perMs = limits.perMinute / 60_000;
  }

  private level(key: string, now: number): number {
    const b = this.buckets.get(key);
    if (!b) return this.limits.capacity;
    return Math.min(this.limits.capacity, b.tokens + (now - b.at) * this.perMs);
  }

  /** Whether one token is available now, without taking it. */
  peek(key: string, now: number): Verdict {
    const tokens = this.level(key, now);
    if (tokens >= 1) return { ok: true };
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000)) };
  }

  take(key: string, now: number): Verdict {
    const verdict = this.peek(key, now);
    if (!verdict.ok) return verdict;
    const tokens = this.level(key, now) - 1;
    this.buckets.delete(key); // re-insert: Map order becomes least-recently-used first
    this.buckets.set(key, { tokens, at: now });
    if (this.buckets.size > this.maxKeys) this.evict(now);
    return verdict;
  }

  private evict(now: number) {
    // A full bucket is the same as no bucket: drop those first, then the least recently used.
    for (const [key] of this.buckets) {
      if (this.level(key, now) >= this.limits.capacity) this.buckets.delete(key);
    }
    for (const [key] of this.buckets) {
      if (this.buckets.size <= this.maxKeys) break;
      this.buckets.delete(key);
    }
  }

  get size(): number {
    return this.buckets.size;
  }

  clear(): void {
    this.buckets.clear();
  }
}

export type EventRateVerdict = { ok: true } | { ok: false; scope: "shop" | "client" | "visitor"; retryAfterSec: number };

/**
 * Per client address (what the shopper cannot choose: the address Shopify's app proxy forwards)
 * within a shop, per visitor id (which the browser chooses: a secondary key), and per shop. A
 * client's budget is a twentieth of the shop's, so one source rotating visitor ids runs out long
 * before the shop does, and the shop's other shoppers keep theirs. Generous per client: many
 * shoppers can share one address (offices, carrier NAT).
 */
export const EVENT_LIMITS = {
  client: { capacity: 300, perMinute: 300 },
  visitor: { capacity: 60, perMinute: 60 },
  shop: { capacity: 6000, perMinute: 6000 },
} satisfies Record<string, BucketLimits>;

/** Storefront event batches: a batch is refused when its client's, visitor's or shop's bucket is empty. */
export function createEventRateLimiter(limits: { client: BucketLimits; visitor: BucketLimits; shop: BucketLimits } = EVENT_LIMITS) {
  const clients = new TokenBuckets(limits.client);
  const visitors = new TokenBuckets(limits.visitor);
  const shops = new TokenBuckets(limits.shop, 10_000);
  return {
    take(shop: string, visitorId: string, now = Date.now(), client = "unknown"): EventRateVerdict {
      const clientKey = `${shop}\u0000${client}`;
      const visitorKey = `${shop}\u0000${visitorId}`;
      // Checked before anything is taken: a refused batch costs no other bucket a token.
      const c = clients.peek(clientKey, now);
      if (!c.ok) return { ok: false, scope: "client", retryAfterSec: c.retryAfterSec };
      const v = visitors.peek(visitorKey, now);
      if (!v.ok) return { ok: false, scope: "visitor", retryAfterSec: v.retryAfterSec };
      const s = shops.take(shop, now);
      if (!s.ok) return { ok: false, scope: "shop", retryAfterSec: s.retryAfterSec };
      clients.take(clientKey, now);
      visitors.take(visitorKey, now);
      return { ok: true };
    },
    clear() {
      clients.clear();
      visitors.clear();
      shops.clear();
    },
  };
}

/**
 * The client address of an app proxy request: Shopify's proxy puts the shopper's address in
 * X-Forwarded-For. Proxies of our own in front of the app (`hops` of them) each append the
 * address they saw, so the entry `hops` places from the right is the one Shopify wrote; entries
 * further left may come from the shopper and are not trusted.
 */
export function clientAddress(headers: Headers, hops = 0): string {
  const chain = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return chain[chain.length - 1 - hops] ?? "unknown";
}

export type EventRateLimiter = ReturnType<typeof createEventRateLimiter>;

let shared: EventRateLimiter | undefined;

/** The process-wide limiter the events route uses. */
export function eventRateLimiter(): EventRateLimiter {
  shared ??= createEventRateLimiter();
  return shared;
}
