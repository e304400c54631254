import { http, HttpResponse } from "msw";
import { setupServer, type SetupServer } from "msw/node";
import { readDemoState, updateDemoState } from "./shopify-state.server";
import { DEMO_SHOP } from "./constants";
import { emailAdminOperations, storefrontApiHandlers } from "./mock-storefront.server";
import { settingsDataText } from "./fixtures/settings-data";

/**
 * Demo only: Shopify's Admin API mocked in-process at the fetch layer (msw), answering the
 * GraphQL operations the app sends, by operation name. Unknown operations get a GraphQL
 * error naming them, so a new query shows up loudly instead of silently.
 */
type Vars = Record<string, any>;
type Resolver = (vars: Vars) => unknown;

const APP_INSTALLATION_ID = "gid://shopify/AppInstallation/1";
const THEME_ID = "gid://shopify/OnlineStoreTheme/1";

const operations: Record<string, Resolver> = {
  ...emailAdminOperations,
  IntentfulAppInstallation: () => ({ currentAppInstallation: { id: APP_INSTALLATION_ID } }),
  IntentfulPublishConfig: (vars) => {
    const metafields = (vars.metafields ?? []) as Array<{ namespace: string; key: string; type: string; value: string }>;
    updateDemoState((s) => {
      for (const m of metafields) s.metafields[`${m.namespace}.${m.key}`] = { type: m.type, value: m.value };
    });
    return {
      metafieldsSet: {
        metafields: metafields.map((m, i) => ({ id: `gid://shopify/Metafield/${i + 1}`, key: m.key, namespace: m.namespace })),
        userErrors: [],
      },
    };
  },
  IntentfulShopInfo: () => ({
    shop: { name: "Demo Shop", email: "owner@demo-shop.example", currencyCode: "USD", ianaTimezone: "America/New_York", myshopifyDomain: DEMO_SHOP },
  }),
  IntentfulEmbedStatus: () => {
    const s = readDemoState();
    return {
      themes: {
        nodes: [
          {
            id: THEME_ID,
            name: "Dawn",
            files: {
              nodes: [
                {
                  filename: "config/settings_data.json",
                  // the live theme's settings_data.json: our embed with non-default colours (the preview follows them)
                  body: { content: settingsDataText({ embed: s.embedEnabled ? "on" : "off" }) },
                },
              ],
            },
          },
        ],
      },
    };
  },
  // The demo shop's Files hold no image, so an image_picker value resolves to nothing.
  IntentfulShopImage: () => ({ files: { nodes: [] } }),
  IntentfulDiscountCreate: (vars) => {
    const input = vars.basicCodeDiscount ?? {};
    const code = String(input.code ?? "");
    const percent = Math.round(Number(input.customerGets?.value?.percentage ?? 0) * 100);
    const id = `gid://shopify/DiscountCodeNode/${Date.now()}${Math.floor(Math.random() * 1000)}`;
    updateDemoState((s) => void s.discountCodes.push({ id, code, percent, endsAt: input.endsAt ?? null }));
    return { discountCodeBasicCreate: { codeDiscountNode: { id }, userErrors: [] } };
  },
  IntentfulCustomerByEmail: (vars) => {
    const q = String(vars.query ?? "").replace(/^email:/, "");
    const c = readDemoState().customers.find((x) => x.email === q);
    return { customers: { nodes: c ? [{ id: c.id, email: c.email, defaultEmailAddress: { marketingState: c.emailMarketingConsent } }] : [] } };
  },
  IntentfulCustomerCreate: (vars) => {
    const input = vars.input ?? {};
    const id = `gid://shopify/Customer/${Date.now()}${Math.floor(Math.random() * 1000)}`;
    updateDemoState(
      (s) =>
        void s.customers.push({
          id,
          email: input.email,
          emailMarketingConsent: input.emailMarketingConsent?.marketingState ?? "NOT_SUBSCRIBED",
          marketingOptInLevel: input.emailMarketingConsent?.marketingOptInLevel ?? null,
          tags: input.tags ?? [],
        }),
    );
    return { customerCreate: { customer: { id }, userErrors: [] } };
  },
  IntentfulCustomerConsent: (vars) => {
    const input = vars.input ?? {};
    updateDemoState((s) => {
      const c = s.customers.find((x) => x.id === input.customerId);
      if (c) {
        c.emailMarketingConsent = input.emailMarketingConsent?.marketingState ?? c.emailMarketingConsent;
        c.marketingOptInLevel = input.emailMarketingConsent?.marketingOptInLevel ?? c.marketingOptInLevel ?? null;
      }
    });
    return { customerEmailMarketingConsentUpdate: { customer: { id: input.customerId }, userErrors: [] } };
  },
  IntentfulFlowTrigger: (vars) => {
    updateDemoState((s) => void s.flowTriggers.push({ handle: vars.handle, payload: vars.payload, at: new Date().toISOString() }));
    return { flowTriggerReceive: { userErrors: [] } };
  },
};

function operationName(query: string, explicit?: string): string | undefined {
  if (explicit) return explicit;
  return /\b(?:query|mutation)\s+([A-Za-z0-9_]+)/.exec(query)?.[1];
}

export const adminApiHandlers = [
  http.post("https://:shop/admin/api/:version/graphql.json", async ({ request }) => {
    const body = (await request.json()) as { query?: string; operationName?: string; variables?: Vars };
    const name = operationName(body.query ?? "", body.operationName);
    const resolver = name ? operations[name] : undefined;
    if (!resolver) {
      return HttpResponse.json({ errors: [{ message: `demo Admin API: operation ${name ?? "(anonymous)"} is not mocked` }] });
    }
    return HttpResponse.json({
      data: resolver(body.variables ?? {}),
      extensions: {
        cost: { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 } },
      },
    });
  }),
];

let server: SetupServer | undefined;

/** Starts intercepting Admin (and Storefront) API calls in this process (idempotent). Local requests pass through. */
export function startMockAdminApi(): SetupServer {
  if (!server) {
    server = setupServer(...adminApiHandlers, ...storefrontApiHandlers);
    server.listen({ onUnhandledFrame: "bypass" });
  }
  return server;
}
