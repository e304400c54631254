import { createHmac } from "node:crypto";
import { getEnv, isDemo } from "~/env.server";
import { logger } from "~/services/logger.server";
import { renderAppEmbed } from "./liquid.server";
import { readDemoState } from "./shopify-state.server";
import { DEMO_SHOP } from "./constants";
import {
  CartError,
  cartCookie,
  cartFor,
  cartJson,
  cartTotals,
  checkoutTotals,
  pricedLines,
  readCartInput,
  readCookie,
  saveCart,
  type CartRecord,
  type CheckoutRecord,
} from "./cart.server";
import { COLLECTIONS, hasOnlyDefaultVariant, imagePath, isAvailable, priceOf, type Collection, type Product } from "./catalog";
import { sendCartWebhook, type Delivery } from "./webhooks.server";

/**
 * Demo only: the offline storefront's HTML — a small Dawn-like theme rendered on the server,
 * with Shopify's storefront globals (`window.Shopify`, the Customer Privacy API) and the real
 * app embed block rendered by liquid.server.ts before </body>. No external requests: styles
 * are inline, images are same-origin SVGs.
 */
export const CURRENCY = "USD";
export const COUNTRY = "US";
export const LOCALE = "en";
export const ROOT = "/demo/";
export const PROXY_PREFIX = "/apps/intentful";

/** Every demo route calls this first: outside demo mode the storefront does not exist. */
export function demoOnly(): void {
  if (!isDemo()) throw new Response("Not Found", { status: 404 });
}

export function esc(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function money(cents: number, currency = CURRENCY): string {
  return new Intl.NumberFormat("en-US", { style: "currency", currency }).format(cents / 100);
}

// ---- consent ----------------------------------------------------------------------------------

export interface ConsentState {
  analytics: boolean;
  marketing: boolean;
  preferences: boolean;
  saleOfData: boolean;
}

export const CONSENT_COOKIE = "demo_consent";

/** `granted`, `denied`, `unset` (no choice yet: banner shown) or a custom `a1m0p1s0` choice. */
export function parseConsent(value: string | null | undefined): ConsentState | null | undefined {
  if (value === "granted") return { analytics: true, marketing: true, preferences: true, saleOfData: true };
  if (value === "denied") return { analytics: false, marketing: false, preferences: false, saleOfData: false };
  if (value === "unset") return null;
  const m = /^a([01])m([01])p([01])s([01])$/.exec(value ?? "");
  if (m) return { analytics: m[1] === "1", marketing: m[2] === "1", preferences: m[3] === "1", saleOfData: m[4] === "1" };
  return undefined;
}

/** ?consent= wins and is remembered in a session cookie; then the cookie; default granted. */
export function consentFor(request: Request): { consent: ConsentState | null; setCookie?: string } {
  const asked = new URL(request.url).searchParams.get("consent");
  const fromQuery = parseConsent(asked);
  if (fromQuery !== undefined) {
    return { consent: fromQuery, setCookie: `${CONSENT_COOKIE}=${asked}; Path=/; SameSite=Lax` };
  }
  const fromCookie = parseConsent(readCookie(request.headers.get("cookie"), CONSENT_COOKIE));
  return { consent: fromCookie === undefined ? parseConsent("granted")! : fromCookie };
}

function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}

/** What Shopify's content_for_header sets up, plus the Customer Privacy API. */
export function shopifyGlobals(consent: ConsentState | null): string {
  const initial = consent ? [consent.analytics, consent.marketing, consent.preferences, consent.saleOfData] : null;
  return `<script>(function(){
var S=window.Shopify=window.Shopify||{};
S.shop=${scriptJson(DEMO_SHOP)};S.locale=${scriptJson(LOCALE)};S.country=${scriptJson(COUNTRY)};
S.currency={active:${scriptJson(CURRENCY)},rate:"1.0"};
S.theme={name:"Dawn",id:140000000001,schema_name:"Dawn",schema_version:"15.2.0",theme_store_id:887,role:"main"};
S.routes=S.routes||{};S.routes.root=${scriptJson(ROOT)};
var st=${scriptJson(initial)};
function ok(i){return !!(st&&st[i])}
function yn(i){return st?(st[i]?"yes":"no"):""}
function detail(){return {analyticsAllowed:ok(0),marketingAllowed:ok(1),preferencesAllowed:ok(2),saleOfDataAllowed:ok(3),firstPartyMarketingAllowed:ok(1),thirdPartyMarketingAllowed:ok(1)}}
S.customerPrivacy={
analyticsProcessingAllowed:function(){return ok(0)},
marketingAllowed:function(){return ok(1)},
firstPartyMarketingAllowed:function(){return ok(1)},
thirdPartyMarketingAllowed:function(){return ok(1)},
preferencesProcessingAllowed:function(){return ok(2)},
saleOfDataAllowed:function(){return ok(3)},
userCanBeTracked:function(){return ok(0)&&ok(1)},
shouldShowBanner:function(){return !st},
getRegion:function(){return "USNY"},
currentVisitorConsent:function(){return {analytics:yn(0),marketing:yn(1),preferences:yn(2),sale_of_data:yn(3)}},
setTrackingConsent:function(v,cb){
var p=st||[false,false,false,false];
function pick(k,i){return typeof v==="boolean"?v:(v&&typeof v[k]==="boolean"?v[k]:p[i])}
st=[pick("analytics",0),pick("marketing",1),pick("preferences",2),pick("sale_of_data",3)];
document.cookie=${scriptJson(CONSENT_COOKIE)}+"=a"+(+st[0])+"m"+(+st[1])+"p"+(+st[2])+"s"+(+st[3])+"; Path=/; SameSite=Lax";
setTimeout(function(){document.dispatchEvent(new CustomEvent("visitorConsentCollected",{detail:detail()}));if(typeof cb==="function")cb()},0);
}};
S.loadFeatures=function(f,cb){setTimeout(function(){if(typeof cb==="function")cb()},0)};
})();</script>`;
}

