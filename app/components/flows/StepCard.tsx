import { BlockStack, Box, Button, Card, Checkbox, FormLayout, InlineError, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { BLOCK_TYPES, type BlockType } from "~/domain/recovery/schema";
import { BLOCK_LABELS, delayMinutes, describeDelay, newKey, type BlockDraft, type DelayUnit, type StepDraft } from "./draft";

type Errors = Record<string, string>;

const UNIT_OPTIONS: Array<{ label: string; value: DelayUnit }> = [
  { label: "minutes", value: "minutes" },
  { label: "hours", value: "hours" },
  { label: "days", value: "days" },
];

const BLOCK_OPTIONS = BLOCK_TYPES.map((t) => ({ label: BLOCK_LABELS[t], value: t }));

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
  const path = (field: string) => `steps.${index}.${field}`;
  const err = (field: string) => errors[path(field)];
  const set = (patch: Partial<StepDraft>) => onChange({ ...step, ...patch });
  const setBlock = (i: number, patch: Partial<BlockDraft>) => set({ body: step.body.map((b, j) => (j === i ? { ...b, ...patch } : b)) });
  const moveBlock = (i: number, by: -1 | 1) => {
    const body = [...step.body];
    const [b] = body.splice(i, 1);
    body.splice(i + by, 0, b);
    set({ body });
  };
  const minutes = delayMinutes(step);
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
              Sent {describeDelay(minutes)} after the shopper leaves
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

        <BlockStack gap="200">
          <Text as="h4" variant="headingSm">
            Content
          </Text>
          <Text as="p" tone="subdued">
            Placeholders: {"{{ first_name }}"}, {"{{ shop_name }}"}, {"{{ discount_code }}"}; a fallback goes like {'{{ first_name | default: "there" }}'}.
          </Text>
          {err("body") ? <InlineError message={err("body")!} fieldID={`${step.key}-body`} /> : null}
          {step.body.map((block, i) => (
            <Box key={block.key} padding="300" background="bg-surface-secondary" borderRadius="200">
              <BlockStack gap="200">
                <InlineStack align="space-between" blockAlign="end" gap="200">
                  <Box minWidth="180px">
                    <Select
                      label={`Block ${i + 1} type`}
                      options={BLOCK_OPTIONS}
                      value={block.type}
                      onChange={(v) => setBlock(i, { type: v as BlockType })}
                      error={errors[path(`body.${i}.type`)]}
                    />
                  </Box>
                  <InlineStack gap="100">
                    <Button disabled={i === 0} onClick={() => moveBlock(i, -1)} accessibilityLabel={`Move block ${i + 1} up`}>
                      ↑
                    </Button>
                    <Button disabled={i === step.body.length - 1} onClick={() => moveBlock(i, 1)} accessibilityLabel={`Move block ${i + 1} down`}>
                      ↓
                    </Button>
                    <Button
                      disabled={step.body.length === 1}
                      onClick={() => set({ body: step.body.filter((_, j) => j !== i) })}
                      accessibilityLabel={`Remove block ${i + 1}`}
                    >
                      ✕
                    </Button>
                  </InlineStack>
                </InlineStack>
                {block.type === "items" ? (
                  <Text as="p" tone="subdued">
                    The shopper’s cart: up to 6 items with images, quantities and the total.
                  </Text>
                ) : (
                  <TextField
                    label={block.type === "button" ? "Button label" : block.type === "discount" ? "Text above the code" : "Text"}
                    autoComplete="off"
                    multiline={block.type === "text" ? 3 : block.type === "discount" ? 2 : undefined}
                    value={block.text}
                    placeholder={
                      block.type === "button" ? "Return to checkout" : block.type === "discount" ? "Use code {{ discount_code }} at checkout." : undefined
                    }
                    onChange={(text) => setBlock(i, { text })}
                    error={errors[path(`body.${i}.text`)]}
                  />
                )}
              </BlockStack>
            </Box>
          ))}
          <InlineStack>
            <Button disabled={step.body.length >= 20} onClick={() => set({ body: [...step.body, { key: newKey(), type: "text", text: "" }] })}>
              Add block
            </Button>
          </InlineStack>
        </BlockStack>

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
      </BlockStack>
    </Card>
  );
}
