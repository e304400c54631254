import { Badge, BlockStack, Card, InlineStack, Layout, Text } from "@shopify/polaris";
import { timeAgo } from "~/components/format";
import { deliveryNoun, OUTCOME_LABELS } from "~/components/webhook-labels";

/** One webhook Shopify sent, and what the app did with it. */
export interface DeliveryRow {
  id: string;
  topic: string;
  outcome: string;
  reason: string | null;
  receivedAt: string;
}

/** The latest webhook deliveries and their outcomes. */
export function DeliveriesSection({ deliveries }: { deliveries: DeliveryRow[] }) {
  return (
    <Layout.AnnotatedSection
      id="deliveries"
      title="Webhook deliveries"
      description="The latest notifications Shopify sent about carts, checkouts, orders and your shop, and what Intentful did with each."
    >
      <Card>
        <DeliveryList deliveries={deliveries} />
      </Card>
    </Layout.AnnotatedSection>
  );
}

function DeliveryList({ deliveries }: { deliveries: DeliveryRow[] }) {
  if (deliveries.length === 0) {
    return (
      <Text as="p" tone="subdued">
        No deliveries yet. They arrive when shoppers start carts and checkouts and place orders.
      </Text>
    );
  }
  return (
    <BlockStack gap="200">
      {deliveries.map((d) => {
        const label = OUTCOME_LABELS[d.outcome] ?? { label: d.outcome };
        return (
          <BlockStack key={d.id} gap="050">
            <InlineStack gap="200" blockAlign="center" wrap={false}>
              <Badge tone={label.tone}>{label.label}</Badge>
              <Text as="span" variant="bodyMd">
                {deliveryNoun(d.topic, 1).replace(/^./, (c) => c.toUpperCase())}
              </Text>
              <Text as="span" tone="subdued">
                {timeAgo(d.receivedAt)}
              </Text>
            </InlineStack>
            {d.reason && (
              <Text as="p" tone={label.tone === "critical" ? "critical" : "subdued"} breakWord>
                {d.reason}
              </Text>
            )}
          </BlockStack>
        );
      })}
    </BlockStack>
  );
}
