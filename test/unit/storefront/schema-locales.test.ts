import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The theme editor labels of the theme app extension are translated through schema locale
 * files (`locales/*.schema.json`): every merchant-facing string in a block's {% schema %} is a
 * `t:` key, and every key resolves in each shipped language.
 */
const EXTENSION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../extensions/intentful");
const BLOCKS_DIR = path.join(EXTENSION_DIR, "blocks");
const LOCALES_DIR = path.join(EXTENSION_DIR, "locales");
const SCHEMA_LOCALES = ["en.default", "de", "fr", "es", "ja"];
/** attributes the theme editor shows to the merchant */
const TRANSLATABLE = new Set(["name", "label", "info", "placeholder", "content"]);
const MAX_NAME_LENGTH = 25;

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function blockSchemas(): { file: string; schema: Json }[] {
  return readdirSync(BLOCKS_DIR)
    .filter((f) => f.endsWith(".liquid"))
    .map((file) => {
      const source = readFileSync(path.join(BLOCKS_DIR, file), "utf8");
      const m = /{%-?\s*schema\s*-?%}([\s\S]*?){%-?\s*endschema\s*-?%}/.exec(source);
      if (!m) throw new Error(`${file} has no {% schema %}`);
      return { file, schema: JSON.parse(m[1]) as Json };
    });
}

/** every string value under a translatable attribute, with its JSON path */
function translatableStrings(node: Json, at: string[] = []): { path: string; value: string }[] {
  if (Array.isArray(node)) return node.flatMap((child, i) => translatableStrings(child, [...at, String(i)]));
  if (node && typeof node === "object") {
    return Object.entries(node).flatMap(([key, value]) =>
      typeof value === "string" && TRANSLATABLE.has(key) ? [{ path: [...at, key].join("."), value }] : translatableStrings(value, [...at, key]),
    );
  }
  return [];
}

/** every string in the schema that is a `t:` key */
function translationKeys(node: Json): string[] {
  if (typeof node === "string") return node.startsWith("t:") ? [node.slice(2)] : [];
  if (Array.isArray(node)) return node.flatMap(translationKeys);
  if (node && typeof node === "object") return Object.values(node).flatMap(translationKeys);
  return [];
}

/** dotted paths of all leaves; throws on a leaf that is not a string */
function leafPaths(node: Json, at: string[] = []): string[] {
  if (node && typeof node === "object" && !Array.isArray(node)) {
    return Object.entries(node).flatMap(([k, v]) => leafPaths(v, [...at, k]));
  }
  if (typeof node !== "string") throw new Error(`${at.join(".")} is not a string`);
  return [at.join(".")];
}

function lookup(translations: Json, key: string): Json | undefined {
  let node: Json | undefined = translations;
  for (const part of key.split(".")) {
    if (!node || typeof node !== "object" || Array.isArray(node)) return undefined;
    node = node[part];
  }
  return node;
}

const locales = Object.fromEntries(
  SCHEMA_LOCALES.map((name) => [name, JSON.parse(readFileSync(path.join(LOCALES_DIR, `${name}.schema.json`), "utf8")) as Json]),
);
const blocks = blockSchemas();

describe("theme app extension schema locales", () => {
  it("ships exactly the expected schema locale files", () => {
    const files = readdirSync(LOCALES_DIR)
      .filter((f) => f.endsWith(".schema.json"))
      .sort();
    expect(files).toEqual(SCHEMA_LOCALES.map((l) => `${l}.schema.json`).sort());
  });

  it("has at least one block with a schema", () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  it.each(blocks.map((b) => [b.file, b.schema] as const))("%s: every merchant-facing schema string is a t: key", (_file, schema) => {
    const strings = translatableStrings(schema);
    expect(strings.length).toBeGreaterThan(0);
    expect(strings.filter((s) => !s.value.startsWith("t:"))).toEqual([]);
  });

  it.each(SCHEMA_LOCALES)("every t: key used in the block schemas exists in %s.schema.json", (locale) => {
    const keys = blocks.flatMap((b) => translationKeys(b.schema));
    expect(keys.length).toBeGreaterThan(0);
    const missing = keys.filter((key) => {
      const value = lookup(locales[locale], key);
      return typeof value !== "string" || value.trim() === "";
    });
    expect(missing).toEqual([]);
  });

  it("every language has the same key set, and no key goes unused", () => {
    const reference = leafPaths(locales["en.default"]).sort();
    for (const locale of SCHEMA_LOCALES) expect(leafPaths(locales[locale]).sort(), locale).toEqual(reference);
    const used = new Set(blocks.flatMap((b) => translationKeys(b.schema)));
    expect(reference.filter((k) => !used.has(k))).toEqual([]);
  });

  it.each(SCHEMA_LOCALES)(`block names stay within ${MAX_NAME_LENGTH} characters in %s`, (locale) => {
    for (const { schema } of blocks) {
      const name = (schema as { name?: string }).name ?? "";
      const text = name.startsWith("t:") ? lookup(locales[locale], name.slice(2)) : name;
      expect(typeof text).toBe("string");
      expect([...(text as string)].length, `${locale}: ${text}`).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    }
  });
});
