import { FormLayout, Select, TextField } from "@shopify/polaris";
import type { DelayUnit, StepDraft } from "./draft";

const UNIT_OPTIONS: Array<{ label: string; value: DelayUnit }> = [
  { label: "minutes", value: "minutes" },
  { label: "hours", value: "hours" },
  { label: "days", value: "days" },
];

export interface StepFieldProps {
  step: StepDraft;
  /** The error about one of this step's fields (`subject`, `body.0.text`). */
  err: (field: string) => string | undefined;
  set: (patch: Partial<StepDraft>) => void;
}

/** When the email goes out, its subject and its preview text. */
export function StepMessageFields({ step, err, set }: StepFieldProps) {
  return (
    <FormLayout>
      <FormLayout.Group condensed>
        <TextField
          label="Send after"
          type="number"
          min={0}
          autoComplete="off"
          value={step.delayValue}
          onChange={(delayValue) => set({ delayValue })}
          error={err("delayMinutes")}
          helpText="Counted from when the shopper left, not from the previous email."
          connectedRight={
            <Select label="Unit" labelHidden options={UNIT_OPTIONS} value={step.delayUnit} onChange={(v) => set({ delayUnit: v as DelayUnit })} />
          }
        />
      </FormLayout.Group>
      <TextField
        label="Subject"
        autoComplete="off"
        value={step.subject}
        onChange={(subject) => set({ subject })}
        error={err("subject")}
        maxLength={150}
        showCharacterCount
      />
      <TextField
        label="Preview text"
        autoComplete="off"
        value={step.preheader}
        onChange={(preheader) => set({ preheader })}
        error={err("preheader")}
        helpText="Shown after the subject in most inboxes."
        maxLength={200}
      />
    </FormLayout>
  );
}
