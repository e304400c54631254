import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callRoute, lastPublished, SHOP_A, SHOP_B, startHarness, type Harness } from "./harness";

/**
 * The analytics page's Promote action and the per-arm CSV (issue 21) through the routes: bad
 * input is a 4xx with a reason, another shop's test a 404, a promote republishes the shop's
 * rules with B's content and no arms.
 */
let h: Harness;
let triggerId = "";

beforeAll(async () => {
  h = await startHarness();
  const t = await h.t.db.trigger.create({
    data: {
      shop: SHOP_A,
      name: "Promote through the route",
      type: "page_engagement",
      enabled: true,
      conditions: {},
      segment: {},
      content: { kind: "message", headline: "Headline A", body: "" },
      frequencyCap: {},
      holdoutPct: 0,
      salt: "route-salt",
      variants: [
        { id: "routeaaa", weight: 50 },
        { id: "routebbb", weight: 50, content: { kind: "message", headline: "Headline B", body: "" } },
      ],
      testStartedAt: new Date(Date.now() - 86_400_000),
    },
  });
  triggerId = t.id;
  const at = new Date(Date.now() - 3_600_000);
  await h.t.db.exposure.createMany({
    data: ["routeaaa", "routebbb"].flatMap((arm) =>
      Array.from({ length: 7 }, (_, i) => ({ shop: SHOP_A, triggerId, visitorId: `${arm}${i}`, variant: "treatment", arm, firstAt: at, lastAt: at })),
    ),
  });
}, 120_000);

afterAll(async () => {
  await h?.cleanup();
});

describe("promote from analytics", () => {
  it("answers bad input with a reason, not a 500", async () => {
    const route = await import("~/routes/app.analytics");
    const post = (form: Record<string, string>, shop = SHOP_A) => callRoute(route.action, "/app/analytics", { shop, method: "POST", form });
    const cases: Array<[Record<string, string>, number, RegExp]> = [
      [{ intent: "delete" }, 400, /Unknown action/],
      [{ intent: "promote", kind: "flow", id: triggerId, arm: "routebbb" }, 400, /trigger or an email/],
      [{ intent: "promote", kind: "trigger", id: "", arm: "routebbb" }, 400, /which test/],
      [{ intent: "promote", kind: "trigger", id: triggerId, arm: "" }, 400, /Choose the variant/],
      [{ intent: "promote", kind: "trigger", id: triggerId, arm: "nosuchar" }, 404, /not part of/],
      [{ intent: "promote", kind: "step", id: triggerId, arm: "routebbb" }, 404, /not found/],
    ];
    for (const [form, status, reason] of cases) {
      const res = await post(form);
      expect(res.status, JSON.stringify(form)).toBe(status);
      expect(((await res.json()) as { error: string }).error).toMatch(reason);
    }
    // another shop's trigger behaves like a missing one
    const other = await post({ intent: "promote", kind: "trigger", id: triggerId, arm: "routebbb" }, SHOP_B);
    expect(other.status).toBe(404);
    expect((await h.t.db.trigger.findUniqueOrThrow({ where: { id: triggerId } })).testStartedAt).not.toBeNull();
  });

  it("exports one CSV row per arm", async () => {
    const csvRoute = await import("~/routes/app.analytics.csv");
    const res = await callRoute(csvRoute.loader as never, "/app/analytics/csv?days=30&per=arm", { shop: SHOP_A });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Disposition")).toMatch(/intentful-ab-tests-shop-a-30d-/);
    const lines = (await res.text()).trimEnd().split("\r\n");
    const header = lines[0].split(",");
    expect(lines).toHaveLength(3);
    expect(lines.slice(1).map((l) => [l.split(",")[header.indexOf("arm")], l.split(",")[header.indexOf("users")]])).toEqual([
      ["A", "7"],
      ["B", "7"],
    ]);
    const other = await callRoute(csvRoute.loader as never, "/app/analytics/csv?days=30&per=arm", { shop: SHOP_B });
    expect((await other.text()).trimEnd().split("\r\n")).toHaveLength(1);
  });

  it("promotes B, republishes the rules with B's content and no arms, and a second click is refused", async () => {
    const route = await import("~/routes/app.analytics");
    const res = await callRoute(route.action, "/app/analytics", {
      shop: SHOP_A,
      method: "POST",
      form: { intent: "promote", kind: "trigger", id: triggerId, arm: "routebbb" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, kind: "trigger", name: "Promote through the route", label: "B", publish: { ok: true } });
    const config = lastPublished(h, SHOP_A)?.value as { t: Array<{ id: string; v?: unknown; o: { headline?: string } }> };
    const compiled = config.t.find((x) => x.id === triggerId);
    expect(compiled?.o.headline).toBe("Headline B");
    expect(compiled?.v).toBeUndefined();
    const again = await callRoute(route.action, "/app/analytics", {
      shop: SHOP_A,
      method: "POST",
      form: { intent: "promote", kind: "trigger", id: triggerId, arm: "routebbb" },
    });
    expect(again.status).toBe(409);
  });
});
