import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SHOP } from "~/demo/constants";
import { appProxySignature, forwardAppProxy } from "~/demo/storefront.server";
import { action } from "~/routes/proxy.events";
import { signProxyParams } from "../../support/shopify";
import { batch, installTestDb, type ProxyTestDb } from "./helpers";

/** The demo's stand-in for Shopify's app proxy, checked against the app's real proxy route. */
let t: ProxyTestDb;
beforeAll(async () => {
  t = await installTestDb();
});
afterAll(async () => {
  await t.cleanup();
});

function capture() {
  const seen: Request[] = [];
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    seen.push(request.clone());
    return action({ request, params: {}, context: {} });
  }) as typeof fetch;
  return { seen, fetchFn };
}

describe("demo app proxy forwarding", () => {
  it("signs like Shopify: sorted key=value pairs, repeated values joined by commas", () => {
    const params = new URLSearchParams("b=2&a=1&a=3&shop=x.myshopify.com&timestamp=1&signature=ignored");
    expect(appProxySignature(params)).toBe(signProxyParams({ a: ["1", "3"], b: "2", shop: "x.myshopify.com", timestamp: "1" }));
  });

  it("forwards a storefront beacon to /proxy/events, signed for the demo shop, without cookies", async () => {
    // GIVEN a beacon from the storefront, with the shopper's cookies and a forged shop param
    const { seen, fetchFn } = capture();
    const beacon = new Request("http://localhost:3400/demo/apps/intentful/events?shop=evil.myshopify.com&signature=00&tag=a&tag=b", {
      method: "POST",
      headers: { "Content-Type": "application/json", Cookie: "cart=abc; _secret=1", "User-Agent": "Chromium" },
      body: batch([{ kind: "page_view", at: Date.now() }], "fwd-visitor"),
    });
    // WHEN the demo forwards it
    const response = await forwardAppProxy(beacon, "events", { fetch: fetchFn });
    // THEN the app accepted it and stored it under the demo shop
    expect(response.status).toBe(204);
    const forwarded = seen[0];
    const url = new URL(forwarded.url);
    expect(url.pathname).toBe("/proxy/events");
    expect(url.searchParams.get("shop")).toBe(DEMO_SHOP);
    expect(url.searchParams.get("path_prefix")).toBe("/apps/intentful");
    expect(url.searchParams.get("logged_in_customer_id")).toBe("");
    expect(url.searchParams.getAll("tag")).toEqual(["a", "b"]);
    expect(url.searchParams.getAll("signature")).toHaveLength(1);
    expect(forwarded.headers.get("cookie")).toBeNull();
    expect(forwarded.headers.get("x-forwarded-host")).toBe(DEMO_SHOP);
    expect(forwarded.method).toBe("POST");
    const rows = await t.db.event.findMany({ where: { visitorId: "fwd-visitor" } });
    expect(rows.map((r) => r.shop)).toEqual([DEMO_SHOP]);
  });

  it("passes the app's refusals through (status and reason)", async () => {
    const { fetchFn } = capture();
    const bad = new Request("http://localhost:3400/demo/apps/intentful/events", { method: "POST", body: "{nope" });
    const response = await forwardAppProxy(bad, "events", { fetch: fetchFn });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/malformed JSON/);
  });

  it("answers 502 when the app cannot be reached", async () => {
    const down = (async () => {
      throw new TypeError("fetch failed");
    }) as typeof fetch;
    const response = await forwardAppProxy(new Request("http://localhost:3400/demo/apps/intentful/events", { method: "POST", body: "{}" }), "events", {
      fetch: down,
    });
    expect(response.status).toBe(502);
  });
});
