import type { OverlayTheme } from "../../extensions/intentful/src/types";
import { adminQuery, type AdminGraphql } from "./admin-graphql.server";
import { embedBlockIn, readLiveSettingsData } from "./embed-status.server";

/**
 * The app embed's look as the storefront draws it, for the admin's preview (issue 20): the
 * settings the merchant saved for our embed in the live theme's config/settings_data.json
 * (read with the embed status's query), else the block schema's defaults. Settings ids and
 * defaults are those of extensions/intentful/blocks/intentful-embed.liquid (a test checks).
 */
export type EmbedPosition = "modal" | "slide_in" | "bar";

/** The overlay's theme as the live embed sets it (a `font` of "" is the admin's own font here), and its position. */
export type EmbedLook = OverlayTheme & { position: EmbedPosition };

export interface PreviewLook {
  /** "live": the embed's saved settings on the live theme; "defaults": the block schema's defaults. */
  source: "live" | "defaults";
  themeName: string | null;
  look: EmbedLook;
  /** One sentence on where the look came from, and a sentence per setting the preview cannot show as the storefront does. */
  notes: string[];
}

/** The block schema's defaults (font: inherit the theme's body font). */
export const EMBED_DEFAULTS: EmbedLook = {
  position: "modal",
  bg: "#ffffff",
  fg: "#1a1a1a",
  btn: "#1a1a1a",
  btnFg: "#ffffff",
  radius: 8,
  font: "",
  image: "",
  reducedMotion: false,
};

/** The schema ids of the settings the preview reads. */
export const LOOK_SETTING_IDS = [
  "position",
  "background",
  "text",
  "button",
  "button_text",
  "corner_radius",
  "inherit_font",
  "font",
  "image",
  "reduced_animation",
] as const;

