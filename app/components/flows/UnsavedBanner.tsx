import { Banner, Layout } from "@shopify/polaris";

/** Without App Bridge's save bar (outside the admin), unsaved changes get Save and Discard in a banner (a layout section). */
export function UnsavedBanner({ saving, onSave, onDiscard }: { saving: boolean; onSave: () => void; onDiscard: () => void }) {
  return (
    <Layout.Section>
      <Banner
        tone="warning"
        title="Unsaved changes"
        action={{ content: "Save", onAction: onSave, loading: saving }}
        secondaryAction={{ content: "Discard", onAction: onDiscard }}
      />
    </Layout.Section>
  );
}
