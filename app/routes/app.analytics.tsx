import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import db from "~/db.server";
import { ArmTestsCard, type PromoteAnswer } from "~/components/analytics/ArmTestsCard";
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
import { promoteStepArm, promoteTriggerArm } from "~/services/experiments.server";
import { publishRules } from "~/services/publish.server";
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

/**
 * POST intent=promote, kind=trigger|step, id, arm: ends the test with that arm as the row's own
 * content (services/experiments.server.ts); a trigger's rules are republished right away.
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const shop = session.shop;
  const form = await request.formData();
  const field = (name: string) => {
    const v = form.get(name);
    return typeof v === "string" ? v : "";
  };
  const fail = (error: string, status: number) => json<PromoteAnswer>({ ok: false, error }, { status });
  if (field("intent") !== "promote") return fail(`Unknown action "${field("intent")}"`, 400);
  const kind = field("kind");
  const id = field("id");
  if (kind !== "trigger" && kind !== "step") return fail("Say whether a trigger or an email is promoted", 400);
  if (!id) return fail("Say which test to end", 400);
  const result =
    kind === "trigger"
      ? await promoteTriggerArm(db, shop, id, field("arm"), { how: "manual" })
      : await promoteStepArm(db, shop, id, field("arm"), { how: "manual" });
  if (!result.ok) return fail(result.reason, result.status);
  let name = "";
  let publish: { ok: true } | { ok: false; error: string } | null = null;
  if (kind === "trigger") {
    name = (await db.trigger.findFirst({ where: { shop, id }, select: { name: true } }))?.name ?? "";
    const published = await publishRules(db, shop, admin);
    publish = published.ok ? { ok: true } : { ok: false, error: published.error };
  } else {
    const step = await db.recoveryStep.findFirst({ where: { id, flow: { shop } }, select: { position: true, flow: { select: { name: true } } } });
    name = step ? `${step.flow.name} · Email ${step.position + 1}` : "";
  }
  return json<PromoteAnswer>({ ok: true, kind, name, label: result.label, publish });
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
        <ArmTestsCard tests={analytics.tests} ended={analytics.endedTests} currency={analytics.currency} query={{ days, sequential }} />
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
