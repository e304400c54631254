import db from "~/db.server";

/** Liveness + database check for load balancers and the demo. */
export async function loader() {
  try {
    await db.$queryRawUnsafe("SELECT 1");
    return Response.json({ ok: true, db: "ok" }, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return Response.json(
      { ok: false, db: "unavailable", reason: error instanceof Error ? error.message.split("\n")[0] : "unknown" },
      { status: 503, headers: { "Cache-Control": "no-store" } },
    );
  }
}
