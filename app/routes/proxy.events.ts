import { getEnv } from "~/env.server";
import type { ActionFunctionArgs } from "@remix-run/node";
import { verifyAppProxy } from "~/shopify.server";
import { checkProxyTimestamp, ingestEventBatch, type Refusal } from "~/services/events.server";
import { logger } from "~/services/logger.server";
import { isTransientDbError } from "~/db.server";

/**
 * App proxy: storefront event batches (`POST /apps/intentful/events` on the shop, forwarded by
 * Shopify to /proxy/events). Verified with the library's app proxy signature check (without the
 * session load of `authenticate.public.appProxy`: see app/shopify.server.ts), then our own freshness
 * window, a 16 KB cap, schema validation and rate limits. 204 on success: sendBeacon ignores
 * the body anyway.
 */
function refuse(r: Refusal): Response {
  const headers = new Headers({ "Content-Type": "application/json", "Cache-Control": "no-store" });
  if (r.retryAfterSec) headers.set("Retry-After", String(r.retryAfterSec));
  return new Response(JSON.stringify({ error: r.reason }), { status: r.status, headers });
}

export const action = async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return new Response(null, { status: 405, headers: { Allow: "POST" } });
  const url = new URL(request.url);
  const fresh = checkProxyTimestamp(url.searchParams.get("timestamp"), new Date());
  if (!fresh.ok) return refuse(fresh);
  let shop: string;
  try {
    ({ shop } = await verifyAppProxy(request));
  } catch (error) {
    if (!(error instanceof Response)) throw error;
    // The library answers 400; a bad signature is an authentication failure to us.
    return refuse({ ok: false, status: 401, reason: "invalid app proxy signature (or timestamp outside the library's ±90 s)" });
  }
  let result: Awaited<ReturnType<typeof ingestEventBatch>>;
  try {
    result = await ingestEventBatch(request, shop, { proxyHops: getEnv().TRUSTED_PROXY_HOPS });
  } catch (error) {
    if (!isTransientDbError(error)) throw error;
    // Busy database: nothing stored, and the answer says so (a beacon is not retried: the batch
    // is lost to analytics, never half-written).
    return refuse({ ok: false, status: 503, reason: "busy, retry later", retryAfterSec: 5 });
  }
  if (!result.ok) {
    logger.info("event batch refused", { shop, status: result.status, reason: result.reason });
    return refuse(result);
  }
  return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
};

export const loader = () => new Response(null, { status: 405, headers: { Allow: "POST" } });
