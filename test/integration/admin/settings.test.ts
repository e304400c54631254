import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callRoute, lastPublished, SHOP_A, SHOP_B, startHarness, type Harness } from "./harness";

let h: Harness;
let settings: typeof import("~/routes/app.settings");

beforeAll(async () => {
  h = await startHarness();
  settings = await import("~/routes/app.settings");
});
afterAll(async () => {
  await h.cleanup();
});

const VALID = {
  intent: "save",
  senderName: "Shop A",
  senderEmail: "hello@shop-a.example",
  replyTo: "",
  timezone: "Europe/Berlin",
  quietHoursStart: "21",
  quietHoursEnd: "8",
  overlaysPerSession: "3",
  emailsPerWindow: "2",
  emailWindowHours: "24",
  channelGapHours: "6",
  attributionWindowDays: "7",
  retentionDays: "180",
};

const save = (shop: string, form: Record<string, string>) => callRoute(settings.action, "/app/settings", { shop, method: "POST", form });

describe("settings", () => {
  it("shows the shop's settings with their defaults, the transport and the shop's time zone", async () => {
    const res = await callRoute(settings.loader, "/app/settings", { shop: SHOP_A });
    expect(res.status).toBe(200);
    const data = (await res.json()) as Record<string, any>;
    expect(data.values).toMatchObject({ attributionWindowDays: "5", overlaysPerSession: "2", channelGapHours: "4", quietHoursStart: "" });
    expect(data.transport).toEqual({ kind: "outbox" });
    expect(data.shopTimezone).toBe("America/New_York");
    expect(data.deadJobs).toBe(0);
  });

  it("saves valid settings for this shop only and republishes the overlays-per-session cap", async () => {
    const res = await save(SHOP_A, VALID);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, publish: { ok: true } });
    const a = await h.t.db.shop.findUniqueOrThrow({ where: { shop: SHOP_A } });
    expect(a).toMatchObject({
      senderEmail: "hello@shop-a.example",
      timezone: "Europe/Berlin",
      quietHoursStart: 21,
      quietHoursEnd: 8,
      overlaysPerSession: 3,
      emailsPerWindow: 2,
      emailWindowHours: 24,
      channelGapHours: 6,
      attributionWindowDays: 7,
      retentionDays: 180,
    });
    expect((lastPublished(h, SHOP_A)!.value as { g: { ps: number; cg?: number } }).g).toMatchObject({ ps: 3, cg: 6 });
    const b = await h.t.db.shop.findUniqueOrThrow({ where: { shop: SHOP_B } });
    expect(b).toMatchObject({ senderEmail: "", overlaysPerSession: 2, attributionWindowDays: 5 });
  });

  it("rejects bad input with 422 and a message per field, saving nothing", async () => {
    const before = await h.t.db.shop.findUniqueOrThrow({ where: { shop: SHOP_A } });
    const res = await save(SHOP_A, {
      ...VALID,
      senderEmail: "not-an-email",
      timezone: "Mars/Olympus",
      quietHoursStart: "22",
      quietHoursEnd: "",
      attributionWindowDays: "0",
      retentionDays: "forever",
      overlaysPerSession: "",
      channelGapHours: "-1",
    });
    expect(res.status).toBe(422);
    const { errors } = (await res.json()) as { errors: Record<string, string> };
    expect(errors).toEqual({
      senderEmail: expect.stringContaining("email address"),
      timezone: expect.stringContaining("time zone"),
      quietHoursEnd: expect.stringContaining("both"),
      attributionWindowDays: "Attribution window must be at least 1",
      retentionDays: "Data retention must be a whole number",
      overlaysPerSession: "Overlays per session is required",
      channelGapHours: expect.stringContaining("Time between an overlay and an email"),
    });
    expect(await h.t.db.shop.findUniqueOrThrow({ where: { shop: SHOP_A } })).toEqual(before);
  });

  it("counts this shop's dead-lettered jobs and can queue them again", async () => {
    await h.t.db.job.createMany({
      data: [
        { shop: SHOP_A, kind: "publish-rules", payload: {}, status: "dead", attempts: 8, lastError: "boom" },
        { shop: SHOP_B, kind: "publish-rules", payload: {}, status: "dead", attempts: 8, lastError: "boom" },
      ],
    });
    const data = (await (await callRoute(settings.loader, "/app/settings", { shop: SHOP_A })).json()) as { deadJobs: number };
    expect(data.deadJobs).toBe(1);
    const res = await save(SHOP_A, { intent: "retry-dead-jobs" });
    expect(await res.json()).toMatchObject({ ok: true, count: 1 });
    expect(await h.t.db.job.count({ where: { status: "dead" } })).toBe(1); // shop B's stays
  });

  it("nudges a review of active triggers nobody touched for 90 days, on settings, home and the triggers list, until marked reviewed", async () => {
    const [old, off] = await h.t.db.trigger.findMany({ where: { shop: SHOP_A }, take: 2, orderBy: { id: "asc" } });
    const otherShops = await h.t.db.trigger.findFirstOrThrow({ where: { shop: SHOP_B } });
    // @updatedAt keeps an explicitly given value
    const longAgo = new Date(Date.now() - 120 * 86_400_000);
    await h.t.db.trigger.update({ where: { id: old.id }, data: { enabled: true, updatedAt: longAgo } });
    await h.t.db.trigger.update({ where: { id: off.id }, data: { enabled: false, updatedAt: longAgo } }); // off: nothing to review
    await h.t.db.trigger.update({ where: { id: otherShops.id }, data: { enabled: true, updatedAt: longAgo } });
    const stale = async (route: { loader: (a: never) => unknown }, path: string) =>
      ((await (await callRoute(route.loader as never, path, { shop: SHOP_A })).json()) as { staleTriggers: Array<{ id: string }> }).staleTriggers.map(
        (t) => t.id,
      );
    const pages = [
      [settings, "/app/settings"],
      [await import("~/routes/app._index"), "/app"],
      [await import("~/routes/app.triggers._index"), "/app/triggers"],
    ] as const;
    for (const [route, path] of pages) expect(await stale(route, path), path).toEqual([old.id]);

    // "Mark reviewed" with another shop's id in the list: only this shop's trigger is marked
    const review = await import("~/routes/app.triggers.review");
    const res = await callRoute(review.action, "/app/triggers/review", { shop: SHOP_A, method: "POST", form: { ids: `${old.id},${otherShops.id}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, reviewed: 1 });
    for (const [route, path] of pages) expect(await stale(route, path), path).toEqual([]);
    expect((await h.t.db.trigger.findUniqueOrThrow({ where: { id: otherShops.id } })).reviewedAt).toBeNull();
    // bad input: a 400 with a reason
    const bad = await callRoute(review.action, "/app/triggers/review", { shop: SHOP_A, method: "POST", form: { ids: "" } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ ok: false, error: "Name at least one trigger" });
  });

  it("shows Shopify's brand (Storefront API shop.brand, the demo's mock) and saves the email branding overrides, validated", async () => {
    const res = await callRoute(settings.loader, "/app/settings", { shop: SHOP_A });
    const data = (await res.json()) as { shopifyBrand: Record<string, string>; values: Record<string, string> };
    expect(data.shopifyBrand).toMatchObject({ primaryColor: "#1f4d3a", accentColor: "#f3e3c3" });
    expect(data.shopifyBrand.logoUrl).toMatch(/\/demo\/logo\.svg$/);
    expect(data.values).toMatchObject({ brandLogoUrl: "", brandColor: "", brandAccentColor: "" });
    const bad = await save(SHOP_A, { ...VALID, brandLogoUrl: "http://shop.example/logo.png", brandColor: "green", brandAccentColor: "#12345" });
    expect(bad.status).toBe(422);
    const { errors } = (await bad.json()) as { errors: Record<string, string> };
    expect(errors).toMatchObject({
      brandLogoUrl: "Logo: enter an https:// image address (at most 500 characters)",
      brandColor: "Brand colour: enter a colour such as #1a73e8",
      brandAccentColor: "Accent colour: enter a colour such as #f4c430",
    });
    const ok = await save(SHOP_A, { ...VALID, brandLogoUrl: "https://cdn.example.com/logo.png", brandColor: "#0B5D3B", brandAccentColor: "" });
    expect(ok.status).toBe(200);
    const row = await h.t.db.shop.findUniqueOrThrow({ where: { shop: SHOP_A } });
    expect(row).toMatchObject({ brandLogoUrl: "https://cdn.example.com/logo.png", brandColor: "#0b5d3b", brandAccentColor: "" });
    // Shopify's brand was read once and kept: the row remembers it with the time of the read.
    expect(row.shopifyBrandAt).not.toBeNull();
  });

  it("answers 400 to an unknown action", async () => {
    expect((await save(SHOP_A, { intent: "format-disk" })).status).toBe(400);
  });
});
