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
  const get = (url: string) =>
    (options.fetch || win.fetch.bind(win))(url, { headers: { accept: "application/json" } }).then((r) => {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    });

  const card = (p: ProductCard, qty?: number) => {
    const a = link(p.url, "", "p", "product");
    const src = safeUrl(p.image, "");
    if (src)
      a.append(
        h("img", {
          src: src + (src.includes("?") ? "&" : "?") + "width=192",
          alt: "",
          width: "96",
          height: "96",
          loading: "lazy",
        }),
      );
    a.append(h("span", { class: "t" }, p.title, qty && qty > 1 ? ` × ${qty}` : ""), h("span", { class: "pr" }, money(p.price)));
    return h("li", null, a);
  };
  const list = (items: ProductCard[], cart?: boolean, qty?: number[]) => h("ul", { class: cart ? "l c" : "l" }, ...items.map((p, i) => card(p, qty && qty[i])));

  /** The code, a copy button and an apply link (Shopify's /discount/CODE, back to this page). */
  const codeBlock = (code: string) => {
    const copy = button(S.copy, "b2", () => {
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

  return { doc, win, spec, c, S, root, preview: !!options.preview, emit, put, h, money, link, button, get, list, codeBlock };
}

export type Kit = ReturnType<typeof createKit>;
