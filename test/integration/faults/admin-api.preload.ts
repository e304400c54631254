/**
 * Preloaded into a worker child (`--import`) by worker-crash.test.ts: Shopify's Admin API faked
 * at the fetch layer with msw, before the library captures fetch. It prints one line per call
 * ("FAULT admin-call <operation>") so the test knows where the worker is.
 *   FAULT_ADMIN_MODE=stall  never answers (the worker hangs in the call, holding its job)
 *   FAULT_ADMIN_MODE=ok     answers discountCodeBasicCreate successfully
 */
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";

const mode = process.env.FAULT_ADMIN_MODE ?? "ok";

const server = setupServer(
  http.post("https://:shop/admin/api/:version/graphql.json", async ({ request }) => {
    const body = (await request.json()) as { query?: string };
    const operation = /(?:mutation|query)\s+(\w+)/.exec(body.query ?? "")?.[1] ?? "unknown";
    process.stdout.write(`FAULT admin-call ${operation}\n`);
    if (mode === "stall") await new Promise<never>(() => undefined);
    if (operation === "IntentfulDiscountCreate") {
      return HttpResponse.json({
        data: { discountCodeBasicCreate: { codeDiscountNode: { id: "gid://shopify/DiscountCodeNode/1" }, userErrors: [] } },
      });
    }
    return HttpResponse.json({ errors: [{ message: `the fault fake does not answer ${operation}` }] });
  }),
);
server.listen({ onUnhandledFrame: "bypass" });
