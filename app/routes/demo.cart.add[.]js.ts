import type { ActionFunctionArgs } from "@remix-run/node";
import { addItems, itemsOf, pricedLines, lineJson, type CartLine } from "~/demo/cart.server";
import { ajaxCart } from "~/demo/storefront.server";

/**
 * Demo Ajax Cart API: POST /demo/cart/add.js with `{items: [{id, quantity, properties}]}` (answers
 * `{items: [...]}`) or a single `id` + `quantity` (answers that one line), JSON or form-encoded.
 */
export const action = ({ request }: ActionFunctionArgs) => {
  let many = false;
  return ajaxCart(
    request,
    (cart, input) => {
      many = input.items !== undefined;
      return addItems(cart, itemsOf(input));
    },
    (_cart, result) => {
      const lines = pricedLines(result as CartLine[]).map((l) => lineJson(l));
      return many ? { items: lines } : lines[0];
    },
  );
};
