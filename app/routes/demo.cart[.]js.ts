import type { LoaderFunctionArgs } from "@remix-run/node";
import { cartFor, cartJson } from "~/demo/cart.server";
import { cartCookie, CURRENCY, demoOnly, json } from "~/demo/storefront.server";

/** Demo Ajax Cart API: GET /demo/cart.js. A visitor without a cart gets a token (and the cookie). */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  demoOnly();
  const { cart, isNew } = cartFor(request);
  return json(cartJson(cart, CURRENCY), 200, isNew ? { "Set-Cookie": cartCookie(cart) } : undefined);
};
