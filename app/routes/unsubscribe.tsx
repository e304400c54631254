import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { getEnv } from "~/env.server";
import db from "~/db.server";
import { verifyUnsubscribeToken } from "~/services/email/unsubscribe-token.server";
import { publicPage } from "~/services/public-page.server";

/**
 * Unsubscribe from recovery emails. GET shows a confirmation form (mail scanners follow GET
 * links, so GET never unsubscribes); POST unsubscribes — including RFC 8058 one-click POSTs
 * from mailbox providers (`List-Unsubscribe=One-Click`).
 */
const page = publicPage;

function check(request: Request) {
  const token = new URL(request.url).searchParams.get("token") ?? "";
  return { token, result: verifyUnsubscribeToken(token, getEnv().SHOPIFY_API_SECRET) };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { token, result } = check(request);
  if (!result.valid) return page("Link not valid", "<p>This unsubscribe link is not valid. Please use the link from the latest email.</p>", 400);
  const escaped = token.replace(/[^A-Za-z0-9_.-]/g, "");
  return page(
    "Unsubscribe",
    `<p>Stop receiving cart and checkout reminder emails from this shop?</p><form method="post" action="/unsubscribe?token=${escaped}"><button type="submit">Unsubscribe</button></form>`,
  );
}

export async function action({ request }: ActionFunctionArgs) {
  const { result } = check(request);
  if (!result.valid) return page("Link not valid", "<p>This unsubscribe link is not valid.</p>", 400);
  await db.suppression.upsert({
    where: { shop_email: { shop: result.shop, email: result.email } },
    create: { shop: result.shop, email: result.email, reason: "unsubscribed" },
    update: { reason: "unsubscribed" },
  });
  await db.flowRun.updateMany({
    where: { shop: result.shop, email: result.email, status: "active" },
    data: { status: "stopped", stopReason: "unsubscribed", stoppedAt: new Date() },
  });
  return page("You are unsubscribed", "<p>You will not receive reminder emails from this shop again.</p>");
}