const CONSENT_BANNER = `<div class="consent-banner" id="consent-banner" role="region" aria-label="Cookie consent">
<p>We use cookies to personalise your visit and measure what works.</p>
<div><button type="button" class="button button--secondary" data-consent="no">Decline</button> <button type="button" class="button" data-consent="yes">Accept</button></div>
</div>
<script>document.getElementById("consent-banner").addEventListener("click",function(e){var b=e.target.closest("[data-consent]");if(!b)return;var y=b.getAttribute("data-consent")==="yes";window.Shopify.customerPrivacy.setTrackingConsent({analytics:y,marketing:y,preferences:y,sale_of_data:y},function(){});document.getElementById("consent-banner").remove()});</script>`;

// ---- theme -------------------------------------------------------------------------------------

const CSS = `*,*::before,*::after{box-sizing:border-box}
html{font-size:62.5%}
body{margin:0;font:1.6rem/1.6 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;color:#121212;background:#fff;letter-spacing:.04rem}
a{color:inherit}
img{max-width:100%;height:auto;display:block}
.page-width{max-width:120rem;margin:0 auto;padding:0 1.5rem}
@media(min-width:750px){.page-width{padding:0 5rem}}
.announcement-bar{background:#121212;color:#fff;text-align:center;font-size:1.3rem;padding:1rem}
.header{display:flex;align-items:center;justify-content:space-between;gap:2rem;padding:2rem 0;border-bottom:1px solid #e8e8e8}
.header__heading{margin:0;font-size:2.4rem;font-weight:700;letter-spacing:.1rem}
.header__heading a{text-decoration:none}
.header__menu{display:flex;gap:2rem;list-style:none;margin:0;padding:0;font-size:1.5rem}
.header__menu a{text-decoration:none;color:#555}.header__menu a:hover{text-decoration:underline;color:#121212}
.header__icons{display:flex;gap:1.5rem;align-items:center}
.menu-drawer{display:none;position:relative}.menu-drawer summary{list-style:none;cursor:pointer}.menu-drawer summary::-webkit-details-marker{display:none}
.menu-drawer__menu{position:absolute;top:4.6rem;right:0;z-index:3;background:#fff;border:1px solid #e8e8e8;list-style:none;margin:0;padding:1rem 2rem;min-width:20rem}
.menu-drawer__menu a{display:block;padding:.8rem 0;text-decoration:none}
@media(max-width:749px){.header{gap:1rem;padding:1.2rem 0}.header__inline-menu{display:none}.menu-drawer{display:block}.header__heading{font-size:2rem;flex:1}.header__icons{gap:0}}
.header__icon{position:relative;display:inline-flex;width:4.4rem;height:4.4rem;align-items:center;justify-content:center;text-decoration:none}
.header__icon svg{width:2.2rem;height:2.2rem}
.cart-count-bubble{position:absolute;bottom:.6rem;right:.2rem;background:#121212;color:#fff;border-radius:100%;width:1.9rem;height:1.9rem;font-size:1.1rem;display:flex;align-items:center;justify-content:center}
.visually-hidden{position:absolute!important;overflow:hidden;width:1px;height:1px;margin:-1px;padding:0;border:0;clip:rect(0 0 0 0)}
main{min-height:60vh;padding:3rem 0 6rem}
h1,h2,h3{font-weight:500;letter-spacing:.06rem;line-height:1.3}
h1{font-size:3.2rem;margin:0 0 1.5rem}h2{font-size:2.4rem}
.banner{background:#f3f0ea;border-radius:.4rem;padding:6rem 3rem;text-align:center;margin-bottom:4rem}
.banner__heading{font-size:4rem;margin:0 0 1rem}
.button{display:inline-flex;align-items:center;justify-content:center;min-height:4.6rem;padding:0 3rem;border:1px solid #121212;background:#121212;color:#fff;font:inherit;font-size:1.5rem;letter-spacing:.1rem;text-decoration:none;cursor:pointer}
.button:hover{box-shadow:0 0 0 .2rem #121212}
.button--secondary{background:#fff;color:#121212}
.button--full{width:100%}
.button[disabled]{opacity:.5;cursor:not-allowed;box-shadow:none}
.grid{display:grid;grid-template-columns:repeat(2,1fr);gap:2rem;list-style:none;margin:0;padding:0}
@media(min-width:990px){.grid{grid-template-columns:repeat(4,1fr)}}
.card{text-decoration:none;display:block}
.card__media{aspect-ratio:1;background:#f3f3f3;overflow:hidden}
.card__heading{font-size:1.6rem;margin:1.2rem 0 .4rem}
.card:hover .card__heading{text-decoration:underline}
.price{font-size:1.6rem}
.price s{color:#707070;margin-right:.6rem}
.badge{display:inline-block;border-radius:4rem;padding:.3rem 1.2rem;font-size:1.2rem;background:#121212;color:#fff;margin-left:.6rem}
.badge--sold{background:#707070}
.product{display:grid;gap:4rem}
@media(min-width:750px){.product{grid-template-columns:1.2fr 1fr}}
.product__media{background:#f3f3f3}
.product__text{text-transform:uppercase;color:#707070;font-size:1.2rem;letter-spacing:.2rem;margin:0}
.product__title{margin:.5rem 0 1rem}
.product-form{margin:2.5rem 0;display:grid;gap:1.5rem;max-width:44rem}
.field label{display:block;font-size:1.3rem;color:#555;margin-bottom:.4rem}
.field input,.field select,.field textarea{font:inherit;padding:1rem 1.2rem;border:1px solid #8d8d8d;border-radius:0;width:100%;background:#fff}
.quantity{max-width:14rem}
.product__description{color:#444;max-width:60rem}
.section-title{margin:6rem 0 2rem}
.collection-hero{margin-bottom:3rem}
.cart-items{width:100%;border-collapse:collapse}
.cart-items th{text-align:left;font-size:1.2rem;text-transform:uppercase;color:#707070;font-weight:400;padding-bottom:1.5rem;border-bottom:1px solid #e8e8e8}
.cart-items td{padding:2rem 1rem 2rem 0;border-bottom:1px solid #e8e8e8;vertical-align:top}
.cart-item__image{width:10rem}
.cart-item__quantity input{width:8rem;font:inherit;padding:.8rem;border:1px solid #8d8d8d;margin-right:1.2rem}
.cart-remove-button{font-size:1.4rem;color:#555}
.cart__footer{display:flex;justify-content:flex-end;margin-top:3rem}
.cart__blocks{width:100%;max-width:38rem;display:grid;gap:1.2rem}
.totals{display:flex;justify-content:space-between;font-size:1.8rem}
.footer{border-top:1px solid #e8e8e8;padding:4rem 0;color:#555;font-size:1.4rem}
.footer a{color:#555}
.search-form{display:flex;gap:1rem;max-width:60rem;margin-bottom:3rem}
.search-form input{flex:1;font:inherit;padding:1rem 1.2rem;border:1px solid #8d8d8d}
.consent-banner{position:fixed;left:0;right:0;bottom:0;background:#fff;border-top:1px solid #ccc;padding:1.5rem 2rem;display:flex;gap:2rem;align-items:center;justify-content:space-between;z-index:5}
.consent-banner p{margin:0}
.notice{background:#fff6e5;border:1px solid #f0d8a8;padding:1.2rem 1.5rem;margin-bottom:2rem}`;

