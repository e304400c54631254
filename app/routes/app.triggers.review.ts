import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { authenticate } from "~/shopify.server";
import { markTriggersReviewed } from "~/models/trigger.server";
import db from "~/db.server";

/**
 * POST /app/triggers/review, ids=<id,id,…>: the review reminder's "Mark reviewed". Only this
 * shop's triggers are touched; the reminder comes back after another quarter.
 */
const input = z.object({
  ids: z
    .string()
    .transform((s) =>
      s
        .split(",")
        .map((id) => id.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().max(64)).min(1, "Name at least one trigger").max(200, "At most 200 triggers at once")),
});

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  if (request.method !== "POST") return Response.json({ ok: false, error: "Use POST" }, { status: 405 });
  const parsed = input.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return Response.json({ ok: false, error: parsed.error.issues[0]?.message ?? "Invalid input" }, { status: 400 });
  const reviewed = await markTriggersReviewed(db, session.shop, parsed.data.ids);
  return Response.json({ ok: true, reviewed });
};
