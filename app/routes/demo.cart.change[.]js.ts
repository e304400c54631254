import type { ActionFunctionArgs } from "@remix-run/node";
import { changeLine } from "~/demo/cart.server";
import { ajaxCart } from "~/demo/storefront.server";

/** Demo Ajax Cart API: POST /demo/cart/change.js (`id` = line key or variant id, or `line`; `quantity`). */
export const action = ({ request }: ActionFunctionArgs) =>
  ajaxCart(request, (cart, input) => changeLine(cart, { id: input.id, line: input.line }, input.quantity, input.properties));
