import { readFileSync } from "node:fs";
import path from "node:path";

/** The API version the app subscribes with (shopify.app.toml) and whose samples test/fixtures holds. */
export const FIXTURE_VERSION = "2026-10";

/**
 * A published sample payload as raw text (never re-serialised, so 64-bit ids keep their digits),
 * with textual edits a test needs: each `[from, to]` must match, so a changed sample fails loudly.
 * The samples' placeholder shop `{shop}.myshopify.com` is always replaced by `shop`.
 */
export function sampleBody(topic: string, shop: string, edits: Array<[from: string, to: string]> = []): string {
  const file = path.resolve(import.meta.dirname, `../fixtures/shopify/${FIXTURE_VERSION}/${topic.replace("/", "-")}.json`);
  let text = readFileSync(file, "utf8").replaceAll("{shop}.myshopify.com", shop);
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`sample ${topic} no longer contains ${from}`);
    text = text.replaceAll(from, to);
  }
  return text;
}
