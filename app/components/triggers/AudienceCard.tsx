import { SectionCard } from "~/components/editor/SectionCard";
import { FormLayout } from "@shopify/polaris";
import { DEVICES, SOURCES } from "~/domain/triggers";
import { DEVICE_LABELS, SOURCE_LABELS } from "~/components/trigger-labels";
import { options, type TriggerFields } from "./fields";

const VISITORS = [
  { value: "any", label: "New and returning" },
  { value: "new", label: "New visitors" },
  { value: "returning", label: "Returning visitors" },
];
const PURCHASERS = [
  { value: "any", label: "Anyone" },
  { value: "first_time", label: "Not purchased yet" },
  { value: "repeat", label: "Repeat customers" },
];
const DISCOUNT_SENSITIVITY = [
  { value: "any", label: "Anyone" },
  { value: "sensitive", label: "Discount seekers" },
  { value: "not_sensitive", label: "Full-price shoppers" },
];

/** Which shoppers the trigger is for (the segment). */
export function AudienceCard({ f }: { f: TriggerFields }) {
  return (
    <SectionCard title="Audience">
      <FormLayout>
        <FormLayout.Group condensed>
          {f.select("segment.visitor", "Visitors", VISITORS)}
          {f.select("segment.purchaser", "Purchase history", PURCHASERS)}
          {f.select("segment.discount", "Discount sensitivity", DISCOUNT_SENSITIVITY)}
        </FormLayout.Group>
        <FormLayout.Group>
          {f.money("segment.minCartCents", "Cart value at least", { helpText: "Today's cart. Empty: any cart value" })}
          {f.money("segment.minAovCents", "Average order value at least", {
            helpText: "From past orders: a logged-in customer's, or a shopper who gave their email here. Empty: anyone",
          })}
        </FormLayout.Group>
        <FormLayout.Group>
          {f.choices("segment.devices", "Devices", options(DEVICES, DEVICE_LABELS), "None ticked: all devices.")}
          {f.choices("segment.sources", "Traffic sources", options(SOURCES, SOURCE_LABELS), "None ticked: all sources.")}
        </FormLayout.Group>
        {f.text("segment.countries", "Countries", {
          placeholder: "US, CA, GB",
          helpText: "Two-letter codes, separated by commas. Empty: all countries.",
        })}
      </FormLayout>
    </SectionCard>
  );
}
