import { Card, FormLayout, Layout } from "@shopify/polaris";
import type { SettingsForm } from "./useSettingsForm";

/** The attribution window and how long shopper data is kept. */
export function DataSection({ form }: { form: SettingsForm }) {
  const { field } = form;
  return (
    <Layout.AnnotatedSection id="data" title="Measurement and data" description="How orders are credited, and how long shopper data is kept.">
      <Card>
        <FormLayout>
          {field("attributionWindowDays", "Attribution window", {
            type: "number",
            min: 1,
            max: 30,
            suffix: "days",
            helpText: "An order counts for an overlay or email seen this many days before it. Default 5.",
          })}
          {field("retentionDays", "Data retention", {
            type: "number",
            min: 30,
            max: 1095,
            suffix: "days",
            helpText: "Storefront events, carts and checkouts older than this are deleted.",
          })}
        </FormLayout>
      </Card>
    </Layout.AnnotatedSection>
  );
}
