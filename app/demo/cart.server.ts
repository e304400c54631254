import { demoStateFile } from "./shopify-state.server";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { hasOnlyDefaultVariant, imagePath, variantById, type Product, type Variant } from "./catalog";

/**
 * Demo only: the store's carts and checkouts, kept server-side the way Shopify keeps them,
 * keyed by the cart token in the `cart` cookie. The token follows Shopify's current format:
 * `<id>?key=<secret>` in the cookie and /cart.js, while webhooks carry only `<id>`
 * (see docs/decisions/050-demo-storefront.md). Stored in a JSON file beside the demo state
 * so a restart keeps them; the demo is one process, so a write-through map is enough.
 */
export interface CartLine {
  key: string;
  variantId: number;
  quantity: number;
  properties: Record<string, string>;
}

export interface CartRecord {
  id: string;
  key: string;
  lines: CartLine[];
  attributes: Record<string, string>;
  note: string;
  createdAt: string;
  updatedAt: string;
  /** carts/create was sent (later changes send carts/update) */
  announced?: boolean;
  checkoutToken?: string;
  /** its checkout became an order: the token is never reused */
  closed?: boolean;
}

export interface CheckoutRecord {
  id: number;
  token: string;
  cartId: string;
  lines: CartLine[];
  attributes: Record<string, string>;
  note: string;
  email: string | null;
  acceptsMarketing: boolean;
  /** a code from the store's discounts (the `discount_code` cookie or ?discount=) */
  discount: { code: string; percent: number } | null;
  createdAt: string;
  updatedAt: string;
  /** checkouts/create was sent */
  announced: boolean;
  completedAt: string | null;
  order: { id: number; name: string; number: number; createdAt: string } | null;
}

interface Store {
  carts: Record<string, CartRecord>;
  checkouts: Record<string, CheckoutRecord>;
  nextOrderNumber: number;
}

export const CART_COOKIE = "cart";
const MAX_CARTS = 2000;
const MAX_CHECKOUTS = 2000;
export const MAX_LINES = 50;
export const MAX_QUANTITY = 999;

function storeFile(): string {
  if (process.env.DEMO_STOREFRONT_FILE) return process.env.DEMO_STOREFRONT_FILE;
  return demoStateFile().replace(/(\.json)?$/, "") + ".storefront.json";
}

let cache: { file: string; store: Store } | undefined;

function load(): Store {
  const file = storeFile();
  if (cache?.file === file) return cache.store;
  let store: Store = { carts: {}, checkouts: {}, nextOrderNumber: 1001 };
  if (existsSync(file)) {
    try {
      store = { ...store, ...(JSON.parse(readFileSync(file, "utf8")) as Partial<Store>) };
    } catch {
      // a damaged file starts a fresh store rather than breaking the storefront
    }
  }
  cache = { file, store };
  return store;
}

function save(): void {
  const store = load();
  trim(store.carts, MAX_CARTS);
  trim(store.checkouts, MAX_CHECKOUTS);
  const file = storeFile();
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(store));
  renameSync(tmp, file);
}

function trim<T extends { updatedAt: string }>(map: Record<string, T>, max: number) {
  const keys = Object.keys(map);
  if (keys.length <= max) return;
  keys.sort((a, b) => map[a].updatedAt.localeCompare(map[b].updatedAt));
  for (const k of keys.slice(0, keys.length - max)) delete map[k];
}

/** Like Shopify's: base64 of "<region>:<ULID-like id>", without padding. */
function newCartId(): string {
  const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  const bytes = randomBytes(26);
  const ulid = Array.from(bytes, (b) => alphabet[b % 32]).join("");
  return Buffer.from(`gcp-us-east1:${ulid}`).toString("base64").replace(/=+$/, "");
}

export function fullToken(cart: Pick<CartRecord, "id" | "key">): string {
  return `${cart.id}?key=${cart.key}`;
}

export function parseToken(token: string | null | undefined): { id: string; key: string } | null {
  const m = /^([A-Za-z0-9]{20,120})\?key=([a-f0-9]{32})$/.exec(token ?? "");
  return m ? { id: m[1], key: m[2] } : null;
}

