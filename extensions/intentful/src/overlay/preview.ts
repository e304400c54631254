/**
 * For the admin's live preview: an OverlaySpec from a trigger's content (as edited in the form)
 * with the embed's default look and English strings. Pass the result to mountOverlay with
 * `{ preview: true }`. Not part of the storefront bundles.
 */
import type { Content } from "~/domain/triggers/schema";
import type { CompiledContent, Layout } from "~/domain/triggers/types";
import en from "../../locales/en.default.json";
import type { OverlaySpec, OverlayTheme, ProductCard, Strings } from "../types";

/** The block schema's defaults. */
export const DEFAULT_THEME: OverlayTheme = {
  bg: "#ffffff",
  fg: "#1a1a1a",
  btn: "#1a1a1a",
  btnFg: "#ffffff",
  radius: 8,
  font: "",
  image: "",
  reducedMotion: false,
};

export const EN_STRINGS: Strings = en.intentful;

export function previewSpec(options: {
  content: Content | CompiledContent;
  /** used when the content's layout is "default" */
  position?: Layout;
  theme?: Partial<OverlayTheme>;
  strings?: Strings;
  locale?: string;
  currency?: string;
  products?: ProductCard[];
}): OverlaySpec {
  const c = options.content as CompiledContent;
  const layout = c.layout && c.layout !== "default" ? (c.layout as Layout) : options.position || "modal";
  return {
    triggerId: "preview",
    layout,
    content: c,
    theme: { ...DEFAULT_THEME, ...options.theme },
    strings: options.strings || EN_STRINGS,
    locale: options.locale || "en",
    currency: options.currency || "USD",
    root: "/",
    data: options.products ? { products: options.products } : undefined,
  };
}
