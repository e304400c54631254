import { SectionCard } from "~/components/editor/SectionCard";
import { Box, ChoiceList, List, Text, TextField } from "@shopify/polaris";
import { AUDIENCES } from "~/domain/recovery/schema";
import type { FieldErrors } from "~/components/editor/useEditorForm";
import { AUDIENCE_LABELS, type FlowDraft } from "./draft";

const AUDIENCE_CHOICES = AUDIENCES.map((value) => ({ label: AUDIENCE_LABELS[value], value }));

/** Who enters the flow (and the minimum cart value, for that audience), and what stops it. */
export function FlowAudienceCard({
  draft,
  errors,
  currency,
  update,
}: {
  draft: FlowDraft;
  errors: FieldErrors;
  currency: string;
  update: (patch: Partial<FlowDraft>) => void;
}) {
  return (
    <SectionCard title="Who gets it" gap="300">
      <ChoiceList
        title="Audience"
        titleHidden
        choices={AUDIENCE_CHOICES}
        selected={[draft.audience]}
        onChange={([audience]) => update({ audience: audience as FlowDraft["audience"] })}
        error={errors.audience}
      />
      {draft.audience === "min_value" ? (
        <TextField
          label="Minimum cart value"
          type="number"
          min={0}
          step={0.01}
          prefix={currency}
          autoComplete="off"
          value={draft.minCartValue}
          onChange={(minCartValue) => update({ minCartValue })}
          error={errors.minCartCents}
        />
      ) : null}
      <Box>
        <Text as="h3" variant="headingSm">
          Stops when
        </Text>
        <List>
          <List.Item>the shopper places an order (matched by checkout, cart, email or customer)</List.Item>
          <List.Item>the shopper unsubscribes</List.Item>
          <List.Item>the checkout is completed</List.Item>
        </List>
        <Text as="p" tone="subdued">
          Each email also checks, right before it goes out, that the shopper still qualifies and has not had another email from any flow too recently.
        </Text>
      </Box>
    </SectionCard>
  );
}
