/**
 * The admin preview's look (issue 20): our app embed's settings read from the live theme's
 * config/settings_data.json (fixture in the published shape, comment header first), with the
 * block schema's defaults as the fallback and a note saying which the preview shows.
 */
import { readFileSync } from "node:fs";
import { beforeEach, describe, expect, it } from "vitest";
import { DEMO_EMBED_SETTINGS, settingsDataText } from "~/demo/fixtures/settings-data";
import { embedBlockIn, embedEnabledIn, parseSettingsData } from "~/services/embed-status.server";
import {
  EMBED_DEFAULTS,
  LOOK_SETTING_IDS,
  clearPreviewLookCache,
  fontFamilyFromHandle,
  getPreviewLook,
  lookFromSettings,
  readPreviewLook,
} from "~/services/theme-settings.server";

type Reply = { data?: unknown; errors?: Array<{ message: string }> } | Error;

/** An Admin GraphQL client answering by operation name, counting calls. */
function fakeAdmin(answers: Record<string, (variables?: Record<string, unknown>) => Reply>) {
  const calls: string[] = [];
  return {
    calls,
    graphql: async (query: string, options?: { variables?: Record<string, unknown> }) => {
      const name = /\bquery\s+(\w+)/.exec(query)?.[1] ?? "";
      calls.push(name);
      const reply = answers[name]?.(options?.variables) ?? { errors: [{ message: `no answer for ${name}` }] };
      if (reply instanceof Error) throw reply;
      return new Response(JSON.stringify(reply), { headers: { "Content-Type": "application/json" } });
    },
  };
}

const themes = (content: string | null, name = "Dawn") => ({
  data: {
    themes: {
      nodes: [
        {
          id: "gid://shopify/OnlineStoreTheme/1",
          name,
          files: { nodes: content === null ? [] : [{ filename: "config/settings_data.json", body: { content } }] },
        },
      ],
    },
  },
});

beforeEach(() => clearPreviewLookCache());

describe("settings_data.json: our embed's block", () => {
  it("parses the file as Shopify writes it (comment header, escaped slashes) and finds our block among other apps'", () => {
    const text = settingsDataText();
    expect(text.startsWith("/*")).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
    const data = parseSettingsData(text);
    expect(embedBlockIn(data)).toEqual({ disabled: false, settings: DEMO_EMBED_SETTINGS });
    expect(embedEnabledIn(data)).toBe(true);
  });

  it("tells a disabled embed and a missing one apart", () => {
    expect(embedBlockIn(parseSettingsData(settingsDataText({ embed: "off" })))).toMatchObject({ disabled: true });
    expect(embedEnabledIn(parseSettingsData(settingsDataText({ embed: "off" })))).toBe(false);
    expect(embedBlockIn(parseSettingsData(settingsDataText({ embed: "absent" })))).toBeNull();
    expect(embedBlockIn({})).toBeNull();
  });
});

describe("the embed's look from its settings", () => {
  it("takes colours, position, radius and font from the saved settings", () => {
    const { look, notes, imageFile } = lookFromSettings(DEMO_EMBED_SETTINGS);
    expect(look).toEqual({
      position: "slide_in",
      bg: "#1f2a44",
      fg: "#f7f3e8",
      btn: "#e9b949",
      btnFg: "#1f2a44",
      radius: 16,
      font: '"Georgia", sans-serif',
      image: "",
      reducedMotion: false,
    });
    expect(imageFile).toBeNull();
    expect(notes.join(" ")).toContain("Georgia");
  });

  it("falls back to the schema's default for each missing or unusable setting", () => {
    const { look, notes } = lookFromSettings({ position: "sideways", background: "red; x", corner_radius: "", text: "#000" });
    expect(look).toEqual({ ...EMBED_DEFAULTS, fg: "#000" });
    expect(notes).toEqual(["Your storefront uses your theme's body font; the preview uses the admin's font."]);
    // "inherit" takes the theme's body font where the theme names one (Dawn's type_body_font)
    expect(lookFromSettings({}, "assistant_n4").look.font).toBe('"Assistant", sans-serif');
    expect(lookFromSettings({ image: "shopify://shop_images/hero%20banner.jpg" }).imageFile).toBe("hero banner.jpg");
    expect(lookFromSettings({ image: "shopify://shop_images/100%.jpg" }).imageFile).toBe("100%.jpg");
  });

  it("maps font handles to a family", () => {
    expect(fontFamilyFromHandle("old_standard_tt_i7")).toBe('"Old Standard Tt", sans-serif');
    expect(fontFamilyFromHandle("sans-serif_n4")).toBe("sans-serif");
    expect(fontFamilyFromHandle("not a handle")).toBe("");
    expect(fontFamilyFromHandle(undefined)).toBe("");
  });

  it("knows every look setting and default of the block's schema", () => {
    const liquid = readFileSync("extensions/intentful/blocks/intentful-embed.liquid", "utf8");
    const schema = JSON.parse(/\{% schema %\}([\s\S]*?)\{% endschema %\}/.exec(liquid)![1]) as { settings: Array<{ id?: string; default?: unknown }> };
    const byId = new Map(schema.settings.filter((s) => s.id).map((s) => [s.id!, s.default]));
    for (const id of LOOK_SETTING_IDS) expect(byId.has(id), id).toBe(true);
    const defaults = lookFromSettings(Object.fromEntries(byId)).look;
    expect(defaults).toEqual({ ...EMBED_DEFAULTS, font: "" });
  });
});