const ICON_SEARCH = `<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" aria-hidden="true" focusable="false"><circle cx="11" cy="11" r="7"/><path d="M20 20l-3.5-3.5"/></svg>`;
const ICON_CART = `<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" aria-hidden="true" focusable="false"><path d="M5 7h14l-1 13H6z"/><path d="M9 7V5a3 3 0 0 1 6 0v2"/></svg>`;

export type PageType = "index" | "product" | "collection" | "list-collections" | "search" | "cart" | "404" | "page";

export interface PageInput {
  request: Request;
  title: string;
  pageType: PageType;
  main: string;
  product?: Product;
  status?: number;
  /** the cart as the page shows it (defaults to the request's cart) */
  cart?: CartRecord;
  headers?: HeadersInit;
}

function header(itemCount: number, isIndex: boolean): string {
  const logo = isIndex ? "h1" : "div";
  return `<div class="announcement-bar" role="region" aria-label="Announcement">Free shipping on orders over $50</div>
<div class="page-width"><header class="header">
<${logo} class="header__heading"><a href="/demo/" class="header__heading-link">Demo Shop</a></${logo}>
<details class="menu-drawer"><summary class="header__icon" aria-label="Menu"><svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" aria-hidden="true" focusable="false"><path d="M4 7h16M4 12h16M4 17h16"/></svg></summary><ul class="menu-drawer__menu">
<li><a href="/demo/">Home</a></li>
<li><a href="/demo/collections/all">Catalog</a></li>
<li><a href="/demo/collections/apparel">Apparel</a></li>
<li><a href="/demo/collections/home">Home goods</a></li>
</ul></details>
<nav aria-label="Main" class="header__inline-menu"><ul class="header__menu">
<li><a href="/demo/">Home</a></li>
<li><a href="/demo/collections/all">Catalog</a></li>
<li><a href="/demo/collections/apparel">Apparel</a></li>
<li><a href="/demo/collections/home">Home goods</a></li>
</ul></nav>
<div class="header__icons">
<a href="/demo/search" class="header__icon header__icon--search" aria-label="Search">${ICON_SEARCH}</a>
<a href="/demo/cart" class="header__icon header__icon--cart" id="cart-icon-bubble" aria-label="Cart, ${itemCount} item${itemCount === 1 ? "" : "s"}">${ICON_CART}${
    itemCount > 0 ? `<div class="cart-count-bubble"><span aria-hidden="true" data-cart-count>${itemCount}</span></div>` : ""
  }</a>
</div></header></div>`;
}

