import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { CartError, cartFor, changeLine, readCartInput } from "~/demo/cart.server";
import { commitCart, demoOnly, redirect } from "~/demo/storefront.server";

/** Demo storefront: /cart/change?line=1&quantity=0 links (the cart page's Remove) and form posts. */
async function change(request: Request, input: Record<string, unknown>) {
  demoOnly();
  const { cart, isNew } = cartFor(request);
  const headers = new Headers();
  try {
    changeLine(cart, { id: input.id, line: input.line }, input.quantity ?? 0, input.properties);
    commitCart(cart, isNew, headers);
  } catch (error) {
    if (!(error instanceof CartError)) throw error;
  }
  return redirect("/demo/cart", headers);
}

export const loader = ({ request }: LoaderFunctionArgs) => change(request, Object.fromEntries(new URL(request.url).searchParams));

export const action = async ({ request }: ActionFunctionArgs) => change(request, await readCartInput(request));
