import { BlockStack, Box, Button, Card, InlineStack, Text } from "@shopify/polaris";
import { Modal, TitleBar } from "@shopify/app-bridge-react";

/** The App Bridge modal's id: `shopify.modal.show(TEMPLATE_PICKER)` opens it. */
export const TEMPLATE_PICKER = "template-picker";

/** The templates a new trigger starts from, each with a Use button. */
export function TemplatePicker({
  templates,
  onChoose,
}: {
  templates: Array<{ key: string; title: string; description: string }>;
  onChoose: (key: string) => void;
}) {
  return (
    <Modal id={TEMPLATE_PICKER} variant="base">
      <TitleBar title="Create a trigger from a template" />
      <Box padding="400">
        <BlockStack gap="300">
          {templates.map((t) => (
            <Card key={t.key} background="bg-surface-secondary">
              <InlineStack align="space-between" blockAlign="center" gap="400" wrap={false}>
                <BlockStack gap="100">
                  <Text as="h3" variant="headingSm">
                    {t.title}
                  </Text>
                  <Text as="p" tone="subdued">
                    {t.description}
                  </Text>
                </BlockStack>
                <Button onClick={() => onChoose(t.key)} accessibilityLabel={`Use template: ${t.title}`}>
                  Use
                </Button>
              </InlineStack>
            </Card>
          ))}
        </BlockStack>
      </Box>
    </Modal>
  );
}