function footer(consent: ConsentState | null): string {
  const state = consent === null ? "not chosen yet" : consent.analytics ? "analytics allowed" : "analytics declined";
  return `<footer class="footer"><div class="page-width">
<p>© Demo Shop · an offline storefront for the Intentful demo · <a href="/demo/collections">Collections</a> · <a href="/demo/search">Search</a></p>
<p>Privacy: ${esc(state)} · <a href="?consent=granted">allow tracking</a> · <a href="?consent=denied">decline</a> · <a href="?consent=unset">ask me</a></p>
</div></footer>`;
}

async function embedFor(input: PageInput, cart: { item_count: number; total_price: number }): Promise<string> {
  if (new URL(input.request.url).searchParams.get("embed") === "off") return "";
  const state = readDemoState();
  if (state.embedEnabled === false) return "";
  try {
    return await renderAppEmbed({
      config: state.metafields["intentful.config"]?.value ?? null,
      request: { page_type: input.pageType, locale: LOCALE },
      product: input.product ? { id: input.product.id, handle: input.product.handle } : null,
      customer: null,
      cart,
      shop: { permanent_domain: DEMO_SHOP, currency: CURRENCY },
      country: COUNTRY,
      assetBaseUrl: "/demo/ext",
    });
  } catch (error) {
    // A broken embed must never take the storefront down (a theme would just lack the block).
    logger.warn("demo storefront: app embed failed to render", { error: error instanceof Error ? error.message : String(error) });
    return "";
  }
}

/** A full storefront page: theme chrome, Shopify globals, the app embed before </body>. */
export async function storefrontPage(input: PageInput): Promise<Response> {
  const { consent, setCookie } = consentFor(input.request);
  const cart = input.cart ?? cartFor(input.request).cart;
  const { itemCount, totalCents } = cartTotals(cart.lines);
  const embed = await embedFor(input, { item_count: itemCount, total_price: totalCents });
  const html = `<!doctype html>
<html lang="en" class="no-js">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(input.title)} – Demo Shop</title>
<meta name="description" content="${esc(input.title)} at Demo Shop, the Intentful demo storefront.">
<link rel="icon" href="data:,">
<style>${CSS}</style>
${shopifyGlobals(consent)}
</head>
<body class="template-${esc(input.pageType)}">
<a class="visually-hidden" href="#MainContent">Skip to content</a>
${header(itemCount, input.pageType === "index")}
<main id="MainContent" class="content-for-layout" role="main"><div class="page-width">
${input.main}
</div></main>
${footer(consent)}
${consent === null ? CONSENT_BANNER : ""}
${embed}
</body>
</html>`;
  const headers = new Headers(input.headers);
  headers.set("Content-Type", "text/html; charset=utf-8");
  headers.set("Cache-Control", "no-store");
  if (setCookie) headers.append("Set-Cookie", setCookie);
  return new Response(html, { status: input.status ?? 200, headers });
}

// ---- sections ------------------------------------------------------------------------------------

function priceHtml(p: Product): string {
  const v = p.variants[0];
  const sale = v.compareAtPrice && v.compareAtPrice > v.price;
  return `<div class="price">${sale ? `<s>${money(v.compareAtPrice!)}</s>` : ""}<span class="price-item">${money(priceOf(p))}</span>${
    !isAvailable(p) ? '<span class="badge badge--sold">Sold out</span>' : sale ? '<span class="badge">Sale</span>' : ""
  }</div>`;
}

