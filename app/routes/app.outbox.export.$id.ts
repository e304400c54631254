import type { LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { authenticate } from "~/shopify.server";
import { getDataExport } from "~/models/message.server";

/** Downloads a customers/data_request export as JSON (scoped to the session's shop). */
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const exp = await getDataExport(db, session.shop, params.id ?? "");
  if (!exp) return new Response("Not found", { status: 404 });
  return new Response(JSON.stringify({ shop: exp.shop, customerId: exp.customerId, email: exp.email, createdAt: exp.createdAt, data: exp.payload }, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="customer-data-${exp.id}.json"`,
      "Cache-Control": "no-store",
    },
  });
};
