import type { LoaderFunctionArgs } from "@remix-run/node";
import { demoOnly, notFoundPage } from "~/demo/storefront.server";

/** Demo storefront: any other /demo path is the theme's 404 page. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  demoOnly();
  return notFoundPage(request);
};
