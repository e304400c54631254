import { useState } from "react";
import { Link, useFetcher } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, DataTable, InlineStack, Layout, Text } from "@shopify/polaris";
import { Modal, TitleBar } from "@shopify/app-bridge-react";
import { count } from "~/components/format";
import { downloadFile } from "~/components/download";
import type { ArmRow, ArmTest, EndedTest } from "~/services/analytics.server";
import { formatCount, formatInterval, formatMoney, formatPercent, formatSignedMoney, formatSignedPercent } from "./format";
import { analyticsSearch, type AnalyticsQuery } from "./query";

/** What the analytics route's promote action answers. */
export type PromoteAnswer =
  | { ok: true; kind: "trigger" | "step"; name: string; label: string; publish: { ok: true } | { ok: false; error: string } | null }
  | { ok: false; error: string };

const when = (iso: string) => new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" }).format(new Date(iso));

/** Why a comparison has no interval yet, in the merchant's words (a degenerate one would read "0.0% (0.0% to 0.0%)"). */
const NO_INTERVAL: Record<NonNullable<NonNullable<ArmRow["conversion"]>["reason"]>, string> = {
  not_enough_users: "no interval yet: too few visitors",
  no_variance: "no interval yet: no conversions in either",
  control_is_zero: "no interval yet: A has no conversions",
  invalid_input: "no interval",
};

function vsA(r: ArmRow, currency: string): string {
  if (!r.conversion) return "Baseline";
  const c = r.conversion;
  const conv = c.reason ? NO_INTERVAL[c.reason] : `${formatSignedPercent(c.relativeLift)} (${formatInterval(c.relativeCi, (n) => formatSignedPercent(n))})`;
  const rev =
    r.revenue && !r.revenue.reason
      ? `; revenue ${formatSignedMoney(r.revenue.absoluteLift, currency)} (${formatInterval(r.revenue.ci, (n) => formatSignedMoney(n, currency))})`
      : "";
  return `${conv}${rev}`;
}

function verdictTone(test: ArmTest): "warning" | "success" | "info" {
  if (test.verdict.kind === "srm") return "warning";
  if (test.verdict.kind === "decided") return "success";
  return "info";
}

/** One running test: one row per arm, its verdict, a Promote button per arm. */
function ArmTestTable({ test, currency, onPromote, busy }: { test: ArmTest; currency: string; onPromote: (arm: ArmRow) => void; busy: boolean }) {
  const unit = test.kind === "step" ? "run" : "visitor";
  const rows = test.arms.map((r) => [
    <BlockStack gap="050" key="arm">
      <Text as="span" fontWeight="semibold">
        Variant {r.label}
      </Text>
      <Text as="span" variant="bodySm" tone="subdued">
        {r.weight}% of traffic
      </Text>
    </BlockStack>,
    formatCount(r.users),
    formatPercent(r.conversionRate),
    formatMoney(r.revenuePerUserCents, currency, { precise: true }),
    vsA(r, currency),
    <Button key="promote" size="slim" disabled={busy} accessibilityLabel={`Promote ${r.label} of ${test.name}`} onClick={() => onPromote(r)}>
      {`Promote ${r.label}`}
    </Button>,
  ]);
  return (
    <BlockStack gap="200">
      <Box paddingInline="400">
        <BlockStack gap="100">
          <InlineStack gap="200" blockAlign="center">
            <Text as="h3" variant="headingSm">
              {test.name}
            </Text>
            <Badge>{test.kind === "step" ? "Email" : "Overlay"}</Badge>
            {test.autoPromote ? <Badge tone="info">Auto-promote on</Badge> : null}
          </InlineStack>
          <Text as="p" variant="bodySm" tone="subdued">
            Since {when(test.startedAt)} · {test.holdoutPct}% holdout
            {test.holdoutUsers != null ? ` (${count(test.holdoutUsers, "visitor")})` : ""}
            {test.excludedUsers > 0 ? ` · ${count(test.excludedUsers, unit)} saw two variants or an old one and are left out` : ""}
          </Text>
          <Banner tone={verdictTone(test)}>
            <p data-verdict={test.id}>{test.verdict.text}</p>
          </Banner>
        </BlockStack>
      </Box>
      <DataTable
        columnContentTypes={["text", "numeric", "numeric", "numeric", "text", "text"]}
        headings={["Variant", test.kind === "step" ? "Runs" : "Visitors", "Conversion rate", `Revenue per ${unit}`, "Conversion vs A (interval)", ""]}
        rows={rows}
        verticalAlign="top"
      />
    </BlockStack>
  );
}

/** What the promote action said, as a dismissible banner. */
function PromoteBanner({ answer, onDismiss }: { answer: PromoteAnswer; onDismiss: () => void }) {
  return (
    <Box paddingInline="400">
      <Banner tone={answer.ok ? (answer.publish && !answer.publish.ok ? "warning" : "success") : "critical"} onDismiss={onDismiss}>
        <p>
          {answer.ok
            ? `Variant ${answer.label} promoted: it is now ${answer.kind === "step" ? "the email" : "the overlay"} of “${answer.name}” for everyone outside the holdout. The test ended.` +
              (answer.publish && !answer.publish.ok ? ` Publishing to the storefront failed (${answer.publish.error}); it is retried shortly.` : "")
            : answer.error}
        </p>
      </Banner>
    </Box>
  );
}

