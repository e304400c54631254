import { useState } from "react";
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, ButtonGroup, Card, InlineGrid, InlineStack, Layout, Page, Select, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import db from "~/db.server";
import { ExperimentTable } from "~/components/analytics/ExperimentTable";
import { FunnelTable } from "~/components/analytics/FunnelTable";
import { TimeSeriesChart, type ChartSeries } from "~/components/analytics/TimeSeriesChart";
import { formatCount, formatMoney, formatPercent, formatPoints } from "~/components/analytics/format";
import { count } from "~/components/format";
import { RANGE_DAYS, analyticsSearch, parseAnalyticsQuery } from "~/components/analytics/query";
import { downloadFile } from "~/components/download";
import { AdminErrorBoundary } from "~/components/RouteErrorBoundary";
import { getAnalytics, rangeForDays, type DailyPoint, type ExperimentRow } from "~/services/analytics.server";
import { authenticate } from "~/shopify.server";

// Polaris Viz's stylesheet, only on the page that draws a chart.
export const links: LinksFunction = () => [{ rel: "stylesheet", href: vizStyles }];

export const meta: MetaFunction = () => [{ title: "Analytics · Intentful" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const query = parseAnalyticsQuery(new URL(request.url).searchParams);
  const analytics = await getAnalytics(db, session.shop, { ...rangeForDays(query.days), sequential: query.sequential });
  return { days: query.days, sequential: query.sequential, analytics };
};

// Treatment in the admin's blue; the holdout (the comparison) dashed, in a dark amber that also
// reads on white and in greyscale (≥ 4.5:1 against the card).
const TREATMENT = "#2c6ecb";
const HOLDOUT = "#8a6116";

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

export default function AnalyticsPage() {
  const { days, sequential, analytics } = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const loading = navigation.state === "loading" && navigation.location?.pathname === "/app/analytics";
  const [chartKey, setChartKey] = useState("overlays");
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const { currency } = analytics;

  const rows = [...analytics.triggers, ...analytics.flows];
  const mismatches = rows.filter((r) => r.srm.mismatch);
  const trusted = rows.filter((r) => !r.srm.mismatch);
  const mixed = analytics.triggers.filter((r) => r.mixedUsers > 0);

  const sum = (list: ExperimentRow[], f: (r: ExperimentRow) => number | null) => list.reduce((s, r) => s + (f(r) ?? 0), 0);
  const totals = {
    // Rows with a broken split are not evidence of anything: left out of the headline.
    incrementalConversions: sum(trusted, (r) => r.incrementalConversions),
    incrementalRevenueCents: sum(trusted, (r) => r.incrementalRevenueCents),
    recoveredCheckouts: sum(analytics.flows, (r) => r.treatment.conversions),
    recoveredRevenueCents: sum(analytics.flows, (r) => r.treatment.revenueCents),
    exposed: sum(analytics.triggers, (r) => r.treatment.users),
    holdout: sum(analytics.triggers, (r) => r.control.users),
  };

  const chartOptions = [
    { label: "All overlays", value: "overlays" },
    ...analytics.triggers.map((r) => ({ label: `Trigger: ${r.name}`, value: `trigger:${r.id}` })),
    ...analytics.flows.map((r) => ({ label: `Flow: ${r.name}`, value: `flow:${r.id}` })),
  ];
  const chartRow = rows.find((r) => `${r.kind}:${r.id}` === chartKey);
  const daily = chartRow ? chartRow.daily : addDaily(analytics.triggers);
  const dates = daily.map((d) => d.date);
  const rates = cumulativeRates(daily);
  const lastIndex = dates.length - 1;
  const chartTitle = `${chartRow ? chartRow.name : "All overlays"}: cumulative conversion rate, treatment vs holdout`;
  const chartDescription =
    lastIndex >= 0 && rates.treatment[lastIndex] != null
      ? `By ${dates[lastIndex]}: treatment ${formatPercent(rates.treatment[lastIndex] ?? 0)}, holdout ${
          rates.control[lastIndex] == null ? "no data" : formatPercent(rates.control[lastIndex] ?? 0)
        }.`
      : "No exposures in this range yet.";
  const series: ChartSeries[] = [
    { label: "Treatment", color: TREATMENT, values: rates.treatment },
    { label: "Holdout", color: HOLDOUT, dashed: true, values: rates.control },
  ];

  const exportCsv = async () => {
    setExporting(true);
    setExportError(null);
    const url = `/app/analytics/csv${analyticsSearch({ days, sequential })}`;
    try {
      await downloadFile(url, "intentful-analytics.csv");
    } catch (error) {
      setExportError(`The export failed (${error instanceof Error ? error.message : "network error"}). Try again.`);
    } finally {
      setExporting(false);
    }
  };

  const rangeLabel = `${new Date(analytics.from).toISOString().slice(0, 10)} to ${new Date(analytics.to).toISOString().slice(0, 10)}`;

  return (
    <Page>
      <TitleBar title="Analytics">
        <button variant="primary" onClick={exportCsv} disabled={exporting}>
          {exporting ? "Exporting…" : "Export CSV"}
        </button>
      </TitleBar>
      <Layout>
        <Layout.Section>
          <Text as="p" tone="subdued">
            What each overlay and recovery flow added, measured against shoppers held out from it.
          </Text>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between" blockAlign="center" gap="300" wrap>
                <ButtonGroup variant="segmented">
                  {RANGE_DAYS.map((d) => (
                    <Button key={d} pressed={d === days} url={`/app/analytics${analyticsSearch({ days: d, sequential })}`}>
                      {`Last ${d} days`}
                    </Button>
                  ))}
                </ButtonGroup>
                <ButtonGroup variant="segmented">
                  <Button pressed={sequential} url={`/app/analytics${analyticsSearch({ days, sequential: true })}`}>
                    Safe to check daily
                  </Button>
                  <Button pressed={!sequential} url={`/app/analytics${analyticsSearch({ days, sequential: false })}`}>
                    Fixed horizon
                  </Button>
                </ButtonGroup>
              </InlineStack>
              <Text as="p" tone="subdued">
                {rangeLabel} ({analytics.timezone}). An order counts for an overlay when it comes within{" "}
                <strong>
                  {analytics.attributionWindowDays} {analytics.attributionWindowDays === 1 ? "day" : "days"}
                </strong>{" "}
                of the shopper first seeing it (the attribution window, <Link to="/app/settings">Settings</Link>); for a flow, within that window of its email.{" "}
                {sequential
                  ? "Intervals stay valid however often you look (always-valid confidence sequences)."
                  : "Fixed-horizon intervals: decide once, at a sample size chosen in advance."}
              </Text>
              {loading ? (
                <Text as="p" tone="subdued">
                  Updating…
                </Text>
              ) : null}
            </BlockStack>
          </Card>
        </Layout.Section>

        {exportError ? (
          <Layout.Section>
            <Banner tone="critical" onDismiss={() => setExportError(null)}>
              {exportError}
            </Banner>
          </Layout.Section>
        ) : null}

        {mismatches.length > 0 ? (
          <Layout.Section>
            <Banner tone="warning" title="Some splits are off: don’t trust these results yet">
              <BlockStack gap="100">
                {mismatches.map((r) => (
                  <p key={`${r.kind}-${r.id}`}>
                    <strong>{r.name}</strong>: {formatPercent(r.srm.observedControlShare, 1)} of {r.kind === "flow" ? "runs" : "visitors"} are in the holdout,
                    but it is set to {formatPercent(r.srm.expectedControlShare, 0)} (p {r.srm.pValue < 0.0001 ? "< 0.0001" : `= ${r.srm.pValue.toFixed(4)}`}).
                    Usually the tracker misses one group (a theme or consent change) or the holdout was changed during the test.
                  </p>
                ))}
              </BlockStack>
            </Banner>
          </Layout.Section>
        ) : null}
        {mixed.length > 0 ? (
          <Layout.Section>
            <Banner tone="info">
              {formatCount(mixed.reduce((s, r) => s + r.mixedUsers, 0))} visitors were seen both with and without an overlay (its holdout changed during the
              range) and are left out of the comparison.
            </Banner>
          </Layout.Section>
        ) : null}

        <Layout.Section>
          <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="300">
            <Metric
              label="Extra orders vs holdouts"
              value={formatCount(totals.incrementalConversions)}
              note={mismatches.length ? "Estimated; splits that are off left out" : "Overlays and flows, estimated"}
            />
            <Metric
              label="Extra revenue vs holdouts"
              value={formatMoney(totals.incrementalRevenueCents, currency)}
              note={mismatches.length ? "Estimated; splits that are off left out" : "Overlays and flows, estimated"}
            />
            <Metric label="Recovered checkouts" value={formatCount(totals.recoveredCheckouts)} note="Orders credited to flow emails" />
            <Metric
              label="Recovered revenue"
              value={formatMoney(totals.recoveredRevenueCents, currency)}
              note={`${formatCount(totals.exposed)} visitors saw overlays, ${formatCount(totals.holdout)} held out`}
            />
          </InlineGrid>
        </Layout.Section>

        <Layout.Section>
          <Card padding="0">
            <Box padding="400">
              <Text as="h2" variant="headingMd">
                Overlays
              </Text>
            </Box>
            {analytics.triggers.length > 0 ? (
              <ExperimentTable rows={analytics.triggers} kind="trigger" currency={currency} />
            ) : (
              <Box padding="400">
                <Text as="p" tone="subdued">
                  No triggers yet.
                </Text>
              </Box>
            )}
          </Card>
        </Layout.Section>

        <Layout.Section>
          <Card padding="0">
            <Box padding="400">
              <Text as="h2" variant="headingMd">
                Recovery flows
              </Text>
            </Box>
            {analytics.flows.length > 0 ? (
              <>
                <ExperimentTable rows={analytics.flows} kind="flow" currency={currency} />
                <Box padding="400">
                  <Text as="p" tone="subdued">
                    {analytics.budget.waits + analytics.budget.skipped + analytics.budget.overlays > 0
                      ? `Held back by the message budget: ${count(analytics.budget.waits, "email")} waited (${count(analytics.budget.runsHeld, "shopper")}), ${count(analytics.budget.skipped, "email")} not sent; ${count(analytics.budget.overlays, "overlay")} not shown right after a recovery email.`
                      : "Held back by the message budget: none in this period."}{" "}
                    <Link to="/app/settings#caps">Budget settings</Link>
                  </Text>
                </Box>
              </>
            ) : (
              <Box padding="400">
                <Text as="p" tone="subdued">
                  No recovery flows yet.
                </Text>
              </Box>
            )}
          </Card>
        </Layout.Section>

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
              <TimeSeriesChart title={chartTitle} description={chartDescription} dates={dates} series={series} formatValue={(v) => formatPercent(v, 1)} />
            </BlockStack>
          </Card>
        </Layout.Section>

        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Funnel by intent tier
              </Text>
              <Text as="p" tone="subdued">
                Overlay events among shoppers who saw them, by how ready to buy the tracker judged them at that moment.
              </Text>
              <FunnelTable rows={analytics.funnel} />
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function Metric({ label, value, note }: { label: string; value: string; note: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="bodySm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingLg" numeric>
          {value}
        </Text>
        <Text as="p" variant="bodySm" tone="subdued">
          {note}
        </Text>
      </BlockStack>
    </Card>
  );
}

export function ErrorBoundary() {
  return <AdminErrorBoundary resource="page" backUrl="/app/analytics" backLabel="Reload" />;
}
