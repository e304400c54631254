import { BlockStack, Button, Card, InlineStack, Text } from "@shopify/polaris";
import { delayMinutes, describeDelay, type StepDraft } from "./draft";
import { StepBlocks } from "./StepBlocks";
import { StepDiscount } from "./StepDiscount";
import { StepMessageFields } from "./StepMessageFields";

type Errors = Record<string, string>;

/** One email of a flow: when it goes out, its subject and preview text, its blocks, its discount. */
export function StepCard({
  step,
  index,
  count,
  errors,
  previewing,
  onChange,
  onRemove,
  onPreview,
}: {
  step: StepDraft;
  index: number;
  count: number;
  /** Errors keyed by the flow's paths (`steps.0.subject`). */
  errors: Errors;
  previewing: boolean;
  onChange: (step: StepDraft) => void;
  onRemove: () => void;
  onPreview: () => void;
}) {
  const err = (field: string) => errors[`steps.${index}.${field}`];
  const set = (patch: Partial<StepDraft>) => onChange({ ...step, ...patch });
  const title = `Email ${index + 1}`;

  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="center">
          <BlockStack gap="050">
            <Text as="h3" variant="headingMd">
              {title}
            </Text>
            <Text as="p" tone="subdued">
              Sent {describeDelay(delayMinutes(step))} after the shopper leaves
            </Text>
          </BlockStack>
          <InlineStack gap="200">
            <Button pressed={previewing} onClick={onPreview} accessibilityLabel={`Preview ${title}`}>
              Preview
            </Button>
            {count > 1 ? (
              <Button tone="critical" variant="plain" onClick={onRemove} accessibilityLabel={`Remove ${title}`}>
                Remove
              </Button>
            ) : null}
          </InlineStack>
        </InlineStack>
        <StepMessageFields step={step} err={err} set={set} />
        <StepBlocks step={step} err={err} set={set} />
        <StepDiscount step={step} err={err} set={set} />
      </BlockStack>
    </Card>
  );
}
