import type { ActionFunctionArgs } from "@remix-run/node";
import { updateCart } from "~/demo/cart.server";
import { ajaxCart } from "~/demo/storefront.server";

/** Demo Ajax Cart API: POST /demo/cart/update.js (`updates`, `attributes`, `note`). */
export const action = ({ request }: ActionFunctionArgs) => ajaxCart(request, (cart, input) => updateCart(cart, input));
