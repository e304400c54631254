import type { LoaderFunctionArgs } from "@remix-run/node";
import { collectionsMain, demoOnly, storefrontPage } from "~/demo/storefront.server";

/** Demo storefront: the list of collections. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  demoOnly();
  return storefrontPage({ request, title: "Collections", pageType: "list-collections", main: collectionsMain() });
};