function img(p: Product, size: number, eager = false): string {
  return `<img src="${imagePath(p.handle)}" alt="${esc(p.title)}" width="${size}" height="${size}"${eager ? ' fetchpriority="high"' : ' loading="lazy"'}>`;
}

export function productGrid(products: Product[], eagerFirst = 0): string {
  if (!products.length) return "<p>No products found.</p>";
  return `<ul class="grid product-grid" role="list">${products
    .map(
      (p, i) => `<li class="grid__item"><a class="card" href="/demo/products/${p.handle}" data-product-id="${p.id}">
<div class="card__media">${img(p, 600, i < eagerFirst)}</div>
<h3 class="card__heading">${esc(p.title)}</h3></a>${priceHtml(p)}</li>`,
    )
    .join("\n")}</ul>`;
}

export function homeMain(products: Product[]): string {
  return `<section class="banner"><h2 class="banner__heading">Made to be used</h2><p>Everyday goods in natural materials. Free shipping over $50.</p>
<a class="button" href="/demo/collections/all">Shop all</a></section>
<h2 class="section-title">Featured products</h2>
${productGrid(products, 4)}`;
}

export function productMain(p: Product, related: Product[], selectedVariantId?: string | null): string {
  const selected = p.variants.find((v) => String(v.id) === selectedVariantId) ?? p.variants.find((v) => v.available) ?? p.variants[0];
  const picker = hasOnlyDefaultVariant(p)
    ? `<input type="hidden" name="id" value="${selected.id}">`
    : `<div class="field"><label for="Option-size">Size</label><select id="Option-size" name="id">${p.variants
        .map(
          (v) =>
            `<option value="${v.id}"${v.id === selected.id ? " selected" : ""}${v.available ? "" : " disabled"}>${esc(v.title)}${v.available ? "" : " – sold out"}</option>`,
        )
        .join("")}</select></div>`;
  const available = selected.available;
  return `<section class="product" data-product-id="${p.id}" data-product-handle="${esc(p.handle)}">
<div class="product__media">${img(p, 600, true)}</div>
<div class="product__info-container">
<p class="product__text caption">${esc(p.vendor)}</p>
<h1 class="product__title">${esc(p.title)}</h1>
${priceHtml(p)}
<form method="post" action="/demo/cart/add" id="product-form-${p.id}" class="product-form form" accept-charset="UTF-8" enctype="multipart/form-data" data-type="add-to-cart-form">
<input type="hidden" name="form_type" value="product"><input type="hidden" name="utf8" value="✓">
${picker}
<div class="field quantity"><label for="Quantity">Quantity</label><input id="Quantity" type="number" name="quantity" value="1" min="1" max="99"></div>
<button type="submit" name="add" class="product-form__submit button button--full"${available ? "" : " disabled"}>${available ? "Add to cart" : "Sold out"}</button>
</form>
<div class="product__description rte"><p>${esc(p.description)}</p></div>
</div></section>
${related.length ? `<section class="related-products"><h2 class="section-title">You may also like</h2>${productGrid(related)}</section>` : ""}`;
}

export function collectionMain(c: Collection, products: Product[]): string {
  return `<div class="collection-hero"><h1>${esc(c.title)}</h1><p>${esc(c.description)}</p></div>
${productGrid(products, 4)}`;
}

export function collectionsMain(): string {
  return `<h1>Collections</h1><ul class="grid" role="list">${COLLECTIONS.map(
    (c) =>
      `<li class="grid__item"><a class="card" href="/demo/collections/${c.handle}"><h3 class="card__heading">${esc(c.title)}</h3></a><p>${esc(c.description)}</p></li>`,
  ).join("")}</ul>`;
}

export function searchMain(q: string, results: Product[]): string {
  return `<h1>Search results</h1>
<form action="/demo/search" method="get" role="search" class="search-form">
<label class="visually-hidden" for="Search-In-Template">Search</label>
<input id="Search-In-Template" type="search" name="q" value="${esc(q)}" placeholder="Search">
<input type="hidden" name="type" value="product"><button class="button" type="submit">Search</button></form>
${q ? `<p>${results.length} result${results.length === 1 ? "" : "s"} for “${esc(q)}”</p>${productGrid(results)}` : ""}`;
}

