/** The analytics page's URL parameters, shared by the page, the CSV export and their links. */
export const RANGE_DAYS = [7, 30, 90] as const;
export type RangeDays = (typeof RANGE_DAYS)[number];

export interface AnalyticsQuery {
  days: RangeDays;
  /** Always-valid intervals (default) or fixed-horizon ones. */
  sequential: boolean;
}

export function parseAnalyticsQuery(params: URLSearchParams): AnalyticsQuery {
  const days = Number(params.get("days"));
  return {
    days: (RANGE_DAYS as readonly number[]).includes(days) ? (days as RangeDays) : 30,
    sequential: params.get("intervals") !== "fixed",
  };
}

export function analyticsSearch(query: AnalyticsQuery): string {
  const params = new URLSearchParams({ days: String(query.days) });
  if (!query.sequential) params.set("intervals", "fixed");
  return `?${params.toString()}`;
}
