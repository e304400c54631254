import { SectionCard } from "~/components/editor/SectionCard";
import { useMemo, useState } from "react";
import { Button, ButtonGroup, Text } from "@shopify/polaris";
import { armLabel } from "~/domain/experiments/variants";
import { OverlayPreview } from "~/components/OverlayPreview";
import { armIds, previewContent, type FormValues } from "~/components/trigger-form";
import type { PreviewLook } from "~/services/theme-settings.server";

/**
 * The overlay as the form stands, drawn by the storefront's renderer in the shop's app embed
 * look. Beside the form it sticks in view while the form scrolls (admin.css: the secondary
 * column stretches to the form's height, the card is sticky in it); on narrow screens, where
 * the columns stack, "Show preview" pins it over the bottom of the form.
 */
export function TriggerPreview({
  values,
  currency,
  look,
  arm = 0,
  onSelectArm,
}: {
  values: FormValues;
  currency: string;
  look?: PreviewLook;
  /** The A/B variant shown (0 = A, the trigger's own content). */
  arm?: number;
  onSelectArm?: (arm: number) => void;
}) {
  const content = useMemo(() => previewContent(values, arm), [values, arm]);
  const ids = armIds(values);
  const [pinned, setPinned] = useState(false);
  return (
    <div className={pinned ? "if-preview-aside if-preview-pinned" : "if-preview-aside"}>
      <div className="if-preview-toggle">
        <Button onClick={() => setPinned((p) => !p)} ariaControls="trigger-preview" ariaExpanded={pinned}>
          {pinned ? "Hide preview" : "Show preview"}
        </Button>
      </div>
      <div id="trigger-preview" className="if-preview-panel" data-testid="trigger-preview">
        <SectionCard title={ids.length >= 2 ? `Preview: variant ${armLabel(arm)}` : "Preview"} gap="300">
          {ids.length >= 2 && onSelectArm ? (
            <ButtonGroup variant="segmented">
              {ids.map((id, i) => (
                <Button key={id} pressed={i === arm} onClick={() => onSelectArm(i)} accessibilityLabel={`Preview variant ${armLabel(i)}`}>
                  {armLabel(i)}
                </Button>
              ))}
            </ButtonGroup>
          ) : null}
          <OverlayPreview content={content} currency={currency} look={look} />
          <Text as="p" variant="bodySm" tone="subdued">
            Drawn by the same code your storefront runs, with sample products.
          </Text>
        </SectionCard>
      </div>
    </div>
  );
}
