import { Form, useNavigation } from "@remix-run/react";
import { BlockStack, Button, Card, InlineGrid, InlineStack, Text } from "@shopify/polaris";
import { describeDelay } from "./draft";

export interface FlowTemplateSummary {
  kind: string;
  name: string;
  emails: number;
  firstDelayMinutes: number;
}

/** "Create a flow": one card per template, each a form that creates the flow and opens it. */
export function FlowTemplates({ templates }: { templates: FlowTemplateSummary[] }) {
  const navigation = useNavigation();
  const creating = navigation.state !== "idle" && navigation.formData?.get("intent") === "create" ? navigation.formData.get("kind") : null;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Create a flow
        </Text>
        <InlineGrid columns={{ xs: 1, md: 3 }} gap="300">
          {templates.map((t) => (
            <Form method="post" key={t.kind}>
              <input type="hidden" name="intent" value="create" />
              <input type="hidden" name="kind" value={t.kind} />
              <Card background="bg-surface-secondary">
                <BlockStack gap="200">
                  <Text as="h3" variant="headingSm">
                    {t.name}
                  </Text>
                  <Text as="p" tone="subdued">
                    {t.emails} {t.emails === 1 ? "email" : "emails"}, the first {describeDelay(t.firstDelayMinutes)} after the shopper leaves.
                  </Text>
                  <InlineStack>
                    <Button submit loading={creating === t.kind} accessibilityLabel={`Use template: ${t.name}`}>
                      Use template
                    </Button>
                  </InlineStack>
                </BlockStack>
              </Card>
            </Form>
          ))}
        </InlineGrid>
      </BlockStack>
    </Card>
  );
}
