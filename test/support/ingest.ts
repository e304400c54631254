import { expect } from "vitest";
import type { Db } from "~/db.server";

/**
 * A storefront shopper for flow tests: `send(visitorId, events)` delivers one event batch
 * through the app proxy's ingest (as the tracker posts it), 5 s after the previous one, then
 * runs the jobs it queued with the worker's handlers.
 */
export async function shopperEvents(database: Db, shop: string, runDue: (now: Date) => Promise<unknown>) {
  const { ingestEventBatch } = await import("~/services/events.server");
  let clock = Date.now();
  const send = async (visitorId: string, events: Array<Record<string, unknown>>) => {
    const now = new Date((clock += 5_000));
    const request = new Request("http://localhost/proxy/events", {
      method: "POST",
      headers: { "Content-Type": "text/plain;charset=UTF-8" },
      body: JSON.stringify({ v: 1, visitorId, events: events.map((e) => ({ at: now.getTime(), ...e })) }),
    });
    const result = await ingestEventBatch(database, request, shop, { now });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    await runDue(new Date(now.getTime() + 1_000));
  };
  return { send, now: () => clock };
}
