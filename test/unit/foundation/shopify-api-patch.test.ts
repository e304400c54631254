import "@shopify/shopify-api/adapters/web-api";
import { createHmac } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ApiVersion, shopifyApi } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";

/**
 * patches/@shopify+shopify-api+15.0.0.patch (applied by `npm install`, decision 100) memoises
 * two things the library redid on every webhook: canonical header names and the imported HMAC
 * key. The memos must not change an answer: a key is per secret (two apps in one process, a
 * rotated secret), header names of any case still match.
 */
const libraryFile = (file: string) => path.resolve("node_modules/@shopify/shopify-api", file);

function library(secret: string) {
  return shopifyApi({
    apiKey: "patch-test",
    apiSecretKey: secret,
    apiVersion: ApiVersion.October26,
    scopes: ["read_orders"],
    hostName: "patch-test.example.com",
    isEmbeddedApp: true,
    logger: { log: () => undefined },
  });
}

function delivery(secret: string, body: string, caseOf: (name: string) => string = (n) => n) {
  const headers = new Headers();
  const set = (name: string, value: string) => headers.set(caseOf(name), value);
  set("X-Shopify-Hmac-Sha256", createHmac("sha256", secret).update(body).digest("base64"));
  set("X-Shopify-Topic", "checkouts/create");
  set("X-Shopify-Shop-Domain", "patch.myshopify.com");
  set("X-Shopify-API-Version", "2026-10");
  set("X-Shopify-Webhook-Id", "w-1");
  return { rawBody: body, rawRequest: new Request("https://patch-test.example.com/webhooks", { method: "POST", headers }) };
}

describe("the Shopify API library patch", () => {
  it("fits the installed library: package.json pins exactly the version the patch was made for", () => {
    const [file] = readdirSync(path.resolve("patches")).filter((f) => f.startsWith("@shopify+shopify-api+"));
    const version = /\+(\d+\.\d+\.\d+)\.patch$/.exec(file)?.[1];
    expect(version, "patches/@shopify+shopify-api+<version>.patch").toBeTruthy();
    const pkg = JSON.parse(readFileSync(path.resolve("package.json"), "utf8")) as { dependencies: Record<string, string> };
    // a range (^15.0.0) lets npm install a release the patch no longer applies to
    expect(pkg.dependencies["@shopify/shopify-api"]).toBe(version);
    expect(JSON.parse(readFileSync(libraryFile("package.json"), "utf8")).version).toBe(version);
  });

  it("is applied to both of the library's builds", () => {
    for (const file of ["dist/esm/runtime/crypto/utils.mjs", "dist/cjs/runtime/crypto/utils.js"]) {
      expect(readFileSync(libraryFile(file), "utf8")).toContain("hmacKeys");
    }
    for (const file of ["dist/esm/runtime/http/headers.mjs", "dist/cjs/runtime/http/headers.js"]) {
      expect(readFileSync(libraryFile(file), "utf8")).toContain("canonicalNames");
    }
  });

  it("keeps one HMAC key per secret: each app accepts its own signature and refuses the other's, again and again", async () => {
    const a = library("secret-a-with-enough-bytes");
    const b = library("secret-b-with-enough-bytes");
    const body = JSON.stringify({ id: 1 });
    for (let round = 0; round < 3; round++) {
      expect((await a.webhooks.validate(delivery("secret-a-with-enough-bytes", body))).valid).toBe(true);
      expect((await b.webhooks.validate(delivery("secret-b-with-enough-bytes", body))).valid).toBe(true);
      expect(await a.webhooks.validate(delivery("secret-b-with-enough-bytes", body))).toMatchObject({ valid: false, reason: "invalid_hmac" });
      expect(await b.webhooks.validate(delivery("secret-a-with-enough-bytes", body))).toMatchObject({ valid: false, reason: "invalid_hmac" });
    }
  });

  it("still finds Shopify's headers whatever their case", async () => {
    const a = library("secret-a-with-enough-bytes");
    const body = JSON.stringify({ id: 2 });
    for (const caseOf of [(n: string) => n.toLowerCase(), (n: string) => n.toUpperCase(), (n: string) => n]) {
      const check = await a.webhooks.validate(delivery("secret-a-with-enough-bytes", body, caseOf));
      expect(check).toMatchObject({ valid: true, topic: "CHECKOUTS_CREATE", domain: "patch.myshopify.com", webhookId: "w-1" });
    }
  });
});
