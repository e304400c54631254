import { Badge, InlineStack, Layout, Text } from "@shopify/polaris";
import { KIND_LABELS, type FlowDraft } from "./draft";

/** On or off, and the kind of flow, above the form (a layout section). */
export function FlowStatusLine({ enabled, kind }: { enabled: boolean; kind: FlowDraft["kind"] }) {
  return (
    <Layout.Section>
      <InlineStack gap="200" blockAlign="center">
        {enabled ? <Badge tone="success">On</Badge> : <Badge>Off</Badge>}
        <Text as="span" tone="subdued">
          {KIND_LABELS[kind]}
        </Text>
      </InlineStack>
    </Layout.Section>
  );
}