export function cartMain(cart: CartRecord): string {
  const lines = pricedLines(cart.lines);
  if (!lines.length) {
    return `<div class="cart--empty"><h1>Your cart is empty</h1><a class="button" href="/demo/collections/all">Continue shopping</a></div>`;
  }
  const { totalCents } = cartTotals(cart.lines);
  return `<h1>Your cart</h1>
<form action="/demo/cart" method="post" id="cart" class="cart__contents">
<table class="cart-items"><thead><tr><th colspan="2">Product</th><th>Quantity</th><th>Total</th></tr></thead><tbody>
${lines
  .map(
    ({ line, product: p, variant: v, linePrice }, i) => `<tr class="cart-item" id="CartItem-${i + 1}" data-key="${esc(line.key)}">
<td class="cart-item__image"><a href="/demo/products/${p.handle}">${img(p, 100)}</a></td>
<td class="cart-item__details"><a href="/demo/products/${p.handle}" class="cart-item__name">${esc(p.title)}</a>
${hasOnlyDefaultVariant(p) ? "" : `<div>Size: ${esc(v.title)}</div>`}<div>${money(v.price)}</div></td>
<td class="cart-item__quantity"><label class="visually-hidden" for="Quantity-${i + 1}">Quantity for ${esc(p.title)}</label>
<input id="Quantity-${i + 1}" type="number" name="updates[]" value="${line.quantity}" min="0" data-index="${i + 1}">
<a href="/demo/cart/change?line=${i + 1}&amp;quantity=0" class="cart-remove-button" aria-label="Remove ${esc(p.title)}">Remove</a></td>
<td class="cart-item__totals">${money(linePrice)}</td></tr>`,
  )
  .join("\n")}
</tbody></table>
<div class="cart__footer"><div class="cart__blocks">
<div class="field"><label for="Cart-note">Order special instructions</label><textarea id="Cart-note" name="note" rows="2">${esc(cart.note)}</textarea></div>
<div class="totals"><h2 class="totals__subtotal">Subtotal</h2><p class="totals__subtotal-value">${money(totalCents)} ${CURRENCY}</p></div>
<small>Taxes and shipping calculated at checkout</small>
<button type="submit" class="button button--secondary" name="update">Update</button>
<button type="submit" id="checkout" class="cart__checkout-button button" name="checkout">Check out</button>
</div></div></form>`;
}

export function notFoundPage(request: Request): Promise<Response> {
  return storefrontPage({
    request,
    title: "Page not found",
    pageType: "404",
    status: 404,
    main: `<h1>Page not found</h1><p>The page you were looking for does not exist.</p><a class="button" href="/demo/collections/all">Continue shopping</a>`,
  });
}

// ---- checkout (Shopify's checkout runs no theme code and no app embeds) -------------------------

