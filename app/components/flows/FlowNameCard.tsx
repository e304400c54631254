import { BlockStack, Card, InlineStack, Text, TextField } from "@shopify/polaris";
import type { FieldErrors } from "~/components/editor/useEditorForm";
import type { FlowDraft } from "./draft";
import { FlowSwitch } from "./FlowSwitch";

/** The flow's name and its on/off switch. */
export function FlowNameCard({ draft, errors, update }: { draft: FlowDraft; errors: FieldErrors; update: (patch: Partial<FlowDraft>) => void }) {
  return (
    <Card>
      <BlockStack gap="300">
        <TextField
          label="Name"
          autoComplete="off"
          value={draft.name}
          onChange={(name) => update({ name })}
          error={errors.name}
          maxLength={80}
          helpText="Only you see this."
        />
        <InlineStack gap="200" blockAlign="center">
          <FlowSwitch checked={draft.enabled} label="Flow is on" onChange={(enabled) => update({ enabled })} />
          <Text as="span">{draft.enabled ? "On: new checkouts enter this flow" : "Off: nothing is sent"}</Text>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}
