import { useEffect, useRef, useState } from "react";
import "./admin.css";
import { ButtonGroup, Button, InlineStack, Text, BlockStack } from "@shopify/polaris";
import { mountOverlay } from "../../extensions/intentful/src/overlay/render";
import { EN_STRINGS } from "../../extensions/intentful/src/overlay/preview";
import type { OverlaySpec, OverlayTheme, Strings } from "../../extensions/intentful/src/types";
import type { CompiledContent, Layout } from "~/domain/triggers/types";
import type { PreviewLook } from "~/services/theme-settings.server";

/** The storefront's own English strings, so the preview says what shoppers will read. */
const STRINGS: Strings = EN_STRINGS;

/** The admin's font, where the storefront would use the theme's font and the preview cannot know or load it. */
const ADMIN_FONT = '-apple-system, BlinkMacSystemFont, "San Francisco", "Segoe UI", Roboto, "Helvetica Neue", sans-serif';

/** The block schema's defaults (extensions/intentful/blocks/intentful-embed.liquid), when no look was read. */
const SCHEMA_LOOK: PreviewLook = {
  source: "defaults",
  themeName: null,
  look: { position: "modal", bg: "#ffffff", fg: "#1a1a1a", btn: "#1a1a1a", btnFg: "#ffffff", radius: 8, font: "", image: "", reducedMotion: false },
  notes: ["Theme editor defaults."],
};

/** A phone's viewport: the overlay's stylesheet lays out for phones under 600 px (a media query), so the phone view is its own document. */
export const PHONE = { width: 375, height: 667 };

const SAMPLE_CART = {
  items: [
    { title: "Sample product", url: "#", price: 4500, quantity: 1 },
    { title: "Another product", url: "#", price: 2500, quantity: 2 },
  ],
  itemCount: 3,
  total: 9500,
};

const LAYOUT_NAMES: Record<Layout, string> = { modal: "Centered pop-up", slide_in: "Corner slide-in", bar: "Top bar" };

function specOf(content: CompiledContent, layout: Layout, look: PreviewLook, currency: string): OverlaySpec {
  const theme: OverlayTheme = { ...look.look, font: look.look.font ? `${look.look.font}, ${ADMIN_FONT}` : ADMIN_FONT };
  return {
    triggerId: "preview",
    layout,
    content,
    theme,
    strings: STRINGS,
    locale: "en",
    currency,
    root: "/",
    data: { cart: SAMPLE_CART },
  };
}

/**
 * The desktop stage is a box in the admin, narrower and shorter than a storefront window, and the
 * overlay's stylesheet sizes against the window (100vw, 100vh). In the stage only, the slide-in
 * takes the stage's width and the dialog the stage's height instead, so it shows whole (with
 * its own scrollbar when taller) rather than cut off. The phone frame needs none of this: it is
 * a window of its own.
 */
const STAGE_HEIGHT = 560;
const DESKTOP_STAGE_CSS = `.pv.slide_in{width:min(380px,calc(100% - 32px))}.pv .d{max-height:${STAGE_HEIGHT - 32}px}`;

/** Mounts the storefront's renderer on a fresh host in `parent`; returns the unmount. */
function mountIn(parent: HTMLElement, spec: OverlaySpec, testId: string, stage: "desktop" | "phone"): () => void {
  const doc = parent.ownerDocument;
  const host = doc.createElement("div");
  host.setAttribute("data-testid", testId);
  host.style.minHeight = stage === "phone" ? "100vh" : `${STAGE_HEIGHT}px`;
  parent.replaceChildren(host);
  try {
    const mounted = mountOverlay(host, spec, { preview: true });
    if (stage === "desktop" && host.shadowRoot) host.shadowRoot.append(Object.assign(doc.createElement("style"), { textContent: DESKTOP_STAGE_CSS }));
    return () => mounted.unmount();
  } catch (error) {
    host.textContent = `Preview unavailable: ${error instanceof Error ? error.message : String(error)}`;
    return () => undefined;
  }
}

/** The phone view: a 375 px wide frame (its own viewport, so the overlay's phone rules apply), scaled down to fit the column. */
function PhoneFrame({ spec, specKey }: { spec: OverlaySpec; specKey: string }) {
  const box = useRef<HTMLDivElement>(null);
  const frame = useRef<HTMLIFrameElement>(null);
  const [scale, setScale] = useState(1);

  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    // the frame's 1 px border on either side is outside its 375 px viewport
    const fit = () => setScale(Math.min(1, el.clientWidth / (PHONE.width + 2) || 1));
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const doc = frame.current?.contentDocument;
    if (!doc) return;
    if (!doc.body) doc.documentElement.append(doc.createElement("body"));
    doc.documentElement.lang = "en";
    doc.body.style.cssText = `margin:0;font-family:${ADMIN_FONT};background:repeating-linear-gradient(45deg,#f7f7f7,#f7f7f7 8px,#efefef 8px,#efefef 16px)`;
    return mountIn(doc.body, spec, "overlay-preview-phone-host", "phone");
    // specKey captures every field of spec
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [specKey]);

  return (
    <div ref={box} className="if-preview-phone" style={{ height: (PHONE.height + 2) * scale }}>
      <iframe
        ref={frame}
        title="Overlay preview on a phone"
        data-testid="overlay-preview-phone"
        width={PHONE.width}
        height={PHONE.height}
        style={{ transform: `scale(${scale})` }}
      />
    </div>
  );
}

/**
 * Live preview: the storefront's own overlay renderer (extensions/intentful/src/overlay/render.ts)
 * mounted in preview mode (no fetches, no focus moves), redrawn whenever the content changes, in
 * the look of the shop's app embed (`look`: its live theme's settings, or the theme editor's
 * defaults), on a desktop or a phone.
 */
export function OverlayPreview({ content, currency = "USD", look = SCHEMA_LOOK }: { content: CompiledContent; currency?: string; look?: PreviewLook }) {
  const stage = useRef<HTMLDivElement>(null);
  const [device, setDevice] = useState<"desktop" | "mobile">("desktop");
  const themeLayout = !content.layout || content.layout === "default";
  const layout: Layout = themeLayout ? look.look.position : (content.layout as Layout);
  const spec = specOf(content, layout, look, currency);
  const key = JSON.stringify(spec);

  useEffect(() => {
    const el = stage.current;
    if (!el || device !== "desktop") return;
    return mountIn(el, spec, "overlay-preview-host", "desktop");
    // key captures every field of spec
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, device]);

  return (
    <BlockStack gap="300">
      <InlineStack align="space-between" blockAlign="center" gap="200">
        <Text as="p" tone="subdued">
          {LAYOUT_NAMES[layout]}
          {themeLayout ? " (theme setting)" : ""}
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
      <div role="region" aria-label="Overlay preview" aria-live="polite" data-device={device}>
        {device === "desktop" ? <div ref={stage} className="if-preview-stage" /> : <PhoneFrame spec={spec} specKey={key} />}
      </div>
      <BlockStack gap="100">
        {look.notes.map((note) => (
          <Text key={note} as="p" variant="bodySm" tone="subdued">
            {note}
          </Text>
        ))}
      </BlockStack>
    </BlockStack>
  );
}
