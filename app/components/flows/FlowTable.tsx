import { Card, EmptyState, IndexTable, type IndexTableProps } from "@shopify/polaris";
import { EMPTY_LIST_IMAGE } from "~/components/RouteErrorBoundary";
import { FlowListRowView } from "./FlowListRowView";
import type { FlowListRow, NotifyFn } from "./list";

const HEADINGS: IndexTableProps["headings"] = [
  { title: "Flow" },
  { title: "On" },
  { title: "Emails" },
  { title: "Audience" },
  { title: "Holdout", alignment: "end" },
  { title: "Actions", alignment: "end" },
];

/** Every flow with its switch and settings; without any, a pointer to the templates. `deletingId`'s row is hidden while it goes. */
export function FlowTable({
  flows,
  deletingId,
  notify,
  onDelete,
}: {
  flows: FlowListRow[];
  deletingId: string | null;
  notify: NotifyFn;
  onDelete: (flow: FlowListRow) => void;
}) {
  if (flows.length === 0) {
    return (
      <Card>
        <EmptyState heading="Recover checkouts shoppers leave behind" image={EMPTY_LIST_IMAGE}>
          <p>Start from a template below. Flows start switched off so you can review them first.</p>
        </EmptyState>
      </Card>
    );
  }
  return (
    <Card padding="0">
      <IndexTable resourceName={{ singular: "flow", plural: "flows" }} itemCount={flows.length} selectable={false} headings={HEADINGS}>
        {flows
          .filter((f) => f.id !== deletingId)
          .map((flow, index) => (
            <FlowListRowView key={flow.id} flow={flow} index={index} notify={notify} onDelete={() => onDelete(flow)} />
          ))}
      </IndexTable>
    </Card>
  );
}
