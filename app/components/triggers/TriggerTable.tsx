import { Card, EmptyState, IndexTable, type IndexTableProps } from "@shopify/polaris";
import { EMPTY_LIST_IMAGE } from "~/components/RouteErrorBoundary";
import type { TriggerListItem } from "./list";
import { TriggerListRow } from "./TriggerListRow";

const HEADINGS: IndexTableProps["headings"] = [
  { title: "Trigger" },
  { title: "Status" },
  { title: "Fires on" },
  { title: "Impressions", alignment: "end" },
  { title: "Lift (95% interval)", alignment: "end" },
  { title: "Actions", alignment: "end" },
];

/** Every trigger with its status, reach and lift; without any, a start from a template. */
export function TriggerTable({
  triggers,
  onCreate,
  onDelete,
}: {
  triggers: TriggerListItem[];
  onCreate: () => void;
  onDelete: (row: TriggerListItem) => void;
}) {
  return (
    <Card padding="0">
      {triggers.length === 0 ? (
        <EmptyState heading="Create your first trigger" action={{ content: "Choose a template", onAction: onCreate }} image={EMPTY_LIST_IMAGE}>
          <p>Start from a proven template: cart reminders on exit, recommendations, welcome-back offers and more.</p>
        </EmptyState>
      ) : (
        <IndexTable resourceName={{ singular: "trigger", plural: "triggers" }} itemCount={triggers.length} selectable={false} headings={HEADINGS}>
          {triggers.map((t, index) => (
            <TriggerListRow key={t.id} row={t} index={index} onDelete={() => onDelete(t)} />
          ))}
        </IndexTable>
      )}
    </Card>
  );
}
