import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http, HttpResponse } from "msw";
import { BROWSER_UA, callRoute, lastPublished, SHOP_A, SHOP_B, startHarness, type Harness } from "./harness";
import { sessionToken } from "../../support/shopify";
import { buildInput, SCHEDULE_ON } from "~/components/trigger-form";

let h: Harness;
let list: typeof import("~/routes/app.triggers._index");
let editor: typeof import("~/routes/app.triggers.$id");
let app: typeof import("~/routes/app");
let buildShopConfig: typeof import("~/services/publish.server").buildShopConfig;

beforeAll(async () => {
  h = await startHarness();
  list = await import("~/routes/app.triggers._index");
  editor = await import("~/routes/app.triggers.$id");
  app = await import("~/routes/app");
  ({ buildShopConfig } = await import("~/services/publish.server"));
});
afterAll(async () => {
  await h.cleanup();
});

const triggerOf = (shop: string, template: string) => h.t.db.trigger.findFirstOrThrow({ where: { shop, template }, orderBy: { createdAt: "asc" } });

/** The editor's form values for a trigger, as the page would send them back unchanged. */
async function formInput(shop: string, id: string) {
  const res = await callRoute(editor.loader, `/app/triggers/${id}`, { shop, params: { id } });
  expect(res.status).toBe(200);
  const data = (await res.json()) as { values: Record<string, string | boolean | string[]> };
  return data.values;
}

describe("session tokens", () => {
  it("refuses a request without a session token", async () => {
    const b = await triggerOf(SHOP_B, "exit_intent_cart_reminder");
    const request = new Request(`http://localhost:3000/app/triggers/${b.id}`, { headers: { "User-Agent": BROWSER_UA } });
    const res = await callRouteRaw(() => editor.loader({ request, params: { id: b.id }, context: {} }));
    // (a document load without id_token: sent to log in; the admin would add one)
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/auth/login");
    expect(await res.text()).not.toContain(b.name);
  });

  it("refuses a session token signed with another secret", async () => {
    const forged = sessionToken(SHOP_A).replace(/\.[^.]+$/, ".c2lnbmF0dXJl");
    const request = new Request("http://localhost:3000/app/triggers", {
      method: "POST",
      headers: { Authorization: `Bearer ${forged}`, "User-Agent": BROWSER_UA, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ intent: "toggle", id: "x", enabled: "true" }),
    });
    const res = await callRouteRaw(() => list.action({ request, params: {}, context: {} }));
    expect(res.status).toBe(401);
  });
});

