/**
 * The overlay: modal, corner slide-in or top bar, rendered into a shadow root on `host`.
 * Imported by the lazily loaded storefront chunk and by the admin's live preview.
 * Every merchant or product string goes in as text (never HTML). This file is the frame (the
 * dialog, its close control, focus and keyboard); what goes in it is content.ts's, one
 * renderer per content kind, built from kit.ts.
 */
import type { MountedOverlay, MountOptions, OverlaySpec } from "../types";
import { renderContent } from "./content";
import { closeColor, createKit, safeUrl } from "./kit";
import { CSS } from "./styles";

export { safeUrl };

/** The content kinds a top bar can hold on one line. */
export const BAR_KINDS: readonly string[] = ["message", "discount_reveal"];

const FOCUSABLE = 'a[href],button:not([disabled]),input:not([disabled]),[tabindex="0"]';

export function mountOverlay(host: HTMLElement, spec: OverlaySpec, options: MountOptions = {}): MountedOverlay {
  const doc = host.ownerDocument;
  const kit = createKit(doc, spec, options);
  const { h, put, button, emit, preview } = kit;
  const { content: c, strings: S, theme: th } = spec;
  // A top bar holds one line: a message, a progress bar or a code. Forms and product lists
  // take the corner instead of stacking into a panel over the header (issue 20).
  const layout = spec.layout == "bar" && !BAR_KINDS.includes(c.kind) ? "slide_in" : spec.layout;
  const modal = layout === "modal";

  const shadow = host.shadowRoot || host.attachShadow({ mode: "open" });
  shadow.replaceChildren();
  const wrap = h("div", {
    class: `w ${layout}${preview ? " pv" : ""}${th.reducedMotion ? " rm" : ""}`,
    hidden: "",
  });
  for (const [k, v] of [
    ["--bg", th.bg],
    ["--fg", th.fg],
    ["--btn", th.btn],
    ["--bfg", th.btnFg],
    ["--r", `${Math.max(0, Math.min(40, Number(th.radius) || 0))}px`],
    ["--font", th.font],
    ["--xfg", closeColor(th.fg, th.bg)],
  ])
    if (v) wrap.style.setProperty(k, v);

  const dialog = h("div", {
    class: "d",
    role: "dialog",
    "aria-modal": modal && !preview ? "true" : false,
    "aria-labelledby": "ih",
    tabindex: "-1",
  });
  const box = h("div");
  // Over an image the close control gets the dialog's own background and a ring, so it reads
  // against whatever the image has under it (issue 20).
  const image = safeUrl(th.image, "") && layout !== "bar";
  put(
    dialog,
    button("×", image ? "x oi" : "x", () => close(true)),
    image && h("img", { class: "im", src: safeUrl(th.image), alt: "" }),
    h("h2", { id: "ih" }, c.headline),
    c.body && h("p", null, c.body),
    box,
  );
  (dialog.firstChild as HTMLElement).setAttribute("aria-label", S.close);
  if (modal) {
    const backdrop = h("div", { class: "bd" });
    backdrop.addEventListener("click", () => close(true));
    wrap.append(backdrop);
  }
  wrap.append(dialog);
  shadow.append(h("style", null, CSS + (preview ? ":host{display:block;position:relative;min-height:420px}" : "")), wrap);

  let previous: Element | null = null;
  let closed = false;
  const listen = keyboard({ doc, host, shadow, dialog, modal, preview, close: () => close(true) });

  function close(dismissed: boolean) {
    if (closed) return;
    closed = true;
    listen(false);
    kit.cleanup.forEach((stop) => stop());
    shadow.replaceChildren();
    if (previous && (previous as HTMLElement).focus && previous.isConnected) (previous as HTMLElement).focus();
    emit({ type: dismissed ? "dismiss" : "empty" });
  }

  const ready = renderContent({ ...kit, box, dialog, close })
    .catch(() => false)
    .then((ok) => {
      if (closed) return false;
      if (!ok) {
        close(false);
        return false;
      }
      wrap.hidden = false;
      if (!preview) {
        previous = doc.activeElement;
        dialog.focus();
        listen(true);
      }
      emit({ type: "impression" });
      return true;
    });

  return {
    ready,
    unmount() {
      if (closed) return;
      closed = true;
      listen(false);
      kit.cleanup.forEach((stop) => stop());
      shadow.replaceChildren();
      if (previous && (previous as HTMLElement).focus && previous.isConnected) (previous as HTMLElement).focus();
    },
  };
}

/**
 * Escape closes (a non-modal overlay only while it has focus: the page may have dialogs of its
 * own); a modal keeps Tab inside itself and pulls back focus that lands on the page behind it.
 * Returns the switch that adds or removes the listeners (none in the admin's preview).
 */
function keyboard(o: { doc: Document; host: HTMLElement; shadow: ShadowRoot; dialog: HTMLElement; modal: boolean; preview: boolean; close: () => void }) {
  const { doc, host, shadow, dialog, modal } = o;
  const focusables = () => Array.from(dialog.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => el.getClientRects().length > 0);
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Escape" && (modal || doc.activeElement === host)) {
      e.stopPropagation();
      o.close();
    } else if (e.key === "Tab" && modal) {
      const items = focusables();
      const active = shadow.activeElement;
      const first = items[0];
      const last = items[items.length - 1];
      if (!first) return;
      if (e.shiftKey ? !active || active === first || active === dialog : !active || active === last) {
        e.preventDefault();
        (e.shiftKey ? last : first).focus();
      }
    }
  };
  const onFocusIn = (e: FocusEvent) => {
    if (e.target !== host) (focusables()[0] || dialog).focus();
  };
  return (add: boolean) => {
    if (o.preview) return;
    const m = add ? "addEventListener" : "removeEventListener";
    doc[m]("keydown", onKey as EventListener, true);
    if (modal) doc[m]("focusin", onFocusIn as EventListener, true);
  };
}
