import { getEnv } from "~/env.server";
import type { ActionFunctionArgs } from "@remix-run/node";
import { ingestEventBatch } from "~/services/events.server";
import { refusalResponse, verifiedProxyShop } from "~/services/app-proxy.server";
import { logger } from "~/services/logger.server";
import db, { isTransientDbError } from "~/db.server";

/**
 * App proxy: storefront event batches (`POST /apps/intentful/events` on the shop, forwarded by
 * Shopify to /proxy/events). Verified with the library's app proxy signature check (without the
 * session load of `authenticate.public.appProxy`: see app/shopify.server.ts), then our own freshness
 * window, a 16 KB cap, schema validation and rate limits. 204 on success: sendBeacon ignores
 * the body anyway.
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return new Response(null, { status: 405, headers: { Allow: "POST" } });
  const verified = await verifiedProxyShop(request);
  if (!verified.ok) return refusalResponse(verified);
  const { shop } = verified;
  let result: Awaited<ReturnType<typeof ingestEventBatch>>;
  try {
    result = await ingestEventBatch(db, request, shop, { proxyHops: getEnv().TRUSTED_PROXY_HOPS });
  } catch (error) {
    if (!isTransientDbError(error)) throw error;
    // Busy database: nothing stored, and the answer says so (a beacon is not retried: the batch
    // is lost to analytics, never half-written).
    return refusalResponse({ ok: false, status: 503, reason: "busy, retry later", retryAfterSec: 5 });
  }
  if (!result.ok) {
    logger.info("event batch refused", { shop, status: result.status, reason: result.reason });
    return refusalResponse(result);
  }
  return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
};

export const loader = () => new Response(null, { status: 405, headers: { Allow: "POST" } });
