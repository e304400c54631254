import type { LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { parseAnalyticsQuery } from "~/components/analytics/query";
import { analyticsToCsv, armTestsToCsv, getAnalytics, rangeForDays } from "~/services/analytics.server";
import { authenticate } from "~/shopify.server";

/**
 * GET /app/analytics/csv?days=30[&intervals=fixed]: the analytics table as a download.
 * With `per=arm`: one row per arm of every running A/B test (columns: ARM_CSV_HEADER in
 * services/analytics.server.ts).
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const query = parseAnalyticsQuery(new URL(request.url).searchParams);
  const now = new Date();
  const analytics = await getAnalytics(db, session.shop, { ...rangeForDays(query.days, now), sequential: query.sequential });
  const handle = session.shop.replace(/\.myshopify\.com$/, "").replace(/[^a-z0-9-]/gi, "-");
  const perArm = new URL(request.url).searchParams.get("per") === "arm";
  const filename = `intentful-${perArm ? "ab-tests" : "analytics"}-${handle}-${query.days}d-${now.toISOString().slice(0, 10)}.csv`;
  return new Response(perArm ? armTestsToCsv(analytics) : analyticsToCsv(analytics), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "no-store",
    },
  });
};
