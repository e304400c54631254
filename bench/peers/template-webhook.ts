/**
 * The webhook peer (bench `peers` section): what Shopify's Remix app template does with a webhook,
 * for `checkouts/create`. The template's routes (app/routes/webhooks.app.uninstalled.tsx and
 * webhooks.app.scopes_update.tsx in Shopify/shopify-app-template-remix) call
 * `authenticate.webhook(request)` — HMAC check, then the shop's offline session loaded from the
 * Prisma session storage — and then make their Prisma write; this one writes the delivery row our
 * intake writes (WebhookDelivery, outcome "accepted"), once per delivery. It is served through
 * Remix's request handler like any route (no direct path), and only by the bench's server child:
 * bench/peers/routes.ts adds it there when INTENTFUL_BENCH_PEERS=1. It is not under app/routes,
 * so the app's build never contains it.
 *
 * As in the template: its own `shopifyApp` (app/shopify.server.ts of the template, with our API
 * version) over `PrismaSessionStorage` and its own Prisma client (the template's
 * app/db.server.ts; ours needs the driver adapter, so `createDb`). Unlike the template, the
 * library's logging is at warnings (as the app's is) and the per-delivery `console.log` is left
 * out: the comparison is about the request path, not log lines.
 */
import "@shopify/shopify-app-remix/adapters/node";
import type { ActionFunctionArgs } from "@remix-run/node";
import { ApiVersion, AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { createDb } from "~/db.server";

const prisma = createDb(process.env.DATABASE_URL ?? "");

const shopify = shopifyApp({
  apiKey: process.env.SHOPIFY_API_KEY,
  apiSecretKey: process.env.SHOPIFY_API_SECRET || "",
  apiVersion: ApiVersion.October26,
  scopes: process.env.SCOPES?.split(","),
  appUrl: process.env.SHOPIFY_APP_URL || "",
  authPathPrefix: "/auth",
  sessionStorage: new PrismaSessionStorage(prisma),
  distribution: AppDistribution.AppStore,
  logger: { level: LogSeverity.Warning },
  future: { unstable_newEmbeddedAuthStrategy: true, expiringOfflineAccessTokens: true },
});

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic, webhookId } = await shopify.authenticate.webhook(request);
  await prisma.webhookDelivery.create({ data: { webhookId, shop, topic: String(topic), outcome: "accepted" } });
  return new Response();
};
