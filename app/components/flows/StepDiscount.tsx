import { BlockStack, Checkbox, FormLayout, TextField } from "@shopify/polaris";
import type { StepFieldProps } from "./StepMessageFields";

/** The email's optional discount: a percentage and how long each shopper's code lasts. */
export function StepDiscount({ step, err, set }: StepFieldProps) {
  return (
    <BlockStack gap="200">
      <Checkbox
        label="Include a unique discount code"
        helpText="Each shopper gets their own single-use code, created in Shopify when this email is sent."
        checked={step.discountOn}
        onChange={(discountOn) => set({ discountOn })}
      />
      {step.discountOn ? (
        <FormLayout>
          <FormLayout.Group condensed>
            <TextField
              label="Discount"
              type="number"
              suffix="%"
              min={1}
              max={90}
              autoComplete="off"
              value={step.discountPercent}
              onChange={(discountPercent) => set({ discountPercent })}
              error={err("discountPercent")}
            />
            <TextField
              label="Expires after"
              type="number"
              suffix="days"
              min={1}
              max={60}
              autoComplete="off"
              value={step.discountExpiryDays}
              onChange={(discountExpiryDays) => set({ discountExpiryDays })}
              error={err("discountExpiryDays")}
            />
          </FormLayout.Group>
        </FormLayout>
      ) : null}
    </BlockStack>
  );
}
