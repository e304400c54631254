import { describe, expect, it } from "vitest";
import type { CompiledTrigger } from "~/domain/triggers/types";
import { DEFAULT_THEME, previewSpec } from "../../../extensions/intentful/src/overlay/preview";
import { otherThanThis, specFromEmbed } from "../../../extensions/intentful/src/overlay/spec";
import { triggerTemplates } from "~/domain/triggers/templates";
import type { EmbedContext } from "../../../extensions/intentful/src/types";
import en from "../../../extensions/intentful/locales/en.default.json";

const trigger: CompiledTrigger = {
  id: "t1",
  ty: "exit_intent",
  pr: 1,
  ho: 0,
  sa: "s",
  c: {},
  s: {},
  f: {},
  o: { kind: "message", headline: "Trigger headline", body: "Trigger body" },
};
const ctx = (settings: Partial<EmbedContext["settings"]> = {}): EmbedContext => ({
  page: "product",
  product: { id: 42, handle: "hat" },
  customer: null,
  cart: { n: 0, c: 0 },
  currency: "EUR",
  country: "DE",
  locale: "de",
  overlay: "/assets/intentful-overlay.js",
  rules: "/assets/intentful-rules.js",
  settings: {
    position: "slide_in",
    bg: "#fff",
    fg: "#000",
    btn: "#000",
    btnFg: "#fff",
    radius: 8,
    font: "",
    image: "",
    mobile: true,
    headline: "",
    body: "",
    button: "",
    reduced: false,
    ...settings,
  },
  strings: en.intentful,
});

describe("specFromEmbed", () => {
  it("uses the trigger's copy and the theme editor's look", () => {
    const spec = specFromEmbed(trigger, ctx(), ["scarf"], { routes: { root: "/de" }, currency: { active: "CHF" } }, "Georgia");
    expect(spec).toMatchObject({
      layout: "slide_in",
      content: { headline: "Trigger headline", body: "Trigger body" },
      theme: { font: "Georgia", radius: 8 },
      root: "/de/",
      currency: "CHF",
      locale: "de",
      productId: 42,
      recent: ["scarf"],
    });
  });

  it("keeps the trigger's own copy over the theme editor's text, and lets a trigger pick its layout", () => {
    const spec = specFromEmbed(
      { ...trigger, o: { ...trigger.o, layout: "bar", button: "Trigger button" } },
      ctx({ headline: "Theme headline", body: "Theme body", button: "Theme button", font: "Inter, sans-serif" }),
      [],
      {},
      "Georgia",
    );
    expect(spec).toMatchObject({
      layout: "bar",
      content: { headline: "Trigger headline", body: "Trigger body", button: "Trigger button" },
      theme: { font: "Inter, sans-serif" },
      root: "/",
    });
  });

  it("uses the theme editor's text as defaults where the trigger has none", () => {
    const spec = specFromEmbed(
      { ...trigger, o: { kind: "message", headline: "Trigger headline" } },
      ctx({ headline: "Theme headline", body: "Theme body", button: "Theme button" }),
      [],
      {},
      "Georgia",
    );
    expect(spec.content).toMatchObject({ headline: "Trigger headline", body: "Theme body", button: "Theme button" });
    // empty settings leave the trigger's (missing) copy alone
    expect(specFromEmbed({ ...trigger, o: { kind: "message", headline: "H" } }, ctx(), [], {}, "Georgia").content.body).toBeFalsy();
  });
});

describe("previewSpec (admin live preview)", () => {
  it("builds a spec from a template's content with the embed's default look", () => {
    const spec = previewSpec({ content: triggerTemplates.returning_welcome.content });
    expect(spec).toMatchObject({ layout: "slide_in", theme: DEFAULT_THEME, strings: en.intentful, root: "/" });
    expect(spec.content.headline).toBe("Welcome back");
  });

  it("uses the given position when the content keeps the default layout", () => {
    const spec = previewSpec({
      content: triggerTemplates.first_visit_offer.content,
      position: "bar",
      theme: { bg: "#000" },
    });
    expect(spec.layout).toBe("bar");
    expect(spec.theme.bg).toBe("#000");
  });
});

describe("recently viewed in the overlay", () => {
  it("leaves out the product on screen, unless it is the only one viewed", () => {
    expect(otherThanThis(["shirt", "tote", "mug"], "shirt")).toEqual(["tote", "mug"]);
    expect(otherThanThis(["shirt"], "shirt")).toEqual(["shirt"]);
    expect(otherThanThis(["tote", "mug"], undefined)).toEqual(["tote", "mug"]);
    expect(otherThanThis([], "shirt")).toEqual([]);
  });
});
