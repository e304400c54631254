import { z } from "zod";

/**
 * The brand kit a recovery email is drawn with: the logo in the header, the primary colour on
 * the button, the accent colour behind the discount code. Each value is the merchant's override
 * from Settings when set, else what Shopify's brand settings say (Storefront API `shop.brand`,
 * cached on the shop row), else a neutral default. Text on a brand colour is black or white,
 * whichever reaches WCAG's 4.5:1 (the better of the two when neither does).
 */
export interface BrandKit {
  logoUrl: string | null;
  primaryColor: string;
  accentColor: string;
}

export type BrandValues = Partial<{ logoUrl: string | null; primaryColor: string | null; accentColor: string | null }>;

export const DEFAULT_BRAND: BrandKit = { logoUrl: null, primaryColor: "#111111", accentColor: "#f1f8f5" };

export const HEX_COLOR = /^#[0-9a-f]{6}$/i;

export function isHexColor(value: unknown): value is string {
  return typeof value === "string" && HEX_COLOR.test(value);
}

export function isHttpsUrl(value: unknown): value is string {
  if (typeof value !== "string" || value.length > 1000) return false;
  try {
    return new URL(value).protocol === "https:";
  } catch {
    return false;
  }
}

/** A logo address an email may use: https, or http on this machine (the demo serves its logo there). */
export function isLogoUrl(value: unknown): value is string {
  if (isHttpsUrl(value)) return true;
  if (typeof value !== "string" || value.length > 1000) return false;
  try {
    const url = new URL(value);
    return url.protocol === "http:" && (url.hostname === "localhost" || url.hostname === "127.0.0.1");
  } catch {
    return false;
  }
}

/** Settings form fields (strings as FormData gives them): "" means "use Shopify's". */
export const brandOverridesSchema = z.object({
  brandLogoUrl: z
    .string()
    .trim()
    .default("")
    .refine((v) => v === "" || (v.length <= 500 && isHttpsUrl(v)), "Logo: enter an https:// image address (at most 500 characters)"),
  brandColor: z
    .string()
    .trim()
    .default("")
    .transform((v) => v.toLowerCase())
    .refine((v) => v === "" || HEX_COLOR.test(v), "Brand colour: enter a colour such as #1a73e8"),
  brandAccentColor: z
    .string()
    .trim()
    .default("")
    .transform((v) => v.toLowerCase())
    .refine((v) => v === "" || HEX_COLOR.test(v), "Accent colour: enter a colour such as #f4c430"),
});
export type BrandOverrides = z.output<typeof brandOverridesSchema>;

/** Shopify's brand as cached on the shop row (JSON): read defensively, anything odd is dropped. */
export function readShopifyBrand(value: unknown): BrandValues {
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      value = null;
    }
  }
  const v = (value && typeof value === "object" ? value : {}) as Record<string, unknown>;
  return {
    logoUrl: isLogoUrl(v.logoUrl) ? v.logoUrl : null,
    primaryColor: isHexColor(v.primaryColor) ? v.primaryColor.toLowerCase() : null,
    accentColor: isHexColor(v.accentColor) ? v.accentColor.toLowerCase() : null,
  };
}

/** Override, else Shopify's, else the default; each value checked again (a bad one is skipped). */
export function resolveBrandKit(...sources: Array<BrandValues | null | undefined>): BrandKit {
  const pick = <K extends keyof BrandKit>(key: K, ok: (v: unknown) => boolean): BrandKit[K] => {
    for (const s of sources) {
      const v = s?.[key];
      if (v && ok(v)) return (typeof v === "string" && key !== "logoUrl" ? v.toLowerCase() : v) as BrandKit[K];
    }
    return DEFAULT_BRAND[key];
  };
  return { logoUrl: pick("logoUrl", isLogoUrl), primaryColor: pick("primaryColor", isHexColor), accentColor: pick("accentColor", isHexColor) };
}

/** The kit of a shop row: its overrides, then Shopify's brand as cached (JSON, or its text on SQLite's raw path). */
export function brandKitOf(row: { brandLogoUrl: string; brandColor: string; brandAccentColor: string; shopifyBrand: unknown }): BrandKit {
  return resolveBrandKit({ logoUrl: row.brandLogoUrl, primaryColor: row.brandColor, accentColor: row.brandAccentColor }, readShopifyBrand(row.shopifyBrand));
}

/** WCAG 2 relative luminance of a #rrggbb colour. */
export function relativeLuminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Black or white text on `background`: white when it reaches 4.5:1, else whichever contrasts more. */
export function readableTextOn(background: string): "#ffffff" | "#000000" {
  const white = contrastRatio("#ffffff", background);
  if (white >= 4.5) return "#ffffff";
  return contrastRatio("#000000", background) >= white ? "#000000" : "#ffffff";
}
