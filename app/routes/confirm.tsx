import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { confirmContact, verifyConfirmToken } from "~/services/consent.server";

/**
 * The double opt-in link of a storefront sign-up. GET shows a button (mail scanners follow GET
 * links, so GET never confirms); POST confirms: marketing consent, CONFIRMED_OPT_IN in Shopify.
 */
function page(title: string, body: string, status = 200) {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#202223}button{font:inherit;padding:.6rem 1.2rem;border-radius:.5rem;border:0;background:#303030;color:#fff;cursor:pointer}</style></head>
<body><main><h1>${title}</h1>${body}</main></body></html>`;
  return new Response(html, { status, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" } });
}

const token = (request: Request) => new URL(request.url).searchParams.get("token") ?? "";
const invalid = () => page("Link not valid", "<p>This confirmation link is not valid. Please use the link from the latest email.</p>", 400);

export async function loader({ request }: LoaderFunctionArgs) {
  const t = token(request);
  if (!verifyConfirmToken(t)) return invalid();
  return page(
    "Confirm your subscription",
    `<p>Receive news and offers by email from this shop? You can unsubscribe at any time.</p><form method="post" action="/confirm?token=${t.replace(/[^A-Za-z0-9_.-]/g, "")}"><button type="submit">Yes, subscribe me</button></form>`,
  );
}

export async function action({ request }: ActionFunctionArgs) {
  const subject = verifyConfirmToken(token(request));
  if (!subject) return invalid();
  const outcome = await confirmContact(subject.shop, subject.email);
  if (outcome === "unknown") return page("Nothing to confirm", "<p>This sign-up is no longer on file.</p>", 404);
  return page("You're subscribed", "<p>Thanks for confirming. You'll hear from this shop about news and offers.</p>");
}
