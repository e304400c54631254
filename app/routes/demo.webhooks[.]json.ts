import type { LoaderFunctionArgs } from "@remix-run/node";
import { demoOnly, json } from "~/demo/storefront.server";
import { recentDeliveries } from "~/demo/webhooks.server";

/** Demo: the webhooks the pretend Shopify sent to the app (newest first), with their HTTP status. */
export const loader = async (_args: LoaderFunctionArgs) => {
  demoOnly();
  return json({ deliveries: recentDeliveries() });
};
