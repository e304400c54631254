import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { CART_COOKIE, completeCheckout, getCheckout, readCookie, saveCheckout, type CheckoutRecord } from "~/demo/cart.server";
import { checkoutMessage, checkoutPage, demoOnly, findDiscount, redirect } from "~/demo/storefront.server";
import { checkoutPayload, orderPayload, recentDeliveries, sendWebhook } from "~/demo/webhooks.server";

/**
 * Demo checkout (/demo/checkout/<token>, also the abandoned_checkout_url): "Continue" with an
 * email sends checkouts/create (then checkouts/update), "Place order" sends orders/create and
 * empties the cart. Webhook failures are shown on the page, never raised to the shopper.
 */
const contactSchema = z.object({
  email: z.string().trim().toLowerCase().email("Enter a valid email").max(254),
  accepts_marketing: z.string().optional(),
});

function deliveriesFor(c: CheckoutRecord) {
  return recentDeliveries()
    .filter((d) => d.subject === c.token)
    .reverse();
}

function load(request: Request, token: string | undefined) {
  demoOnly();
  const checkout = getCheckout(token ?? "");
  if (!checkout) return { response: checkoutMessage("Checkout not found", "This checkout link is not valid (or the demo data was reset).") };
  // A discount link or ?discount=CODE applies a code the app created, as Shopify's checkout does.
  const code = new URL(request.url).searchParams.get("discount") ?? readCookie(request.headers.get("cookie"), "discount_code");
  const discount = findDiscount(code);
  if (discount && !checkout.completedAt && discount.code !== checkout.discount?.code) {
    checkout.discount = discount;
    saveCheckout(checkout);
  }
  return { checkout };
}

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { checkout, response } = load(request, params.token);
  if (!checkout) return response;
  if (checkout.completedAt) return redirect(`/demo/checkout/${checkout.token}/thank_you`);
  return checkoutPage(checkout, deliveriesFor(checkout));
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { checkout, response } = load(request, params.token);
  if (!checkout) return response;
  const self = `/demo/checkout/${checkout.token}`;
  if (checkout.completedAt) return redirect(`${self}/thank_you`);
  const origin = new URL(request.url).origin;
  const form = Object.fromEntries(await request.formData());

  if (form.intent === "pay") {
    if (!checkout.announced || !checkout.email) return checkoutPage(checkout, deliveriesFor(checkout), "Enter your email first");
    completeCheckout(checkout);
    await sendWebhook("orders/create", orderPayload(checkout, origin), checkout.token);
    const headers = new Headers();
    // Shopify starts a new cart after an order: the old token is never used again.
    const cookie = readCookie(request.headers.get("cookie"), CART_COOKIE);
    if (cookie?.startsWith(`${checkout.cartId}?`)) headers.append("Set-Cookie", `${CART_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax`);
    return redirect(`${self}/thank_you`, headers);
  }

  const parsed = contactSchema.safeParse(form);
  if (!parsed.success) {
    return checkoutPage(
      { ...checkout, email: typeof form.email === "string" ? form.email : null },
      deliveriesFor(checkout),
      parsed.error.issues[0]?.message ?? "Enter a valid email",
    );
  }
  const topic = checkout.announced ? "checkouts/update" : "checkouts/create";
  checkout.email = parsed.data.email;
  checkout.acceptsMarketing = parsed.data.accepts_marketing === "1";
  checkout.announced = true;
  saveCheckout(checkout);
  await sendWebhook(topic, checkoutPayload(checkout, origin), checkout.token);
  return redirect(self);
};
