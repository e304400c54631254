import { BlockStack, Card, FormLayout, InlineStack, Text } from "@shopify/polaris";
import { TRIGGER_TYPES } from "~/domain/triggers";
import { Switch } from "~/components/Switch";
import { TYPE_HELP, TYPE_LABELS } from "~/components/trigger-labels";
import { options, type TriggerFields } from "./fields";

/** On or off, the name, and the event it fires on. */
export function TriggerStatusCard({ f }: { f: TriggerFields }) {
  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Trigger
          </Text>
          <InlineStack gap="200" blockAlign="center">
            <Text as="span" tone={f.bool("enabled") ? "success" : "subdued"} id="enabled-label">
              {f.bool("enabled") ? "Active" : "Off"}
            </Text>
            <Switch checked={f.bool("enabled")} label="Trigger active" onChange={(v) => f.setValue("enabled", v)} />
          </InlineStack>
        </InlineStack>
        <FormLayout>
          {f.text("name", "Name", { maxLength: 80, showCharacterCount: true, helpText: "Only you see this name." })}
          {f.select("type", "Fires on", options(TRIGGER_TYPES, TYPE_LABELS), TYPE_HELP[f.str("type")])}
        </FormLayout>
      </BlockStack>
    </Card>
  );
}
