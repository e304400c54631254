import "@shopify/shopify-app-remix/adapters/node";
import {
  ApiVersion,
  AppDistribution,
  LogSeverity,
  shopifyApp,
  type Session,
} from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import db from "./db.server";
import { getEnv } from "./env.server";
import { onShopInstalled } from "./services/install.server";

/**
 * The one composition root for Shopify: auth (embedded, token exchange), webhook HMAC,
 * app proxy signatures and the Admin API client all come from here.
 */
function create() {
  const env = getEnv();
  return shopifyApp({
    apiKey: env.SHOPIFY_API_KEY,
    apiSecretKey: env.SHOPIFY_API_SECRET,
    apiVersion: ApiVersion.October26,
    scopes: env.SCOPES.split(","),
    appUrl: env.SHOPIFY_APP_URL,
    authPathPrefix: "/auth",
    sessionStorage: new PrismaSessionStorage(db, { connectionRetries: 2, connectionRetryIntervalMs: 200 }),
    distribution: AppDistribution.AppStore,
    // The library logs every request at INFO; keep its warnings and errors only.
    logger: { level: env.LOG_LEVEL === "debug" ? LogSeverity.Debug : LogSeverity.Warning },
    future: {
      unstable_newEmbeddedAuthStrategy: true,
      expiringOfflineAccessTokens: true,
    },
    hooks: {
      afterAuth: async ({ session, admin }) => {
        await onShopInstalled({ shop: session.shop, admin });
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
};
export const login = (request: Request) => shopify().login(request);
export const addDocumentResponseHeaders = (request: Request, headers: Headers) =>
  shopify().addDocumentResponseHeaders(request, headers);
export const sessionStorage = () => shopify().sessionStorage;
export type { Session };
