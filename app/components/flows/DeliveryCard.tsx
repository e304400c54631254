import { SectionCard } from "~/components/editor/SectionCard";
import { Banner, Checkbox, ChoiceList } from "@shopify/polaris";
import { DELIVERY_CHANNELS } from "~/domain/recovery/schema";
import type { FieldErrors } from "~/components/editor/useEditorForm";
import { DELIVERY_LABELS, type FlowDraft } from "./draft";

const DELIVERY_CHOICES = DELIVERY_CHANNELS.map((value) => ({ label: DELIVERY_LABELS[value], value }));

export interface QuietHours {
  timezone: string;
  quietHoursStart: number | null;
  quietHoursEnd: number | null;
}

function formatHour(hour: number): string {
  return `${String(hour).padStart(2, "0")}:00`;
}

/** The shop's quiet hours, as the "Respect quiet hours" box explains them. */
export function quietHoursHelp(shop: QuietHours): string {
  return shop.quietHoursStart != null && shop.quietHoursEnd != null
    ? `Your quiet hours are ${formatHour(shop.quietHoursStart)}–${formatHour(shop.quietHoursEnd)} (${shop.timezone}); emails due then wait until they end.`
    : "No quiet hours are set for your shop yet (Settings).";
}

/** Sent by Intentful or handed to a Shopify Flow workflow, and whether quiet hours hold them back. */
export function DeliveryCard({
  draft,
  errors,
  shop,
  update,
}: {
  draft: FlowDraft;
  errors: FieldErrors;
  shop: QuietHours;
  update: (patch: Partial<FlowDraft>) => void;
}) {
  return (
    <SectionCard title="Delivery" gap="300">
      <ChoiceList
        title="Deliver via"
        titleHidden
        choices={DELIVERY_CHOICES}
        selected={[draft.deliverVia]}
        onChange={([deliverVia]) => update({ deliverVia: deliverVia as FlowDraft["deliverVia"] })}
        error={errors.deliverVia}
      />
      {draft.deliverVia === "shopify_flow" ? (
        <Banner tone="info">
          At each email’s time Intentful starts your Shopify Flow workflow instead of sending; the workflow decides what goes out. The emails below are kept for
          when you switch back.
        </Banner>
      ) : null}
      <Checkbox
        label="Respect quiet hours"
        checked={draft.respectQuiet}
        onChange={(respectQuiet) => update({ respectQuiet })}
        helpText={quietHoursHelp(shop)}
      />
    </SectionCard>
  );
}