/** The tests that ended: when they ran, which arm won and how, the verdict at the end. */
function EndedTests({ ended }: { ended: EndedTest[] }) {
  return (
    <Box padding="400" borderBlockStartWidth="025" borderColor="border">
      <BlockStack gap="200">
        <Text as="h3" variant="headingSm">
          Ended tests
        </Text>
        {/* a list, not a table: the verdict is a sentence, which a table column squeezed */}
        <BlockStack as="ul" gap="300">
          {ended.map((e) => (
            <BlockStack as="li" gap="050" key={e.id}>
              <Text as="span" fontWeight="semibold">
                {e.kind === "trigger" ? <Link to={`/app/triggers/${e.targetId}`}>{e.name}</Link> : e.name}
              </Text>
              <Text as="span" tone="subdued">
                {`${when(e.startedAt)} – ${when(e.endedAt)} · ${
                  e.winnerLabel ? `Variant ${e.winnerLabel} promoted${e.how === "auto" ? " automatically" : ""}` : "Ended without a winner"
                }`}
              </Text>
              {e.verdict ? <Text as="span">Verdict at the end: {e.verdict}</Text> : null}
            </BlockStack>
          ))}
        </BlockStack>
      </BlockStack>
    </Box>
  );
}

/** The confirmation before promoting the arm chosen (closed while none is). */
function PromoteModal({ pending, onPromote, onClose }: { pending: { test: ArmTest; arm: ArmRow } | null; onPromote: () => void; onClose: () => void }) {
  return (
    <Modal id="promote-arm" open={pending !== null} onHide={onClose} variant="small">
      <TitleBar title={pending ? `Promote variant ${pending.arm.label}?` : "Promote variant?"}>
        <button variant="primary" onClick={onPromote}>
          Promote
        </button>
        <button onClick={onClose}>Cancel</button>
      </TitleBar>
      <Box padding="400">
        <Text as="p">
          {pending
            ? `Variant ${pending.arm.label} becomes ${pending.test.kind === "step" ? "the email" : "the overlay"} of “${pending.test.name}” for everyone outside the holdout, and the test ends. Its figures are kept under Ended tests.`
            : ""}
        </Text>
      </Box>
    </Modal>
  );
}

/**
 * Running A/B tests, one table each (arms A–D with the interval against A and the verdict), a
 * Promote button per arm with a confirmation, the CSV per arm, and the tests that ended.
 */
export function ArmTestsCard({ tests, ended, currency, query }: { tests: ArmTest[]; ended: EndedTest[]; currency: string; query: AnalyticsQuery }) {
  const fetcher = useFetcher<PromoteAnswer>();
  const [pending, setPending] = useState<{ test: ArmTest; arm: ArmRow } | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const [dismissed, setDismissed] = useState<PromoteAnswer | null>(null);
  const answer = fetcher.data && fetcher.data !== dismissed ? fetcher.data : null;
  if (tests.length === 0 && ended.length === 0 && !answer) return null;
  const busy = fetcher.state !== "idle";

  const promote = () => {
    if (!pending) return;
    fetcher.submit({ intent: "promote", kind: pending.test.kind, id: pending.test.id, arm: pending.arm.id }, { method: "post" });
    setPending(null);
  };
  const exportCsv = async () => {
    setExportError(null);
    try {
      await downloadFile(`/app/analytics/csv${analyticsSearch(query)}&per=arm`, "intentful-ab-tests.csv");
    } catch (error) {
      setExportError(`The export failed (${error instanceof Error ? error.message : "network error"}). Try again.`);
    }
  };

  return (
    <Layout.Section>
      <Card padding="0">
        <Box padding="400">
          <InlineStack align="space-between" blockAlign="center">
            <Text as="h2" variant="headingMd">
              A/B tests
            </Text>
            {tests.length > 0 ? (
              <Button size="slim" onClick={exportCsv}>
                Export CSV per variant
              </Button>
            ) : null}
          </InlineStack>
        </Box>
        <BlockStack gap="400">
          {answer ? <PromoteBanner answer={answer} onDismiss={() => setDismissed(answer)} /> : null}
          {exportError ? (
            <Box paddingInline="400">
              <Banner tone="critical" onDismiss={() => setExportError(null)}>
                <p>{exportError}</p>
              </Banner>
            </Box>
          ) : null}
          {tests.length === 0 ? (
            <Box paddingInline="400">
              <Text as="p" tone="subdued">
                No test is running. Add variants to a trigger or a flow email to start one.
              </Text>
            </Box>
          ) : (
            tests.map((t) => (
              <ArmTestTable key={`${t.kind}-${t.id}`} test={t} currency={currency} busy={busy} onPromote={(arm) => setPending({ test: t, arm })} />
            ))
          )}
          {ended.length > 0 ? <EndedTests ended={ended} /> : null}
        </BlockStack>
      </Card>
      <PromoteModal pending={pending} onPromote={promote} onClose={() => setPending(null)} />
    </Layout.Section>
  );
}
