import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { confirmContact, verifyConfirmToken } from "~/services/consent.server";
import { publicPage } from "~/services/public-page.server";

/**
 * The double opt-in link of a storefront sign-up. GET shows a button (mail scanners follow GET
 * links, so GET never confirms); POST confirms: marketing consent, CONFIRMED_OPT_IN in Shopify.
 */
const page = publicPage;

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
  const outcome = await confirmContact(db, subject.shop, subject.email);
  if (outcome === "unknown") return page("Nothing to confirm", "<p>This sign-up is no longer on file.</p>", 404);
  return page("You're subscribed", "<p>Thanks for confirming. You'll hear from this shop about news and offers.</p>");
}
