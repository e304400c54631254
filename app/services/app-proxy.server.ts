import { verifyAppProxy } from "~/shopify.server";

/** Why a storefront request was refused: the status and a reason for the JSON body. */
export type Refusal = { ok: false; status: 400 | 401 | 413 | 429 | 503; reason: string; retryAfterSec?: number };

/** Shopify signs `timestamp`; refuse replays older than this and clocks too far ahead. */
export const PROXY_MAX_AGE_SEC = 5 * 60;
export const PROXY_MAX_FUTURE_SEC = 60;

export function checkProxyTimestamp(raw: string | null, now: Date): { ok: true } | Refusal {
  if (!raw || !/^\d{1,12}$/.test(raw)) return { ok: false, status: 401, reason: "missing or invalid timestamp" };
  const age = Math.floor(now.getTime() / 1000) - Number(raw);
  if (age > PROXY_MAX_AGE_SEC) return { ok: false, status: 401, reason: `stale timestamp (${age} s old, at most ${PROXY_MAX_AGE_SEC} s)` };
  if (-age > PROXY_MAX_FUTURE_SEC) return { ok: false, status: 401, reason: `timestamp ${-age} s in the future` };
  return { ok: true };
}

/**
 * What every app proxy route checks first (`/apps/intentful/*` on the shop, forwarded by Shopify
 * to `/proxy/*`): our freshness window on the signed `timestamp`, then the library's signature
 * check (without the session load of `authenticate.public.appProxy`: see app/shopify.server.ts).
 * The shop comes from the verified parameters only.
 */
export async function verifiedProxyShop(request: Request, now = new Date()): Promise<{ ok: true; shop: string } | Refusal> {
  const fresh = checkProxyTimestamp(new URL(request.url).searchParams.get("timestamp"), now);
  if (!fresh.ok) return fresh;
  try {
    return { ok: true, shop: (await verifyAppProxy(request)).shop };
  } catch (error) {
    if (!(error instanceof Response)) throw error;
    // The library answers 400; a bad signature is an authentication failure to us.
    return { ok: false, status: 401, reason: "invalid app proxy signature (or timestamp outside the library's ±90 s)" };
  }
}

/** A refusal as JSON `{ error }`, with Retry-After when it says when to come back; never cached. */
export function refusalResponse(r: Refusal, cacheControl = "no-store"): Response {
  const headers = new Headers({ "Content-Type": "application/json", "Cache-Control": cacheControl });
  if (r.retryAfterSec) headers.set("Retry-After", String(r.retryAfterSec));
  return new Response(JSON.stringify({ error: r.reason }), { status: r.status, headers });
}
