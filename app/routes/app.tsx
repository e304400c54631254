import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { authenticate } from "~/shopify.server";
import { getEnv } from "~/env.server";
import { getPublishState } from "~/models/shop.server";
import db from "~/db.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const env = getEnv();
  const publish = await getPublishState(db, session.shop);
  return {
    apiKey: env.SHOPIFY_API_KEY,
    // Every page shows a banner while the last publish to the storefront failed (components/PublishBanner).
    publishError: publish?.publishError ?? null,
    // Offline there is no App Bridge CDN: the demo serves a small stand-in (public/demo/app-bridge.js).
    appBridgeUrl: env.DEMO_MODE ? "/demo/app-bridge.js" : undefined,
  };
};

export default function App() {
  const { apiKey, appBridgeUrl } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey} {...(appBridgeUrl ? { __APP_BRIDGE_URL: appBridgeUrl } : {})}>
      <NavMenu>
        <Link to="/app" rel="home">
          Home
        </Link>
        <Link to="/app/triggers">Triggers</Link>
        <Link to="/app/flows">Recovery flows</Link>
        <Link to="/app/analytics">Analytics</Link>
        <Link to="/app/outbox">Email log</Link>
        <Link to="/app/settings">Settings</Link>
      </NavMenu>
      <main>
        <Outlet />
      </main>
    </AppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses, so that their headers are included in the response.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
