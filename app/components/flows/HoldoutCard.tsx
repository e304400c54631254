import { SectionCard } from "~/components/editor/SectionCard";
import { RangeSlider, Text } from "@shopify/polaris";
import { MAX_HOLDOUT_PCT } from "~/domain/recovery/schema";
import type { FieldErrors } from "~/components/editor/useEditorForm";
import type { FlowDraft } from "./draft";

/** The share of shoppers who get no email, so Analytics can measure the flow's lift. */
export function HoldoutCard({ draft, errors, update }: { draft: FlowDraft; errors: FieldErrors; update: (patch: Partial<FlowDraft>) => void }) {
  return (
    <SectionCard title="Measure the lift" gap="300">
      <RangeSlider
        label="Holdout"
        min={0}
        max={MAX_HOLDOUT_PCT}
        value={draft.holdoutPct}
        onChange={(value) => update({ holdoutPct: Array.isArray(value) ? value[0] : value })}
        output
        suffix={<Text as="span">{draft.holdoutPct}%</Text>}
        error={errors.holdoutPct}
        helpText={
          draft.holdoutPct === 0
            ? "Everyone gets the emails, so Analytics cannot tell how many orders they added."
            : `${draft.holdoutPct}% of shoppers get no email, so Analytics can compare and show the orders the flow really added.`
        }
      />
    </SectionCard>
  );
}
