import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import db from "~/db.server";
import { FlowsCard, OverlaysCard } from "~/components/analytics/ExperimentCards";
import { FunnelCard } from "~/components/analytics/FunnelCard";
import { HeadlineMetrics } from "~/components/analytics/HeadlineMetrics";
import { ExportErrorBanner, MixedUsersNotice, SplitWarnings } from "~/components/analytics/Notices";
import { OverTimeCard } from "~/components/analytics/OverTimeCard";
import { parseAnalyticsQuery } from "~/components/analytics/query";
import { RangeCard } from "~/components/analytics/RangeCard";
import { useCsvExport } from "~/components/analytics/useCsvExport";
import { AdminErrorBoundary } from "~/components/RouteErrorBoundary";
import { getAnalytics, rangeForDays } from "~/services/analytics.server";
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

export default function AnalyticsPage() {
  const { days, sequential, analytics } = useLoaderData<typeof loader>();
  const { exporting, exportError, dismissError, exportCsv } = useCsvExport({ days, sequential });
  const mismatches = [...analytics.triggers, ...analytics.flows].filter((r) => r.srm.mismatch);
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
        <RangeCard days={days} sequential={sequential} analytics={analytics} />
        <ExportErrorBanner error={exportError} onDismiss={dismissError} />
        <SplitWarnings mismatches={mismatches} />
        <MixedUsersNotice triggers={analytics.triggers} />
        <HeadlineMetrics analytics={analytics} />
        <OverlaysCard rows={analytics.triggers} currency={analytics.currency} />
        <FlowsCard rows={analytics.flows} currency={analytics.currency} budget={analytics.budget} />
        <OverTimeCard analytics={analytics} />
        <FunnelCard rows={analytics.funnel} />
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return <AdminErrorBoundary resource="page" backUrl="/app/analytics" backLabel="Reload" />;
}
