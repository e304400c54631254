import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { CartError, cartFor, readCartInput, updateCart } from "~/demo/cart.server";
import { cartMain, commitCart, demoOnly, redirect, storefrontPage } from "~/demo/storefront.server";

/** Demo storefront: the cart page; its form posts quantities and the note here, "Check out" goes on to checkout. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  demoOnly();
  const { cart } = cartFor(request);
  return storefrontPage({ request, cart, title: "Your cart", pageType: "cart", main: cartMain(cart) });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  demoOnly();
  const { cart, isNew } = cartFor(request);
  const input = await readCartInput(request);
  const headers = new Headers();
  try {
    updateCart(cart, { updates: input.updates, attributes: input.attributes, note: input.note });
    commitCart(cart, isNew, headers);
  } catch (error) {
    if (!(error instanceof CartError)) throw error;
  }
  return redirect(input.checkout !== undefined && cart.lines.length ? "/demo/checkout" : "/demo/cart", headers);
};
