import { SectionCard } from "~/components/editor/SectionCard";
import { useMemo } from "react";
import { Text } from "@shopify/polaris";
import { OverlayPreview } from "~/components/OverlayPreview";
import { previewContent, type FormValues } from "~/components/trigger-form";

/** The overlay as the form stands, drawn by the storefront's renderer; it stays in view while the form scrolls. */
export function TriggerPreview({ values, currency }: { values: FormValues; currency: string }) {
  const content = useMemo(() => previewContent(values), [values]);
  return (
    <div style={{ position: "sticky", top: "1rem" }}>
      <SectionCard title="Preview" gap="300">
        <OverlayPreview content={content} currency={currency} />
        <Text as="p" variant="bodySm" tone="subdued">
          Drawn by the same code your storefront runs, with sample products. Colors and fonts follow the app embed's settings in the theme editor.
        </Text>
      </SectionCard>
    </div>
  );
}
