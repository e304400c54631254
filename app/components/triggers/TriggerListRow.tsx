import { useEffect, useRef, type SyntheticEvent } from "react";
import { Link, useFetcher, useNavigation } from "@remix-run/react";
import { Badge, BlockStack, Button, IndexTable, InlineStack, Text, Tooltip } from "@shopify/polaris";
import { useAppBridge } from "@shopify/app-bridge-react";
import { Switch } from "~/components/Switch";
import { formatNumber } from "~/components/format";
import { CONTENT_LABELS, TYPE_LABELS } from "~/components/trigger-labels";
import type { TriggerListActionData, TriggerListItem } from "./list";

const stop = (e: SyntheticEvent) => e.stopPropagation();

/** The trigger's on/off switch: optimistic while the request runs, its answer told in a toast. */
function useToggle(row: TriggerListItem) {
  const shopify = useAppBridge();
  const toggler = useFetcher<TriggerListActionData>({ key: `toggle-${row.id}` });
  const seen = useRef<unknown>(null);

  // Optimistic: while the request runs, show the state the merchant asked for.
  const pending = toggler.formData?.get("enabled");
  const enabled = pending != null ? pending === "true" : row.enabled;

  useEffect(() => {
    const data = toggler.data;
    if (toggler.state !== "idle" || !data || data === seen.current) return;
    seen.current = data;
    if (!data.ok) shopify.toast.show(data.error ?? "Could not change the trigger", { isError: true });
    else if (data.publish && !data.publish.ok) shopify.toast.show("Saved, but publishing to your storefront failed. We'll retry.", { isError: true });
    else if (data.enabled && data.publish?.skipped?.includes(row.id))
      shopify.toast.show(`${row.name} is on but has errors, so it isn't live. Open it to fix them.`, { isError: true });
    else shopify.toast.show(data.enabled ? `${row.name} turned on` : `${row.name} turned off`);
  }, [toggler.state, toggler.data, row.id, row.name, shopify]);

  const toggle = (next: boolean) => toggler.submit({ intent: "toggle", id: row.id, enabled: String(next) }, { method: "post" });
  return { enabled, toggle };
}

/** One trigger in the list: name, switch, type, impressions, lift, and its actions. */
export function TriggerListRow({ row, index, onDelete }: { row: TriggerListItem; index: number; onDelete: () => void }) {
  const { enabled, toggle } = useToggle(row);
  return (
    <IndexTable.Row id={row.id} position={index}>
      <IndexTable.Cell>
        <BlockStack gap="050">
          <Link to={`/app/triggers/${row.id}`} style={{ color: "inherit", fontWeight: 600 }}>
            {row.name}
          </Link>
          <Text as="span" variant="bodySm" tone="subdued">
            Shows {CONTENT_LABELS[row.kind]?.toLowerCase() ?? row.kind} · {row.holdoutPct}% holdout
            {row.variants > 1 ? ` · A/B test of ${row.variants} variants` : ""}
          </Text>
        </BlockStack>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <div onClick={stop} onKeyDown={stop} role="presentation">
          <InlineStack gap="200" blockAlign="center" wrap={false}>
            <Switch checked={enabled} label={`${row.name}: active`} onChange={toggle} />
            <Badge tone={enabled ? "success" : undefined}>{enabled ? "Active" : "Off"}</Badge>
          </InlineStack>
        </div>
      </IndexTable.Cell>
      <IndexTable.Cell>{TYPE_LABELS[row.type] ?? row.type}</IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {formatNumber(row.impressions)}
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <LiftCell row={row} />
      </IndexTable.Cell>
      <IndexTable.Cell>
        <RowActions row={row} onDelete={onDelete} />
      </IndexTable.Cell>
    </IndexTable.Row>
  );
}

function LiftCell({ row }: { row: TriggerListItem }) {
  return (
    <Tooltip content={row.lift.description}>
      <BlockStack gap="050" inlineAlign="end">
        <Text as="span" numeric tone={row.lift.tone === "success" ? "success" : row.lift.tone === "critical" ? "critical" : undefined}>
          {row.lift.value}
        </Text>
        <Text as="span" variant="bodySm" tone="subdued" numeric>
          {row.lift.interval ?? (row.controls === 0 ? "No holdout data yet" : row.lift.description)}
        </Text>
      </BlockStack>
    </Tooltip>
  );
}

/** Duplicate (then open the copy) and Delete (after a confirmation). */
function RowActions({ row, onDelete }: { row: TriggerListItem; onDelete: () => void }) {
  const duplicator = useFetcher();
  const navigation = useNavigation();
  const duplicating = duplicator.state !== "idle" || (navigation.state !== "idle" && navigation.formData?.get("id") === row.id);
  return (
    <div onClick={stop} onKeyDown={stop} role="presentation">
      <InlineStack gap="100" align="end" wrap={false}>
        <Button
          variant="tertiary"
          loading={duplicating}
          accessibilityLabel={`Duplicate ${row.name}`}
          onClick={() => duplicator.submit({ intent: "duplicate", id: row.id }, { method: "post" })}
        >
          Duplicate
        </Button>
        <Button variant="tertiary" tone="critical" accessibilityLabel={`Delete ${row.name}`} onClick={onDelete}>
          Delete
        </Button>
      </InlineStack>
    </div>
  );
}
