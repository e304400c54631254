import { BlockStack, Box, Button, InlineError, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { BLOCK_TYPES, type BlockType } from "~/domain/recovery/schema";
import { BLOCK_LABELS, newKey, type BlockDraft } from "./draft";
import type { StepFieldProps } from "./StepMessageFields";

const BLOCK_OPTIONS = BLOCK_TYPES.map((t) => ({ label: BLOCK_LABELS[t], value: t }));

/** The email's content: its blocks in order, each with its type and text, and a button to add one. */
export function StepBlocks({ step, err, set }: StepFieldProps) {
  const setBlock = (i: number, patch: Partial<BlockDraft>) => set({ body: step.body.map((b, j) => (j === i ? { ...b, ...patch } : b)) });
  const moveBlock = (i: number, by: -1 | 1) => {
    const body = [...step.body];
    const [b] = body.splice(i, 1);
    body.splice(i + by, 0, b);
    set({ body });
  };
  return (
    <BlockStack gap="200">
      <Text as="h4" variant="headingSm">
        Content
      </Text>
      <Text as="p" tone="subdued">
        Placeholders: {"{{ first_name }}"}, {"{{ shop_name }}"}, and on an email with a discount {"{{ discount }}"} (such as 15%), {"{{ discount_code }}"},{" "}
        {"{{ discount_expires }}"} (the code’s last day), so the copy follows the offer; a fallback goes like {'{{ first_name | default: "there" }}'}.
      </Text>
      {err("body") ? <InlineError message={err("body")!} fieldID={`${step.key}-body`} /> : null}
      {step.body.map((block, i) => (
        <BlockRow
          key={block.key}
          block={block}
          index={i}
          count={step.body.length}
          err={err}
          onChange={(patch) => setBlock(i, patch)}
          onMove={(by) => moveBlock(i, by)}
          onRemove={() => set({ body: step.body.filter((_, j) => j !== i) })}
        />
      ))}
      <InlineStack>
        <Button disabled={step.body.length >= 20} onClick={() => set({ body: [...step.body, { key: newKey(), type: "text", text: "" }] })}>
          Add block
        </Button>
      </InlineStack>
    </BlockStack>
  );
}

const TEXT_LABEL: Partial<Record<BlockType, string>> = {
  button: "Button label",
  discount: "Text above the code",
  recommendations: "Heading above the products",
};
const TEXT_LINES: Partial<Record<BlockType, number>> = { text: 3, discount: 2 };
const TEXT_PLACEHOLDER: Partial<Record<BlockType, string>> = {
  button: "Return to checkout",
  discount: "Use code {{ discount_code }} at checkout.",
  recommendations: "You may also like",
};

/** One block: its type, buttons to move or remove it, and its text (the cart items have none). */
function BlockRow({
  block,
  index: i,
  count,
  err,
  onChange,
  onMove,
  onRemove,
}: {
  block: BlockDraft;
  index: number;
  count: number;
  err: StepFieldProps["err"];
  onChange: (patch: Partial<BlockDraft>) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  return (
    <Box padding="300" background="bg-surface-secondary" borderRadius="200">
      <BlockStack gap="200">
        <InlineStack align="space-between" blockAlign="end" gap="200">
          <Box minWidth="180px">
            <Select
              label={`Block ${i + 1} type`}
              options={BLOCK_OPTIONS}
              value={block.type}
              onChange={(v) => onChange({ type: v as BlockType })}
              error={err(`body.${i}.type`)}
            />
          </Box>
          <InlineStack gap="100">
            <Button disabled={i === 0} onClick={() => onMove(-1)} accessibilityLabel={`Move block ${i + 1} up`}>
              ↑
            </Button>
            <Button disabled={i === count - 1} onClick={() => onMove(1)} accessibilityLabel={`Move block ${i + 1} down`}>
              ↓
            </Button>
            <Button disabled={count === 1} onClick={onRemove} accessibilityLabel={`Remove block ${i + 1}`}>
              ✕
            </Button>
          </InlineStack>
        </InlineStack>
        {block.type === "items" ? (
          <Text as="p" tone="subdued">
            The shopper’s cart: up to 6 items with images, quantities and the total.
          </Text>
        ) : null}
        {block.type === "recommendations" ? (
          <Text as="p" tone="subdued">
            Up to 3 products the shopper may like: what others viewed or bought with theirs, else Shopify’s recommendations. Left out when there are none.
          </Text>
        ) : null}
        {block.type === "items" ? null : (
          <TextField
            label={TEXT_LABEL[block.type] ?? "Text"}
            autoComplete="off"
            multiline={TEXT_LINES[block.type]}
            value={block.text}
            placeholder={TEXT_PLACEHOLDER[block.type]}
            onChange={(text) => onChange({ text })}
            error={err(`body.${i}.text`)}
          />
        )}
      </BlockStack>
    </Box>
  );
}
