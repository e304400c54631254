import { describe, expect, it } from "vitest";
import { brandOverridesSchema, contrastRatio, readableTextOn, readShopifyBrand, resolveBrandKit, DEFAULT_BRAND } from "~/domain/recovery/brand";
import { fetchShopifyBrand } from "~/services/email/brand.server";

describe("the brand kit", () => {
  it("measures contrast as WCAG 2 does and picks the text colour that reaches 4.5:1", () => {
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrastRatio("#767676", "#ffffff")).toBeCloseTo(4.54, 2);
    expect(readableTextOn("#111111")).toBe("#ffffff");
    expect(readableTextOn("#f4c430")).toBe("#000000");
    expect(readableTextOn("#777777")).toBe("#000000"); // white is 4.48:1 there, black 4.69:1
    for (const bg of ["#0b5d3b", "#1a73e8", "#ff0000", "#ffffff", "#808080", "#f3e3c3"]) {
      // Every colour has black or white at 4.5:1 or more (the worst case, mid grey, is 4.58:1 with black).
      expect(contrastRatio(readableTextOn(bg), bg)).toBeGreaterThanOrEqual(4.5);
    }
  });

  it("takes the override, else Shopify's value, else the default, skipping values that are not a colour or an https logo", () => {
    const shopify = readShopifyBrand(JSON.stringify({ logoUrl: "https://cdn.shopify.com/logo.png", primaryColor: "#123456", accentColor: "red" }));
    expect(resolveBrandKit({ primaryColor: "#0B5D3B", logoUrl: "" }, shopify)).toEqual({
      logoUrl: "https://cdn.shopify.com/logo.png",
      primaryColor: "#0b5d3b",
      accentColor: DEFAULT_BRAND.accentColor,
    });
    expect(resolveBrandKit({ logoUrl: "javascript:alert(1)" }, { logoUrl: "http://evil.example/x.png" }).logoUrl).toBeNull();
    expect(resolveBrandKit({ logoUrl: "http://localhost:3000/demo/logo.svg" }).logoUrl).toBe("http://localhost:3000/demo/logo.svg");
  });

  it("validates the Settings overrides: #rrggbb colours and an https logo, empty meaning Shopify's", () => {
    expect(brandOverridesSchema.parse({ brandLogoUrl: " ", brandColor: "#ABCDEF", brandAccentColor: "" })).toEqual({
      brandLogoUrl: "",
      brandColor: "#abcdef",
      brandAccentColor: "",
    });
    const bad = brandOverridesSchema.safeParse({ brandLogoUrl: "http://shop.example/logo.png", brandColor: "#abc", brandAccentColor: "green" });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path[0])).toEqual(["brandLogoUrl", "brandColor", "brandAccentColor"]);
  });

  it("reads Shopify's brand from the Storefront API's shop.brand", async () => {
    let sent = "";
    const storefront = {
      graphql: async (query: string) => {
        sent = query;
        return new Response(
          JSON.stringify({
            data: {
              shop: {
                brand: {
                  logo: { image: { url: "https://cdn.shopify.com/s/files/1/logo.png" } },
                  colors: { primary: [{ background: "#1F4D3A", foreground: "#FFFFFF" }], secondary: [{ background: "#F3E3C3", foreground: "#000000" }] },
                },
              },
            },
          }),
        );
      },
    };
    expect(await fetchShopifyBrand(storefront)).toEqual({
      logoUrl: "https://cdn.shopify.com/s/files/1/logo.png",
      primaryColor: "#1f4d3a",
      accentColor: "#f3e3c3",
    });
    expect(sent).toMatch(/query IntentfulShopBrand[\s\S]*shop\s*\{\s*brand/);
  });
});
