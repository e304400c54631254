/**
 * Routes that exist only in the bench's server child (bench/server.ts, `boot`), for the `peers`
 * section: added to the production build's route table at start-up when
 * INTENTFUL_BENCH_PEERS=1, before the request handler is made. They are not files under
 * app/routes, so `npm run build` never includes them and a production server answers 404 for
 * their paths (test/unit/foundation/bench-peers.test.ts).
 */
import type { ServerBuild } from "@remix-run/node";

/** Shopify's app template's webhook pattern (bench/peers/template-webhook.ts), for checkouts/create. */
export const PEER_WEBHOOK_PATH = "/bench-peers/template/webhooks/checkouts/create";
const PEER_WEBHOOK_ROUTE = "bench-peers/template-webhook";

/** Adds the peer routes to `build` when INTENTFUL_BENCH_PEERS=1; returns whether it did. */
export async function addPeerRoutes(build: Pick<ServerBuild, "routes">, env: Record<string, string | undefined> = process.env): Promise<boolean> {
  if (env.INTENTFUL_BENCH_PEERS !== "1") return false;
  if (!build.routes.root) throw new Error("bench peers: the build has no root route");
  const module = await import("./template-webhook");
  build.routes[PEER_WEBHOOK_ROUTE] = {
    id: PEER_WEBHOOK_ROUTE,
    parentId: "root",
    path: PEER_WEBHOOK_PATH.slice(1),
    index: undefined,
    caseSensitive: undefined,
    module: module as unknown as ServerBuild["routes"][string]["module"],
  };
  return true;
}