export function readCookie(header: string | null, name: string): string | null {
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

export function cartCookie(cart: Pick<CartRecord, "id" | "key">): string {
  return `${CART_COOKIE}=${encodeURIComponent(fullToken(cart))}; Path=/; SameSite=Lax; Max-Age=1209600`;
}

/**
 * The cart the request's cookie names, or a new, not yet stored one (Shopify also hands out a
 * token before anything is added). `isNew` tells the caller to set the cookie.
 */
export function cartFor(request: Request, now = new Date()): { cart: CartRecord; isNew: boolean } {
  const parsed = parseToken(readCookie(request.headers.get("cookie"), CART_COOKIE));
  const store = load();
  if (parsed) {
    const existing = store.carts[parsed.id];
    // A copy: a change that fails half-way must not leak into the stored cart.
    if (existing && existing.key === parsed.key && !existing.closed) return { cart: structuredClone(existing), isNew: false };
    if (!existing) return { cart: emptyCart(parsed.id, parsed.key, now), isNew: false };
  }
  return { cart: emptyCart(newCartId(), randomBytes(16).toString("hex"), now), isNew: true };
}

function emptyCart(id: string, key: string, now: Date): CartRecord {
  const at = now.toISOString();
  return { id, key, lines: [], attributes: {}, note: "", createdAt: at, updatedAt: at };
}

export function getCart(id: string): CartRecord | undefined {
  const cart = load().carts[id];
  return cart && structuredClone(cart);
}

/** Stores the cart; returns whether it was new to the store (carts/create) or an update. */
export function saveCart(cart: CartRecord, now = new Date()): "create" | "update" {
  const store = load();
  cart.updatedAt = now.toISOString();
  const topic = cart.announced ? "update" : "create";
  cart.announced = true;
  store.carts[cart.id] = cart;
  save();
  return topic;
}

export class CartError extends Error {
  constructor(
    readonly status: 404 | 422,
    readonly description: string,
  ) {
    super(description);
    this.name = "CartError";
  }
}

export function lineKey(variantId: number, properties: Record<string, string>): string {
  const props = Object.keys(properties).length
    ? createHash("md5")
        .update(JSON.stringify(Object.entries(properties).sort()))
        .digest("hex")
    : createHash("md5").update(String(variantId)).digest("hex");
  return `${variantId}:${props}`;
}

export function cleanProperties(input: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!input || typeof input !== "object" || Array.isArray(input)) return out;
  for (const [k, v] of Object.entries(input as Record<string, unknown>).slice(0, 20)) {
    if (v === null || v === undefined || v === "") continue;
    out[String(k).slice(0, 100)] = String(v).slice(0, 500);
  }
  return out;
}

/** Adds items like /cart/add.js; returns the affected lines. Throws CartError on a bad item. */
export function addItems(cart: CartRecord, items: Array<{ id: unknown; quantity?: unknown; properties?: unknown }>): CartLine[] {
  if (!items.length) throw new CartError(422, "Parameter Missing or Invalid: Required parameter missing or invalid: items");
  const touched: CartLine[] = [];
  for (const item of items) {
    const found = variantById(String(item.id ?? ""));
    if (!found) throw new CartError(404, "Cannot find variant");
    if (!found.variant.available) {
      throw new CartError(422, `The product '${found.product.title}' is already sold out.`);
    }
    const quantity = item.quantity === undefined || item.quantity === "" ? 1 : Number(item.quantity);
    if (!Number.isInteger(quantity) || quantity < 1) throw new CartError(422, "Quantity must be a positive whole number");
    const properties = cleanProperties(item.properties);
    const key = lineKey(found.variant.id, properties);
    let line = cart.lines.find((l) => l.key === key);
    if (!line) {
      if (cart.lines.length >= MAX_LINES) throw new CartError(422, "Cart is full");
      line = { key, variantId: found.variant.id, quantity: 0, properties };
      cart.lines.push(line);
    }
    line.quantity = Math.min(MAX_QUANTITY, line.quantity + quantity);
    touched.push(line);
  }
  return touched;
}

/** /cart/change.js: one line by key, variant id or 1-based `line`; quantity 0 removes it. */
export function changeLine(cart: CartRecord, target: { id?: unknown; line?: unknown }, quantity: unknown, properties?: unknown) {
  let index = -1;
  if (target.line !== undefined && target.line !== "") {
    index = Number(target.line) - 1;
  } else if (target.id !== undefined) {
    const id = String(target.id);
    index = cart.lines.findIndex((l) => l.key === id);
    if (index < 0) index = cart.lines.findIndex((l) => String(l.variantId) === id);
  }
  if (!Number.isInteger(index) || index < 0 || index >= cart.lines.length) {
    throw new CartError(422, "No valid id or line parameter in request");
  }
  const line = cart.lines[index];
  if (properties !== undefined) {
    line.properties = cleanProperties(properties);
    line.key = lineKey(line.variantId, line.properties);
  }
  if (quantity !== undefined && quantity !== "") setQuantity(cart, index, quantity);
}

function setQuantity(cart: CartRecord, index: number, quantity: unknown) {
  const q = Number(quantity);
  if (!Number.isInteger(q) || q < 0) throw new CartError(422, "Quantity must be a whole number of 0 or more");
  if (q === 0) cart.lines.splice(index, 1);
  else cart.lines[index].quantity = Math.min(MAX_QUANTITY, q);
}

