import db from "~/db.server";
import { databaseAnswers } from "~/models/health.server";

/** Liveness + database check for load balancers and the demo. */
export async function loader() {
  try {
    await databaseAnswers(db);
    return Response.json({ ok: true, db: "ok" }, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return Response.json(
      { ok: false, db: "unavailable", reason: error instanceof Error ? error.message.split("\n")[0] : "unknown" },
      { status: 503, headers: { "Cache-Control": "no-store" } },
    );
  }
}
