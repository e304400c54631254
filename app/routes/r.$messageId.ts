import type { LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { verifyLinkSignature } from "~/services/mail.server";

/**
 * Click tracking for recovery emails: /r/<messageId>?s=<signature>. Marks the message clicked
 * (attribution prefers clicked emails) and redirects to the checkout's own recovery URL, read
 * from the database — never from the query string, so this is no open redirect.
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
  const target = checkout?.abandonedCheckoutUrl ?? `https://${message.shop}/cart`;
  return new Response(null, { status: 302, headers: { Location: target, "Cache-Control": "no-store" } });
}