/**
 * /cart/update.js: `updates` as {key-or-variant-id: qty} or an array of quantities by line,
 * `attributes` (a blank value removes one) and `note`. Unknown variant ids in `updates` are added.
 */
export function updateCart(cart: CartRecord, input: { updates?: unknown; attributes?: unknown; note?: unknown }): void {
  if (Array.isArray(input.updates)) {
    const quantities = input.updates.map(Number);
    for (let i = quantities.length - 1; i >= 0; i--) if (i < cart.lines.length) setQuantity(cart, i, quantities[i]);
  } else if (input.updates && typeof input.updates === "object") {
    for (const [id, qty] of Object.entries(input.updates as Record<string, unknown>)) {
      const index = cart.lines.findIndex((l) => l.key === id || String(l.variantId) === id);
      if (index >= 0) setQuantity(cart, index, qty);
      else if (Number(qty) > 0) addItems(cart, [{ id, quantity: qty }]);
    }
  }
  if (input.attributes && typeof input.attributes === "object" && !Array.isArray(input.attributes)) {
    for (const [k, v] of Object.entries(input.attributes as Record<string, unknown>)) {
      const name = String(k).slice(0, 100);
      if (v === null || v === undefined || v === "") delete cart.attributes[name];
      else cart.attributes[name] = String(v).slice(0, 1000);
    }
    if (Object.keys(cart.attributes).length > 30) throw new CartError(422, "Too many cart attributes");
  }
  if (typeof input.note === "string") cart.note = input.note.slice(0, 5000);
}

export function clearCart(cart: CartRecord): void {
  cart.lines = [];
  cart.note = "";
}

export interface PricedLine {
  line: CartLine;
  product: Product;
  variant: Variant;
  linePrice: number;
}

/** Lines joined with the catalog (a line whose variant vanished is skipped). */
export function pricedLines(lines: CartLine[]): PricedLine[] {
  return lines.flatMap((line) => {
    const found = variantById(line.variantId);
    return found ? [{ line, ...found, linePrice: found.variant.price * line.quantity }] : [];
  });
}

export function cartTotals(lines: CartLine[]) {
  const priced = pricedLines(lines);
  return {
    itemCount: priced.reduce((n, l) => n + l.line.quantity, 0),
    totalCents: priced.reduce((n, l) => n + l.linePrice, 0),
  };
}

function lineTitle(p: Product, v: Variant): string {
  return hasOnlyDefaultVariant(p) ? p.title : `${p.title} - ${v.title}`;
}

/** One line of /cart.js, in Shopify's shape. */
export function lineJson({ line, product: p, variant: v, linePrice }: PricedLine, origin = "") {
  const image = origin + imagePath(p.handle);
  const defaultOnly = hasOnlyDefaultVariant(p);
  return {
    id: v.id,
    properties: line.properties,
    quantity: line.quantity,
    variant_id: v.id,
    key: line.key,
    title: lineTitle(p, v),
    price: v.price,
    original_price: v.price,
    presentment_price: v.price / 100,
    discounted_price: v.price,
    line_price: linePrice,
    original_line_price: linePrice,
    total_discount: 0,
    discounts: [],
    sku: v.sku,
    grams: v.grams,
    vendor: p.vendor,
    taxable: true,
    product_id: p.id,
    product_has_only_default_variant: defaultOnly,
    gift_card: false,
    final_price: v.price,
    final_line_price: linePrice,
    url: `/demo/products/${p.handle}?variant=${v.id}`,
    featured_image: { aspect_ratio: 1, alt: p.title, height: 600, url: image, width: 600 },
    image,
    handle: p.handle,
    requires_shipping: true,
    product_type: p.type,
    product_title: p.title,
    product_description: p.description,
    variant_title: defaultOnly ? null : v.title,
    variant_options: [v.title],
    options_with_values: [{ name: defaultOnly ? "Title" : "Size", value: v.title }],
    line_level_discount_allocations: [],
    line_level_total_discount: 0,
  };
}

/** GET /cart.js. */
export function cartJson(cart: CartRecord, currency: string) {
  const priced = pricedLines(cart.lines);
  const { itemCount, totalCents } = cartTotals(cart.lines);
  return {
    token: fullToken(cart),
    note: cart.note || null,
    attributes: cart.attributes,
    original_total_price: totalCents,
    total_price: totalCents,
    total_discount: 0,
    total_weight: priced.reduce((n, l) => n + l.variant.grams * l.line.quantity, 0),
    item_count: itemCount,
    items: priced.map((l) => lineJson(l)),
    requires_shipping: priced.length > 0,
    currency,
    items_subtotal_price: totalCents,
    cart_level_discount_applications: [],
  };
}

export function checkoutTotals(c: Pick<CheckoutRecord, "lines" | "discount">) {
  const { totalCents: subtotal, itemCount } = cartTotals(c.lines);
  const discount = c.discount ? Math.round((subtotal * c.discount.percent) / 100) : 0;
  return { subtotal, discount, total: subtotal - discount, itemCount };
}

