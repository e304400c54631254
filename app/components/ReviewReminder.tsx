import { Link, useFetcher } from "@remix-run/react";
import { Banner, BlockStack, List, Text } from "@shopify/polaris";
import { count, timeAgo } from "~/components/format";

export interface StaleTrigger {
  id: string;
  name: string;
  updatedAt: string;
}

/**
 * The quarterly review reminder: active triggers nobody changed or confirmed for 90 days. "Mark
 * reviewed" records that the merchant looked (POST /app/triggers/review); the banner then goes
 * until the next quarter. Shown on the home page, the triggers list and settings.
 */
export function ReviewReminder({ triggers, days = 90 }: { triggers: StaleTrigger[]; days?: number }) {
  const fetcher = useFetcher<{ ok: boolean; reviewed?: number; error?: string }>();
  if (triggers.length === 0 || fetcher.data?.ok) return null;
  const ids = triggers.map((t) => t.id).join(",");
  return (
    <Banner
      tone="warning"
      title={`Time for a review: ${count(triggers.length, "active trigger")} unchanged for ${days} days`}
      action={{
        content: "Mark reviewed",
        loading: fetcher.state !== "idle",
        onAction: () => fetcher.submit({ ids }, { method: "post", action: "/app/triggers/review" }),
      }}
    >
      <BlockStack gap="200">
        <Text as="p">Offers and copy go stale. Check that these still match your store, then mark them reviewed:</Text>
        <List>
          {triggers.slice(0, 5).map((t) => (
            <List.Item key={t.id}>
              <Link to={`/app/triggers/${t.id}`}>{t.name}</Link>, last changed {timeAgo(t.updatedAt)}
            </List.Item>
          ))}
        </List>
        {triggers.length > 5 ? (
          <Text as="p" tone="subdued">
            and {triggers.length - 5} more
          </Text>
        ) : null}
        {fetcher.data && !fetcher.data.ok ? (
          <Text as="p" tone="critical">
            {fetcher.data.error}
          </Text>
        ) : null}
      </BlockStack>
    </Banner>
  );
}
