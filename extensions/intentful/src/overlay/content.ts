/**
 * One renderer per content kind: each fills the overlay's box and resolves true, or false when
 * it has nothing to show (an empty cart, no products), and the overlay then never appears.
 */
import type { CartData, ProductCard } from "../types";
import type { Kit } from "./kit";

/** What a renderer gets: the kit, the box to fill, the dialog (for focus) and the close action. */
export type Frame = Kit & { box: HTMLElement; dialog: HTMLElement; close: (dismissed: boolean) => void };
type Renderer = (f: Frame) => Promise<boolean> | boolean;

const SAMPLE: ProductCard[] = [1, 2, 3, 4].map((n) => ({ title: `Sample product ${n}`, url: "#", price: 2500 * n, variantId: n }));
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface ShopifyProduct {
  title?: string;
  url?: string;
  handle?: string;
  price?: number;
  available?: boolean;
  featured_image?: string | { url?: string } | null;
  variants?: Array<{ id: number | string; available?: boolean; price?: number }>;
}

/** A product from Shopify's Ajax API as a card: its first available variant is what a button adds. */
function toCard(p: ShopifyProduct, root: string): ProductCard {
  const img = p.featured_image;
  const v = (p.variants || []).find((v) => v.available !== false) || (p.variants || [])[0];
  return {
    title: String(p.title || ""),
    url: p.url || root + "products/" + encodeURIComponent(p.handle || ""),
    image: typeof img === "string" ? img : img?.url,
    price: Number((v && v.price) ?? p.price) || 0,
    variantId: v && v.id,
    available: p.available !== false && (!v || v.available !== false),
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
const products: Renderer = async ({ spec, preview, get, root, c, S, h, box, dialog, list, link }) => {
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
  const grid = list(items.slice(0, limit), false, undefined, c.addToCart !== false);
  if (/g[34]/.test(grid.className)) dialog.classList.add("wide");
  box.append(grid);
  if (c.addToCart !== false) box.append(h("div", { class: "row" }, link(root + "cart", S.view_cart, "b2", "cart")));
  return true;
};

/**
 * When an offer's code runs out: `expiresMinutes` after the shopper first saw it (kept per
 * browser, so a reload does not restart the clock); null = no countdown, 0 = already over.
 */
function deadline({ c, spec, preview, now, win }: Frame): number | null {
  if (!c.expiresMinutes) return null;
  const fresh = now() + c.expiresMinutes * 6e4;
  if (preview) return fresh;
  const key = "intentful:end:" + spec.triggerId;
  try {
    const kept = Number(win.localStorage.getItem(key));
    if (kept) return kept;
    win.localStorage.setItem(key, String(fresh));
  } catch {
    // storage refused: the countdown runs from this showing
  }
  return fresh;
}

/** The countdown, when the offer has one; at zero the offer gives way to "expired". */
function timer(f: Frame, end: number | null) {
  return (
    end != null &&
    f.countdown(end, () => {
      f.box.replaceChildren(f.h("p", { role: "status" }, f.S.expired));
      f.dialog.focus();
    })
  );
}

/**
 * The sign-up form: email, the consent box (required unless the merchant says otherwise), thanks
 * and an optional code. Two steps when the merchant asks a question: yes opens the form, no
 * closes the overlay as a dismissal.
 */
const emailCapture: Renderer = (f) => {
  const { c, S, h, box, dialog, preview, emit, codeBlock, button, close } = f;
  const end = deadline(f);
  if (end != null && end <= f.now()) return false;
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
  if (!c.question) {
    box.append(form, timer(f, end) || "");
    return true;
  }
  const ask = h(
    "div",
    null,
    h("p", { class: "q" }, c.question),
    h(
      "div",
      { class: "row" },
      button(S.yes, "btn", () => {
        emit({ type: "click", target: "yes" });
        ask.replaceWith(form);
        input.focus();
      }),
      button(S.no, "b2", () => close(true)),
    ),
  );
  box.append(ask, timer(f, end) || "");
  return true;
};

/** A button that reveals the code (counted as a click; the shopper is then discount-sensitive). */
const discountReveal: Renderer = (f) => {
  const { c, S, h, box, button, emit, codeBlock } = f;
  if (!c.code) return false;
  const end = deadline(f);
  if (end != null && end <= f.now()) return false;
  const reveal = button(S.reveal, "btn", () => {
    emit({ type: "click", target: "reveal" });
    const block = codeBlock(c.code!);
    row.replaceWith(block);
    (block.querySelector("button") as HTMLElement).focus();
  });
  const row = h("div", { class: "row" }, reveal);
  box.append(row, timer(f, end) || "");
  return true;
};

/**
 * Progress towards the merchant's goal (free shipping): the cart's value against `goalCents`,
 * as a bar and the amount still to go.
 */
async function progress({ c, S, h, spec, preview, get, root, money }: Frame): Promise<Node | null> {
  const goal = c.goalCents || 0;
  if (!goal) return null;
  const total: number = spec.data?.cart?.total ?? (preview ? Math.round(goal * 0.7) : await get(root + "cart.js").then((j: CartJs) => j.total_price));
  const left = Math.max(0, goal - total);
  const text = left ? S.to_go.replace("{amount}", money(left)) : S.goal_met;
  const pct = Math.min(100, Math.round((total / goal) * 100));
  return h(
    "div",
    { class: "pg" },
    h(
      "div",
      {
        class: "pb",
        role: "progressbar",
        "aria-labelledby": "ih",
        "aria-valuemin": "0",
        "aria-valuemax": "100",
        "aria-valuenow": String(pct),
        "aria-valuetext": text,
      },
      h("span", { style: `width:${pct}%` }),
    ),
    h("p", { class: "pt" }, text),
  );
}

/** A message with one button: a link when the merchant gave one, else it closes the overlay. */
const message: Renderer = async (f) => {
  const { c, S, h, box, link, button, emit, close } = f;
  const bar = await progress(f);
  box.append(
    bar || "",
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
