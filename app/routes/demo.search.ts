import type { LoaderFunctionArgs } from "@remix-run/node";
import { searchProducts } from "~/demo/catalog";
import { demoOnly, searchMain, storefrontPage } from "~/demo/storefront.server";

/** Demo storefront: search (`?q=`). */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  demoOnly();
  const q = (new URL(request.url).searchParams.get("q") ?? "").slice(0, 200).trim();
  return storefrontPage({ request, title: q ? `Search: ${q}` : "Search", pageType: "search", main: searchMain(q, searchProducts(q)) });
};
