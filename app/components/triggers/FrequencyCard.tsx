import { SectionCard } from "~/components/editor/SectionCard";
import { FormLayout, RangeSlider, Text } from "@shopify/polaris";
import { PER_PERIOD_ON } from "~/components/trigger-form";
import type { TriggerFields } from "./fields";

/** How often a shopper sees it, the holdout that measures its lift, and its priority. */
export function FrequencyCard({ f }: { f: TriggerFields }) {
  return (
    <SectionCard title="Frequency and testing">
      <FormLayout>
        {f.num("frequencyCap.perSession", "Times per visit", { min: 0, max: 20, helpText: "0: no limit per visit." })}
        {f.check(PER_PERIOD_ON, "Limit how often a shopper sees it across visits")}
        {f.bool(PER_PERIOD_ON) && (
          <FormLayout.Group condensed>
            {f.num("frequencyCap.perPeriod.count", "At most", { suffix: "times", min: 1 })}
            {f.num("frequencyCap.perPeriod.days", "Every", { suffix: "days", min: 1 })}
          </FormLayout.Group>
        )}
        {f.check("frequencyCap.stopAfterConversion", "Stop showing after the shopper buys")}
        {f.check("frequencyCap.stopAfterDismiss", "Stop showing after the shopper closes it")}
        {f.check(
          "frequencyCap.afterEmail",
          "Show it even right after a recovery email brought the shopper back",
          "Otherwise it waits for the time between an overlay and an email set in Settings.",
        )}
        <RangeSlider
          label="Holdout"
          min={0}
          max={50}
          step={1}
          value={Number(f.str("holdoutPct")) || 0}
          onChange={(v) => f.setValue("holdoutPct", String(v))}
          output
          suffix={<Text as="span" numeric>{`${f.str("holdoutPct") || 0}%`}</Text>}
          error={f.err("holdoutPct")}
          helpText="This share of shoppers who would see the overlay see nothing instead, so you can measure the lift it causes. 10% is a good start."
        />
        {f.num("priority", "Priority", {
          min: 0,
          max: 1000,
          helpText: "When several triggers fire at once, the highest priority wins.",
        })}
      </FormLayout>
    </SectionCard>
  );
}
