import { BlockStack, Button, Card, InlineStack, Text } from "@shopify/polaris";
import { armEmail, delayMinutes, describeDelay, type StepDraft } from "./draft";
import { StepVariants } from "./StepVariants";
import { armLabel } from "~/domain/experiments/variants";
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
  testStartedAt = null,
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
  /** When the saved email's A/B comparison started (ISO), or null. */
  testStartedAt?: string | null;
  onChange: (step: StepDraft) => void;
  onRemove: () => void;
  onPreview: () => void;
}) {
  // the A/B variant shown: A edits the step's own fields, B..D their email at `steps.<i>.variants.<arm>.step`
  const arm = step.arms.length >= 2 ? Math.min(step.shown, step.arms.length - 1) : 0;
  const email = armEmail(step, arm);
  const base = arm > 0 ? `steps.${index}.variants.${arm}.step` : `steps.${index}`;
  const err = (field: string) => errors[`${base}.${field}`];
  const set = (patch: Partial<StepDraft>) =>
    onChange(
      arm > 0 ? { ...step, arms: step.arms.map((a, i) => (i === arm && a.email ? { ...a, email: { ...a.email, ...patch } } : a)) } : { ...step, ...patch },
    );
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
              {step.arms.length >= 2 ? ` (variant A; ${step.arms.length} variants)` : ""}
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
        <StepVariants step={step} index={index} errors={errors} testStartedAt={testStartedAt} onChange={onChange} onShow={onPreview} />
        {step.arms.length >= 2 ? (
          <Text as="h4" variant="headingSm">
            Variant {armLabel(arm)}
            {arm === 0 ? " (this email's own fields)" : ""}
          </Text>
        ) : null}
        <StepMessageFields step={email} err={err} set={set} />
        <StepBlocks step={email} err={err} set={set} />
        <StepDiscount step={email} err={err} set={set} />
      </BlockStack>
    </Card>
  );
}
