import { Suspense, lazy, useId, useMemo } from "react";
import { BlockStack, Text } from "@shopify/polaris";
import type { DataSeries } from "@shopify/polaris-viz";
import { ClientOnly } from "~/components/ClientOnly";
import type { YAxisOptions } from "./chartAxis";

const PolarisLineChart = lazy(() => import("./PolarisLineChart"));

export interface ChartSeries {
  label: string;
  color: string;
  /** Dashed lines tell series apart without colour. */
  dashed?: boolean;
  /** One value per date; null where there is nothing to show yet. */
  values: Array<number | null>;
}

/** The chart's box, legend included: the same on the server (empty) and in the browser, so nothing shifts. */
export const CHART_HEIGHT = 300;

/**
 * A line chart drawn by Polaris Viz (Shopify's chart library for the admin), in its Light theme.
 * It measures its container with ResizeObserver, so it renders in the browser only, loaded after
 * hydration; the server (and the browser until the chart arrives) shows an empty box of the same
 * height, so nothing shifts. Accessible without the chart, which is hidden from assistive
 * technology (see PolarisLineChart): the figure is named by `title` and described by
 * `description` (the latest values), and every number is in a data table behind a disclosure,
 * in the server HTML too. Series differ by dash pattern as well as colour.
 */
export function TimeSeriesChart({
  title,
  description,
  dates,
  series,
  formatValue,
  yAxisOptions,
}: {
  title: string;
  description: string;
  dates: string[];
  series: ChartSeries[];
  formatValue: (n: number) => string;
  /** Polaris Viz's y-axis options, scaled to the data (`rateYAxisOptions` for rates). */
  yAxisOptions?: YAxisOptions;
}) {
  const id = useId();
  // The page builds new arrays on every render; redraw (and re-animate) only when the numbers change.
  const signature = JSON.stringify([dates, series]);
  const data = useMemo<DataSeries[]>(() => {
    const hasValues = series.some((s) => s.values.some((v) => v != null && Number.isFinite(v)));
    if (!hasValues) return [];
    return series.map((s) => ({
      name: s.label,
      color: s.color,
      data: dates.map((date, i) => {
        const v = s.values[i];
        return { key: date, value: v != null && Number.isFinite(v) ? v : null };
      }),
      styleOverride: s.dashed ? { line: { strokeDasharray: "6 4" } } : undefined,
    }));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `signature` stands for dates and series
  }, [signature]);

  return (
    <figure aria-labelledby={`${id}-title`} aria-describedby={`${id}-desc`} style={{ margin: 0 }}>
      <figcaption id={`${id}-title`}>
        <Text as="span" visuallyHidden>
          {title}
        </Text>
      </figcaption>
      <p id={`${id}-desc`} style={{ margin: 0 }}>
        <Text as="span" visuallyHidden>
          {description}
        </Text>
      </p>
      <BlockStack gap="200">
        <div data-chart="time-series" style={{ height: CHART_HEIGHT }}>
          {data.length === 0 ? (
            // Polaris Viz's empty state draws bare axes with made-up ticks; say it in words instead.
            <div style={{ height: "100%", display: "grid", placeItems: "center" }}>
              <Text as="p" tone="subdued">
                {description}
              </Text>
            </div>
          ) : (
            <ClientOnly>
              {() => (
                <Suspense fallback={null}>
                  <PolarisLineChart data={data} formatValue={formatValue} yAxisOptions={yAxisOptions} />
                </Suspense>
              )}
            </ClientOnly>
          )}
        </div>
        <NumbersTable title={title} dates={dates} series={series} formatValue={formatValue} />
      </BlockStack>
    </figure>
  );
}

/** Every number behind a disclosure, in the server HTML too: the chart's accessible form. */
function NumbersTable({ title, dates, series, formatValue }: { title: string; dates: string[]; series: ChartSeries[]; formatValue: (n: number) => string }) {
  return (
    <details>
      <summary style={{ cursor: "pointer" }}>
        <Text as="span" variant="bodySm">
          Show the numbers
        </Text>
      </summary>
      <div style={{ overflowX: "auto" }}>
        <table style={{ borderCollapse: "collapse", fontSize: 12, marginTop: 8 }}>
          <caption style={{ textAlign: "left", padding: "4px 0" }}>{title}</caption>
          <thead>
            <tr>
              <th scope="col" style={{ textAlign: "left", padding: "2px 8px" }}>
                Day
              </th>
              {series.map((s) => (
                <th key={s.label} scope="col" style={{ textAlign: "right", padding: "2px 8px" }}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {dates.map((d, i) => (
              <tr key={d}>
                <th scope="row" style={{ textAlign: "left", padding: "2px 8px", fontWeight: 400 }}>
                  {d}
                </th>
                {series.map((s) => (
                  <td key={s.label} style={{ textAlign: "right", padding: "2px 8px" }}>
                    {s.values[i] == null ? "—" : formatValue(s.values[i] as number)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
