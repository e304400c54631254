/**
 * The overlay: modal, corner slide-in or top bar, rendered into a shadow root on `host`.
 * Imported by the lazily loaded storefront chunk and by the admin's live preview.
 * Every merchant or product string goes in as text (never HTML).
 */
import type { CartData, MountedOverlay, MountOptions, OverlaySpec, ProductCard } from "../types";
import { CSS } from "./styles";

type Kid = Node | string | null | undefined | false;

const FOCUSABLE = 'a[href],button:not([disabled]),input:not([disabled]),[tabindex="0"]';
const SAMPLE: ProductCard[] = [1, 2, 3].map((n) => ({ title: `Sample product ${n}`, url: "#", price: 2500 * n }));
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Links and images only from the store itself or http(s); anything else becomes inert. */
export function safeUrl(url: unknown, fallback = "#"): string {
  const u = typeof url === "string" ? url.trim() : "";
  return /^(https?:)?\/\/[^\s]+$|^\/(?!\/)[^\s]*$/.test(u) ? u : fallback;
}

interface ShopifyProduct {
  title?: string;
  url?: string;
  handle?: string;
  price?: number;
  featured_image?: string | { url?: string } | null;
}

function toCard(p: ShopifyProduct, root: string): ProductCard {
  const img = p.featured_image;
  return {
    title: String(p.title || ""),
    url: p.url || root + "products/" + encodeURIComponent(p.handle || ""),
    image: typeof img === "string" ? img : img?.url,
    price: Number(p.price) || 0,
  };
}

