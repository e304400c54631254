import type { ReactNode } from "react";
import { Link } from "@remix-run/react";
import { Box, Card, Layout, Text } from "@shopify/polaris";
import { count } from "~/components/format";
import type { BudgetHeld, ExperimentRow } from "~/services/analytics.server";
import { ExperimentTable } from "./ExperimentTable";

/** A full-width card: its heading, then the table or, without rows, what is missing. */
function TableCard({ title, empty, children }: { title: string; empty: string | null; children: ReactNode }) {
  return (
    <Layout.Section>
      <Card padding="0">
        <Box padding="400">
          <Text as="h2" variant="headingMd">
            {title}
          </Text>
        </Box>
        {empty === null ? (
          children
        ) : (
          <Box padding="400">
            <Text as="p" tone="subdued">
              {empty}
            </Text>
          </Box>
        )}
      </Card>
    </Layout.Section>
  );
}

/** Every trigger against its holdout. */
export function OverlaysCard({ rows, currency }: { rows: ExperimentRow[]; currency: string }) {
  return (
    <TableCard title="Overlays" empty={rows.length > 0 ? null : "No triggers yet."}>
      <ExperimentTable rows={rows} kind="trigger" currency={currency} />
    </TableCard>
  );
}

/** Every recovery flow against its holdout, and what the message budget held back. */
export function FlowsCard({ rows, currency, budget }: { rows: ExperimentRow[]; currency: string; budget: BudgetHeld }) {
  return (
    <TableCard title="Recovery flows" empty={rows.length > 0 ? null : "No recovery flows yet."}>
      <ExperimentTable rows={rows} kind="flow" currency={currency} />
      <Box padding="400">
        <Text as="p" tone="subdued">
          {budget.waits + budget.skipped + budget.overlays > 0
            ? `Held back by the message budget: ${count(budget.waits, "email")} waited (${count(budget.runsHeld, "shopper")}), ${count(budget.skipped, "email")} not sent; ${count(budget.overlays, "overlay")} not shown right after a recovery email.`
            : "Held back by the message budget: none in this period."}{" "}
          <Link to="/app/settings#caps">Budget settings</Link>
        </Text>
      </Box>
    </TableCard>
  );
}
