import { existsSync } from "node:fs";
/**
 * Offline stand-in for Shopify's Liquid renderer, for the demo storefront: renders the shipped
 * app embed block (extensions/intentful/blocks/*.liquid) with liquidjs and shims for the
 * Shopify filters and objects the block uses. The {% schema %} block supplies setting defaults.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

// Walk up from this module to the folder holding extensions/ (source: app/demo; bundled: build/server/…).
function findExtensionDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, "extensions/intentful");
    if (existsSync(path.join(candidate, "blocks"))) return candidate;
    dir = path.dirname(dir);
  }
  return path.resolve("extensions/intentful");
}
const EXTENSION_DIR = process.env.INTENTFUL_EXTENSION_DIR ?? findExtensionDir();

export interface AppEmbedInput {
  /** block settings; missing ones take the schema default */
  settings?: Record<string, unknown>;
  /** the compiled config (object or its JSON string); null = nothing published yet */
  config: unknown;
  request: { page_type: string; locale: string };
  product?: { id: number | string; handle: string } | null;
  customer?: { id: number | string; orders_count: number; total_spent?: number } | null;
  /** the cart as Liquid sees it on this page; defaults to empty */
  cart?: { item_count: number; total_price: number } | null;
  shop: { permanent_domain: string; currency: string };
  /** ISO 3166-1 alpha-2 */
  country: string;
  /** where extensions/intentful/assets/* is served, without trailing slash */
  assetBaseUrl: string;
}

interface SchemaSetting {
  id?: string;
  type: string;
  default?: unknown;
}

interface Block {
  source: string;
  defaults: Record<string, unknown>;
}

const IGNORED_TAGS = /{%-?\s*(schema|javascript|stylesheet)\s*-?%}[\s\S]*?{%-?\s*end\1\s*-?%}/g;

/** Like Shopify's json filter: JSON that is safe inside a <script> element. */
export function jsonForHtml(value: unknown): string {
  return (JSON.stringify(value ?? null) ?? "null")
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** A font_picker handle ("assistant_n4") as the font object Liquid exposes. */
function fontObject(handle: unknown) {
  const name = String(handle || "sans-serif_n4").replace(/_[a-z]\d$/, "");
  const family = name.replace(/(^|[-_])([a-z])/g, (_, sep: string, c: string) => (sep ? " " : "") + c.toUpperCase());
  return { family, fallback_families: "sans-serif", style: "normal", weight: "400" };
}

let blocks: Promise<Block[]> | undefined;
const locales = new Map<string, Promise<Record<string, unknown> | null>>();

function loadBlocks(): Promise<Block[]> {
  return (blocks ||= (async () => {
    const dir = path.join(EXTENSION_DIR, "blocks");
    const names = (await readdir(dir)).filter((n) => n.endsWith(".liquid")).sort();
    return Promise.all(
      names.map(async (name) => {
        const source = await readFile(path.join(dir, name), "utf8");
        const schema = /{%-?\s*schema\s*-?%}([\s\S]*?){%-?\s*endschema\s*-?%}/.exec(source);
        const settings: SchemaSetting[] = schema ? (JSON.parse(schema[1]).settings ?? []) : [];
        const defaults: Record<string, unknown> = {};
        for (const s of settings) if (s.id) defaults[s.id] = s.default ?? null;
        return { source: source.replace(IGNORED_TAGS, ""), defaults };
      }),
    );
  })());
}

function loadLocale(name: string) {
  let p = locales.get(name);
  if (!p) {
    p = readFile(path.join(EXTENSION_DIR, "locales", `${name}.json`), "utf8").then(
      (t) => JSON.parse(t) as Record<string, unknown>,
      () => null,
    );
    locales.set(name, p);
  }
  return p;
}

function lookup(tree: Record<string, unknown> | null, key: string): string | undefined {
  let node: unknown = tree;
  for (const part of key.split(".")) node = node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined;
  return typeof node === "string" ? node : undefined;
}

export async function renderAppEmbed(input: AppEmbedInput): Promise<string> {
  const [all, fallback, localized] = await Promise.all([loadBlocks(), loadLocale("en.default"), loadLocale(input.request.locale.split("-")[0])]);
  // Loaded here, not at import: liquidjs is a development dependency (the demo only), and the
  // production server build references this module without ever rendering with it.
  const { Liquid } = await import("liquidjs");
  const engine = new Liquid({ strictFilters: true, strictVariables: false, jsTruthy: false });
  engine.registerFilter("json", (v: unknown) => jsonForHtml(v));
  engine.registerFilter("asset_url", (name: unknown) => `${input.assetBaseUrl}/${String(name)}`);
  engine.registerFilter("t", (key: unknown) => {
    const k = String(key);
    return lookup(localized, k) ?? lookup(fallback, k) ?? `translation missing: en.${k}`;
  });
  engine.registerFilter("image_url", (v: unknown) => (typeof v === "string" ? v : ""));
  engine.registerFilter("font_face", () => "");

  const config = typeof input.config === "string" ? JSON.parse(input.config) : (input.config ?? null);
  const out: string[] = [];
  for (const block of all) {
    const settings = { ...block.defaults, ...input.settings };
    for (const [id, v] of Object.entries(settings)) if (id === "font") settings[id] = fontObject(v);
    const scope = {
      block: { id: "intentful-embed", settings },
      app: { metafields: { intentful: { config: { value: config } } } },
      request: { page_type: input.request.page_type, locale: { iso_code: input.request.locale } },
      product: input.product ?? null,
      customer: input.customer ?? null,
      cart: {
        item_count: input.cart?.item_count ?? 0,
        total_price: input.cart?.total_price ?? 0,
        currency: { iso_code: input.shop.currency },
      },
      shop: input.shop,
      localization: {
        country: { iso_code: input.country },
        language: { iso_code: input.request.locale },
      },
    };
    out.push(await engine.parseAndRender(block.source, scope));
  }
  return out.join("\n");
}
