import { Card, FormLayout, Layout, Text } from "@shopify/polaris";
import type { SettingsForm } from "./useSettingsForm";

/** The shop-wide frequency caps: overlays per visit, emails per window, and the gap between channels. */
export function CapsSection({ form }: { form: SettingsForm }) {
  const { field } = form;
  return (
    <Layout.AnnotatedSection
      id="caps"
      title="Frequency caps"
      description="Limits across all triggers and flows, on top of each trigger's own caps, so no shopper is flooded."
    >
      <Card>
        <FormLayout>
          {field("overlaysPerSession", "Overlays per visit", {
            type: "number",
            min: 0,
            max: 10,
            helpText: "At most this many overlays (shown or held out) per shopper visit. 0 turns overlays off.",
          })}
          <FormLayout.Group condensed>
            {field("emailsPerWindow", "Emails per shopper", { type: "number", min: 1, max: 10, suffix: "emails" })}
            {field("emailWindowHours", "Within", { type: "number", min: 1, max: 168, suffix: "hours" })}
          </FormLayout.Group>
          <Text as="p" variant="bodySm" tone="subdued">
            Counts emails from every recovery flow together.
          </Text>
          {field("channelGapHours", "Time between an overlay and an email", {
            type: "number",
            min: 0,
            max: 72,
            suffix: "hours",
            helpText:
              "One budget across channels: a recovery email waits this long after the shopper was shown an overlay, and a shopper a recovery email brought back sees no overlay for this long (unless a trigger allows it). 0 turns this off.",
          })}
        </FormLayout>
      </Card>
    </Layout.AnnotatedSection>
  );
}
