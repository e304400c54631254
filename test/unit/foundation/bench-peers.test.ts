import { createHmac } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import { describe, expect, it } from "vitest";
import { addPeerRoutes, PEER_WEBHOOK_PATH } from "../../../bench/peers/routes";
import { createTestDb } from "../../support/db";

/**
 * Issue 18: the bench's `peers` section serves Shopify's app template's webhook route from the
 * production build, but only in the bench's server child. The route is not a file under
 * app/routes, and it is added to a build's route table only when INTENTFUL_BENCH_PEERS=1.
 */
const root = path.resolve(import.meta.dirname, "../../..");

/** The smallest build Remix's request handler serves: a root route and a document renderer. */
function minimalBuild(): ServerBuild {
  return {
    mode: "production",
    // handleError: Remix reports the unmatched path through it (console.error by default).
    entry: { module: { default: (_request: Request, status: number) => new Response("document", { status }), handleError: () => undefined } },
    routes: { root: { id: "root", path: "", module: { default: () => null } } },
    assets: { url: "/manifest.js", version: "1", entry: { module: "/entry.js", imports: [] }, routes: {} },
    publicPath: "/build/",
    assetsBuildDirectory: "public/build",
    future: {},
    isSpaMode: false,
  } as unknown as ServerBuild;
}

function wronglySigned(): Request {
  const body = JSON.stringify({ token: "t" });
  return new Request(`http://localhost${PEER_WEBHOOK_PATH}`, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "x-shopify-topic": "checkouts/create",
      "x-shopify-hmac-sha256": createHmac("sha256", "not-the-secret").update(body).digest("base64"),
      "x-shopify-shop-domain": "peers.myshopify.com",
      "x-shopify-api-version": "2026-10",
      "x-shopify-webhook-id": "peers-test",
    },
  });
}

describe("the bench's peer routes (issue 18)", () => {
  it("are not in the app: no route file, and no build that names them", () => {
    expect(readdirSync(path.join(root, "app/routes")).filter((f) => f.includes("bench-peers"))).toEqual([]);
    const dir = path.join(root, "build/server");
    if (!existsSync(dir)) return;
    const js = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? js(path.join(d, e.name)) : e.name.endsWith(".js") ? [path.join(d, e.name)] : [],
      );
    for (const file of js(dir)) expect(readFileSync(file, "utf8"), file).not.toContain("bench-peers");
  });

  it("answer 404 without INTENTFUL_BENCH_PEERS=1", async () => {
    const build = minimalBuild();
    expect(await addPeerRoutes(build, {})).toBe(false);
    expect(await addPeerRoutes(build, { INTENTFUL_BENCH_PEERS: "true" })).toBe(false);
    expect(Object.keys(build.routes)).toEqual(["root"]);
    const response = await createRequestHandler(build, "production")(wronglySigned());
    expect(response.status).toBe(404);
  });

  it("with the flag, the template's route is there and checks the HMAC (401), so the 404 above is the route's absence", async () => {
    // The template's module opens its session storage on DATABASE_URL when it is loaded.
    const t = await createTestDb();
    const before = process.env.DATABASE_URL;
    process.env.DATABASE_URL = t.url;
    try {
      const build = minimalBuild();
      expect(await addPeerRoutes(build, { INTENTFUL_BENCH_PEERS: "1" })).toBe(true);
      const response = await createRequestHandler(build, "production")(wronglySigned());
      expect(response.status).toBe(401);
    } finally {
      process.env.DATABASE_URL = before;
      await t.cleanup();
    }
  });
});