// ---- checkouts ------------------------------------------------------------------------------

export function getCheckout(token: string): CheckoutRecord | undefined {
  const checkout = /^[a-f0-9]{32}$/.test(token) ? load().checkouts[token] : undefined;
  return checkout && structuredClone(checkout);
}

/** The cart's open checkout, refreshed with the cart's current lines, or a new one. */
export function checkoutForCart(cart: CartRecord, now = new Date()): CheckoutRecord {
  const store = load();
  const at = now.toISOString();
  let checkout = cart.checkoutToken ? store.checkouts[cart.checkoutToken] : undefined;
  if (!checkout || checkout.completedAt) {
    checkout = {
      id: 30_000_000_000_000 + Math.floor(Math.random() * 9_000_000_000_000),
      token: randomBytes(16).toString("hex"),
      cartId: cart.id,
      lines: [],
      attributes: {},
      note: "",
      email: null,
      acceptsMarketing: false,
      discount: null,
      createdAt: at,
      updatedAt: at,
      announced: false,
      completedAt: null,
      order: null,
    };
    store.checkouts[checkout.token] = checkout;
    cart.checkoutToken = checkout.token;
    store.carts[cart.id] = cart;
  }
  checkout.lines = cart.lines.map((l) => ({ ...l, properties: { ...l.properties } }));
  checkout.attributes = { ...cart.attributes };
  checkout.note = cart.note;
  checkout.updatedAt = at;
  save();
  return checkout;
}

export function saveCheckout(checkout: CheckoutRecord, now = new Date()): void {
  checkout.updatedAt = now.toISOString();
  load().checkouts[checkout.token] = checkout;
  save();
}

/** Completes the checkout with the next order number and empties its cart. */
export function completeCheckout(checkout: CheckoutRecord, now = new Date()): NonNullable<CheckoutRecord["order"]> {
  const store = load();
  if (checkout.order) return checkout.order;
  const number = store.nextOrderNumber++;
  const at = now.toISOString();
  checkout.order = { id: 6_000_000_000_000 + number * 1000 + Math.floor(Math.random() * 1000), name: `#${number}`, number, createdAt: at };
  checkout.completedAt = at;
  checkout.updatedAt = at;
  store.checkouts[checkout.token] = checkout;
  const cart = store.carts[checkout.cartId];
  if (cart) store.carts[checkout.cartId] = { ...cart, lines: [], closed: true, updatedAt: at };
  save();
  return checkout.order;
}

/** For tests: forget the in-memory copy (the next call reloads the file). */
export function resetCartStoreCache(): void {
  cache = undefined;
}

// ---- request bodies -------------------------------------------------------------------------

/** Form field names in Shopify's bracket style (`items[0][id]`, `updates[]`, `attributes[x]`) as an object. */
export function bracketForm(entries: Iterable<[string, FormDataEntryValue]>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [name, raw] of entries) {
    if (typeof raw !== "string") continue;
    const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(name);
    if (!m) continue;
    const path = [m[1], ...Array.from(m[2].matchAll(/\[([^[\]]*)\]/g), (x) => x[1])];
    let node: Record<string, unknown> | unknown[] = root;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const last = i === path.length - 1;
      if (Array.isArray(node)) {
        if (last) node.push(raw);
        else {
          const child = {};
          node.push(child);
          node = child;
        }
        continue;
      }
      if (last) {
        node[seg] = raw;
      } else {
        const nextIsPush = path[i + 1] === "";
        if (node[seg] === undefined || typeof node[seg] !== "object") node[seg] = nextIsPush ? [] : {};
        node = node[seg] as Record<string, unknown> | unknown[];
      }
    }
  }
  return root;
}

/** Reads a cart request body: JSON, urlencoded or multipart (what themes and fetch send). */
export async function readCartInput(request: Request): Promise<Record<string, unknown>> {
  const type = request.headers.get("content-type") ?? "";
  if (type.includes("application/json")) {
    const text = await request.text();
    if (!text.trim()) return {};
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new CartError(422, "The request body is not valid JSON");
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) throw new CartError(422, "The request body must be a JSON object");
    return value as Record<string, unknown>;
  }
  if (type.includes("form")) return bracketForm((await request.formData()).entries());
  return {};
}

/** `items` as a list, whether sent as an array or as `items[0][id]` fields (an object keyed by index). */
export function itemsOf(input: Record<string, unknown>): Array<{ id: unknown; quantity?: unknown; properties?: unknown }> {
  const items = input.items;
  if (Array.isArray(items)) return items as Array<{ id: unknown }>;
  if (items && typeof items === "object") return Object.values(items as Record<string, { id: unknown }>);
  return [{ id: input.id, quantity: input.quantity, properties: input.properties }];
}
