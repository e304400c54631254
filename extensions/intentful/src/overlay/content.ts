/**
 * One renderer per content kind: each fills the overlay's box and resolves true, or false when
 * it has nothing to show (an empty cart, no products), and the overlay then never appears.
 */
import type { CartData, ProductCard } from "../types";
import type { Kit } from "./kit";

/** What a renderer gets: the kit, the box to fill, the dialog (for focus) and the close action. */
export type Frame = Kit & { box: HTMLElement; dialog: HTMLElement; close: (dismissed: boolean) => void };
type Renderer = (f: Frame) => Promise<boolean> | boolean;

const SAMPLE: ProductCard[] = [1, 2, 3].map((n) => ({ title: `Sample product ${n}`, url: "#", price: 2500 * n }));
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

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

type CartJs = {
  item_count: number;
  total_price: number;
  items: Array<ShopifyProduct & { image?: string; quantity: number; final_line_price: number }>;
};

/** The cart's first three lines, "and N more", and the way to the cart or checkout. */
const cartReminder: Renderer = async ({ spec, preview, get, root, c, S, box, put, h, list, link }) => {
  const cart: CartData | undefined =
    spec.data?.cart ||
    (preview
      ? { items: SAMPLE.map((p) => ({ ...p, quantity: 1 })), itemCount: 3, total: 15000 }
      : await get(root + "cart.js").then((j: CartJs) => ({
          itemCount: j.item_count,
          total: j.total_price,
          items: j.items.map((i) => ({ ...toCard(i, root), image: i.image, price: i.final_line_price, quantity: i.quantity })),
        })));
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
};

/** Recently viewed (the shopper's own product handles) or Shopify's product recommendations. */
const products: Renderer = async ({ spec, preview, get, root, c, box, list }) => {
  const limit = c.limit || 4;
  let items = spec.data?.products || (preview ? SAMPLE : undefined);
  if (!items && c.kind === "recently_viewed") {
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
};

/** The sign-up form: email, the consent box (required unless the merchant says otherwise), thanks and an optional code. */
const emailCapture: Renderer = ({ c, S, h, box, dialog, preview, emit, codeBlock }) => {
  const input = h("input", { id: "ie", type: "email", name: "email", autocomplete: "email", required: "", "aria-describedby": "ir" });
  const check = h("input", { type: "checkbox", name: "consent", required: c.requireConsent === false ? false : "" });
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
};

/** A button that reveals the code (counted as a click; the shopper is then discount-sensitive). */
const discountReveal: Renderer = ({ c, S, h, box, button, emit, codeBlock }) => {
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
};

/** A message with one button: a link when the merchant gave one, else it closes the overlay. */
const message: Renderer = ({ c, S, h, box, link, button, emit, close }) => {
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

const RENDERERS: Partial<Record<string, Renderer>> = {
  cart_reminder: cartReminder,
  recently_viewed: products,
  recommendations: products,
  email_capture: emailCapture,
  discount_reveal: discountReveal,
};

/** Fills the frame for its content kind (a plain message for any other). */
export const renderContent = async (f: Frame): Promise<boolean> => (RENDERERS[f.c.kind] || message)(f);
