import type { LoaderFunctionArgs } from "@remix-run/node";
import { isDemo } from "~/env.server";
import { mintSessionToken } from "~/demo/session-token.server";

/**
 * Demo only: a fresh session token for the demo shop, what App Bridge's `shopify.idToken()`
 * returns inside the Shopify admin. The App Bridge stand-in (public/demo/app-bridge.js) calls it.
 * Outside demo mode the route does not exist (404).
 */
export const loader = async (_args: LoaderFunctionArgs) => {
  if (!isDemo()) throw new Response("Not Found", { status: 404 });
  return Response.json({ token: mintSessionToken() }, { headers: { "Cache-Control": "no-store" } });
};