const COLOR = /^(#[0-9a-f]{3,8}|rgba?\([\d\s.,%/]+\))$/i;
const POSITIONS: readonly string[] = ["modal", "slide_in", "bar"];

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

const color = (v: unknown, fallback: string) => (typeof v === "string" && COLOR.test(v.trim()) ? v.trim() : fallback);

/**
 * A font_picker value ("assistant_n4", "old_standard_tt_i7", "sans-serif_n4") as a CSS
 * font-family list: the family from the handle, then a generic family. The admin does not
 * load Shopify's font files, so the family shows only where the computer has it.
 */
export function fontFamilyFromHandle(handle: unknown): string {
  if (typeof handle !== "string") return "";
  const m = /^([a-z0-9_-]+?)_[ni]\d$/i.exec(handle.trim());
  if (!m) return "";
  const name = m[1];
  if (["sans-serif", "serif", "monospace"].includes(name)) return name;
  const family = name
    .split("_")
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(" ");
  return family ? `"${family}", sans-serif` : "";
}

/** Our settings' look and what the preview cannot show; `imageFile` is the shop image to resolve, if any. */
export function lookFromSettings(settings: Record<string, unknown>, themeBodyFont?: unknown): { look: EmbedLook; notes: string[]; imageFile: string | null } {
  const d = EMBED_DEFAULTS;
  const notes: string[] = [];
  const radius = Number(settings.corner_radius);
  const inherit = settings.inherit_font !== false;
  const fontHandle = inherit ? themeBodyFont : (settings.font ?? "assistant_n4");
  const font = fontFamilyFromHandle(fontHandle);
  if (font && !["sans-serif", "serif", "monospace"].includes(font)) {
    notes.push(`The font (${font.split(",")[0].replace(/"/g, "")}) shows here only if this computer has it; your storefront loads it from Shopify.`);
  } else if (!font && inherit) {
    notes.push("Your storefront uses your theme's body font; the preview uses the admin's font.");
  }
  const image = typeof settings.image === "string" ? settings.image : "";
  const shopImage = /^shopify:\/\/shop_images\/(.+)$/.exec(image);
  return {
    look: {
      position: typeof settings.position === "string" && POSITIONS.includes(settings.position) ? (settings.position as EmbedPosition) : d.position,
      bg: color(settings.background, d.bg),
      fg: color(settings.text, d.fg),
      btn: color(settings.button, d.btn),
      btnFg: color(settings.button_text, d.btnFg),
      radius: Number.isFinite(radius) && settings.corner_radius !== null && settings.corner_radius !== "" ? Math.max(0, Math.min(40, radius)) : d.radius,
      font,
      image: /^https:\/\//.test(image) ? image : "",
      reducedMotion: settings.reduced_animation === true,
    },
    notes,
    imageFile: shopImage ? safeDecode(shopImage[1]) : null,
  };
}

const SHOP_IMAGE = `#graphql
  query IntentfulShopImage($query: String!) {
    files(first: 1, query: $query) {
      nodes {
        ... on MediaImage { image { url(transform: { maxWidth: 800 }) } }
      }
    }
  }`;

/** A file picked with an image_picker ("shopify://shop_images/<file>") as a CDN URL (files query, read_themes), or "". */
export async function shopImageUrl(admin: AdminGraphql, file: string): Promise<string> {
  const data = await adminQuery<{ files: { nodes: Array<{ image?: { url?: string } | null }> } }>(admin, SHOP_IMAGE, {
    query: `filename:${JSON.stringify(file)}`,
  });
  const url = data.files.nodes[0]?.image?.url ?? "";
  return /^https:\/\//.test(url) ? url : "";
}

const UNREADABLE = "your live theme's settings could not be read just now.";

const DEFAULTS_LOOK = (themeName: string | null, why: string): PreviewLook => ({
  source: "defaults",
  themeName,
  look: EMBED_DEFAULTS,
  notes: [`Theme editor defaults: ${why}`],
});

/** Reads the live theme's embed settings (no cache, no time limit; errors fall back to the defaults). */
export async function readPreviewLook(admin: AdminGraphql): Promise<PreviewLook> {
  let live: Awaited<ReturnType<typeof readLiveSettingsData>>;
  try {
    live = await readLiveSettingsData(admin);
  } catch {
    return DEFAULTS_LOOK(null, UNREADABLE);
  }
  if (!live) return DEFAULTS_LOOK(null, "the store has no published theme.");
  const block = embedBlockIn(live.data);
  if (!block || block.disabled) return DEFAULTS_LOOK(live.themeName, `the app embed isn't switched on in your live theme (${live.themeName}) yet.`);
  const current = (live.data as { current?: Record<string, unknown> })?.current ?? {};
  const { look, notes, imageFile } = lookFromSettings(block.settings, current.type_body_font);
  if (imageFile) {
    try {
      look.image = await shopImageUrl(admin, imageFile);
    } catch {
      look.image = "";
    }
    if (!look.image) notes.push("Your image isn't shown here: it could not be found in your store's files.");
  }
  return {
    source: "live",
    themeName: live.themeName,
    look,
    notes: [`Colours and position from your live theme's app embed settings (${live.themeName}).`, ...notes],
  };
}

const TTL_MS = 60_000;
const FAILED_TTL_MS = 10_000;
const TIME_LIMIT_MS = 3_000;
const cache = new Map<string, { at: number; ttl: number; value: Promise<PreviewLook> }>();

/**
 * The preview's look for a shop, cached for a minute per shop (the theme editor saves do not
 * notify us), shared by concurrent loads. Never throws: an error or a reply slower than 3 s
 * gives the defaults with a note (kept for 10 s).
 */
export function getPreviewLook(admin: AdminGraphql, shop: string, now = Date.now()): Promise<PreviewLook> {
  const hit = cache.get(shop);
  if (hit && now - hit.at < hit.ttl) return hit.value;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<PreviewLook>((resolve) => {
    timer = setTimeout(() => resolve(DEFAULTS_LOOK(null, "your live theme did not answer in time.")), TIME_LIMIT_MS);
  });
  const entry = { at: now, ttl: TTL_MS, value: Promise.race([readPreviewLook(admin).catch(() => DEFAULTS_LOOK(null, UNREADABLE)), slow]) };
  entry.value = entry.value.then((look) => {
    clearTimeout(timer);
    if (look.source === "defaults" && look.themeName === null) entry.ttl = FAILED_TTL_MS;
    return look;
  });
  cache.set(shop, entry);
  if (cache.size > 1000) cache.delete(cache.keys().next().value as string);
  return entry.value;
}

/** For tests: forget every shop's cached look. */
export function clearPreviewLookCache(): void {
  cache.clear();
}
