import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { demoOnly, forwardAppProxy } from "~/demo/storefront.server";

/**
 * Demo app proxy: /demo/apps/intentful/* on the pretend shop reaches the app's /proxy/* routes
 * the way Shopify forwards /apps/intentful/* (signed params added, cookies stripped).
 */
export const loader = ({ request, params }: LoaderFunctionArgs) => {
  demoOnly();
  return forwardAppProxy(request, params["*"] ?? "");
};

export const action = ({ request, params }: ActionFunctionArgs) => {
  demoOnly();
  return forwardAppProxy(request, params["*"] ?? "");
};
