/**
 * The overlay's building blocks, bound to one document and one spec: elements (always text,
 * never HTML), links and buttons that report clicks, money, product lists, the discount code
 * block, and JSON from the store. Shared by the frame (render.ts) and the content renderers
 * (content.ts).
 */
import type { MountOptions, OverlayEvent, OverlaySpec, ProductCard } from "../types";

export type Kid = Node | string | null | undefined | false;

/** Links and images only from the store itself or http(s); anything else becomes inert. */
export function safeUrl(url: unknown, fallback = "#"): string {
  const u = typeof url === "string" ? url.trim() : "";
  return /^(https?:)?\/\/[^\s]+$|^\/(?!\/)[^\s]*$/.test(u) ? u : fallback;
}

/** WCAG relative luminance of a #rgb or #rrggbb colour; null for anything else. */
function luminance(color: string): number | null {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (!m) return null;
  const hex = m[1].length == 3 ? m[1].replace(/./g, "$&$&") : m[1];
  const [r, g, b] = [0, 2, 4].map((i) => {
    const v = parseInt(hex.slice(i, i + 2), 16) / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two luminances. */
const contrastRatio = (a: number, b: number) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);

/**
 * The close control's colour on the dialog's background: the text colour where it reads at
 * 4.5:1 (WCAG AA), else black or white, whichever reads better on that background.
 */
export function closeColor(fg: string, bg: string): string {
  // unset colours are the stylesheet's defaults (:host --bg, --fg in styles.ts)
  const B = luminance(bg || "#fff");
  if (B == null) return fg;
  const F = luminance(fg || "#1a1a1a");
  if (F != null && contrastRatio(F, B) >= 4.5) return fg;
  return contrastRatio(0, B) >= contrastRatio(1, B) ? "#000" : "#fff";
}

export function createKit(doc: Document, spec: OverlaySpec, options: MountOptions) {
  const win = doc.defaultView || window;
  const emit: (e: OverlayEvent) => void = options.onEvent || (() => {});
  const { content: c, strings: S, root } = spec;
  const preview = !!options.preview;

  const put = <E extends Element>(el: E, ...kids: Kid[]): E => {
    for (const kid of kids) if (kid) el.append(kid);
    return el;
  };
  const h = <K extends keyof HTMLElementTagNameMap>(
    tag: K,
    attrs?: Record<string, string | false | undefined> | null,
    ...kids: Kid[]
  ): HTMLElementTagNameMap[K] => {
    const el = doc.createElement(tag);
    for (const k in attrs) if (attrs[k] !== false && attrs[k] !== undefined) el.setAttribute(k, attrs[k] as string);
    return put(el, ...kids);
  };
  const money = (cents: number) => {
    try {
      return new Intl.NumberFormat(spec.locale, { style: "currency", currency: spec.currency }).format(cents / 100);
    } catch {
      return (cents / 100).toFixed(2);
    }
  };
  const link = (href: string, label: string, cls: string, target: "cart" | "checkout" | "product" | "link") => {
    const a = h("a", { href: safeUrl(href), class: cls }, label);
    a.addEventListener("click", () => emit({ type: "click", target }));
    return a;
  };
  const button = (label: string, cls: string, onClick: () => void) => {
    const b = h("button", { type: "button", class: cls }, label);
    b.addEventListener("click", onClick);
    return b;
  };
  const get = (url: string, body?: unknown) =>
    (options.fetch || win.fetch.bind(win))(
      url,
      body
        ? { method: "POST", headers: { accept: "application/json", "content-type": "application/json" }, body: JSON.stringify(body) }
        : { headers: { accept: "application/json" } },
    ).then((r) => {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    });
  const now = options.now || Date.now;
  /** what to stop when the overlay goes (countdown timers) */
  const cleanup: Array<() => void> = [];

  /** Adds one of the card's variant through the storefront's Ajax cart; the button says so. */
  const addButton = (p: ProductCard) => {
    const label = p.available === false ? S.sold_out : S.add_to_cart;
    const b = button(label, "b2 add", () => {
      if (preview) return;
      b.disabled = true;
      get(root + "cart/add.js", { items: [{ id: p.variantId, quantity: 1 }] }).then(
        () => {
          b.textContent = S.added;
          emit({ type: "click", target: "add_to_cart" });
          // themes that listen for it redraw their cart count and drawer
          doc.dispatchEvent(new CustomEvent("cart:refresh", { bubbles: true }));
        },
        () => (b.disabled = false),
      );
    });
    b.disabled = p.available === false;
    b.setAttribute("aria-label", `${label}: ${p.title}`);
    return b;
  };

  const card = (p: ProductCard, qty?: number, add?: boolean) => {
    const a = link(p.url, "", "p", "product");
    const src = safeUrl(p.image, "");
    a.append(
      src
        ? h("img", {
            src: src + (src.includes("?") ? "&" : "?") + "width=320",
            alt: "",
            width: "160",
            height: "160",
            loading: preview ? false : "lazy",
          })
        : h("span", { class: "ph" }),
    );
    a.append(h("span", { class: "t" }, p.title, qty && qty > 1 ? ` × ${qty}` : ""), h("span", { class: "pr" }, money(p.price)));
    return h("li", null, a, add && p.variantId != null && addButton(p));
  };
  /**
   * Products in a grid with no empty cell: as many columns as products up to four (three for
   * six or nine), the count cut to fill whole rows; two columns on a phone where four would be
   * too narrow. The cart's lines are a plain list.
   */
  const list = (items: ProductCard[], cart?: boolean, qty?: number[], add?: boolean) => {
    const n = items.length;
    const cols = cart ? 1 : n <= 4 ? n : n % 3 == 0 ? 3 : 4;
    const shown = cart ? items : items.slice(0, n - (n % cols));
    const ul = h("ul", { class: cart ? "l c" : `l g${cols}` }, ...shown.map((p, i) => card(p, qty && qty[i], add)));
    return ul;
  };

  /** mm:ss (h:mm:ss over an hour) until `end`; 0:00 once passed. */
  const clock = (end: number) => {
    const t = Math.max(0, Math.ceil((end - now()) / 1e3));
    const hh = Math.floor(t / 3600);
    const mm = Math.floor(t / 60) % 60;
    const ss = String(t % 60).padStart(2, "0");
    return hh ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
  };
  /**
   * The countdown line for an offer ending at `end`; at zero it calls `expired`. A timer
   * (role=timer: read on request, not every second) that stops with the overlay.
   */
  const countdown = (end: number, expired: () => void) => {
    const el = h("p", { class: "cd", role: "timer" });
    const tick = () => {
      el.textContent = S.ends_in.replace("{time}", clock(end));
      if (now() >= end) {
        stop();
        expired();
      }
    };
    const id = win.setInterval(tick, 1e3);
    const stop = () => win.clearInterval(id);
    cleanup.push(stop);
    tick();
    return el;
  };

  /** The code, a copy button and an apply link (Shopify's /discount/CODE, back to this page). */
  const codeBlock = (code: string) => {
    const copy = button(S.copy, "b2 cp", () => {
      emit({ type: "click", target: "copy" });
      win.navigator.clipboard?.writeText(code).then(
        () => (copy.textContent = S.copied),
        () => {},
      );
    });
    const here = win.location.pathname;
    return h(
      "div",
      { role: "status" },
      h("p", null, S.your_code, " ", h("span", { class: "code" }, code)),
      h(
        "div",
        { class: "row" },
        copy,
        link(`${root}discount/${encodeURIComponent(code)}?redirect=${encodeURIComponent(here)}`, c.button || S.apply, "btn", "link"),
      ),
    );
  };

  return { doc, win, spec, c, S, root, preview, emit, put, h, money, link, button, get, list, codeBlock, now, countdown, cleanup };
}

export type Kit = ReturnType<typeof createKit>;
