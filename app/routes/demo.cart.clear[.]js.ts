import type { ActionFunctionArgs } from "@remix-run/node";
import { clearCart } from "~/demo/cart.server";
import { ajaxCart } from "~/demo/storefront.server";

/** Demo Ajax Cart API: POST /demo/cart/clear.js. */
export const action = ({ request }: ActionFunctionArgs) => ajaxCart(request, (cart) => clearCart(cart));
