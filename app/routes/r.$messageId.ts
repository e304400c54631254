import type { LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { getEnv } from "~/env.server";
import { verifyLinkSignature } from "~/services/mail.server";

/**
 * Click tracking for recovery emails: /r/<messageId>?s=<signature>. Marks the message clicked
 * (attribution prefers clicked emails) and redirects to the checkout's own recovery URL, or the
 * shop's cart for cart and browse flows, read from the database — never from the query string,
 * so this is no open redirect. The target carries utm_source=intentful&utm_medium=email: the
 * storefront tracker reads it to keep overlays away from a shopper an email just brought
 * (the shop's channel gap), and the merchant's analytics see the visit as email traffic.
 */
export async function loader({ params, request }: LoaderFunctionArgs) {
  const id = params.messageId ?? "";
  const signature = new URL(request.url).searchParams.get("s") ?? "";
  if (!verifyLinkSignature(id, signature)) return new Response("This link is not valid.", { status: 404 });
  const message = await db.message.findUnique({ where: { id }, select: { id: true, shop: true, flowRunId: true, clickedAt: true } });
  if (!message) return new Response("This link has expired.", { status: 404 });
  if (!message.clickedAt) await db.message.update({ where: { id }, data: { clickedAt: new Date() } });
  const run = message.flowRunId ? await db.flowRun.findUnique({ where: { id: message.flowRunId }, select: { checkoutId: true } }) : null;
  const checkout = run?.checkoutId
    ? await db.checkout.findFirst({ where: { id: run.checkoutId, shop: message.shop }, select: { abandonedCheckoutUrl: true } })
    : null;
  const env = getEnv();
  const cart = env.DEMO_MODE ? `${env.SHOPIFY_APP_URL}/demo/cart` : `https://${message.shop}/cart`;
  return new Response(null, { status: 302, headers: { Location: tagged(checkout?.abandonedCheckoutUrl ?? cart), "Cache-Control": "no-store" } });
}

const UTM = { utm_source: "intentful", utm_medium: "email", utm_campaign: "recovery" };

function tagged(target: string): string {
  try {
    const url = new URL(target);
    for (const [k, v] of Object.entries(UTM)) if (!url.searchParams.has(k)) url.searchParams.set(k, v);
    return url.href;
  } catch {
    return target;
  }
}
