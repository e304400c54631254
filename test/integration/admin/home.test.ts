import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callRoute, SHOP_A, SHOP_B, startHarness, type Harness } from "./harness";
import { updateDemoState } from "~/demo/shopify-state.server";
import { storeEvents } from "~/services/event-store.server";

let h: Harness;
let home: typeof import("~/routes/app._index");
let list: typeof import("~/routes/app.triggers._index");
let embed: typeof import("~/services/embed-status.server");

beforeAll(async () => {
  h = await startHarness();
  home = await import("~/routes/app._index");
  list = await import("~/routes/app.triggers._index");
  embed = await import("~/services/embed-status.server");
});
afterAll(async () => {
  await h.cleanup();
});

type HomeData = {
  embed: { state: string; themeName: string | null };
  embedUrl: string;
  onboarding: { firstTriggerOn: boolean; senderEmailSet: boolean; firstFlowOn: boolean };
  metrics: { overlays: { exposedVisitors: number; holdoutVisitors: number }; funnel: { impressions: number; clicks: number } };
};

const loadHome = async (shop: string) => {
  const res = await callRoute(home.loader, "/app", { shop });
  expect(res.status).toBe(200);
  return (await res.json()) as HomeData;
};

describe("home: app embed status", () => {
  it("reads the live theme's settings_data.json and links to the theme editor with the embed switched on", async () => {
    updateDemoState((s) => void (s.embedEnabled = true));
    const on = await loadHome(SHOP_A);
    expect(on.embed).toEqual({ state: "on", themeName: "Dawn" });
    expect(on.embedUrl).toBe(`https://${SHOP_A}/admin/themes/current/editor?context=apps&activateAppId=test-api-key/${embed.EMBED_HANDLE}`);
    updateDemoState((s) => void (s.embedEnabled = false));
    expect((await loadHome(SHOP_A)).embed.state).toBe("off");
  });

  it("uses the handle of the extension's real app embed block", () => {
    expect(existsSync(path.resolve("extensions/intentful/blocks", `${embed.EMBED_HANDLE}.liquid`))).toBe(true);
  });

  it("understands settings_data.json as Shopify writes it (leading comment, disabled flag, other apps' embeds)", () => {
    const data = (blocks: object) => JSON.stringify({ current: { blocks } });
    const ours = (disabled: boolean) => ({ type: `shopify://apps/intentful/blocks/${embed.EMBED_HANDLE}/0b7a`, disabled });
    const other = { type: "shopify://apps/other/blocks/reviews/11aa", disabled: false };
    const parse = (text: string) => embed.embedEnabledIn(embed.parseSettingsData(text));
    expect(parse(`/* auto-generated */\n${data({ a: ours(false) })}`)).toBe(true);
    expect(parse(data({ a: ours(true), b: other }))).toBe(false);
    expect(parse(data({ b: other }))).toBe(false);
    expect(embed.embedEnabledIn({})).toBe(false);
  });
});

describe("home: onboarding", () => {
  it("ticks each step from the shop's own data", async () => {
    const before = await loadHome(SHOP_B);
    expect(before.onboarding).toEqual({ firstTriggerOn: false, senderEmailSet: false, firstFlowOn: false });
    await h.t.db.trigger.updateMany({ where: { shop: SHOP_B, template: "exit_intent_cart_reminder" }, data: { enabled: true } });
    await h.t.db.shop.update({ where: { shop: SHOP_B }, data: { senderEmail: "hi@shop-b.example" } });
    await h.t.db.recoveryFlow.updateMany({ where: { shop: SHOP_B, kind: "checkout" }, data: { enabled: true } });
    expect((await loadHome(SHOP_B)).onboarding).toEqual({ firstTriggerOn: true, senderEmailSet: true, firstFlowOn: true });
    expect((await loadHome(SHOP_A)).onboarding.firstTriggerOn).toBe(false);
  });
});

describe("figures from storefront events", () => {
  it("counts this shop's exposures on the home page and per trigger in the list, never another shop's", async () => {
    const trigger = await h.t.db.trigger.findFirstOrThrow({ where: { shop: SHOP_A, template: "exit_intent_recommendations" } });
    const at = new Date(Date.now() - 2 * 86_400_000);
    const ev = (shop: string, visitorId: string, kind: string, variant: string) => ({
      shop,
      visitorId,
      kind,
      variant,
      triggerId: trigger.id,
      occurredAt: at,
    });
    await storeEvents(h.t.db, [
      ...Array.from({ length: 30 }, (_, i) => ev(SHOP_A, `t${i}`, "impression", "treatment")),
      ...Array.from({ length: 6 }, (_, i) => ev(SHOP_A, `t${i}`, "click", "treatment")),
      ...Array.from({ length: 4 }, (_, i) => ev(SHOP_A, `c${i}`, "control", "control")),
      ...Array.from({ length: 50 }, (_, i) => ev(SHOP_B, `b${i}`, "impression", "treatment")),
    ]);
    const data = await loadHome(SHOP_A);
    expect(data.metrics.overlays).toMatchObject({ exposedVisitors: 30, holdoutVisitors: 4 });
    expect(data.metrics.funnel).toMatchObject({ impressions: 30, clicks: 6 });

    const res = await callRoute(list.loader, "/app/triggers", { shop: SHOP_A });
    const { triggers } = (await res.json()) as { triggers: Array<{ id: string; impressions: number; controls: number; lift: { value: string } }> };
    const row = triggers.find((t) => t.id === trigger.id)!;
    expect(row).toMatchObject({ impressions: 30, controls: 4 });
    expect(row.lift.value).toBeTypeOf("string");
  });
});
