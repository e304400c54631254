import type { LoaderFunctionArgs } from "@remix-run/node";
import { getEnv } from "~/env.server";
import db, { isTransientDbError } from "~/db.server";
import { refusalResponse, verifiedProxyShop, type Refusal } from "~/services/app-proxy.server";
import { clientAddress, eventRateLimiter } from "~/services/rate-limit.server";
import { shopperStatus } from "~/services/shopper-status.server";

/**
 * App proxy: `GET /apps/intentful/status?v=<visitor id>` on the shop, forwarded by Shopify to
 * /proxy/status. What the tracker asks once per session for a shopper the app may have emailed
 * (services/shopper-status.server.ts). Verified like the events endpoint (signature, freshness),
 * rate-limited with the events' buckets, never cached.
 */
const VISITOR_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const CUSTOMER_ID = /^\d{1,20}$/;

const refuse = (r: Refusal) => refusalResponse(r, "private, no-store");

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const verified = await verifiedProxyShop(request);
  if (!verified.ok) return refuse(verified);
  const { shop } = verified;
  const url = new URL(request.url);
  const visitorId = url.searchParams.get("v") ?? "";
  if (!VISITOR_ID.test(visitorId)) return refuse({ ok: false, status: 400, reason: "v: a visitor id (1-64 letters, digits, _ . : -) is required" });
  // Signed by Shopify: blank when no customer is logged in.
  const customer = url.searchParams.get("logged_in_customer_id") ?? "";
  const customerId = CUSTOMER_ID.test(customer) ? customer : null;
  const rate = eventRateLimiter().take(shop, visitorId, Date.now(), clientAddress(request.headers, getEnv().TRUSTED_PROXY_HOPS));
  if (!rate.ok) return refuse({ ok: false, status: 429, reason: `too many requests for this ${rate.scope}`, retryAfterSec: rate.retryAfterSec });
  try {
    return Response.json(await shopperStatus(db, shop, visitorId, customerId), { headers: { "Cache-Control": "private, no-store" } });
  } catch (error) {
    if (!isTransientDbError(error)) throw error;
    return refuse({ ok: false, status: 503, reason: "busy, retry later", retryAfterSec: 5 });
  }
};

export const action = () => new Response(null, { status: 405, headers: { Allow: "GET" } });
