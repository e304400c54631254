import { useEffect, useRef, useState } from "react";
import { BlockStack, Box, Button, Card, InlineGrid, Text } from "@shopify/polaris";
import { Modal, TitleBar } from "@shopify/app-bridge-react";
import { mountOverlay } from "../../../extensions/intentful/src/overlay/render";
import { previewSpec } from "../../../extensions/intentful/src/overlay/preview";
import type { ProductCard } from "../../../extensions/intentful/src/types";
import type { Content } from "~/domain/triggers/schema";

/** The App Bridge modal's id: `shopify.modal.show(TEMPLATE_PICKER)` opens it. */
export const TEMPLATE_PICKER = "template-picker";

/** Sample products for the thumbnails: the bundled sample images (public/email-samples). */
const SAMPLES: ProductCard[] = [
  ["Wool beanie", "wool-beanie", 2900],
  ["Ceramic mug", "ceramic-mug", 2400],
  ["Canvas tote", "canvas-tote", 3200],
  ["Cotton socks", "cotton-socks", 1800],
].map(([title, file, price], i) => ({ title: String(title), url: "#", price: Number(price), image: `/email-samples/${file}.png`, variantId: i + 1 }));

const STAGE = { width: 640, height: 460 };

/**
 * One template drawn by the storefront's own overlay code (preview mode: no fetches, no focus)
 * on a 640×460 stage, scaled to the card's width: what the shopper will see, before the merchant
 * picks it.
 */
function Thumbnail({ content, title }: { content: Content; title: string }) {
  const stage = useRef<HTMLDivElement>(null);
  const frame = useRef<HTMLDivElement>(null);
  const [scale, setScale] = useState(0.4);
  useEffect(() => {
    const el = frame.current;
    if (!el) return;
    const fit = () => el.clientWidth && setScale(el.clientWidth / STAGE.width);
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  useEffect(() => {
    const el = stage.current;
    if (!el) return;
    // a picture, not controls: nothing in it takes focus or clicks
    el.setAttribute("inert", "");
    const host = el.ownerDocument.createElement("div");
    host.style.cssText = "position:absolute;inset:0";
    el.replaceChildren(host);
    const cart = { items: [{ ...SAMPLES[2], quantity: 1 }], itemCount: 1, total: 3200 };
    const spec = previewSpec({ content, products: SAMPLES });
    const mounted = mountOverlay(host, { ...spec, data: { ...spec.data, cart } }, { preview: true });
    return () => mounted.unmount();
  }, [content]);
  return (
    <div
      ref={frame}
      className="if-template-thumb"
      role="img"
      aria-label={`Preview: ${title}`}
      style={{
        width: "100%",
        aspectRatio: `${STAGE.width} / ${STAGE.height}`,
        overflow: "hidden",
        borderRadius: 8,
        background: "#f1f1f1",
        position: "relative",
      }}
    >
      <div
        ref={stage}
        aria-hidden="true"
        style={{ width: STAGE.width, height: STAGE.height, transform: `scale(${scale})`, transformOrigin: "0 0", position: "relative" }}
      />
    </div>
  );
}

/** The template gallery a new trigger starts from: each drawn as it will look, with a Use button. */
export function TemplatePicker({
  templates,
  onChoose,
}: {
  templates: Array<{ key: string; title: string; description: string; content: Content }>;
  onChoose: (key: string) => void;
}) {
  return (
    <Modal id={TEMPLATE_PICKER} variant="max">
      <TitleBar title="Create a trigger from a template" />
      <Box padding="400">
        <InlineGrid columns={{ xs: 1, sm: 2, lg: 3 }} gap="400">
          {templates.map((t) => (
            <Card key={t.key} background="bg-surface-secondary">
              <BlockStack gap="300">
                <Thumbnail content={t.content} title={t.title} />
                <BlockStack gap="100">
                  <Text as="h3" variant="headingSm">
                    {t.title}
                  </Text>
                  <Text as="p" tone="subdued">
                    {t.description}
                  </Text>
                </BlockStack>
                <Box>
                  <Button onClick={() => onChoose(t.key)} accessibilityLabel={`Use template: ${t.title}`}>
                    Use
                  </Button>
                </Box>
              </BlockStack>
            </Card>
          ))}
        </InlineGrid>
      </Box>
    </Modal>
  );
}
