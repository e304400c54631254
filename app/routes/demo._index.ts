import type { LoaderFunctionArgs } from "@remix-run/node";
import { PRODUCTS } from "~/demo/catalog";
import { demoOnly, homeMain, storefrontPage } from "~/demo/storefront.server";

/** Demo storefront: the home page. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  demoOnly();
  return storefrontPage({ request, title: "Home", pageType: "index", main: homeMain(PRODUCTS) });
};