export function mountOverlay(host: HTMLElement, spec: OverlaySpec, options: MountOptions = {}): MountedOverlay {
  const doc = host.ownerDocument;
  const win = doc.defaultView || window;
  const preview = !!options.preview;
  const emit = options.onEvent || (() => {});
  const get = (url: string) =>
    (options.fetch || win.fetch.bind(win))(url, { headers: { accept: "application/json" } }).then((r) => {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    });
  const { content: c, strings: S, theme: th, root } = spec;
  const modal = spec.layout === "modal";

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
  const shadow = host.shadowRoot || host.attachShadow({ mode: "open" });
  shadow.replaceChildren();
  const wrap = h("div", {
    class: `w ${spec.layout}${preview ? " pv" : ""}${th.reducedMotion ? " rm" : ""}`,
    hidden: "",
  });
  for (const [k, v] of [
    ["--bg", th.bg],
    ["--fg", th.fg],
    ["--btn", th.btn],
    ["--bfg", th.btnFg],
    ["--r", `${Math.max(0, Math.min(40, Number(th.radius) || 0))}px`],
    ["--font", th.font],
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
  put(
    dialog,
    button("×", "x", () => close(true)),
    safeUrl(th.image, "") && spec.layout !== "bar" && h("img", { class: "im", src: safeUrl(th.image), alt: "" }),
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

  const fill = async (): Promise<boolean> => {
    const k = c.kind;
    if (k === "cart_reminder") {
      const cart: CartData | undefined =
        spec.data?.cart ||
        (preview
          ? { items: SAMPLE.map((p) => ({ ...p, quantity: 1 })), itemCount: 3, total: 15000 }
          : await get(root + "cart.js").then(
              (j: {
                item_count: number;
                total_price: number;
                items: Array<ShopifyProduct & { image?: string; quantity: number; final_line_price: number }>;
              }) => ({
                itemCount: j.item_count,
                total: j.total_price,
                items: j.items.map((i) => ({
                  ...toCard(i, root),
                  image: i.image,
                  price: i.final_line_price,
                  quantity: i.quantity,
                })),
              }),
            ));
      if (!cart || !cart.items.length) return false;
      const shown = cart.items.slice(0, 3);
      const more = cart.itemCount - shown.reduce((n, i) => n + i.quantity, 0);
      put(
        box,
        list(
          shown,
          true,
          shown.map((i) => i.quantity),
        ),
        more > 0 && h("p", null, S.more_items.replace("{n}", String(more))),
        h(
          "div",
          { class: "row" },
          link(root + "cart", S.view_cart, c.showCheckout === false ? "btn" : "b2", "cart"),
          c.showCheckout !== false && link(root + "checkout", c.button || S.checkout, "btn", "checkout"),
        ),
      );
      return true;
    }
    if (k === "recently_viewed" || k === "recommendations") {
      const limit = c.limit || 4;
      let items = spec.data?.products || (preview ? SAMPLE : undefined);
      if (!items && k === "recently_viewed") {
        const found = await Promise.all(
          (spec.recent || []).slice(0, limit).map((handle) =>
            get(`${root}products/${encodeURIComponent(handle)}.js`).then(
              (p: ShopifyProduct) => toCard(p, root),
              () => null,
            ),
          ),
        );
        items = found.filter((p): p is ProductCard => !!p && !!p.title);
      }
      if (!items && spec.productId) {
        const j: { products?: ShopifyProduct[] } = await get(
          `${root}recommendations/products.json?product_id=${encodeURIComponent(
            String(spec.productId),
          )}&limit=${limit}&intent=${c.intent === "complementary" ? "complementary" : "related"}`,
        );
        items = (j.products || []).map((p) => toCard(p, root));
      }
      if (!items || !items.length) return false;
      box.append(list(items.slice(0, limit)));
      return true;
    }
    if (k === "email_capture") {
      const input = h("input", {
        id: "ie",
        type: "email",
        name: "email",
        autocomplete: "email",
        required: "",
        "aria-describedby": "ir",
      });
      const check = h("input", {
        type: "checkbox",
        name: "consent",
        required: c.requireConsent === false ? false : "",
      });
      const error = h("p", { id: "ir", class: "er", role: "alert", hidden: "" });
      const form = h(
        "form",
        { novalidate: "" },
        h("label", { for: "ie" }, S.email_label),
        input,
        h("label", { class: "ck" }, check, h("span", null, c.consentLabel || S.consent)),
        error,
        h("div", { class: "row" }, h("button", { type: "submit", class: "btn" }, c.button || S.sign_up)),
      );
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        const email = input.value.trim();
        const bad = !EMAIL.test(email) ? S.invalid_email : c.requireConsent !== false && !check.checked ? S.consent_required : "";
        error.textContent = bad;
        error.hidden = !bad;
        input.setAttribute("aria-invalid", String(!EMAIL.test(email)));
        if (bad) return (EMAIL.test(email) ? check : input).focus();
        if (!preview) emit({ type: "email_capture", email, marketingConsent: check.checked });
        const done = h("div", { role: "status" }, h("p", null, c.successText || S.thanks), c.code && codeBlock(c.code));
        form.replaceWith(done);
        dialog.focus();
      });
      box.append(form);
      return true;
    }
    if (k === "discount_reveal") {
      if (!c.code) return false;
      const reveal = button(S.reveal, "btn", () => {
        emit({ type: "click", target: "reveal" });
        const block = codeBlock(c.code!);
        row.replaceWith(block);
        (block.querySelector("button") as HTMLElement).focus();
      });
      const row = h("div", { class: "row" }, reveal);
      box.append(row);
      return true;
    }
    box.append(
      h(
        "div",
        { class: "row" },
        c.url
          ? link(c.url, c.button || S.continue, "btn", "link")
          : button(c.button || S.continue, "btn", () => {
              emit({ type: "click", target: "link" });
              close(true);
            }),
      ),
    );
    return true;
  };

  let previous: Element | null = null;
  let closed = false;
  const focusables = () => Array.from(dialog.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => el.getClientRects().length > 0);
  const onKey = (e: KeyboardEvent) => {
    // A non-modal overlay only takes Escape while it has focus; the page may have its own dialogs open.
    if (e.key === "Escape" && (modal || doc.activeElement === host)) {
      e.stopPropagation();
      close(true);
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
  // Focus that lands on the page behind a modal is pulled back in.
  const onFocusIn = (e: FocusEvent) => {
    if (e.target !== host) (focusables()[0] || dialog).focus();
  };
  const listen = (add: boolean) => {
    if (preview) return;
    const m = add ? "addEventListener" : "removeEventListener";
    doc[m]("keydown", onKey as EventListener, true);
    if (modal) doc[m]("focusin", onFocusIn as EventListener, true);
  };

  function close(dismissed: boolean) {
    if (closed) return;
    closed = true;
    listen(false);
    shadow.replaceChildren();
    if (previous && (previous as HTMLElement).focus && previous.isConnected) (previous as HTMLElement).focus();
    emit({ type: dismissed ? "dismiss" : "empty" });
  }

  const ready = fill()
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
      shadow.replaceChildren();
      if (previous && (previous as HTMLElement).focus && previous.isConnected) (previous as HTMLElement).focus();
    },
  };
}
