import type { StorefrontEvent } from "~/domain/events/schema";

export const MAX_EVENTS = 20;
export const MAX_BYTES = 16 * 1024;

export type Send = (url: string, body: string) => void;

/** Sends with sendBeacon (survives unload); falls back to a keepalive fetch. */
export function beacon(fetchFn: typeof fetch): Send {
  return (url, body) => {
    let sent = false;
    try {
      sent = navigator.sendBeacon(url, new Blob([body], { type: "application/json" }));
    } catch {
      // sendBeacon unavailable or refused: fall through to fetch
    }
    if (!sent) fetchFn(url, { method: "POST", body, keepalive: true, headers: { "content-type": "application/json" } }).catch(() => {});
  };
}

/**
 * Splits events into batches of at most MAX_EVENTS. With every field bounded by the event
 * schema (the longest, an email, is 254 characters), 20 events stay far below MAX_BYTES.
 */
export function batches(visitorId: string, sessionId: string, events: StorefrontEvent[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < events.length; i += MAX_EVENTS) out.push(JSON.stringify({ v: 1, visitorId, sessionId, events: events.slice(i, i + MAX_EVENTS) }));
  return out;
}

/** An in-memory queue flushed when full and on pagehide / tab hidden. */
export function eventQueue(url: string, ids: () => [string, string], send: Send) {
  const queue: StorefrontEvent[] = [];
  const flush = () => {
    if (!queue.length) return;
    const [vid, sid] = ids();
    for (const body of batches(vid, sid, queue.splice(0))) send(url, body);
  };
  return {
    push(e: StorefrontEvent) {
      queue.push(e);
      if (queue.length >= MAX_EVENTS) flush();
    },
    flush,
    /** dropped when analytics consent is missing or withdrawn */
    clear() {
      queue.length = 0;
    },
  };
}
