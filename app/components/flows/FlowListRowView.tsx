import { useEffect } from "react";
import { Link, useFetcher } from "@remix-run/react";
import { Badge, BlockStack, Button, IndexTable, InlineStack, Text } from "@shopify/polaris";
import { FlowSwitch } from "./FlowSwitch";
import { AUDIENCE_LABELS, KIND_LABELS, describeDelay } from "./draft";
import type { FlowListActionResult, FlowListRow, NotifyFn } from "./list";

/** The flow's on/off switch: optimistic while the request runs, its answer told through `notify`. */
function useToggle(flow: FlowListRow, notify: NotifyFn) {
  const toggler = useFetcher<FlowListActionResult>();
  // Optimistic: show the requested state while the request runs; a failure falls back to the loader's.
  const pending = toggler.formData?.get("enabled");
  const enabled = pending != null ? pending === "true" : flow.enabled;

  useEffect(() => {
    if (toggler.state !== "idle" || !toggler.data) return;
    const data = toggler.data;
    if (data.ok && data.intent === "toggle") notify(data.enabled ? `${flow.name} is on` : `${flow.name} is off`);
    else if (!data.ok) notify(data.error, { isError: true });
  }, [toggler.state, toggler.data, flow.name, notify]);

  const toggle = (next: boolean) => toggler.submit({ intent: "toggle", id: flow.id, enabled: String(next) }, { method: "post" });
  return { enabled, toggle };
}

/** One flow in the list: name, switch, emails, audience, holdout, and its actions. */
export function FlowListRowView({ flow, index, notify, onDelete }: { flow: FlowListRow; index: number; notify: NotifyFn; onDelete: () => void }) {
  const { enabled, toggle } = useToggle(flow, notify);
  return (
    <IndexTable.Row id={flow.id} position={index}>
      <IndexTable.Cell>
        <NameCell flow={flow} />
      </IndexTable.Cell>
      <IndexTable.Cell>
        <InlineStack gap="200" blockAlign="center" wrap={false}>
          <FlowSwitch checked={enabled} label={`${flow.name}: ${enabled ? "on" : "off"}`} onChange={toggle} />
          <Text as="span" tone={enabled ? "success" : "subdued"}>
            {enabled ? "On" : "Off"}
          </Text>
        </InlineStack>
      </IndexTable.Cell>
      <IndexTable.Cell>
        {flow.stepCount} {flow.stepCount === 1 ? "email" : "emails"}
        {flow.firstDelayMinutes != null ? `, first after ${describeDelay(flow.firstDelayMinutes)}` : ""}
      </IndexTable.Cell>
      <IndexTable.Cell>{AUDIENCE_LABELS[flow.audience]}</IndexTable.Cell>
      <IndexTable.Cell>
        <Text as="span" alignment="end" numeric>
          {flow.holdoutPct}%
        </Text>
      </IndexTable.Cell>
      <IndexTable.Cell>
        <RowActions flow={flow} onDelete={onDelete} />
      </IndexTable.Cell>
    </IndexTable.Row>
  );
}

function NameCell({ flow }: { flow: FlowListRow }) {
  return (
    <BlockStack gap="100">
      <Link to={`/app/flows/${flow.id}`} style={{ color: "inherit", fontWeight: 600 }}>
        {flow.name}
      </Link>
      {flow.name !== KIND_LABELS[flow.kind] || flow.deliverVia === "shopify_flow" ? (
        <InlineStack gap="100">
          {flow.name !== KIND_LABELS[flow.kind] ? <Badge>{KIND_LABELS[flow.kind]}</Badge> : null}
          {flow.deliverVia === "shopify_flow" ? <Badge tone="info">Shopify Flow</Badge> : null}
        </InlineStack>
      ) : null}
    </BlockStack>
  );
}

/** Edit, Duplicate (then open the copy) and Delete (after a confirmation). */
function RowActions({ flow, onDelete }: { flow: FlowListRow; onDelete: () => void }) {
  const duplicator = useFetcher<FlowListActionResult>();
  return (
    <InlineStack gap="200" align="end" wrap={false}>
      <Button url={`/app/flows/${flow.id}`} accessibilityLabel={`Edit ${flow.name}`}>
        Edit
      </Button>
      <Button
        loading={duplicator.state !== "idle"}
        onClick={() => duplicator.submit({ intent: "duplicate", id: flow.id }, { method: "post" })}
        accessibilityLabel={`Duplicate ${flow.name}`}
      >
        Duplicate
      </Button>
      <Button tone="critical" variant="plain" onClick={onDelete} accessibilityLabel={`Delete ${flow.name}`}>
        Delete
      </Button>
    </InlineStack>
  );
}
