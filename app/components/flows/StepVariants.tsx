import { Badge, BlockStack, Box, Button, ButtonGroup, Checkbox, InlineError, InlineGrid, InlineStack, Text, TextField } from "@shopify/polaris";
import { armLabel, MAX_ARMS } from "~/domain/experiments/variants";
import { formatTestStart } from "~/components/triggers/VariantsCard";
import { addStepArm, armEmail, delayMinutes, describeDelay, removeStepArm, type StepDraft } from "./draft";

/**
 * One email's A/B test (issue 21): its variants side by side — each one's delay and subject and
 * its traffic share — the buttons that pick which one the card edits and the preview shows,
 * "Add variant" (a copy of the variant shown), removal and auto-promote.
 */
export function StepVariants({
  step,
  index,
  errors,
  testStartedAt,
  onChange,
  onShow,
}: {
  step: StepDraft;
  index: number;
  errors: Record<string, string>;
  /** When the saved email's comparison started (ISO), or null. */
  testStartedAt: string | null;
  onChange: (step: StepDraft) => void;
  /** A variant was picked: the preview follows this email. */
  onShow: () => void;
}) {
  const title = `Email ${index + 1}`;
  const prefix = `steps.${index}.variants`;
  const add = () => {
    onChange(addStepArm(step));
    onShow();
  };
  if (step.arms.length < 2) {
    return (
      <InlineStack gap="200" blockAlign="center">
        <Button size="slim" onClick={add} accessibilityLabel={`Add variant to ${title}`}>
          Add variant
        </Button>
        <Text as="span" variant="bodySm" tone="subdued">
          A/B test up to {MAX_ARMS} versions of this email (delay, subject, preview text, content, discount).
        </Text>
      </InlineStack>
    );
  }
  const shown = Math.min(step.shown, step.arms.length - 1);
  const show = (arm: number) => {
    onChange({ ...step, shown: arm });
    onShow();
  };
  const hasErrors = (i: number) =>
    Object.keys(errors).some((k) => k.startsWith(`${prefix}.${i}.`) || (i === 0 && k.startsWith(`steps.${index}.`) && !k.startsWith(prefix)));

  return (
    <Box padding="300" borderRadius="200" borderWidth="025" borderColor="border">
      <div data-testid={`step-${index}-variants`}>
        <BlockStack gap="300">
          <InlineStack gap="200" blockAlign="center">
            <Text as="h4" variant="headingSm">
              Variants (A/B test)
            </Text>
            <ButtonGroup variant="segmented">
              {step.arms.map((a, i) => (
                <Button key={a.id} pressed={i === shown} onClick={() => show(i)} accessibilityLabel={`Edit and preview variant ${armLabel(i)} of ${title}`}>
                  {armLabel(i)}
                </Button>
              ))}
            </ButtonGroup>
          </InlineStack>
          <InlineGrid columns={{ xs: 1, sm: 2, lg: step.arms.length }} gap="200">
            {step.arms.map((a, i) => (
              <StepArmCard
                key={a.id}
                step={step}
                arm={i}
                title={title}
                shown={i === shown}
                needsAttention={hasErrors(i)}
                weightError={errors[`${prefix}.${i}.weight`]}
                onChange={onChange}
              />
            ))}
          </InlineGrid>
          {errors[prefix] ? <InlineError message={errors[prefix]} fieldID={`${prefix}-split`} /> : null}
          <StepTestSettings step={step} shown={shown} title={title} testStartedAt={testStartedAt} onAdd={add} onChange={onChange} />
        </BlockStack>
      </div>
    </Box>
  );
}

/** One variant's summary: its delay, discount and subject, its traffic share and (past A) its removal. */
function StepArmCard({
  step,
  arm,
  title,
  shown,
  needsAttention,
  weightError,
  onChange,
}: {
  step: StepDraft;
  /** The variant's index (0 = A). */
  arm: number;
  /** The email's name in labels ("Email 2"). */
  title: string;
  /** Whether this is the variant the card edits and the preview shows. */
  shown: boolean;
  needsAttention: boolean;
  weightError: string | undefined;
  onChange: (step: StepDraft) => void;
}) {
  const email = armEmail(step, arm);
  return (
    <Box
      padding="200"
      borderRadius="200"
      borderWidth="025"
      borderColor={shown ? "border-emphasis" : "border"}
      background={shown ? "bg-surface-selected" : "bg-surface"}
    >
      <BlockStack gap="150">
        <InlineStack gap="150" blockAlign="center">
          <Text as="span" fontWeight="semibold">
            {armLabel(arm)}
          </Text>
          {needsAttention ? <Badge tone="critical">Needs attention</Badge> : null}
        </InlineStack>
        <Text as="p" variant="bodySm" tone="subdued">
          After {describeDelay(delayMinutes(email))}
          {email.discountOn ? `, ${email.discountPercent} % off` : ""}
        </Text>
        <Text as="p" breakWord>
          {email.subject || "(no subject)"}
        </Text>
        <TextField
          label={`Traffic share of ${armLabel(arm)}`}
          type="number"
          suffix="%"
          min={0}
          max={100}
          autoComplete="off"
          value={step.arms[arm].weight}
          onChange={(weight) => onChange({ ...step, arms: step.arms.map((x, j) => (j === arm ? { ...x, weight } : x)) })}
          error={weightError}
        />
        {arm > 0 ? (
          <InlineStack>
            <Button
              size="slim"
              variant="plain"
              tone="critical"
              onClick={() => onChange(removeStepArm(step, arm))}
              accessibilityLabel={`Remove variant ${armLabel(arm)} of ${title}`}
            >
              Remove
            </Button>
          </InlineStack>
        ) : null}
      </BlockStack>
    </Box>
  );
}

/** Below the variants: "Add variant", auto-promote, and how the split and the comparison work. */
function StepTestSettings({
  step,
  shown,
  title,
  testStartedAt,
  onAdd,
  onChange,
}: {
  step: StepDraft;
  /** The variant shown (index). */
  shown: number;
  title: string;
  testStartedAt: string | null;
  onAdd: () => void;
  onChange: (step: StepDraft) => void;
}) {
  const addLabel = step.arms.length >= MAX_ARMS ? `Add variant (at most ${MAX_ARMS})` : `Add variant (a copy of ${armLabel(shown)})`;
  return (
    <>
      <InlineStack>
        <Button size="slim" onClick={onAdd} disabled={step.arms.length >= MAX_ARMS} accessibilityLabel={`${addLabel} to ${title}`}>
          {addLabel}
        </Button>
      </InlineStack>
      <Checkbox
        label="Promote the winner automatically"
        helpText="Off by default. When a variant's always-valid interval beats every other variant, it becomes this email and the test ends (a record stays on the Analytics page)."
        checked={step.autoPromote}
        onChange={(autoPromote) => onChange({ ...step, autoPromote })}
      />
      <Text as="p" variant="bodySm" tone="subdued">
        The traffic shares must add up to 100 % (adding or removing a variant evens them out); they divide the checkouts outside the flow's holdout, which is
        drawn first and gets no email. {testStartedAt ? `Comparing since ${formatTestStart(testStartedAt)}. ` : ""}
        Adding or removing a variant, or changing the split, starts a new comparison when you save; editing a variant's content keeps it going. Removing every
        variant but A ends the test without a record: use Promote on the Analytics page to keep one.
      </Text>
    </>
  );
}
