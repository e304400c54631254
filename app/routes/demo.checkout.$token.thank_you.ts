import type { LoaderFunctionArgs } from "@remix-run/node";
import { getCheckout } from "~/demo/cart.server";
import { checkoutMessage, demoOnly, redirect, thankYouPage } from "~/demo/storefront.server";
import { recentDeliveries } from "~/demo/webhooks.server";

/** Demo checkout: the order confirmation ("thank you") page. */
export const loader = async ({ params }: LoaderFunctionArgs) => {
  demoOnly();
  const checkout = getCheckout(params.token ?? "");
  if (!checkout) return checkoutMessage("Order not found", "This order link is not valid (or the demo data was reset).");
  if (!checkout.order) return redirect(`/demo/checkout/${checkout.token}`);
  const deliveries = recentDeliveries()
    .filter((d) => d.subject === checkout.token)
    .reverse();
  return thankYouPage(checkout, deliveries);
};
