import { Badge, BlockStack, Box, DataTable, Text } from "@shopify/polaris";
import { count } from "~/components/format";
import type { ExperimentRow, MetricComparison } from "~/services/analytics.server";
import { formatCount, formatInterval, formatMoney, formatPercent, formatPoints, formatSignedMoney, formatSignedPercent } from "./format";

const REASONS: Record<string, string> = {
  not_enough_users: "Needs at least 2 visitors in each group",
  no_variance: "No conversions in either group yet",
  control_is_zero: "Holdout has no conversions yet",
  invalid_input: "Not measurable",
};

export function VerdictBadge({ metric, holdoutPct, srmMismatch }: { metric: MetricComparison; holdoutPct: number; srmMismatch: boolean }) {
  if (srmMismatch) return <Badge tone="warning">Check the split</Badge>;
  if (metric.status === "winning") return <Badge tone="success">Winning</Badge>;
  if (metric.status === "losing") return <Badge tone="critical">Losing</Badge>;
  let note: string | null = null;
  if (holdoutPct === 0) note = "No holdout: set one to measure";
  else if (metric.visitorsStillNeeded != null) note = `≈ ${count(Math.round(metric.visitorsStillNeeded), "more visitor", "more visitors")} for a +10% lift`;
  else if (metric.reason) note = REASONS[metric.reason] ?? null;
  return (
    <BlockStack gap="050">
      <span>
        <Badge>Not enough data</Badge>
      </span>
      {note ? (
        <Text as="span" variant="bodySm" tone="subdued">
          {note}
        </Text>
      ) : null}
    </BlockStack>
  );
}

function Stack({ main, sub }: { main: string; sub?: string }) {
  return (
    <BlockStack gap="050">
      <Text as="span" numeric>
        {main}
      </Text>
      {sub ? (
        <Text as="span" variant="bodySm" tone="subdued" numeric>
          {sub}
        </Text>
      ) : null}
    </BlockStack>
  );
}

/** A verdict was reached: only then is the interval worth reading (before, it is noise around 0). */
const decided = (metric: MetricComparison) => metric.status === "winning" || metric.status === "losing";

/**
 * A metric's lift, with its 95% interval only where the verdict is winning or losing: beside "Not
 * enough data" an interval such as "0.0 pp to 0.0 pp" reads as a finding, so the point estimate
 * stands alone there.
 */
function liftLine(metric: MetricComparison, lift: string, interval: (ci: [number, number]) => string): string {
  return decided(metric) ? `${lift}, 95% CI ${interval(metric.ci)}` : lift;
}

/**
 * One row per trigger or flow with data: treatment vs holdout, the lift with its interval, the
 * verdict. Rows without any exposure in the range are named below the table instead.
 * For flows the "visitors" are runs (checkouts that entered the flow).
 */
export function ExperimentTable({ rows, kind, currency }: { rows: ExperimentRow[]; kind: "trigger" | "flow"; currency: string }) {
  const money = (c: number) => formatMoney(c, currency, { precise: true });
  const withData = rows.filter((r) => r.treatment.users + r.control.users > 0);
  const idle = rows.filter((r) => r.treatment.users + r.control.users === 0);
  const tableRows = withData.map((r) => [
    <BlockStack gap="050" key="name">
      <Text as="span" fontWeight="semibold">
        {r.name}
      </Text>
      <Text as="span" variant="bodySm" tone="subdued">
        {r.exists ? (r.enabled ? "On" : "Off") : "Deleted"} · {r.holdoutPct}% holdout
        {kind === "flow" && r.messagesSent != null ? ` · ${count(r.messagesSent, "email")}` : ""}
      </Text>
    </BlockStack>,
    <Stack key="users" main={formatCount(r.treatment.users)} sub={`${formatCount(r.control.users)} held out`} />,
    <Stack
      key="rate"
      main={`${formatPercent(r.treatment.conversionRate)} vs ${formatPercent(r.control.conversionRate)}`}
      sub={liftLine(r.conversion, `${formatPoints(r.conversion.absoluteLift)} (${formatSignedPercent(r.conversion.relativeLift)})`, (ci) =>
        formatInterval(ci, (n) => formatPoints(n, 1)),
      )}
    />,
    <Stack
      key="rpv"
      main={`${money(r.treatment.revenuePerUserCents)} vs ${money(r.control.revenuePerUserCents)}`}
      sub={liftLine(r.revenue, formatSignedMoney(r.revenue.absoluteLift, currency), (ci) => formatInterval(ci, (n) => formatSignedMoney(n, currency)))}
    />,
    <VerdictBadge key="verdict" metric={r.conversion} holdoutPct={r.holdoutPct} srmMismatch={r.srm.mismatch} />,
  ]);
  return (
    <BlockStack gap="200">
      {withData.length > 0 ? (
        <DataTable
          columnContentTypes={["text", "numeric", "numeric", "numeric", "text"]}
          headings={[
            kind === "flow" ? "Flow" : "Trigger",
            kind === "flow" ? "Runs" : "Visitors",
            "Conversion rate: treatment vs holdout",
            `Revenue per ${kind === "flow" ? "run" : "visitor"}`,
            "Verdict",
          ]}
          rows={tableRows}
          verticalAlign="top"
        />
      ) : null}
      {idle.length > 0 ? (
        <Box paddingInline="400" paddingBlockEnd="400">
          <Text as="p" variant="bodySm" tone="subdued">
            {withData.length > 0 ? "No data in this range: " : "Nothing measured in this range yet: "}
            {idle.map((r) => r.name).join(", ")}.
          </Text>
        </Box>
      ) : null}
    </BlockStack>
  );
}
