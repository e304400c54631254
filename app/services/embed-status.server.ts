import { adminQuery, type AdminGraphql } from "./admin-graphql.server";

/**
 * Whether the theme app extension's app embed is switched on in the live theme. App embeds are
 * off until the merchant turns them on in the theme editor; the theme's config/settings_data.json
 * lists each embed as a block whose type ends in `/blocks/<handle>/<extension id>` with a
 * `disabled` flag. Read through the Admin API (read_themes), so it works before any storefront visit.
 */
/** Must equal the block file name in extensions/intentful/blocks/ (a test checks). */
export const EMBED_HANDLE = "intentful-embed";

const EMBED_STATUS = `#graphql
  query IntentfulEmbedStatus {
    themes(first: 1, roles: [MAIN]) {
      nodes {
        id
        name
        files(filenames: ["config/settings_data.json"], first: 1) {
          nodes {
            filename
            body {
              ... on OnlineStoreThemeFileBodyText { content }
              ... on OnlineStoreThemeFileBodyBase64 { contentBase64 }
            }
          }
        }
      }
    }
  }`;

export type EmbedStatus = { state: "on" | "off"; themeName: string } | { state: "unknown"; themeName: string | null; reason: string };

interface ThemesResult {
  themes: {
    nodes: Array<{
      id: string;
      name: string;
      files: { nodes: Array<{ filename: string; body: { content?: string; contentBase64?: string } }> };
    }>;
  };
}

/** settings_data.json as Shopify writes it may open with a comment block; JSON.parse does not allow comments. */
export function parseSettingsData(text: string): unknown {
  return JSON.parse(text.replace(/^\uFEFF?\s*\/\*[\s\S]*?\*\//, ""));
}

/** Our embed's entry in settings_data.json (`current.blocks.<id>`), a switched-on one first; null when the theme has none. */
export interface EmbedBlock {
  disabled: boolean;
  /** The block's saved settings (ids from the block's schema); settings left at their default may be missing. */
  settings: Record<string, unknown>;
}

export function embedBlockIn(settingsData: unknown, handle = EMBED_HANDLE): EmbedBlock | null {
  const blocks = (settingsData as { current?: { blocks?: Record<string, { type?: string; disabled?: boolean; settings?: unknown }> } })?.current?.blocks;
  if (!blocks || typeof blocks !== "object") return null;
  const ours = Object.values(blocks)
    .filter((b) => typeof b?.type === "string" && b.type.includes(`/blocks/${handle}/`))
    .map((b) => ({
      disabled: b.disabled === true,
      settings: b.settings && typeof b.settings === "object" && !Array.isArray(b.settings) ? (b.settings as Record<string, unknown>) : {},
    }));
  return ours.find((b) => !b.disabled) ?? ours[0] ?? null;
}

export function embedEnabledIn(settingsData: unknown, handle = EMBED_HANDLE): boolean {
  return embedBlockIn(settingsData, handle)?.disabled === false;
}

/**
 * The live (MAIN role) theme's name and its parsed config/settings_data.json (null when the
 * theme has no such file); null when the store has no published theme. Throws on API errors.
 */
export async function readLiveSettingsData(admin: AdminGraphql): Promise<{ themeName: string; data: unknown } | null> {
  const result = await adminQuery<ThemesResult>(admin, EMBED_STATUS);
  const theme = result.themes.nodes[0];
  if (!theme) return null;
  const file = theme.files.nodes[0];
  if (!file) return { themeName: theme.name, data: null };
  const text = file.body.content ?? (file.body.contentBase64 ? Buffer.from(file.body.contentBase64, "base64").toString("utf8") : "");
  return { themeName: theme.name, data: parseSettingsData(text) };
}

export async function getEmbedStatus(admin: AdminGraphql): Promise<EmbedStatus> {
  let themeName: string | null = null;
  try {
    const live = await readLiveSettingsData(admin);
    if (!live) return { state: "unknown", themeName, reason: "The store has no published theme." };
    themeName = live.themeName;
    return { state: embedEnabledIn(live.data) ? "on" : "off", themeName };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { state: "unknown", themeName, reason };
  }
}

/** The theme editor, opened on App embeds with ours switched on (the merchant still clicks Save). */
export function embedActivationUrl(shop: string, apiKey: string, handle = EMBED_HANDLE): string {
  return `https://${shop}/admin/themes/current/editor?context=apps&activateAppId=${encodeURIComponent(apiKey)}/${handle}`;
}