async function callRouteRaw(run: () => Promise<unknown>): Promise<Response> {
  try {
    const r = await run();
    return r instanceof Response ? r : Response.json(r);
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
}

describe("one shop cannot reach another shop's triggers", () => {
  it("lists only its own triggers", async () => {
    const res = await callRoute(list.loader, "/app/triggers", { shop: SHOP_A });
    const { triggers } = (await res.json()) as { triggers: Array<{ id: string }> };
    const mine = await h.t.db.trigger.findMany({ where: { shop: SHOP_A }, select: { id: true } });
    expect(triggers.map((t) => t.id).sort()).toEqual(mine.map((t) => t.id).sort());
  });

  it("answers 404 to reading, saving, toggling, duplicating and deleting shop B's trigger, and changes nothing", async () => {
    // GIVEN shop B's trigger, as it is
    const b = await triggerOf(SHOP_B, "exit_intent_cart_reminder");
    const input = buildInput(await formInput(SHOP_B, b.id));
    const countBefore = await h.t.db.trigger.count();
    // WHEN shop A uses its id
    const read = await callRoute(editor.loader, `/app/triggers/${b.id}`, { shop: SHOP_A, params: { id: b.id } });
    const save = await callRoute(editor.action, `/app/triggers/${b.id}`, {
      shop: SHOP_A,
      method: "POST",
      params: { id: b.id },
      json: { ...input, name: "Hijacked", enabled: true },
    });
    const toggle = await callRoute(list.action, "/app/triggers", { shop: SHOP_A, method: "POST", form: { intent: "toggle", id: b.id, enabled: "true" } });
    const duplicate = await callRoute(list.action, "/app/triggers", { shop: SHOP_A, method: "POST", form: { intent: "duplicate", id: b.id } });
    const remove = await callRoute(list.action, "/app/triggers", { shop: SHOP_A, method: "POST", form: { intent: "delete", id: b.id } });
    // THEN every one is a 404
    expect([read.status, save.status, toggle.status, duplicate.status, remove.status]).toEqual([404, 404, 404, 404, 404]);
    // AND shop B's trigger is untouched, and nothing was created
    const after = await h.t.db.trigger.findUniqueOrThrow({ where: { id: b.id } });
    expect(after).toEqual(b);
    expect(await h.t.db.trigger.count()).toBe(countBefore);
  });

  it("answers 404 for an id that does not exist", async () => {
    const res = await callRoute(editor.loader, "/app/triggers/does-not-exist", { shop: SHOP_A, params: { id: "does-not-exist" } });
    expect(res.status).toBe(404);
  });
});

describe("validation", () => {
  it("returns field-level errors keyed like the form fields, with 422", async () => {
    const a = await triggerOf(SHOP_A, "exit_intent_recommendations");
    const values = await formInput(SHOP_A, a.id);
    const bad = buildInput({ ...values, "content.headline": "", "conditions.scrollPct": "150", holdoutPct: "80", "segment.countries": "USA" });
    const res = await callRoute(editor.action, `/app/triggers/${a.id}`, { shop: SHOP_A, method: "POST", params: { id: a.id }, json: bad });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { ok: boolean; errors: Record<string, string> };
    expect(body.ok).toBe(false);
    expect(body.errors).toMatchObject({
      "content.headline": "Enter a headline",
      "conditions.scrollPct": "Scroll depth must be at most 100",
      holdoutPct: "Holdout must be at most 50",
      "segment.countries.0": expect.stringContaining("two-letter"),
    });
    // AND nothing was saved
    expect((await h.t.db.trigger.findUniqueOrThrow({ where: { id: a.id } })).content).toEqual(a.content);
  });

  it("reports a cross-field rule on the field it is about", async () => {
    const a = await triggerOf(SHOP_A, "exit_intent_cart_reminder");
    const values = await formInput(SHOP_A, a.id);
    const res = await callRoute(editor.action, `/app/triggers/${a.id}`, {
      shop: SHOP_A,
      method: "POST",
      params: { id: a.id },
      json: buildInput({ ...values, "conditions.minCartItems": "0" }),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: Record<string, string> }).errors["conditions.minCartItems"]).toMatch(/at least 1 item/);
  });

  it("answers 400, not 500, to a body that is not JSON", async () => {
    const a = await triggerOf(SHOP_A, "exit_intent_cart_reminder");
    const res = await callRoute(editor.action, `/app/triggers/${a.id}`, { shop: SHOP_A, method: "POST", params: { id: a.id }, form: { trigger: "{not json" } });
    expect(res.status).toBe(400);
  });

  it("answers 400 to an unknown template, a toggle without a state and an unknown intent", async () => {
    const a = await triggerOf(SHOP_A, "exit_intent_cart_reminder");
    const post = (form: Record<string, string>) => callRoute(list.action, "/app/triggers", { shop: SHOP_A, method: "POST", form });
    expect((await post({ intent: "create", template: "nope" })).status).toBe(400);
    expect((await post({ intent: "toggle", id: a.id, enabled: "maybe" })).status).toBe(400);
    expect((await post({ intent: "explode", id: a.id })).status).toBe(400);
  });
});