function checkoutShell(title: string, main: string, status = 200): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} – Demo Shop</title><link rel="icon" href="data:,"><style>${CSS}
.checkout{display:grid;gap:4rem;padding:4rem 0}@media(min-width:900px){.checkout{grid-template-columns:1.2fr 1fr}}
.checkout__summary{background:#f5f5f5;padding:3rem;border-left:1px solid #e1e1e1}
.summary-line{display:flex;gap:1.5rem;align-items:center;margin-bottom:1.5rem}.summary-line img{width:6.4rem;border:1px solid #ddd;border-radius:.6rem}
.summary-line__title{flex:1}.summary-row{display:flex;justify-content:space-between;margin:.6rem 0}
.summary-total{font-size:2rem;font-weight:600;border-top:1px solid #ddd;padding-top:1.2rem;margin-top:1.2rem}
.check{display:flex;gap:.8rem;align-items:center;margin:1.2rem 0}.check input{width:1.8rem;height:1.8rem}
.step{border:1px solid #d9d9d9;border-radius:.5rem;padding:2rem;margin-bottom:2rem}
.demo-webhooks{font:1.3rem/1.5 ui-monospace,Menlo,monospace;color:#555;border-top:1px dashed #ccc;margin-top:3rem;padding-top:1rem}
.error{color:#b00020}</style></head>
<body class="checkout-page"><div class="page-width"><header class="header"><div class="header__heading"><a href="/demo/">Demo Shop</a></div>
<a href="/demo/cart" class="header__icon" aria-label="Cart">${ICON_CART}</a></header>
${main}</div></body></html>`;
  return new Response(html, { status, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });
}

function summary(c: CheckoutRecord): string {
  const t = checkoutTotals(c);
  return `<aside class="checkout__summary" aria-label="Order summary">
${pricedLines(c.lines)
  .map(
    ({ line, product: p, variant: v, linePrice }) =>
      `<div class="summary-line">${img(p, 64)}<div class="summary-line__title">${esc(p.title)}${
        hasOnlyDefaultVariant(p) ? "" : `<br><small>${esc(v.title)}</small>`
      }<br><small>Qty ${line.quantity}</small></div><div>${money(linePrice)}</div></div>`,
  )
  .join("")}
<div class="summary-row"><span>Subtotal</span><span>${money(t.subtotal)}</span></div>
${c.discount ? `<div class="summary-row"><span>Discount (${esc(c.discount.code)})</span><span>−${money(t.discount)}</span></div>` : ""}
<div class="summary-row"><span>Shipping</span><span>Free</span></div>
<div class="summary-row summary-total"><span>Total</span><span data-checkout-total>${CURRENCY} ${money(t.total)}</span></div>
</aside>`;
}

function webhookNotes(deliveries: Delivery[]): string {
  if (!deliveries.length) return "";
  return `<div class="demo-webhooks" aria-label="Demo: webhooks sent"><p>Demo — webhooks Shopify would send to the app:</p><ul>${deliveries
    .map(
      (d) =>
        `<li data-topic="${esc(d.topic)}" data-status="${d.status ?? ""}">${esc(d.topic)} → ${d.status ?? "not delivered"}${
          d.ok ? " ✓" : d.status === 404 ? " (the app has no route for it yet)" : d.error ? ` (${esc(d.error)})` : ""
        } · ${d.ms} ms</li>`,
    )
    .join("")}</ul></div>`;
}

export function checkoutPage(c: CheckoutRecord, deliveries: Delivery[], error?: string): Response {
  const contactDone = c.announced && !!c.email;
  const contact = contactDone
    ? `<section class="step"><h2>Contact</h2><p data-checkout-email>${esc(c.email)}${c.acceptsMarketing ? " · subscribed to news and offers" : ""}</p>
<details><summary>Change</summary>${contactForm(c)}</details></section>
<section class="step"><h2>Payment</h2><p>This is a demo store: no payment is taken.</p>
<form method="post"><input type="hidden" name="intent" value="pay"><button type="submit" class="button button--full" id="place-order">Place order</button></form></section>`
    : `<section class="step"><h2>Contact</h2>${error ? `<p class="error" role="alert">${esc(error)}</p>` : ""}${contactForm(c)}</section>`;
  return checkoutShell(
    "Checkout",
    `<div class="checkout"><div class="checkout__main"><h1>Checkout</h1>${contact}${webhookNotes(deliveries)}</div>${summary(c)}</div>`,
    error ? 422 : 200,
  );
}

function contactForm(c: CheckoutRecord): string {
  return `<form method="post" class="contact-form" novalidate><input type="hidden" name="intent" value="contact">
<div class="field"><label for="email">Email</label><input id="email" type="email" name="email" autocomplete="email" required value="${esc(c.email ?? "")}"></div>
<label class="check"><input type="checkbox" name="accepts_marketing" value="1"${c.acceptsMarketing ? " checked" : ""}> Email me with news and offers</label>
<button type="submit" class="button button--full" id="continue">Continue</button></form>`;
}

export function thankYouPage(c: CheckoutRecord, deliveries: Delivery[]): Response {
  const order = c.order!;
  return checkoutShell(
    `Order ${order.name}`,
    `<div class="checkout"><div class="checkout__main"><p>Order ${esc(order.name)}</p><h1 data-order-name="${esc(order.name)}">Thank you!</h1>
<section class="step"><h2>Your order is confirmed</h2><p>We sent a confirmation to ${esc(c.email ?? "you")} (not really: this is a demo).</p></section>
<a class="button" href="/demo/">Continue shopping</a>${webhookNotes(deliveries)}</div>${summary(c)}</div>`,
  );
}

export function checkoutMessage(title: string, text: string, status = 404): Response {
  return checkoutShell(title, `<main><h1>${esc(title)}</h1><p>${esc(text)}</p><a class="button" href="/demo/">Back to the shop</a></main>`, status);
}

/** A discount code the demo store knows (created by the app through the Admin API), if still valid. */
export function findDiscount(code: string | null | undefined, now = new Date()): { code: string; percent: number } | null {
  const wanted = (code ?? "").trim().toUpperCase();
  if (!wanted) return null;
  const found = readDemoState().discountCodes.find((d) => d.code.toUpperCase() === wanted);
  if (!found || (found.endsAt && Date.parse(found.endsAt) < now.getTime())) return null;
  return { code: found.code, percent: Math.max(0, Math.min(100, found.percent)) };
}

// ---- app proxy ---------------------------------------------------------------------------------

const SHOPIFY_PROXY_PARAMS = new Set(["shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"]);

/** Shopify's app proxy signature: sorted `key=value` (repeats joined by ","), no separator, hex HMAC-SHA256. */
export function appProxySignature(params: URLSearchParams, secret = getEnv().SHOPIFY_API_SECRET): string {
  const grouped = new Map<string, string[]>();
  for (const [k, v] of params) if (k !== "signature") grouped.set(k, [...(grouped.get(k) ?? []), v]);
  const message = [...grouped.keys()]
    .sort()
    .map((k) => `${k}=${grouped.get(k)!.join(",")}`)
    .join("");
  return createHmac("sha256", secret).update(message).digest("hex");
}

/**
 * What Shopify does for `/apps/intentful/*` on the shop's domain: forwards method and body to
 * the app's proxy URL with `shop`, `logged_in_customer_id`, `path_prefix`, `timestamp` and a
 * `signature` added, cookies stripped, and X-Forwarded-* set.
 */
export async function forwardAppProxy(request: Request, subpath: string, options: { fetch?: typeof fetch; now?: Date } = {}): Promise<Response> {
  const env = getEnv();
  const incoming = new URL(request.url);
  const path = subpath
    .split("/")
    .filter(Boolean)
    .map((s) => encodeURIComponent(s))
    .join("/");
  const target = new URL(`/proxy${path ? `/${path}` : ""}`, env.SHOPIFY_APP_URL);
  for (const [k, v] of incoming.searchParams) if (!SHOPIFY_PROXY_PARAMS.has(k)) target.searchParams.append(k, v);
  target.searchParams.set("shop", DEMO_SHOP);
  target.searchParams.set("logged_in_customer_id", "");
  target.searchParams.set("path_prefix", PROXY_PREFIX);
  target.searchParams.set("timestamp", String(Math.floor((options.now ?? new Date()).getTime() / 1000)));
  target.searchParams.set("signature", appProxySignature(target.searchParams, env.SHOPIFY_API_SECRET));

  const headers = new Headers();
  for (const name of ["content-type", "accept", "accept-language", "user-agent"]) {
    const value = request.headers.get(name);
    if (value) headers.set(name, value);
  }
  const client = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || "127.0.0.1";
  headers.set("X-Forwarded-For", client);
  headers.set("X-Forwarded-Host", DEMO_SHOP);
  headers.set("X-Forwarded-Proto", "https");
  const hasBody = !["GET", "HEAD"].includes(request.method);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(target, {
      method: request.method,
      headers,
      body: hasBody ? await request.arrayBuffer() : undefined,
      redirect: "manual",
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    logger.warn("demo app proxy: the app did not answer", { error: error instanceof Error ? error.message : String(error) });
    return new Response("The app did not respond", { status: 502, headers: { "Content-Type": "text/plain" } });
  }
  const out = new Headers();
  for (const name of ["content-type", "cache-control", "location", "retry-after"]) {
    const value = response.headers.get(name);
    if (value) out.set(name, value);
  }
  const type = response.headers.get("content-type") ?? "";
  if (type.startsWith("application/liquid")) {
    // Shopify renders Liquid responses inside the theme; the demo shows the markup as it is.
    const body = await response.text();
    const layoutNone = /^\s*{%-?\s*layout\s+none\s*-?%}/.test(body);
    const markup = body.replace(/^\s*{%-?\s*layout\s+none\s*-?%}/, "");
    if (layoutNone) return new Response(markup, { status: response.status, headers: { "Content-Type": "text/html; charset=utf-8" } });
    return storefrontPage({ request, title: "Intentful", pageType: "page", main: markup, status: response.status });
  }
  return new Response(response.status === 204 || request.method === "HEAD" ? null : response.body, { status: response.status, headers: out });
}

export function redirect(location: string, headers?: HeadersInit, status = 302): Response {
  const h = new Headers(headers);
  h.set("Location", location);
  h.set("Cache-Control", "no-store");
  return new Response(null, { status, headers: h });
}

export function json(data: unknown, status = 200, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("Content-Type", "application/json; charset=utf-8");
  h.set("Cache-Control", "no-store");
  return new Response(JSON.stringify(data), { status, headers: h });
}

/** Stores a changed cart and tells the app (carts/create|update) without making the shopper wait. */
export function commitCart(cart: CartRecord, isNew: boolean, headers: Headers): void {
  const topic = saveCart(cart);
  if (isNew) headers.append("Set-Cookie", cartCookie(cart));
  sendCartWebhook(topic, cart).catch(() => undefined);
}

/** One Ajax Cart API call: read the body, change the cart, store it, answer in Shopify's shape. */
export async function ajaxCart(
  request: Request,
  change: (cart: CartRecord, input: Record<string, unknown>) => unknown,
  body: (cart: CartRecord, result: unknown) => unknown = (cart) => cartJson(cart, CURRENCY),
): Promise<Response> {
  demoOnly();
  if (request.method !== "POST") return json({ status: 405, message: "Method not allowed" }, 405, { Allow: "POST" });
  const { cart, isNew } = cartFor(request);
  try {
    const input = await readCartInput(request);
    const result = change(cart, input);
    const headers = new Headers();
    commitCart(cart, isNew, headers);
    return json(body(cart, result), 200, headers);
  } catch (error) {
    if (error instanceof CartError) {
      return json({ status: error.status, message: "Cart Error", description: error.description }, error.status);
    }
    throw error;
  }
}

export { cartCookie };
