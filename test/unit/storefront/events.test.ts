import { describe, expect, it, vi } from "vitest";
import { eventBatchSchema, type StorefrontEvent } from "~/domain/events/schema";
import { batches, eventQueue, MAX_BYTES } from "../../../extensions/intentful/src/tracker/events";

const ev = (i: number): StorefrontEvent => ({
  kind: "email_capture",
  at: 1_790_000_000_000 + i,
  triggerId: "clx0123456789abcdefghijkl",
  variant: "treatment",
  tier: "high",
  email: `${"x".repeat(240)}@example.com`,
  marketingConsent: true,
});

describe("event batches", () => {
  it("splits events into valid batches of at most 20", () => {
    const bodies = batches(
      "visitor-1",
      "session-1",
      Array.from({ length: 45 }, (_, i) => ev(i)),
    );
    expect(bodies).toHaveLength(3);
    const parsed = bodies.map((b) => eventBatchSchema.parse(JSON.parse(b)));
    expect(parsed.map((b) => b.events.length)).toEqual([20, 20, 5]);
  });

  it("stays under 16 KB even with 20 maximum-size events", () => {
    const [body] = batches(
      "v".repeat(64),
      "s".repeat(64),
      Array.from({ length: 20 }, (_, i) => ev(i)),
    );
    expect(new TextEncoder().encode(body).length).toBeLessThan(MAX_BYTES);
  });

  it("queues until flushed, and flushes by itself at 20 events", () => {
    const send = vi.fn();
    const q = eventQueue("/apps/intentful/events", () => ["v1", "s1"], send);
    for (let i = 0; i < 19; i++) q.push({ kind: "page_view", at: 1 + i });
    expect(send).not.toHaveBeenCalled();
    q.push({ kind: "page_view", at: 100 });
    expect(send).toHaveBeenCalledTimes(1);
    q.push({ kind: "page_view", at: 101 });
    q.clear();
    q.flush();
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0][0]).toBe("/apps/intentful/events");
    expect(JSON.parse(send.mock.calls[0][1])).toMatchObject({ v: 1, visitorId: "v1", sessionId: "s1" });
  });
});
