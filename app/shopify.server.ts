import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, LogSeverity, shopifyApp, type Session } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { shopifyApi, WebhookValidationErrorReason, type Shopify } from "@shopify/shopify-api";
import db from "./db.server";
import { getEnv } from "./env.server";
import { onShopInstalled } from "./services/install.server";
import { logger } from "./services/logger.server";
import { parseWebhookJson } from "./services/webhooks/json";

/**
 * The library's own log lines go through our logger, so its redaction applies (at debug level
 * the library prints session tokens it failed to parse).
 */
function libraryLogger(level: string) {
  const write = [logger.error, logger.warn, logger.info, logger.debug];
  return {
    level: level === "debug" ? LogSeverity.Debug : LogSeverity.Warning,
    log: (severity: LogSeverity, message: string) => (write[severity] ?? logger.info)(`shopify: ${message}`),
  };
}

/**
 * The one composition root for Shopify: auth (embedded, token exchange), webhook HMAC,
 * app proxy signatures and the Admin API client all come from here.
 */
function create() {
  const env = getEnv();
  return shopifyApp({
    apiKey: env.SHOPIFY_API_KEY,
    apiSecretKey: env.SHOPIFY_API_SECRET,
    apiVersion,
    scopes: env.SCOPES.split(","),
    appUrl: env.SHOPIFY_APP_URL,
    authPathPrefix: "/auth",
    sessionStorage: new PrismaSessionStorage(db, { connectionRetries: 2, connectionRetryIntervalMs: 200 }),
    distribution: AppDistribution.AppStore,
    // The library logs every request at INFO; keep its warnings and errors only.
    logger: libraryLogger(env.LOG_LEVEL),
    future: {
      unstable_newEmbeddedAuthStrategy: true,
      expiringOfflineAccessTokens: true,
    },
    hooks: {
      afterAuth: async ({ session, admin }) => {
        await onShopInstalled(db, { shop: session.shop, admin });
      },
    },
    ...(env.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [env.SHOP_CUSTOM_DOMAIN] } : {}),
  });
}

type ShopifyApp = ReturnType<typeof create>;
let instance: ShopifyApp | undefined;

export function shopify(): ShopifyApp {
  instance ??= create();
  return instance;
}

/**
 * Shopify's API library, configured like the app, for what needs no session: verifying webhook
 * HMACs. `authenticate.webhook` does the same verification but then loads (and may refresh) the
 * shop's offline session to hand out an Admin client our webhook handlers never use — a
 * database read on every delivery. See docs/decisions/100-webhook-throughput.md.
 */
let api: Shopify | undefined;
function shopifyLibrary(): Shopify {
  if (!api) {
    const env = getEnv();
    const appUrl = new URL(env.SHOPIFY_APP_URL);
    api = shopifyApi({
      apiKey: env.SHOPIFY_API_KEY,
      apiSecretKey: env.SHOPIFY_API_SECRET,
      apiVersion,
      scopes: env.SCOPES.split(","),
      hostName: appUrl.host,
      hostScheme: appUrl.protocol === "http:" ? "http" : "https",
      isEmbeddedApp: true,
      logger: libraryLogger(env.LOG_LEVEL),
      _logDisabledFutureFlags: false,
    });
  }
  return api;
}

export interface VerifiedWebhook {
  topic: string;
  shop: string;
  webhookId: string;
  apiVersion: string;
  triggeredAt?: string;
  payload: unknown;
}

/** The headers `webhooks.validate` needs: the HMAC and the four it requires beside it. */
const CHECKED_HEADERS = ["x-shopify-hmac-sha256", "x-shopify-topic", "x-shopify-shop-domain", "x-shopify-api-version", "x-shopify-webhook-id"];

/**
 * Verifies a webhook the way `authenticate.webhook` does (405 for other methods, 401 for a bad
 * HMAC, 400 for missing Shopify headers, a SyntaxError for a signed body that is not JSON),
 * without the session load.
 */
export async function verifyWebhook(request: Request): Promise<VerifiedWebhook> {
  if (request.method !== "POST") throw new Response(undefined, { status: 405, statusText: "Method not allowed" });
  const rawBody = await request.text();
  // The library canonicalises every header of the request it is given, again on every header it
  // looks up (a regex replace per header per lookup: ~0.3 ms of CPU per delivery with Shopify's
  // headers); it is given only the ones its check reads and its answer we use.
  const headers = new Headers();
  for (const name of CHECKED_HEADERS) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  const rawRequest = new Request(request.url, { method: "POST", headers });
  const check = await shopifyLibrary().webhooks.validate({ rawBody, rawRequest });
  if (!check.valid) {
    if (check.reason === WebhookValidationErrorReason.InvalidHmac) throw new Response(undefined, { status: 401, statusText: "Unauthorized" });
    throw new Response(undefined, { status: 400, statusText: "Bad Request" });
  }
  const triggeredAt = request.headers.get("x-shopify-triggered-at") ?? undefined;
  return {
    topic: String(check.topic),
    shop: check.domain,
    webhookId: check.webhookId,
    apiVersion: check.apiVersion,
    triggeredAt,
    payload: parseWebhookJson(rawBody),
  };
}

/**
 * Verifies an app proxy request's signature (and the library's timestamp window) the way
 * `authenticate.public.appProxy` does, without loading the shop's session and building Admin and
 * Storefront clients the events endpoint never uses. Throws a 400 Response when invalid.
 */
export async function verifyAppProxy(request: Request): Promise<{ shop: string }> {
  const url = new URL(request.url);
  const params = new URLSearchParams(url.search);
  if (!params.get("index")) params.delete("index");
  let valid = false;
  try {
    valid = await shopifyLibrary().utils.validateHmac(params, { signator: "appProxy" });
  } catch {
    valid = false;
  }
  // A signed request must still name a real shop domain (the library's session load checked this).
  const shop = valid ? shopifyLibrary().utils.sanitizeShop(params.get("shop") ?? "") : null;
  if (!shop) throw new Response(undefined, { status: 400, statusText: "Bad Request" });
  return { shop };
}

/**
 * The one Admin API and webhook version: shopify.app.toml's `[webhooks] api_version` must equal it
 * (test/integration/foundation/api-version.test.ts), and test/fixtures/shopify/<version>/ holds its
 * sample payloads. Moving to the next version: docs/decisions/120-shopify-api-version.md.
 */
export const apiVersion = ApiVersion.October26;
export const authenticate = {
  admin: (request: Request) => shopify().authenticate.admin(request),
  webhook: (request: Request) => shopify().authenticate.webhook(request),
  public: {
    appProxy: (request: Request) => shopify().authenticate.public.appProxy(request),
  },
};
export const unauthenticated = {
  admin: (shop: string) => shopify().unauthenticated.admin(shop),
  /** The Storefront API with the shop's offline session (the emails' brand and recommendations). */
  storefront: (shop: string) => shopify().unauthenticated.storefront(shop),
};
export const login = (request: Request) => shopify().login(request);
export const addDocumentResponseHeaders = (request: Request, headers: Headers) => shopify().addDocumentResponseHeaders(request, headers);
export const sessionStorage = () => shopify().sessionStorage;
export type { Session };
