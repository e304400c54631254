import { createHmac, randomUUID } from "node:crypto";

/** Builders for real signed Shopify requests (session tokens, webhooks, app proxy calls). */
const secret = () => process.env.SHOPIFY_API_SECRET!;
const apiKey = () => process.env.SHOPIFY_API_KEY!;

export function sessionToken(shop: string, now = Date.now()): string {
  const iat = Math.floor(now / 1000);
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const body = `${enc({ alg: "HS256", typ: "JWT" })}.${enc({
    iss: `https://${shop}/admin`,
    dest: `https://${shop}`,
    aud: apiKey(),
    sub: "1",
    exp: iat + 60,
    nbf: iat - 5,
    iat,
    jti: randomUUID(),
    sid: "test",
  })}`;
  return `${body}.${createHmac("sha256", secret()).update(body).digest("base64url")}`;
}

/** A fetch-style request to an admin route, as App Bridge would send it (Bearer session token). */
export function adminRequest(
  path: string,
  { shop, method = "GET", form, json }: { shop: string; method?: string; form?: Record<string, string>; json?: unknown },
): Request {
  const headers = new Headers({
    Authorization: `Bearer ${sessionToken(shop)}`, // A browser user agent: the library answers bots (and "vitest") with 410.
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36",
  });
  let body: BodyInit | undefined;
  if (form) {
    body = new URLSearchParams(form);
    headers.set("Content-Type", "application/x-www-form-urlencoded");
  } else if (json !== undefined) {
    body = JSON.stringify(json);
    headers.set("Content-Type", "application/json");
  }
  return new Request(new URL(path, process.env.SHOPIFY_APP_URL), { method, headers, body });
}

/** Stores an offline session so authenticate.admin finds one (no token exchange). */
export async function seedSession(db: { session: { upsert: Function } }, shop: string) {
  await db.session.upsert({
    where: { id: `offline_${shop}` },
    update: {},
    create: {
      id: `offline_${shop}`,
      shop,
      state: "test",
      isOnline: false,
      scope: process.env.SCOPES ?? "read_orders,write_discounts,write_customers,read_customers,read_products,read_themes",
      accessToken: "shpat_test",
    },
  });
}

export function webhookRequest(
  topic: string,
  payload: unknown,
  {
    shop = "shop-a.myshopify.com",
    webhookId = randomUUID(),
    triggeredAt = new Date().toISOString(),
    secretOverride,
    rawBody,
    path: routePath,
  }: {
    shop?: string;
    /** The subscription path to deliver to, when it is not /webhooks/<topic> (a replay with another topic header). */
    path?: string;
    webhookId?: string;
    triggeredAt?: string;
    secretOverride?: string;
    rawBody?: string;
  } = {},
): Request {
  const body = rawBody ?? JSON.stringify(payload);
  const hmac = createHmac("sha256", secretOverride ?? secret())
    .update(body)
    .digest("base64");
  const path = routePath ?? `/webhooks/${topic}`;
  return new Request(new URL(path, process.env.SHOPIFY_APP_URL), {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": topic,
      "X-Shopify-Hmac-Sha256": hmac,
      "X-Shopify-Shop-Domain": shop,
      "X-Shopify-API-Version": "2026-10",
      "X-Shopify-Webhook-Id": webhookId,
      "X-Shopify-Triggered-At": triggeredAt,
      "X-Shopify-Event-Id": randomUUID(),
    },
    body,
  });
}

/** App proxy signature: sorted key=value pairs (repeated values joined by ","), hex HMAC-SHA256. */
export function signProxyParams(params: Record<string, string | string[]>, key = secret()): string {
  const message = Object.keys(params)
    .filter((k) => k !== "signature")
    .sort()
    .map((k) => `${k}=${Array.isArray(params[k]) ? (params[k] as string[]).join(",") : params[k]}`)
    .join("");
  return createHmac("sha256", key).update(message).digest("hex");
}

export function proxyRequest(
  path: string,
  body: string,
  { shop = "shop-a.myshopify.com", timestamp = Math.floor(Date.now() / 1000), customerId = "", forge = false } = {},
): Request {
  const params: Record<string, string> = { shop, logged_in_customer_id: customerId, path_prefix: "/apps/intentful", timestamp: String(timestamp) };
  const signature = forge ? "0".repeat(64) : signProxyParams(params);
  const url = new URL(path, process.env.SHOPIFY_APP_URL);
  for (const [k, v] of Object.entries({ ...params, signature })) url.searchParams.set(k, v);
  return new Request(url, { method: "POST", headers: { "Content-Type": "text/plain;charset=UTF-8" }, body });
}
