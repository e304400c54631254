import { Badge, BlockStack, Box, Button, ButtonGroup, InlineError, InlineGrid, InlineStack, Text } from "@shopify/polaris";
import { SectionCard } from "~/components/editor/SectionCard";
import { ARM_IDS, armPath, AUTO_PROMOTE } from "~/components/trigger-form";
import { CONTENT_LABELS } from "~/components/trigger-labels";
import { armLabel, MAX_ARMS } from "~/domain/experiments/variants";
import type { TriggerFields } from "./fields";

/** When a test's comparison started, the same on the server and in the browser (no local zone: no hydration mismatch). */
export function formatTestStart(iso: string): string {
  return `${new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(new Date(iso))} UTC`;
}

/**
 * The trigger's A/B test (issue 21): its variants side by side — each one's kind and headline,
 * its traffic share, and the buttons that pick which one the content card edits and the preview
 * shows — with "Add variant" (a copy of the variant shown), removal, and auto-promote.
 * Conditions, audience, schedule and frequency stay shared by every variant.
 */
export function VariantsCard({
  f,
  errors,
  arm,
  testStartedAt,
  onSelect,
  onAdd,
  onRemove,
}: {
  f: TriggerFields;
  errors: Record<string, string>;
  /** The variant shown (index). */
  arm: number;
  /** When the saved test's comparison started (ISO), or null. */
  testStartedAt: string | null;
  onSelect: (arm: number) => void;
  onAdd: () => void;
  onRemove: (arm: number) => void;
}) {
  const ids = f.list(ARM_IDS);
  const hasErrors = (i: number) => Object.keys(errors).some((k) => k.startsWith(`variants.${i}.`));

  if (ids.length === 0) {
    return (
      <SectionCard title="Variants (A/B test)">
        <Text as="p" tone="subdued">
          Test up to {MAX_ARMS} versions of this overlay against each other: each shopper keeps seeing the same one, on every page and visit. Conditions,
          audience, schedule and frequency stay shared.
        </Text>
        <InlineStack>
          <Button onClick={onAdd}>Add variant</Button>
        </InlineStack>
      </SectionCard>
    );
  }

  return (
    <SectionCard title="Variants (A/B test)">
      <div data-testid="trigger-variants">
        <BlockStack gap="400">
          <InlineStack gap="200" blockAlign="center">
            <Text as="span" variant="bodyMd">
              Edit and preview:
            </Text>
            <ButtonGroup variant="segmented">
              {ids.map((id, i) => (
                <Button key={id} pressed={i === arm} onClick={() => onSelect(i)} accessibilityLabel={`Edit and preview variant ${armLabel(i)}`}>
                  {armLabel(i)}
                </Button>
              ))}
            </ButtonGroup>
          </InlineStack>
          <InlineGrid columns={{ xs: 1, sm: 2, lg: ids.length }} gap="300">
            {ids.map((id, i) => (
              <TriggerArmCard key={id} f={f} arm={i} shown={i === arm} needsAttention={hasErrors(i)} onSelect={onSelect} onRemove={onRemove} />
            ))}
          </InlineGrid>
          {errors["variants"] ? <InlineError message={errors["variants"]} fieldID="variants" /> : null}
          <TriggerTestSettings f={f} count={ids.length} arm={arm} testStartedAt={testStartedAt} onAdd={onAdd} />
        </BlockStack>
      </div>
    </SectionCard>
  );
}

/** One variant's summary: its kind and headline, its traffic share, and the buttons to edit it and (past A) remove it. */
function TriggerArmCard({
  f,
  arm,
  shown,
  needsAttention,
  onSelect,
  onRemove,
}: {
  f: TriggerFields;
  /** The variant's index (0 = A). */
  arm: number;
  /** Whether this is the variant the content card edits and the preview shows. */
  shown: boolean;
  needsAttention: boolean;
  onSelect: (arm: number) => void;
  onRemove: (arm: number) => void;
}) {
  const label = armLabel(arm);
  const kind = f.str(armPath(arm, "content.kind"));
  return (
    <Box
      padding="300"
      borderRadius="200"
      borderWidth="025"
      borderColor={shown ? "border-emphasis" : "border"}
      background={shown ? "bg-surface-selected" : "bg-surface"}
    >
      <div data-testid={`variant-${label}`}>
        <BlockStack gap="200">
          <InlineStack gap="200" blockAlign="center">
            <Text as="h3" variant="headingSm">
              Variant {label}
            </Text>
            {shown ? <Badge tone="info">Shown</Badge> : null}
            {needsAttention ? <Badge tone="critical">Needs attention</Badge> : null}
          </InlineStack>
          <Text as="p" variant="bodySm" tone="subdued">
            {CONTENT_LABELS[kind] ?? kind}
          </Text>
          <Text as="p" breakWord>
            {f.str(armPath(arm, "content.headline")) || "(no headline)"}
          </Text>
          {f.num(`variants.${arm}.weight`, `Traffic share of ${label}`, { suffix: "%", min: 0, max: 100 })}
          <InlineStack gap="200">
            {!shown ? (
              <Button size="slim" onClick={() => onSelect(arm)} accessibilityLabel={`Edit variant ${label}`}>
                Edit
              </Button>
            ) : null}
            {arm > 0 ? (
              <Button size="slim" variant="plain" tone="critical" onClick={() => onRemove(arm)} accessibilityLabel={`Remove variant ${label}`}>
                Remove
              </Button>
            ) : null}
          </InlineStack>
        </BlockStack>
      </div>
    </Box>
  );
}

/** Below the variants: "Add variant", how the split and the comparison work, and auto-promote. */
function TriggerTestSettings({
  f,
  count,
  arm,
  testStartedAt,
  onAdd,
}: {
  f: TriggerFields;
  /** How many variants there are. */
  count: number;
  /** The variant shown (index). */
  arm: number;
  testStartedAt: string | null;
  onAdd: () => void;
}) {
  const holdout = f.str("holdoutPct") || "0";
  return (
    <>
      <InlineStack>
        <Button onClick={onAdd} disabled={count >= MAX_ARMS}>
          {count >= MAX_ARMS ? `Add variant (at most ${MAX_ARMS})` : `Add variant (a copy of ${armLabel(arm)})`}
        </Button>
      </InlineStack>
      <Text as="p" variant="bodySm" tone="subdued">
        The traffic shares must add up to 100 %; adding or removing a variant evens them out. They divide the shoppers outside the holdout: the holdout (
        {holdout} %) is drawn first, apart from the variants, and sees nothing.
      </Text>
      <Text as="p" variant="bodySm" tone="subdued">
        {testStartedAt ? `Comparing since ${formatTestStart(testStartedAt)}. ` : "The comparison starts when you save. "}
        Adding or removing a variant, or changing the split, starts a new comparison; editing a variant's content keeps it going. Removing every variant but A
        ends the test without keeping a record: to keep the winner and a record of the test, use Promote on the Analytics page.
      </Text>
      {f.check(
        AUTO_PROMOTE,
        "Promote the winner automatically",
        "Off by default. When a variant's always-valid interval beats every other variant, it becomes this trigger's content and the test ends (a record stays on the Analytics page).",
      )}
    </>
  );
}
