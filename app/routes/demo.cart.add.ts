import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { addItems, CartError, cartFor, itemsOf, readCartInput } from "~/demo/cart.server";
import { commitCart, demoOnly, esc, redirect, storefrontPage } from "~/demo/storefront.server";

/** Demo storefront: the product form's classic POST to /cart/add, then on to the cart page. */
export const action = async ({ request }: ActionFunctionArgs) => {
  demoOnly();
  const { cart, isNew } = cartFor(request);
  try {
    addItems(cart, itemsOf(await readCartInput(request)));
  } catch (error) {
    if (!(error instanceof CartError)) throw error;
    return storefrontPage({
      request,
      title: "Error",
      pageType: "page",
      status: error.status,
      main: `<h1>Could not add to cart</h1><p class="notice" role="alert">${esc(error.description)}</p><a class="button" href="javascript:history.back()">Back</a>`,
    });
  }
  const headers = new Headers();
  commitCart(cart, isNew, headers);
  return redirect("/demo/cart", headers);
};

export const loader = async (_args: LoaderFunctionArgs) => {
  demoOnly();
  return redirect("/demo/cart");
};