describe("saving republishes the storefront config", () => {
  it("publishes exactly what was saved", async () => {
    // GIVEN shop A's recommendations trigger, edited and switched on
    const a = await triggerOf(SHOP_A, "exit_intent_recommendations");
    const values = await formInput(SHOP_A, a.id);
    const input = buildInput({ ...values, enabled: true, "content.headline": "Wait, one more look", holdoutPct: "20" });
    // WHEN it is saved
    const res = await callRoute(editor.action, `/app/triggers/${a.id}`, { shop: SHOP_A, method: "POST", params: { id: a.id }, json: input });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; publish: { ok: boolean; live: boolean } };
    expect(body).toMatchObject({ ok: true, publish: { ok: true, live: true } });
    // THEN the metafield holds the config compiled from what is stored now
    const published = lastPublished(h, SHOP_A)!;
    expect(published).toMatchObject({ namespace: "intentful", key: "config" });
    const { config } = await buildShopConfig(h.t.db, SHOP_A);
    expect(published.value).toEqual(config);
    const compiled = (published.value as { t: Array<{ id: string; ho: number; o: { headline: string } }> }).t.find((t) => t.id === a.id);
    expect(compiled).toMatchObject({ ho: 20, o: { headline: "Wait, one more look" } });
    // AND the shop's state says it is published
    const shop = await h.t.db.shop.findUniqueOrThrow({ where: { shop: SHOP_A } });
    expect(shop.publishError).toBeNull();
    expect(shop.publishedAt).not.toBeNull();
  });

  it("saves a schedule, publishes it compacted and drops it when the box is unticked", async () => {
    // GIVEN shop A's returning-visitor trigger, switched on and limited to weekend nights
    const a = await triggerOf(SHOP_A, "returning_welcome");
    const values = await formInput(SHOP_A, a.id);
    expect(values[SCHEDULE_ON]).toBe(false);
    const save = (v: typeof values) =>
      callRoute(editor.action, `/app/triggers/${a.id}`, { shop: SHOP_A, method: "POST", params: { id: a.id }, json: buildInput(v) });
    const weekendNights = {
      ...values,
      enabled: true,
      [SCHEDULE_ON]: true,
      "conditions.schedule.days": ["6", "5"],
      "conditions.schedule.startHour": "22",
      "conditions.schedule.endHour": "2",
    };
    // WHEN it is saved
    const res = await save(weekendNights);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, publish: { ok: true, live: true } });
    // THEN the row holds the schedule
    const stored = await h.t.db.trigger.findUniqueOrThrow({ where: { id: a.id } });
    expect((stored.conditions as { schedule?: unknown }).schedule).toEqual({ days: [6, 5], startHour: 22, endHour: 2 });
    // AND the published config carries it with short keys, days sorted
    const published = lastPublished(h, SHOP_A)!.value as { t: Array<{ id: string; c: Record<string, unknown> }> };
    expect(published).toEqual((await buildShopConfig(h.t.db, SHOP_A)).config);
    expect(published.t.find((t) => t.id === a.id)?.c.sc).toEqual({ d: [5, 6], s: 22, e: 2 });
    // AND the editor shows it again
    expect(await formInput(SHOP_A, a.id)).toMatchObject({
      [SCHEDULE_ON]: true,
      "conditions.schedule.days": ["6", "5"],
      "conditions.schedule.startHour": "22",
      "conditions.schedule.endHour": "2",
    });

    // WHEN the window is empty, THEN the error lands on the end hour and nothing changes
    const bad = await save({ ...weekendNights, "conditions.schedule.endHour": "22", "conditions.schedule.days": [] });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: Record<string, string> }).errors).toEqual({
      "conditions.schedule.days": "Choose at least one day",
      "conditions.schedule.endHour": expect.stringMatching(/differ from the start hour/),
    });
    expect((await h.t.db.trigger.findUniqueOrThrow({ where: { id: a.id } })).conditions).toEqual(stored.conditions);

    // WHEN the box is unticked, THEN the schedule is gone from the row and from the storefront
    expect((await save({ ...weekendNights, [SCHEDULE_ON]: false })).status).toBe(200);
    const after = await h.t.db.trigger.findUniqueOrThrow({ where: { id: a.id } });
    expect(after.conditions).not.toHaveProperty("schedule");
    const republished = lastPublished(h, SHOP_A)!.value as { t: Array<{ id: string; c: Record<string, unknown> }> };
    expect(republished.t.find((t) => t.id === a.id)?.c).not.toHaveProperty("sc");
  });

  it("toggling off removes the trigger from the published config, on puts it back", async () => {
    const a = await triggerOf(SHOP_A, "exit_intent_cart_reminder");
    const toggle = (enabled: boolean) =>
      callRoute(list.action, "/app/triggers", { shop: SHOP_A, method: "POST", form: { intent: "toggle", id: a.id, enabled: String(enabled) } });
    const ids = () => (lastPublished(h, SHOP_A)!.value as { t: Array<{ id: string }> }).t.map((t) => t.id);

    const on = await toggle(true);
    expect(on.status).toBe(200);
    expect(await on.json()).toMatchObject({ ok: true, enabled: true, publish: { ok: true } });
    expect(ids()).toContain(a.id);

    await toggle(false);
    expect(ids()).not.toContain(a.id);
    expect((await h.t.db.trigger.findUniqueOrThrow({ where: { id: a.id } })).enabled).toBe(false);
  });

  it("keeps the save, shows the error and queues a retry when publishing fails", async () => {
    const a = await triggerOf(SHOP_A, "exit_intent_cart_reminder");
    h.mock.use(
      http.post("https://:shop/admin/api/:version/graphql.json", async ({ request }) => {
        const body = (await request.clone().json()) as { query?: string };
        if (!body.query?.includes("IntentfulPublishConfig")) return undefined;
        return HttpResponse.json({ data: { metafieldsSet: { metafields: [], userErrors: [{ field: ["value"], message: "Value is invalid JSON" }] } } });
      }),
    );
    try {
      const res = await callRoute(list.action, "/app/triggers", { shop: SHOP_A, method: "POST", form: { intent: "toggle", id: a.id, enabled: "true" } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ ok: true, publish: { ok: false, error: "Value is invalid JSON" } });
      expect((await h.t.db.trigger.findUniqueOrThrow({ where: { id: a.id } })).enabled).toBe(true);
      const shop = await h.t.db.shop.findUniqueOrThrow({ where: { shop: SHOP_A } });
      expect(shop.publishError).toBe("Value is invalid JSON");
      expect(await h.t.db.job.count({ where: { shop: SHOP_A, kind: "publish-rules", status: "pending" } })).toBe(1);
      // AND every admin page gets the error for its banner (the app layout's loader)
      const layout = await callRoute(app.loader, "/app", { shop: SHOP_A });
      expect(await layout.json()).toMatchObject({ publishError: "Value is invalid JSON" });
    } finally {
      h.mock.resetHandlers();
      // resetHandlers drops the recorder too: put it back for later tests in this file
      await restoreRecorder();
    }
    // AND the next save that publishes clears the banner
    await callRoute(list.action, "/app/triggers", { shop: SHOP_A, method: "POST", form: { intent: "toggle", id: a.id, enabled: "false" } });
    expect((await h.t.db.shop.findUniqueOrThrow({ where: { shop: SHOP_A } })).publishError).toBeNull();
  });
});

