import { SectionCard } from "~/components/editor/SectionCard";
import { FormLayout } from "@shopify/polaris";
import { PAGE_TYPES, TIERS } from "~/domain/triggers";
import { PAGE_LABELS, TIER_LABELS } from "~/components/trigger-labels";
import { options, type TriggerFields } from "./fields";
import { ExitIntentFields } from "./ExitIntentFields";

/** Where and when in a visit the trigger may fire (and, for exit intent, what counts as leaving). */
export function ConditionsCard({ f }: { f: TriggerFields }) {
  const type = f.str("type");
  return (
    <SectionCard title="Conditions">
      <FormLayout>
        {f.choices("conditions.pageTypes", "Pages", options(PAGE_TYPES, PAGE_LABELS), "Leave all unticked to allow every page.")}
        {f.select("conditions.minTier", "Minimum shopper intent", options(TIERS, TIER_LABELS))}
        <FormLayout.Group condensed>
          {f.num("conditions.minSeconds", "Time on page", { suffix: "seconds", min: 0 })}
          {f.num("conditions.scrollPct", "Scroll depth", { suffix: "%", min: 0, max: 100 })}
          {f.num("conditions.minPages", "Pages this visit", { min: 0 })}
        </FormLayout.Group>
        <FormLayout.Group condensed>
          {f.num("conditions.minProductViews", "Views of the product", { min: 0 })}
          {f.num("conditions.minCartItems", "Items in cart (at least)", { min: 0 })}
          {f.money("conditions.maxCartCents", "Cart value below", { helpText: "Empty: no limit" })}
        </FormLayout.Group>
        <FormLayout.Group condensed>
          {f.num("conditions.minDaysAway", "Days since last visit", { min: 0, helpText: "Returning shoppers only when above 0" })}
          {type === "inactivity" ? f.num("conditions.idleSec", "Inactive for", { suffix: "seconds", min: 5 }) : null}
        </FormLayout.Group>
      </FormLayout>
      {type === "exit_intent" && <ExitIntentFields f={f} />}
    </SectionCard>
  );
}
