import type { ReactNode } from "react";
import { BlockStack, Card, Text } from "@shopify/polaris";

/** One titled group of an editor's fields: a card with its heading (the editors' building block). */
export function SectionCard({ title, gap = "400", children }: { title: ReactNode; gap?: "200" | "300" | "400" | "500"; children: ReactNode }) {
  return (
    <Card>
      <BlockStack gap={gap}>
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
        {children}
      </BlockStack>
    </Card>
  );
}
