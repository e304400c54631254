import type { CompiledContent, Layout } from "~/domain/triggers/types";

/** Overlay strings, translated by the block's Liquid (`t` filter) from locales/*.json. */
export interface Strings {
  close: string;
  view_cart: string;
  checkout: string;
  /** "{n}" is replaced with the number of further items */
  more_items: string;
  email_label: string;
  consent: string;
  consent_required: string;
  invalid_email: string;
  sign_up: string;
  thanks: string;
  reveal: string;
  your_code: string;
  copy: string;
  copied: string;
  apply: string;
  continue: string;
  add_to_cart: string;
  added: string;
  sold_out: string;
  /** two-step capture's answers */
  yes: string;
  no: string;
  /** "{time}" is replaced with the time left, e.g. 14:59 */
  ends_in: string;
  expired: string;
  /** "{amount}" is replaced with what the cart still needs */
  to_go: string;
  goal_met: string;
}

export interface OverlayTheme {
  /** colors as CSS values */
  bg: string;
  fg: string;
  btn: string;
  btnFg: string;
  /** corner radius, px */
  radius: number;
  /** CSS font-family; "" = the page's body font */
  font: string;
  /** image URL shown above modal and slide-in content; "" = none */
  image: string;
  reducedMotion: boolean;
}

export interface ProductCard {
  title: string;
  url: string;
  image?: string | null;
  /** cents */
  price: number;
  /** the variant an add-to-cart button adds (the first available one); none = no button */
  variantId?: number | string | null;
  /** false = sold out */
  available?: boolean;
}

export interface CartLine extends ProductCard {
  quantity: number;
}

export interface CartData {
  items: CartLine[];
  itemCount: number;
  /** cents */
  total: number;
}

/** Everything the overlay needs to render one trigger's content. */
export interface OverlaySpec {
  triggerId: string;
  layout: Layout;
  content: CompiledContent;
  theme: OverlayTheme;
  strings: Strings;
  /** BCP 47 locale and ISO 4217 currency for prices */
  locale: string;
  currency: string;
  /** Shopify.routes.root, e.g. "/" or "/fr/" */
  root: string;
  /** recommendations: the product being viewed */
  productId?: string | number | null;
  /** recently viewed: product handles, newest first */
  recent?: string[];
  /** preloaded data; the admin preview passes samples and nothing is fetched */
  data?: { cart?: CartData; products?: ProductCard[] };
}

export type OverlayEvent =
  | { type: "impression" }
  | { type: "click"; target: "cart" | "checkout" | "product" | "link" | "reveal" | "copy" | "add_to_cart" | "yes" }
  | { type: "dismiss" }
  | { type: "email_capture"; email: string; marketingConsent: boolean }
  /** the content had nothing to show (empty cart, no recommendations); the overlay closed itself */
  | { type: "empty" };

export interface MountOptions {
  /** admin preview: renders inside the host box, never fetches, never moves focus */
  preview?: boolean;
  onEvent?: (event: OverlayEvent) => void;
  /** injected for tests; defaults to window.fetch */
  fetch?: typeof fetch;
  /** the clock countdowns read; defaults to Date.now */
  now?: () => number;
}

export interface MountedOverlay {
  unmount(): void;
  /** resolves true once the content is on screen, false if there was nothing to show */
  ready: Promise<boolean>;
}

/** The JSON the app embed prints into #intentful-ctx. */
export interface EmbedContext {
  page: string;
  product: { id: number | string; handle: string } | null;
  /** a logged-in customer: orders_count, and total_spent / orders_count in cents (0 without orders) */
  customer: { orders: number; aov?: number } | null;
  cart: { n: number; c: number };
  currency: string;
  country: string;
  locale: string;
  /** URL of intentful-overlay.js */
  overlay: string;
  /** URL of intentful-rules.js */
  rules: string;
  settings: {
    position: Layout;
    bg: string;
    fg: string;
    btn: string;
    btnFg: string;
    radius: number;
    font: string;
    image: string;
    mobile: boolean;
    headline: string;
    body: string;
    button: string;
    reduced: boolean;
  };
  strings: Strings;
}
