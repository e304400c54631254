import { BlockStack, FormLayout, Text } from "@shopify/polaris";
import type { TriggerFields } from "./fields";

/** What counts as a shopper leaving, for an exit-intent trigger. */
export function ExitIntentFields({ f }: { f: TriggerFields }) {
  return (
    <BlockStack gap="300">
      <Text as="h3" variant="headingSm">
        Exit intent detection
      </Text>
      <FormLayout>
        <FormLayout.Group condensed>
          {f.num("conditions.exit.topZonePx", "Exit zone height (desktop)", { suffix: "px", min: 5, max: 100 })}
          {f.num("conditions.exit.minDwellMs", "Not before", { suffix: "ms on the page", min: 0 })}
          {f.num("conditions.exit.ignoreLeftPct", "Ignore left edge", { suffix: "%", min: 0, max: 30 })}
        </FormLayout.Group>
        {f.check("conditions.exit.scrollUp", "Mobile: a fast scroll up counts as leaving")}
        {f.check("conditions.exit.tabReturn", "Leaving the tab and coming back counts")}
        {f.num("conditions.exit.idleSec", "Mobile: inactivity counts as leaving after", {
          suffix: "seconds",
          min: 0,
          helpText: "0 turns this off.",
        })}
        {f.check("conditions.exit.backTrap", "Mobile: catch the back button once", "Some shoppers find this intrusive; off by default.")}
      </FormLayout>
    </BlockStack>
  );
}
