import { createHmac, randomUUID } from "node:crypto";
import { getEnv } from "~/env.server";
import { DEMO_HOST, DEMO_SHOP } from "./constants";

/**
 * Demo only. Inside the Shopify admin, App Bridge hands the app a session token (an HS256
 * JWT signed with the app secret). Offline there is no admin, so the demo mints the same
 * token with the demo secret and the real `authenticate.admin` verifies it as usual.
 * Refuses to work outside demo mode (env validation already refuses demo mode in production
 * or with real credentials).
 */
export function mintSessionToken(shop = DEMO_SHOP, now = Date.now()): string {
  const env = getEnv();
  if (!env.DEMO_MODE) throw new Error("session tokens are only minted in demo mode");
  const iat = Math.floor(now / 1000);
  const header = { alg: "HS256", typ: "JWT" };
  const payload = {
    iss: `https://${shop}/admin`,
    dest: `https://${shop}`,
    aud: env.SHOPIFY_API_KEY,
    sub: "1",
    exp: iat + 60,
    nbf: iat - 5,
    iat,
    jti: randomUUID(),
    sid: "demo-session",
  };
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const body = `${enc(header)}.${enc(payload)}`;
  const sig = createHmac("sha256", env.SHOPIFY_API_SECRET).update(body).digest("base64url");
  return `${body}.${sig}`;
}

/** The URL the Shopify admin would load in its iframe for this app path. */
export function demoAdminUrl(path: string, extra?: URLSearchParams): string {
  const env = getEnv();
  const url = new URL(path, env.SHOPIFY_APP_URL);
  if (extra) extra.forEach((v, k) => url.searchParams.set(k, v));
  url.searchParams.set("embedded", "1");
  url.searchParams.set("shop", DEMO_SHOP);
  url.searchParams.set("host", DEMO_HOST);
  url.searchParams.set("locale", "en");
  url.searchParams.set("id_token", mintSessionToken());
  return url.pathname + url.search;
}