describe("reading the live theme", () => {
  it("shows the live embed's settings and says so", async () => {
    const admin = fakeAdmin({ IntentfulEmbedStatus: () => themes(settingsDataText()) });
    const look = await readPreviewLook(admin);
    expect(look).toMatchObject({ source: "live", themeName: "Dawn", look: { bg: "#1f2a44", position: "slide_in", radius: 16 } });
    expect(look.notes[0]).toBe("Colours and position from your live theme's app embed settings (Dawn).");
  });

  it("shows the defaults with a note when the embed is off, missing, the theme has no settings file or no theme is published", async () => {
    for (const [reply, why] of [
      [themes(settingsDataText({ embed: "off" })), "isn't switched on in your live theme (Dawn)"],
      [themes(settingsDataText({ embed: "absent" })), "isn't switched on"],
      [themes(null), "isn't switched on"],
      [{ data: { themes: { nodes: [] } } }, "no published theme"],
    ] as const) {
      const look = await readPreviewLook(fakeAdmin({ IntentfulEmbedStatus: () => reply }));
      expect(look.source).toBe("defaults");
      expect(look.look).toEqual(EMBED_DEFAULTS);
      expect(look.notes[0]).toMatch(/^Theme editor defaults: /);
      expect(look.notes[0]).toContain(why);
    }
  });

  it("resolves a shop image through the Files API, and says when it cannot", async () => {
    const settings = { ...DEMO_EMBED_SETTINGS, image: "shopify://shop_images/hero.jpg" };
    const found = fakeAdmin({
      IntentfulEmbedStatus: () => themes(settingsDataText({ settings })),
      IntentfulShopImage: (v) => ({
        data: { files: { nodes: v?.query === 'filename:"hero.jpg"' ? [{ image: { url: "https://cdn.shopify.com/s/files/1/hero.jpg?width=800" } }] : [] } },
      }),
    });
    expect((await readPreviewLook(found)).look.image).toBe("https://cdn.shopify.com/s/files/1/hero.jpg?width=800");
    const missing = fakeAdmin({
      IntentfulEmbedStatus: () => themes(settingsDataText({ settings })),
      IntentfulShopImage: () => ({ data: { files: { nodes: [] } } }),
    });
    const look = await readPreviewLook(missing);
    expect(look).toMatchObject({ source: "live", look: { image: "" } });
    expect(look.notes.join(" ")).toContain("Your image isn't shown here");
  });

  it("caches per shop for a minute and never throws: an API error gives the defaults", async () => {
    const admin = fakeAdmin({ IntentfulEmbedStatus: () => themes(settingsDataText()) });
    const t0 = 1_000_000;
    await getPreviewLook(admin, "a.myshopify.com", t0);
    await getPreviewLook(admin, "a.myshopify.com", t0 + 59_000);
    expect(admin.calls).toEqual(["IntentfulEmbedStatus"]);
    await getPreviewLook(admin, "b.myshopify.com", t0 + 59_000);
    await getPreviewLook(admin, "a.myshopify.com", t0 + 61_000);
    expect(admin.calls).toHaveLength(3);

    const broken = fakeAdmin({ IntentfulEmbedStatus: () => new Error("socket hang up") });
    const look = await getPreviewLook(broken, "c.myshopify.com", t0);
    expect(look).toMatchObject({ source: "defaults", look: EMBED_DEFAULTS });
    expect(look.notes[0]).toContain("could not be read");

    // settings_data.json that is not JSON at all
    const garbled = fakeAdmin({ IntentfulEmbedStatus: () => themes("/* x */ {not json") });
    expect(await getPreviewLook(garbled, "d.myshopify.com", t0)).toMatchObject({ source: "defaults", look: EMBED_DEFAULTS });
  });
});
