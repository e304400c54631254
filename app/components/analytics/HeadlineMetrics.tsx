import { BlockStack, Card, InlineGrid, Layout, Text } from "@shopify/polaris";
import { count } from "~/components/format";
import type { Analytics, ExperimentRow } from "~/services/analytics.server";
import { formatCount, formatMoney } from "./format";

const sum = (list: ExperimentRow[], f: (r: ExperimentRow) => number | null) => list.reduce((s, r) => s + (f(r) ?? 0), 0);

/**
 * The four headline numbers: what overlays and flows added against their holdouts, and what flows
 * recovered. Each card's subtitle says what its own figure counts.
 */
export function HeadlineMetrics({ analytics }: { analytics: Analytics }) {
  const { currency } = analytics;
  const rows = [...analytics.triggers, ...analytics.flows];
  const mismatches = rows.filter((r) => r.srm.mismatch);
  const trusted = rows.filter((r) => !r.srm.mismatch);
  const totals = {
    // Rows with a broken split are not evidence of anything: left out of the headline.
    incrementalConversions: sum(trusted, (r) => r.incrementalConversions),
    incrementalRevenueCents: sum(trusted, (r) => r.incrementalRevenueCents),
    recoveredCheckouts: sum(analytics.flows, (r) => r.treatment.conversions),
    recoveredOrders: sum(analytics.flows, (r) => r.treatment.orders),
    recoveredRevenueCents: sum(analytics.flows, (r) => r.treatment.revenueCents),
  };
  const incrementalNote = mismatches.length ? "Estimated; splits that are off left out" : "Overlays and flows, estimated";
  return (
    <Layout.Section>
      <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="300">
        <Metric label="Extra orders vs holdouts" value={formatCount(totals.incrementalConversions)} note={incrementalNote} />
        <Metric label="Extra revenue vs holdouts" value={formatMoney(totals.incrementalRevenueCents, currency)} note={incrementalNote} />
        <Metric label="Recovered checkouts" value={formatCount(totals.recoveredCheckouts)} note="Checkouts with an order credited to a flow email" />
        <Metric
          label="Recovered revenue"
          value={formatMoney(totals.recoveredRevenueCents, currency)}
          note={`From ${count(totals.recoveredOrders, "order")} credited to flow emails`}
        />
      </InlineGrid>
    </Layout.Section>
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
