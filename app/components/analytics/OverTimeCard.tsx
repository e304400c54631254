import { useState } from "react";
import { BlockStack, Box, Card, InlineStack, Layout, Select, Text } from "@shopify/polaris";
import type { Analytics, DailyPoint, ExperimentRow } from "~/services/analytics.server";
import { rateYAxisOptions } from "./chartAxis";
import { formatPercent, formatPoints } from "./format";
import { CHART_HEIGHT, TimeSeriesChart, type ChartSeries } from "./TimeSeriesChart";

// Treatment in the admin's blue; the holdout (the comparison) dashed, in a dark amber that also
// reads on white and in greyscale (≥ 4.5:1 against the card).
const TREATMENT = "#2c6ecb";
const HOLDOUT = "#8a6116";
/** Decimals of the chart's rates (37.5%). */
const VALUE_DIGITS = 1;

/** Cumulative conversion rate per arm: daily cohorts added up, so the lines settle as data grows. */
function cumulativeRates(points: DailyPoint[]): { treatment: Array<number | null>; control: Array<number | null> } {
  let tu = 0;
  let tc = 0;
  let cu = 0;
  let cc = 0;
  const treatment: Array<number | null> = [];
  const control: Array<number | null> = [];
  for (const p of points) {
    tu += p.treatmentUsers;
    tc += p.treatmentConversions;
    cu += p.controlUsers;
    cc += p.controlConversions;
    treatment.push(tu > 0 ? tc / tu : null);
    control.push(cu > 0 ? cc / cu : null);
  }
  return { treatment, control };
}

function addDaily(rows: ExperimentRow[]): DailyPoint[] {
  if (rows.length === 0) return [];
  return rows[0].daily.map((d, i) => {
    const p = { ...d };
    for (const r of rows.slice(1)) {
      const o = r.daily[i];
      p.treatmentUsers += o.treatmentUsers;
      p.controlUsers += o.controlUsers;
      p.treatmentConversions += o.treatmentConversions;
      p.controlConversions += o.controlConversions;
      p.treatmentRevenueCents += o.treatmentRevenueCents;
      p.controlRevenueCents += o.controlRevenueCents;
    }
    return p;
  });
}

/** The chart of one row (or all overlays together): its dates, both arms' lines, and their words for assistive technology. */
function chartOf(chartRow: ExperimentRow | undefined, triggers: ExperimentRow[]) {
  const daily = chartRow ? chartRow.daily : addDaily(triggers);
  const dates = daily.map((d) => d.date);
  const rates = cumulativeRates(daily);
  const lastIndex = dates.length - 1;
  const title = `${chartRow ? chartRow.name : "All overlays"}: cumulative conversion rate, treatment vs holdout`;
  const description =
    lastIndex >= 0 && rates.treatment[lastIndex] != null
      ? `By ${dates[lastIndex]}: treatment ${formatPercent(rates.treatment[lastIndex] ?? 0)}, holdout ${
          rates.control[lastIndex] == null ? "no data" : formatPercent(rates.control[lastIndex] ?? 0)
        }.`
      : "No exposures in this range yet.";
  const series: ChartSeries[] = [
    { label: "Treatment", color: TREATMENT, values: rates.treatment },
    { label: "Holdout", color: HOLDOUT, dashed: true, values: rates.control },
  ];
  return { title, description, dates, series };
}

/** Treatment against holdout over the range, for all overlays or one trigger or flow. */
export function OverTimeCard({ analytics }: { analytics: Analytics }) {
  const [chartKey, setChartKey] = useState("overlays");
  const chartOptions = [
    { label: "All overlays", value: "overlays" },
    ...analytics.triggers.map((r) => ({ label: `Trigger: ${r.name}`, value: `trigger:${r.id}` })),
    ...analytics.flows.map((r) => ({ label: `Flow: ${r.name}`, value: `flow:${r.id}` })),
  ];
  const chartRow = [...analytics.triggers, ...analytics.flows].find((r) => `${r.kind}:${r.id}` === chartKey);
  const chart = chartOf(chartRow, analytics.triggers);
  return (
    <Layout.Section>
      <Card>
        <BlockStack gap="300">
          <InlineStack align="space-between" blockAlign="center" wrap gap="200">
            <Text as="h2" variant="headingMd">
              Over time
            </Text>
            <Box minWidth="240px">
              <Select label="Show" labelInline options={chartOptions} value={chartKey} onChange={setChartKey} />
            </Box>
          </InlineStack>
          <Text as="p" tone="subdued">
            Conversion rate of everyone exposed up to each day (by the day they first saw it
            {chartRow?.kind === "flow" ? "; for a flow, runs by start day and orders by order day" : ""}).
            {chartRow ? ` Lift so far: ${formatPoints(chartRow.conversion.absoluteLift)}.` : ""}
          </Text>
          <TimeSeriesChart
            title={chart.title}
            description={chart.description}
            dates={chart.dates}
            series={chart.series}
            formatValue={(v) => formatPercent(v, VALUE_DIGITS)}
            // scaled to the rates shown: 0–1 % while there are no conversions, not Polaris Viz's 0–10 (0–1000 %)
            yAxisOptions={rateYAxisOptions(
              chart.series.flatMap((s) => s.values),
              CHART_HEIGHT,
              VALUE_DIGITS,
            )}
          />
        </BlockStack>
      </Card>
    </Layout.Section>
  );
}
