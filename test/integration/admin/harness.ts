import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { http } from "msw";
import type { SetupServer } from "msw/node";
import { createTestDb, type TestDb } from "../../support/db";
import { adminRequest, seedSession } from "../../support/shopify";

/**
 * Admin route tests: a fresh database, two installed shops with sessions, the demo's mocked
 * Admin API (msw) answering every GraphQL call, and a record of each metafieldsSet per shop.
 */
export const SHOP_A = "shop-a.myshopify.com";
export const SHOP_B = "shop-b.myshopify.com";

export interface Published {
  shop: string;
  namespace: string;
  key: string;
  value: unknown;
}

export interface Harness {
  t: TestDb;
  mock: SetupServer;
  published: Published[];
  stateFile: string;
  cleanup(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const t = await createTestDb();
  // Before any route module loads: ~/db.server's default export follows DATABASE_URL.
  process.env.DATABASE_URL = t.url;
  const dir = mkdtempSync(path.join(os.tmpdir(), "intentful-admin-"));
  const stateFile = path.join(dir, "shopify.json");
  process.env.DEMO_STATE_FILE = stateFile;
  const { startMockAdminApi } = await import("~/demo/mock-admin.server");
  const { onShopInstalled } = await import("~/services/install.server");
  const mock = startMockAdminApi();
  const published: Published[] = [];
  mock.use(
    // Records, then falls through to the demo mock (a resolver that returns nothing passes on).
    http.post("https://:shop/admin/api/:version/graphql.json", async ({ request, params }) => {
      const body = (await request.clone().json()) as { query?: string; variables?: { metafields?: Array<{ namespace: string; key: string; value: string }> } };
      if (body.query?.includes("IntentfulPublishConfig")) {
        for (const m of body.variables?.metafields ?? []) {
          published.push({ shop: String(params.shop), namespace: m.namespace, key: m.key, value: JSON.parse(m.value) });
        }
      }
      return undefined;
    }),
  );
  for (const shop of [SHOP_A, SHOP_B]) {
    await seedSession(t.db, shop);
    await onShopInstalled(t.db, { shop });
  }
  return {
    t,
    mock,
    published,
    stateFile,
    async cleanup() {
      mock.resetHandlers();
      await t.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function lastPublished(h: Harness, shop: string): Published | undefined {
  return h.published.filter((p) => p.shop === shop).at(-1);
}

export function demoState(h: Harness): { metafields: Record<string, { value: string }>; embedEnabled: boolean } {
  return JSON.parse(readFileSync(h.stateFile, "utf8"));
}

/** Runs a loader or action and returns its Response, whether returned or thrown (404s, auth redirects). */
export async function respond(run: () => Promise<unknown>): Promise<Response> {
  try {
    const result = await run();
    if (result instanceof Response) return result;
    return Response.json(result);
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
}

/**
 * authenticate.admin answers 410 to user agents isbot() recognises, and "vitest" is one of them;
 * App Bridge requests come from the merchant's browser.
 */
export const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";

export function withBrowserAgent(request: Request): Request {
  const headers = new Headers(request.headers);
  headers.set("User-Agent", BROWSER_UA);
  return new Request(request, { headers });
}

type RouteFn = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<unknown>;

export function callRoute(
  fn: RouteFn | undefined,
  pathname: string,
  opts: { shop: string; method?: string; form?: Record<string, string>; json?: unknown; params?: Record<string, string> },
): Promise<Response> {
  const request = withBrowserAgent(adminRequest(pathname, opts));
  return respond(() => fn!({ request, params: opts.params ?? {}, context: {} }));
}
