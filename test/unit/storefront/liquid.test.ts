import { describe, expect, it } from "vitest";
import { jsonForHtml, renderAppEmbed, type AppEmbedInput } from "~/demo/liquid.server";

const base: AppEmbedInput = {
  config: { v: 1, g: { ps: 2 }, t: [] },
  request: { page_type: "product", locale: "en" },
  product: { id: 7, handle: "wool-hat" },
  customer: null,
  shop: { permanent_domain: "demo.myshopify.com", currency: "USD" },
  country: "US",
  assetBaseUrl: "/demo/assets",
};

function parse(html: string, id: string) {
  const m = new RegExp(`<script type="application/json" id="${id}">([\\s\\S]*?)</script>`).exec(html);
  if (!m) throw new Error(`no #${id} in ${html}`);
  return JSON.parse(m[1]);
}

describe("renderAppEmbed (the shipped block through liquidjs)", () => {
  it("prints the config, the page context and the deferred tracker", async () => {
    const html = await renderAppEmbed({
      ...base,
      cart: { item_count: 2, total_price: 5400 },
      customer: { id: 1, orders_count: 3, total_spent: 25000 },
    });
    expect(parse(html, "intentful-config")).toEqual(base.config);
    expect(parse(html, "intentful-ctx")).toMatchObject({
      page: "product",
      product: { id: 7, handle: "wool-hat" },
      // Liquid's total_spent is in the currency's subunit: 250.00 over 3 orders, floored to the cent
      customer: { orders: 3, aov: 8333 },
      cart: { n: 2, c: 5400 },
      currency: "USD",
      country: "US",
      locale: "en",
      overlay: "/demo/assets/intentful-overlay.js",
      rules: "/demo/assets/intentful-rules.js",
      strings: { close: "Close", sign_up: "Sign up" },
    });
    expect(html).toContain('<script src="/demo/assets/intentful.js" defer></script>');
    expect(html).not.toContain("schema");
  });

  it("folds Shopify's page types into the rules' vocabulary", async () => {
    const pageOf = async (page_type: string) => parse(await renderAppEmbed({ ...base, request: { page_type, locale: "en" } }), "intentful-ctx").page;
    expect(await pageOf("product")).toBe("product");
    expect(await pageOf("list-collections")).toBe("list-collections");
    expect(await pageOf("404")).toBe("404");
    expect(await pageOf("customers/account")).toBe("customers");
    expect(await pageOf("gift_card")).toBe("other");
    expect(await pageOf("")).toBe("other");
  });

  it("takes setting defaults from the block's schema", async () => {
    const ctx = parse(await renderAppEmbed(base), "intentful-ctx");
    expect(ctx.settings).toEqual({
      position: "modal",
      bg: "#ffffff",
      fg: "#1a1a1a",
      btn: "#1a1a1a",
      btnFg: "#ffffff",
      radius: 8,
      font: "",
      image: "",
      mobile: true,
      headline: "",
      body: "",
      button: "",
      reduced: false,
    });
  });

  it("applies settings, a custom font and an image", async () => {
    const ctx = parse(
      await renderAppEmbed({
        ...base,
        settings: {
          position: "bar",
          inherit_font: false,
          font: "work_sans_n4",
          image: "https://cdn.example/i.png",
          show_on_mobile: false,
        },
      }),
      "intentful-ctx",
    );
    expect(ctx.settings).toMatchObject({
      position: "bar",
      font: "Work Sans, sans-serif",
      image: "https://cdn.example/i.png",
      mobile: false,
    });
  });

  it("translates overlay strings, falling back to English", async () => {
    const ja = parse(await renderAppEmbed({ ...base, request: { page_type: "index", locale: "ja" } }), "intentful-ctx");
    expect(ja.strings.close).toBe("閉じる");
    expect(ja.product).toBeNull();
    const nl = parse(await renderAppEmbed({ ...base, request: { page_type: "index", locale: "nl" } }), "intentful-ctx");
    expect(nl.strings.close).toBe("Close");
  });

  it("keeps hostile copy inside the JSON script", async () => {
    const evil = "</script><script>alert(1)</script><!--";
    const html = await renderAppEmbed({
      ...base,
      config: JSON.stringify({ v: 1, g: { ps: 1 }, t: [{ o: { headline: evil } }] }),
      settings: { headline: evil },
    });
    expect(html.match(/<script/g)).toHaveLength(3);
    expect(parse(html, "intentful-config").t[0].o.headline).toBe(evil);
    expect(parse(html, "intentful-ctx").settings.headline).toBe(evil);
  });

  it("prints nothing when the merchant turns overlays off, and null before anything is published", async () => {
    expect((await renderAppEmbed({ ...base, settings: { enabled: false } })).trim()).toBe("");
    expect(parse(await renderAppEmbed({ ...base, config: null }), "intentful-config")).toBeNull();
  });

  it("escapes like Shopify's json filter", () => {
    expect(jsonForHtml({ a: "<&>\u2028" })).toBe('{"a":"\\u003c\\u0026\\u003e\\u2028"}');
    expect(jsonForHtml(undefined)).toBe("null");
  });
});

describe("a logged-in customer without orders", () => {
  it("has an average order value of 0, never a division by zero", async () => {
    const html = await renderAppEmbed({ ...base, customer: { id: 2, orders_count: 0, total_spent: 0 } });
    expect(JSON.parse(/<script type="application\/json" id="intentful-ctx">([\s\S]*?)<\/script>/.exec(html)![1]).customer).toEqual({ orders: 0, aov: 0 });
  });
});
