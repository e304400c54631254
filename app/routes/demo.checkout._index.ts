import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { cartFor, checkoutForCart } from "~/demo/cart.server";
import { demoOnly, redirect } from "~/demo/storefront.server";
import { checkoutPayload, sendWebhook } from "~/demo/webhooks.server";

/** Demo checkout entry (/demo/checkout, the cart's "Check out"): opens the cart's checkout. */
async function start(request: Request) {
  demoOnly();
  const { cart } = cartFor(request);
  if (!cart.lines.length) return redirect("/demo/cart");
  const checkout = checkoutForCart(cart);
  if (checkout.announced) {
    // The shopper came back with a changed cart: Shopify would send checkouts/update.
    void sendWebhook("checkouts/update", checkoutPayload(checkout, new URL(request.url).origin), checkout.token);
  }
  return redirect(`/demo/checkout/${checkout.token}`);
}

export const loader = ({ request }: LoaderFunctionArgs) => start(request);
export const action = ({ request }: ActionFunctionArgs) => start(request);
