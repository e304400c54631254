import { Button, InlineStack } from "@shopify/polaris";
import { MAX_STEPS } from "~/domain/recovery/schema";
import type { FieldErrors } from "~/components/editor/useEditorForm";
import { newStep, type StepDraft } from "./draft";
import { StepCard } from "./StepCard";

/** The flow's emails, one card each, and the button that adds one after the last. */
export function StepsList({
  steps,
  errors,
  previewIndex,
  testStarts = [],
  onStepsChange,
  onRemoved,
  onPreview,
}: {
  steps: StepDraft[];
  errors: FieldErrors;
  /** The email shown in the preview. */
  previewIndex: number;
  /** When each saved email's A/B comparison started (ISO), by position. */
  testStarts?: Array<string | null>;
  onStepsChange: (change: (steps: StepDraft[]) => StepDraft[]) => void;
  /** After email `index` was removed. */
  onRemoved: (index: number) => void;
  onPreview: (index: number) => void;
}) {
  return (
    <>
      {steps.map((step, i) => (
        <StepCard
          key={step.key}
          step={step}
          index={i}
          count={steps.length}
          errors={errors}
          previewing={i === previewIndex}
          testStartedAt={testStarts[i] ?? null}
          onChange={(s) => onStepsChange((all) => all.map((x, j) => (j === i ? s : x)))}
          onRemove={() => {
            onStepsChange((all) => all.filter((_, j) => j !== i));
            onRemoved(i);
          }}
          onPreview={() => onPreview(i)}
        />
      ))}
      <InlineStack>
        <Button disabled={steps.length >= MAX_STEPS} onClick={() => onStepsChange((all) => [...all, newStep(all[all.length - 1])])}>
          Add email
        </Button>
      </InlineStack>
    </>
  );
}