async function restoreRecorder() {
  h.mock.use(
    http.post("https://:shop/admin/api/:version/graphql.json", async ({ request, params }) => {
      const body = (await request.clone().json()) as { query?: string; variables?: { metafields?: Array<{ namespace: string; key: string; value: string }> } };
      if (body.query?.includes("IntentfulPublishConfig")) {
        for (const m of body.variables?.metafields ?? [])
          h.published.push({ shop: String(params.shop), namespace: m.namespace, key: m.key, value: JSON.parse(m.value) });
      }
      return undefined;
    }),
  );
}

describe("create, duplicate, delete", () => {
  it("creates a switched-off trigger from a template and opens it", async () => {
    const res = await callRoute(list.action, "/app/triggers", { shop: SHOP_A, method: "POST", form: { intent: "create", template: "first_visit_offer" } });
    expect(res.status).toBe(302);
    const id = res.headers.get("Location")!.split("/").pop()!;
    const created = await h.t.db.trigger.findFirstOrThrow({ where: { id, shop: SHOP_A } });
    expect(created).toMatchObject({ template: "first_visit_offer", enabled: false, name: "First-visit sign-up" });
  });

  it("duplicates as a switched-off copy with its own holdout salt", async () => {
    const a = await triggerOf(SHOP_A, "browse_abandonment");
    const res = await callRoute(list.action, "/app/triggers", { shop: SHOP_A, method: "POST", form: { intent: "duplicate", id: a.id } });
    expect(res.status).toBe(302);
    const id = res.headers.get("Location")!.split("/").pop()!;
    const copy = await h.t.db.trigger.findFirstOrThrow({ where: { id, shop: SHOP_A } });
    expect(copy).toMatchObject({ name: `Copy of ${a.name}`, enabled: false, content: a.content, conditions: a.conditions });
    expect(copy.salt).not.toBe(a.salt);
  });

  it("deletes and republishes without it", async () => {
    const a = await triggerOf(SHOP_A, "cart_value_nudge");
    await callRoute(list.action, "/app/triggers", { shop: SHOP_A, method: "POST", form: { intent: "toggle", id: a.id, enabled: "true" } });
    const res = await callRoute(list.action, "/app/triggers", { shop: SHOP_A, method: "POST", form: { intent: "delete", id: a.id } });
    expect(res.status).toBe(200);
    expect(await h.t.db.trigger.findUnique({ where: { id: a.id } })).toBeNull();
    const ids = (lastPublished(h, SHOP_A)!.value as { t: Array<{ id: string }> }).t.map((t) => t.id);
    expect(ids).not.toContain(a.id);
  });
});
