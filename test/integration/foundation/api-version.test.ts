import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { apiVersion } from "~/shopify.server";
import { FIXTURE_VERSION } from "../../support/shopify-fixtures";

/**
 * One API version: the webhooks Shopify sends (shopify.app.toml), the Admin API and webhook
 * library the code uses (app/shopify.server.ts) and the sample payloads the contract tests replay
 * (test/fixtures/shopify/<version>/) name the same one. See docs/decisions/120-shopify-api-version.md.
 */
const root = path.resolve(import.meta.dirname, "../../..");

describe("Shopify API version", () => {
  it("is the same in shopify.app.toml, the code and the contract fixtures", () => {
    const toml = readFileSync(path.join(root, "shopify.app.toml"), "utf8");
    const webhooks = /\[webhooks\][^[]*?api_version\s*=\s*"([^"]+)"/.exec(toml)?.[1];
    expect(webhooks).toBe(String(apiVersion));
    expect(FIXTURE_VERSION).toBe(String(apiVersion));
    expect(existsSync(path.join(root, "test/fixtures/shopify", String(apiVersion)))).toBe(true);
  });

  it("serves every subscribed topic at /webhooks/<topic>, with a fixture for each", async () => {
    const toml = readFileSync(path.join(root, "shopify.app.toml"), "utf8");
    const subscriptions = [...toml.matchAll(/(?:compliance_topics|topics)\s*=\s*\["([^"]+)"\]\s*\n\s*uri\s*=\s*"([^"]+)"/g)].map((m) => ({
      topic: m[1],
      uri: m[2],
    }));
    const { SUBSCRIBED_TOPICS } = await import("~/services/webhooks/topics.server");
    expect(subscriptions.map((s) => s.topic).sort()).toEqual([...SUBSCRIBED_TOPICS].sort());
    for (const { topic, uri } of subscriptions) {
      expect(uri, topic).toBe(`/webhooks/${topic}`);
      expect(existsSync(path.join(root, "app/routes", `webhooks.${topic.replace("/", ".")}.tsx`)), `route for ${topic}`).toBe(true);
      expect(existsSync(path.join(root, "test/fixtures/shopify", String(apiVersion), `${topic.replace("/", "-")}.json`)), `fixture for ${topic}`).toBe(true);
    }
  });
});
