import { useEffect, useRef, useState } from "react";
import "./admin.css";
import { ButtonGroup, Button, InlineStack, Text, BlockStack } from "@shopify/polaris";
import { mountOverlay } from "../../extensions/intentful/src/overlay/render";
import type { OverlaySpec, Strings } from "../../extensions/intentful/src/types";
import type { CompiledContent, Layout } from "~/domain/triggers/types";
import en from "../../extensions/intentful/locales/en.default.json";

const STRINGS: Strings = {
  close: "Close",
  view_cart: "View cart",
  checkout: "Check out",
  more_items: "+{n} more in your cart",
  email_label: "Email",
  consent: "Email me news and offers. I can unsubscribe at any time.",
  consent_required: "Please tick the box to sign up.",
  invalid_email: "Enter a valid email address.",
  sign_up: "Sign up",
  thanks: "Thanks for signing up!",
  reveal: "Show my code",
  your_code: "Your code:",
  copy: "Copy code",
  copied: "Copied",
  apply: "Apply code",
  continue: "Continue shopping",
  // The storefront's own English strings win, so the preview says what shoppers will read.
  ...((en as { intentful?: Partial<Strings> }).intentful ?? {}),
};

/** The theme editor's defaults for the app embed (colors, radius, position). */
const THEME: OverlaySpec["theme"] = {
  bg: "#ffffff",
  fg: "#1a1a1a",
  btn: "#1a1a1a",
  btnFg: "#ffffff",
  radius: 8,
  font: '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", sans-serif',
  image: "",
  reducedMotion: false,
};

const SAMPLE_CART = {
  items: [
    { title: "Sample product", url: "#", price: 4500, quantity: 1 },
    { title: "Another product", url: "#", price: 2500, quantity: 2 },
  ],
  itemCount: 3,
  total: 9500,
};

/**
 * Live preview: the storefront's own overlay renderer (extensions/intentful/src/overlay/render.ts)
 * mounted in preview mode (no fetches, no focus moves), redrawn whenever the content changes.
 */
export function OverlayPreview({ content, currency = "USD" }: { content: CompiledContent; currency?: string }) {
  const stage = useRef<HTMLDivElement>(null);
  const [device, setDevice] = useState<"desktop" | "mobile">("desktop");
  const layout: Layout = !content.layout || content.layout === "default" ? "modal" : (content.layout as Layout);
  const key = JSON.stringify(content);

  useEffect(() => {
    const el = stage.current;
    if (!el) return;
    const host = document.createElement("div");
    host.setAttribute("data-testid", "overlay-preview-host");
    el.replaceChildren(host);
    const spec: OverlaySpec = {
      triggerId: "preview",
      layout,
      content,
      theme: THEME,
      strings: STRINGS,
      locale: "en",
      currency,
      root: "/",
      data: { cart: SAMPLE_CART },
    };
    let mounted: { unmount(): void } | undefined;
    try {
      mounted = mountOverlay(host, spec, { preview: true });
    } catch (error) {
      host.textContent = `Preview unavailable: ${error instanceof Error ? error.message : String(error)}`;
    }
    return () => mounted?.unmount();
    // key captures every content field; layout and currency follow from it
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, layout, currency]);

  return (
    <BlockStack gap="300">
      <InlineStack align="space-between" blockAlign="center">
        <Text as="p" tone="subdued">
          {layout === "modal" ? "Centered pop-up" : layout === "slide_in" ? "Corner slide-in" : "Top bar"}
          {!content.layout || content.layout === "default" ? " (theme default)" : ""}
        </Text>
        <ButtonGroup variant="segmented">
          <Button pressed={device === "desktop"} onClick={() => setDevice("desktop")} size="slim">
            Desktop
          </Button>
          <Button pressed={device === "mobile"} onClick={() => setDevice("mobile")} size="slim">
            Mobile
          </Button>
        </ButtonGroup>
      </InlineStack>
      <div
        ref={stage}
        role="region"
        aria-label="Overlay preview"
        aria-live="polite"
        className="if-preview-stage"
        style={{ maxWidth: device === "mobile" ? 375 : "100%" }}
      />
    </BlockStack>
  );
}
