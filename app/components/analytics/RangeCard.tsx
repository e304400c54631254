import { Link, useNavigate, useNavigation } from "@remix-run/react";
import { BlockStack, Button, ButtonGroup, Card, InlineStack, Layout, Text } from "@shopify/polaris";
import type { Analytics } from "~/services/analytics.server";
import { RANGE_DAYS, analyticsSearch, type AnalyticsQuery } from "./query";

/**
 * The range and interval choices, and what the numbers below cover. The choices are toggle
 * buttons (`aria-pressed`, Polaris' pressed look) that navigate on click: Polaris draws a `Button`
 * with `url` as a link, and a link shows no pressed state.
 */
export function RangeCard({ days, sequential, analytics }: AnalyticsQuery & { analytics: Analytics }) {
  const navigate = useNavigate();
  const navigation = useNavigation();
  const loading = navigation.state === "loading" && navigation.location?.pathname === "/app/analytics";
  const go = (query: AnalyticsQuery) => navigate(`/app/analytics${analyticsSearch(query)}`);
  const rangeLabel = `${new Date(analytics.from).toISOString().slice(0, 10)} to ${new Date(analytics.to).toISOString().slice(0, 10)}`;
  return (
    <Layout.Section>
      <Card>
        <BlockStack gap="300">
          <InlineStack align="space-between" blockAlign="center" gap="300" wrap>
            <ButtonGroup variant="segmented">
              {RANGE_DAYS.map((d) => (
                <Button key={d} pressed={d === days} onClick={() => go({ days: d, sequential })}>
                  {`Last ${d} days`}
                </Button>
              ))}
            </ButtonGroup>
            <ButtonGroup variant="segmented">
              <Button pressed={sequential} onClick={() => go({ days, sequential: true })}>
                Safe to check daily
              </Button>
              <Button pressed={!sequential} onClick={() => go({ days, sequential: false })}>
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
  );
}
