import type { LoaderFunctionArgs } from "@remix-run/node";
import { demoOnly, redirect } from "~/demo/storefront.server";

/** Demo storefront: Shopify's discount links (/discount/CODE?redirect=/path) remember the code in a cookie. */
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  demoOnly();
  const code = (params.code ?? "").slice(0, 100);
  const to = new URL(request.url).searchParams.get("redirect") ?? "/demo/";
  const safe = /^\/demo(\/|$|\?)/.test(to) && !to.startsWith("//") ? to : "/demo/";
  return redirect(safe, { "Set-Cookie": `discount_code=${encodeURIComponent(code)}; Path=/; SameSite=Lax` });
};
