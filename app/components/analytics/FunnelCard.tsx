import { BlockStack, Card, Layout, Text } from "@shopify/polaris";
import type { FunnelRow } from "~/services/analytics.server";
import { FunnelTable } from "./FunnelTable";

/** Overlay impressions, clicks and conversions by intent tier. */
export function FunnelCard({ rows }: { rows: FunnelRow[] }) {
  return (
    <Layout.Section>
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            Funnel by intent tier
          </Text>
          <Text as="p" tone="subdued">
            Overlay events among shoppers who saw them, by how ready to buy the tracker judged them at that moment.
          </Text>
          <FunnelTable rows={rows} />
        </BlockStack>
      </Card>
    </Layout.Section>
  );
}
