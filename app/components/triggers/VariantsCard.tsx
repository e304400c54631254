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
  const holdout = f.str("holdoutPct") || "0";
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
              <Box
                key={id}
                padding="300"
                borderRadius="200"
                borderWidth="025"
                borderColor={i === arm ? "border-emphasis" : "border"}
                background={i === arm ? "bg-surface-selected" : "bg-surface"}
              >
                <div data-testid={`variant-${armLabel(i)}`}>
                  <BlockStack gap="200">
                    <InlineStack gap="200" blockAlign="center">
                      <Text as="h3" variant="headingSm">
                        Variant {armLabel(i)}
                      </Text>
                      {i === arm ? <Badge tone="info">Shown</Badge> : null}
                      {hasErrors(i) ? <Badge tone="critical">Needs attention</Badge> : null}
                    </InlineStack>
                    <Text as="p" variant="bodySm" tone="subdued">
                      {CONTENT_LABELS[f.str(armPath(i, "content.kind"))] ?? f.str(armPath(i, "content.kind"))}
                    </Text>
                    <Text as="p" breakWord>
                      {f.str(armPath(i, "content.headline")) || "(no headline)"}
                    </Text>
                    {f.num(`variants.${i}.weight`, `Traffic share of ${armLabel(i)}`, { suffix: "%", min: 0, max: 100 })}
                    <InlineStack gap="200">
                      {i !== arm ? (
                        <Button size="slim" onClick={() => onSelect(i)} accessibilityLabel={`Edit variant ${armLabel(i)}`}>
                          Edit
                        </Button>
                      ) : null}
                      {i > 0 ? (
                        <Button size="slim" variant="plain" tone="critical" onClick={() => onRemove(i)} accessibilityLabel={`Remove variant ${armLabel(i)}`}>
                          Remove
                        </Button>
                      ) : null}
                    </InlineStack>
                  </BlockStack>
                </div>
              </Box>
            ))}
          </InlineGrid>
          {errors["variants"] ? <InlineError message={errors["variants"]} fieldID="variants" /> : null}
          <InlineStack>
            <Button onClick={onAdd} disabled={ids.length >= MAX_ARMS}>
              {ids.length >= MAX_ARMS ? `Add variant (at most ${MAX_ARMS})` : `Add variant (a copy of ${armLabel(arm)})`}
            </Button>
          </InlineStack>
          <Text as="p" variant="bodySm" tone="subdued">
            The traffic shares must add up to 100 %; adding or removing a variant evens them out. They divide the shoppers outside the holdout: the holdout (
            {holdout} %) is drawn first, apart from the variants, and sees nothing.
          </Text>
          <Text as="p" variant="bodySm" tone="subdued">
            {testStartedAt ? `Comparing since ${formatTestStart(testStartedAt)}. ` : "The comparison starts when you save. "}
            Adding or removing a variant, or changing the split, starts a new comparison; editing a variant's content keeps it going. Removing every variant but
            A ends the test without keeping a record: to keep the winner and a record of the test, use Promote on the Analytics page.
          </Text>
          {f.check(
            AUTO_PROMOTE,
            "Promote the winner automatically",
            "Off by default. When a variant's always-valid interval beats every other variant, it becomes this trigger's content and the test ends (a record stays on the Analytics page).",
          )}
        </BlockStack>
      </div>
    </SectionCard>
  );
}
