import mjml2html from "mjml";
import type { Block } from "~/domain/recovery/schema";
import { fillPlaceholders, offerPlaceholdersIn, type PlaceholderValues } from "~/domain/recovery/placeholders";
import { contrastRatio, readableTextOn, resolveBrandKit, type BrandKit, type BrandValues } from "~/domain/recovery/brand";

export interface RenderLineItem {
  title: string;
  variantTitle?: string | null;
  quantity: number;
  /** Unit price in hundredths of the currency unit. */
  priceCents: number;
  imageUrl?: string | null;
}

/** A product in the recommendations block (see services/email/recommendations.server.ts). */
export interface RenderProduct {
  title: string;
  /** Price in hundredths of the currency unit. */
  priceCents: number;
  imageUrl?: string | null;
  /** The product's page on the storefront. */
  url: string;
}

export interface RenderInput {
  shop: {
    name: string;
    currency: string;
    /** BCP 47 locale for prices and dates; defaults to en-US. */
    locale?: string;
    /** IANA zone for `{{ discount_expires }}`; defaults to UTC. */
    timezone?: string | null;
    /** Postal address shown in the footer (commercial email laws ask for one). */
    address?: string | null;
  };
  step: {
    subject: string;
    preheader?: string | null;
    body: ReadonlyArray<Block>;
    discountPercent?: number | null;
    discountExpiryDays?: number | null;
  };
  checkout: {
    lineItems: ReadonlyArray<RenderLineItem>;
    totalCents: number;
    currency: string;
    recoveryUrl: string;
    firstName?: string | null;
  };
  discountCode?: string | null;
  unsubscribeUrl: string;
  /** Rendering for the merchant's editor: a step with a discount shows a sample code. */
  preview?: boolean;
  /** Logo and colours (each falls back to the neutral default). */
  brand?: BrandValues | null;
  /** Products for the recommendations block; the block is left out when there are none. */
  recommendations?: ReadonlyArray<RenderProduct>;
  /** When the email is sent: `{{ discount_expires }}` counts the expiry days from here. */
  now?: Date;
}

export interface RenderedEmail {
  subject: string;
  /** The preview text as filled in (the editor shows it above the email); optional for cheap test renderers. */
  preheader?: string;
  html: string;
  text: string;
}

export const PREVIEW_DISCOUNT_CODE = "SAMPLE-CODE";
const MAX_ITEMS = 6;
export const MAX_RECOMMENDATIONS = 3;
const FONT = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

const DEFAULT_TEXT: Record<Block["type"], string> = {
  heading: "",
  text: "",
  items: "",
  button: "Return to checkout",
  discount: "Use code {{ discount_code }} at checkout.",
  recommendations: "You may also like",
};

/** Per-email values, inserted escaped; everything else in an email is fixed per shop and step. */
interface Dynamic {
  firstName: string | null;
  code: string | null;
  recoveryUrl: string;
  unsubscribeUrl: string;
  items: Array<{ title: string; variantTitle: string | null; quantity: string; lineTotal: string; image: string | null }>;
  /** Items beyond those shown: the count decides the wording, `more` is what is printed. */
  moreCount: number;
  more: string;
  total: string;
  recommendations: Array<{ title: string; price: string; image: string | null; url: string }>;
}

/** Per-step values: fixed for every email of a step on a given day (they are in the cache key). */
interface Fixed {
  brand: BrandKit;
  /** `{{ discount }}` and `{{ discount_expires }}`, null without a discount. */
  discount: string | null;
  discountExpires: string | null;
}

/**
 * Renders one recovery email. Merchant copy and product data are plain text: every value
 * is escaped before it reaches the MJML, so a product called `<script>` stays a title.
 * With no discount code (code creation failed or the step has none) blocks that would
 * show it are left out rather than sent with a blank code.
 *
 * MJML costs ~15 ms per render, so the layout is compiled once per shape — shop, step copy, and
 * which optional parts are present (first name, code, item count, images, variant titles) —
 * with inert markers where the per-email values go, and each email fills the markers with its
 * escaped values. A test compares cached and fresh renders byte for byte.
 *
 * The text part is written from the same values (see textFor) rather than converted from the
 * HTML: converting was most of the render's cost.
 */
export async function renderRecoveryEmail(input: RenderInput): Promise<RenderedEmail> {
  const recoveryUrl = httpUrl(input.checkout.recoveryUrl, "recoveryUrl");
  const unsubscribeUrl = httpUrl(input.unsubscribeUrl, "unsubscribeUrl");
  const hasDiscount = input.step.discountPercent != null;
  const code = input.discountCode || (input.preview && hasDiscount ? PREVIEW_DISCOUNT_CODE : null);
  const firstName = collapse(input.checkout.firstName ?? "") || null;
  const fixed = fixedFor(input);
  const values: PlaceholderValues = { ...offerValues(fixed), first_name: firstName, shop_name: input.shop.name, discount_code: code };
  const fill = (text: string) => fillPlaceholders(text, values);
  const subject = collapse(fill(input.step.subject));

  const money = moneyFormatter(input.checkout.currency || input.shop.currency, input.shop.locale);
  const shown = input.checkout.lineItems.slice(0, MAX_ITEMS);
  const dynamic: Dynamic = {
    firstName,
    code,
    recoveryUrl,
    unsubscribeUrl,
    items: shown.map((item) => ({
      title: item.title,
      variantTitle: item.variantTitle || null,
      quantity: String(Math.max(0, Math.trunc(item.quantity))),
      lineTotal: money(item.priceCents * item.quantity),
      image: safeImage(item.imageUrl),
    })),
    moreCount: input.checkout.lineItems.length - shown.length,
    more: String(input.checkout.lineItems.length - shown.length),
    total: money(input.checkout.totalCents),
    recommendations: (input.recommendations ?? [])
      .flatMap((r) => {
        const url = safeImage(r.url);
        return url && r.title ? [{ title: r.title, price: money(r.priceCents), image: safeImage(r.imageUrl), url }] : [];
      })
      .slice(0, MAX_RECOMMENDATIONS),
  };
  const html = renderCache ? await fromTemplate(input, fixed, dynamic) : await compile(mjmlFor(input, fixed, dynamic));
  return { subject, preheader: collapse(fill(input.step.preheader ?? "")), html, text: textFor(input, fixed, dynamic) };
}

/** The email's MJML with the values as they are (no cache markers), for the validation test. */
export function mjmlForTests(input: RenderInput): string {
  const fixed = fixedFor(input);
  const money = moneyFormatter(input.checkout.currency || input.shop.currency, input.shop.locale);
  return mjmlFor(input, fixed, {
    firstName: input.checkout.firstName ?? null,
    code: input.discountCode ?? null,
    recoveryUrl: input.checkout.recoveryUrl,
    unsubscribeUrl: input.unsubscribeUrl,
    items: input.checkout.lineItems.map((i) => ({
      title: i.title,
      variantTitle: i.variantTitle ?? null,
      quantity: String(i.quantity),
      lineTotal: money(i.priceCents * i.quantity),
      image: safeImage(i.imageUrl),
    })),
    moreCount: 0,
    more: "0",
    total: money(input.checkout.totalCents),
    recommendations: (input.recommendations ?? []).map((r) => ({ title: r.title, price: money(r.priceCents), image: safeImage(r.imageUrl), url: r.url })),
  });
}

function fixedFor(input: RenderInput): Fixed {
  const percent = input.step.discountPercent;
  if (percent == null) return { brand: resolveBrandKit(input.brand), discount: null, discountExpires: null };
  const days = input.step.discountExpiryDays ?? DEFAULT_EXPIRY_DAYS;
  const expires = new Date((input.now ?? new Date()).getTime() + days * 86_400_000);
  return { brand: resolveBrandKit(input.brand), discount: `${percent}%`, discountExpires: formatDay(expires, input.shop.locale, input.shop.timezone) };
}

function offerValues(fixed: Fixed): PlaceholderValues {
  return { discount: fixed.discount, discount_expires: fixed.discountExpires };
}

/** The expiry the worker gives a code when the step names none (createDiscountCode). */
const DEFAULT_EXPIRY_DAYS = 7;

/** "December 13, 2026" in the shop's locale and zone; an unknown zone or locale falls back to UTC / en-US. */
function formatDay(at: Date, locale = "en-US", timeZone?: string | null): string {
  for (const [l, tz] of [
    [locale, timeZone || "UTC"],
    [locale, "UTC"],
    ["en-US", "UTC"],
  ]) {
    try {
      return new Intl.DateTimeFormat(l, { dateStyle: "long", timeZone: tz }).format(at);
    } catch {
      // next fallback
    }
  }
  return at.toISOString().slice(0, 10);
}

/** A block left out: one showing or naming the offer, on an email without a code. */
function leftOut(block: Block, raw: string, code: string | null): boolean {
  return !code && (block.type === "discount" || offerPlaceholdersIn(raw).length > 0);
}

// ---- text part ---------------------------------------------------------------------------

/**
 * The plain-text part: the blocks mjmlFor renders, in order, under the same rules, one
 * paragraph apart. Values go in as they are (text needs no escaping), but single-line values
 * lose their line breaks so a title cannot add lines of its own. The preheader is left out:
 * it belongs to the inbox list, not the body.
 */
function textFor(input: RenderInput, fixed: Fixed, d: Dynamic): string {
  const code = d.code === null ? null : collapse(d.code);
  const values: PlaceholderValues = { ...offerValues(fixed), first_name: d.firstName, shop_name: collapse(input.shop.name), discount_code: code };
  const fill = (text: string) => fillPlaceholders(text, values);

  const parts: string[] = [values.shop_name!];
  for (const block of input.step.body) {
    const raw = block.text || DEFAULT_TEXT[block.type];
    if (leftOut(block, raw, d.code)) continue;
    const text = fill(raw);
    switch (block.type) {
      case "heading":
        parts.push(collapse(text));
        break;
      case "text":
        parts.push(textParagraphs(text));
        break;
      case "items":
        parts.push(...d.items.map(itemText), itemsTail(d));
        break;
      case "button": {
        const label = collapse(text);
        parts.push(label ? `${label}: ${d.recoveryUrl}` : d.recoveryUrl);
        break;
      }
      case "discount":
        parts.push(textParagraphs(text), [code, discountDetail(input.step.discountPercent, input.step.discountExpiryDays)].filter(Boolean).join("\n"));
        break;
      case "recommendations":
        if (d.recommendations.length === 0) break;
        parts.push(collapse(text), ...d.recommendations.map((r) => `${collapse(r.title)} · ${r.price}\n${r.url}`));
        break;
    }
  }
  const address = collapse(input.shop.address ?? "");
  parts.push([`You received this email because you shopped at ${values.shop_name}.`, address, `Unsubscribe: ${d.unsubscribeUrl}`].filter(Boolean).join("\n"));
  return parts.filter(Boolean).join("\n\n");
}

function itemText(item: Dynamic["items"][number]): string {
  return [collapse(item.title), collapse(item.variantTitle ?? ""), `Qty ${item.quantity} · ${item.lineTotal}`].filter(Boolean).join("\n");
}

function itemsTail(d: Dynamic): string {
  const more = d.moreCount > 0 ? `and ${d.more} more item${d.moreCount === 1 ? "" : "s"}\n` : "";
  return `${more}Total: ${d.total}`;
}

/** Paragraphs as `paragraphs` splits them; a line break inside one stays a line break. */
function textParagraphs(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((p) => p.split("\n").map(collapse).join("\n").trim())
    .filter(Boolean)
    .join("\n\n")
    .replace(/\n{3,}/g, "\n\n");
}

// ---- template cache ----------------------------------------------------------------------

const MARK = `zq${Math.random().toString(36).slice(2, 8)}m`;
const CACHE_LIMIT = 200;
const templates = new Map<string, Promise<string>>();
let renderCache = true;

/** Tests compare cached renders with fresh ones. */
export function setRenderCacheForTests(on: boolean): void {
  renderCache = on;
  templates.clear();
}

async function fromTemplate(input: RenderInput, fixed: Fixed, d: Dynamic): Promise<string> {
  const more = d.moreCount;
  const key = JSON.stringify([
    input.shop.name,
    input.shop.address ?? null,
    input.shop.locale ?? null,
    input.step,
    fixed,
    d.recommendations.map((r) => r.image !== null),
    d.firstName !== null,
    d.code !== null,
    d.items.map((i) => [i.variantTitle !== null, i.image !== null]),
    more > 0 ? (more === 1 ? 1 : 2) : 0,
  ]);
  // Markers are letters and digits only: escaping leaves them as they are, MJML copies them.
  const values = new Map<string, string>();
  const mark = (value: string) => {
    const m = `${MARK}${values.size}z`;
    values.set(m, escapeHtml(value));
    return m;
  };
  const marked: Dynamic = {
    firstName: d.firstName === null ? null : mark(d.firstName),
    code: d.code === null ? null : mark(d.code),
    recoveryUrl: mark(d.recoveryUrl),
    unsubscribeUrl: mark(d.unsubscribeUrl),
    items: d.items.map((i) => ({
      title: mark(i.title),
      variantTitle: i.variantTitle === null ? null : mark(i.variantTitle),
      quantity: mark(i.quantity),
      lineTotal: mark(i.lineTotal),
      image: i.image === null ? null : mark(i.image),
    })),
    moreCount: d.moreCount,
    more: d.moreCount > 0 ? mark(d.more) : d.more,
    total: mark(d.total),
    recommendations: d.recommendations.map((r) => ({
      title: mark(r.title),
      price: mark(r.price),
      image: r.image === null ? null : mark(r.image),
      url: mark(r.url),
    })),
  };
  let template = templates.get(key);
  if (!template) {
    template = compile(mjmlFor(input, fixed, marked));
    templates.set(key, template);
    template.catch(() => templates.delete(key));
    if (templates.size > CACHE_LIMIT) templates.delete(templates.keys().next().value!);
  } else {
    // Most recently used last.
    templates.delete(key);
    templates.set(key, template);
  }
  const html = await template;
  return html.replace(new RegExp(`${MARK}\\d+z`, "g"), (m) => values.get(m) ?? m);
}

async function compile(mjml: string): Promise<string> {
  const result = await mjml2html(mjml, { validationLevel: "strict", keepComments: false, fonts: {} });
  return result.html;
}

/**
 * The email's MJML. Per-email values come from `d` and are escaped here; `d` may hold markers
 * (letters and digits) instead of values, for the template cache.
 */
function mjmlFor(input: RenderInput, fixed: Fixed, d: Dynamic): string {
  const values: PlaceholderValues = { ...offerValues(fixed), first_name: d.firstName, shop_name: input.shop.name, discount_code: d.code };
  const { brand } = fixed;
  const fill = (text: string) => fillPlaceholders(text, values);
  const subject = collapse(fill(input.step.subject));
  const preheader = collapse(fill(input.step.preheader ?? ""));
  const code = d.code;

  const sections: string[] = [];
  for (const block of input.step.body) {
    const raw = block.text || DEFAULT_TEXT[block.type];
    if (leftOut(block, raw, code)) continue;
    const text = fill(raw);
    switch (block.type) {
      case "heading":
        sections.push(section(`<mj-text font-size="24px" font-weight="700" line-height="32px">${esc(text)}</mj-text>`));
        break;
      case "text":
        sections.push(section(`<mj-text>${paragraphs(text)}</mj-text>`));
        break;
      case "items":
        sections.push(itemsSection(d));
        break;
      case "button":
        sections.push(
          section(
            `<mj-button href="${esc(d.recoveryUrl)}" background-color="${brand.primaryColor}" color="${readableTextOn(brand.primaryColor)}" font-size="16px" border-radius="6px" inner-padding="14px 28px">${esc(text)}</mj-button>`,
          ),
        );
        break;
      case "discount":
        sections.push(discountSection(text, code ?? "", input.step.discountPercent, input.step.discountExpiryDays, brand.accentColor));
        break;
      case "recommendations":
        if (d.recommendations.length > 0) sections.push(recommendationsSection(text, d, brand));
        break;
    }
  }

  const footer = [
    `You received this email because you shopped at ${esc(input.shop.name)}.`,
    input.shop.address ? esc(input.shop.address) : null,
    `<a href="${esc(d.unsubscribeUrl)}" style="color:#6d7175;">Unsubscribe</a>`,
  ]
    .filter(Boolean)
    .join("<br />");

  const lang = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(input.shop.locale ?? "") ? input.shop.locale! : "en";
  return `<mjml lang="${lang}">
  <mj-head>
    <mj-title>${esc(subject)}</mj-title>
    ${preheader ? `<mj-preview>${esc(preheader)}</mj-preview>` : ""}
    <mj-attributes>
      <mj-all font-family="${FONT}" />
      <mj-text font-size="16px" line-height="24px" color="#202223" padding="8px 24px" />
      <mj-section padding="0" />
    </mj-attributes>
  </mj-head>
  <mj-body background-color="#f6f6f7" width="600px">
    <mj-wrapper background-color="#ffffff" padding="24px 0">
      ${section(header(input.shop.name, brand))}
      ${sections.join("\n")}
    </mj-wrapper>
    ${section(`<mj-text font-size="12px" line-height="18px" color="#6d7175" align="center" padding="16px 24px">${footer}</mj-text>`)}
  </mj-body>
</mjml>`;
}

/** The logo (alt text: the shop's name, so a client that blocks images still shows who wrote), else the name. */
function header(shopName: string, brand: BrandKit): string {
  if (brand.logoUrl) {
    return `<mj-image src="${esc(brand.logoUrl)}" alt="${esc(shopName)}" width="160px" align="left" padding="0 24px 8px" />`;
  }
  return `<mj-text font-size="14px" color="#6d7175" font-weight="600">${esc(shopName)}</mj-text>`;
}

/** Up to three product cards side by side (stacked on phones): image, title, price, a link in the brand colour. */
function recommendationsSection(heading: string, d: Dynamic, brand: BrandKit): string {
  const width = `${Math.floor(100 / d.recommendations.length)}%`;
  // The link sits on white: the brand colour where it reads there (4.5:1), else near-black.
  const link = contrastRatio(brand.primaryColor, "#ffffff") >= 4.5 ? brand.primaryColor : "#202223";
  const cards = d.recommendations.map(
    (r) =>
      `<mj-column width="${width}" vertical-align="top">${
        r.image ? `<mj-image src="${esc(r.image)}" alt="${esc(r.title)}" href="${esc(r.url)}" width="150px" padding="8px 12px" border-radius="4px" />` : ""
      }<mj-text align="center" padding="4px 12px" font-size="14px" line-height="20px"><a href="${esc(r.url)}" style="color:#202223;text-decoration:none;font-weight:600;">${esc(r.title)}</a><br />${esc(r.price)}<br /><a href="${esc(r.url)}" style="color:${link};">Shop now</a></mj-text></mj-column>`,
  );
  return `${section(`<mj-text font-size="18px" font-weight="700" line-height="26px" padding="16px 24px 4px">${esc(heading)}</mj-text>`)}
    <mj-section padding="0 12px">${cards.join("")}</mj-section>`;
}

function section(content: string): string {
  return `<mj-section><mj-column>${content}</mj-column></mj-section>`;
}

function itemsSection(d: Dynamic): string {
  const rows = d.items.map((item) => {
    const details = [
      `<strong>${esc(item.title)}</strong>`,
      item.variantTitle ? `<span style="color:#6d7175;">${esc(item.variantTitle)}</span>` : null,
      `Qty ${esc(item.quantity)} &middot; ${esc(item.lineTotal)}`,
    ]
      .filter(Boolean)
      .join("<br />");
    return `<mj-section padding="8px 0"><mj-group>
      <mj-column width="25%" vertical-align="middle">${
        item.image ? `<mj-image src="${esc(item.image)}" alt="${esc(item.title)}" width="96px" padding="0 0 0 24px" border-radius="4px" />` : ""
      }</mj-column>
      <mj-column width="75%" vertical-align="middle"><mj-text>${details}</mj-text></mj-column>
    </mj-group></mj-section>`;
  });
  const tail = [d.moreCount > 0 ? `and ${esc(d.more)} more item${d.moreCount === 1 ? "" : "s"}<br />` : "", `<strong>Total: ${esc(d.total)}</strong>`].join("");
  return `${rows.join("\n")}\n${section(`<mj-text align="right">${tail}</mj-text>`)}`;
}

function discountDetail(percent?: number | null, expiryDays?: number | null): string {
  return [percent != null ? `${percent}% off your order` : null, expiryDays != null ? `expires in ${expiryDays} day${expiryDays === 1 ? "" : "s"}` : null]
    .filter(Boolean)
    .join(", ");
}

function discountSection(text: string, code: string, percent: number | null | undefined, expiryDays: number | null | undefined, accent: string): string {
  const detail = discountDetail(percent, expiryDays);
  return section(
    `<mj-text align="center" container-background-color="${accent}" color="${readableTextOn(accent)}" padding="16px 24px">${paragraphs(text)}` +
      `<p style="margin:8px 0 0;font-size:22px;font-weight:700;letter-spacing:2px;">${esc(code)}</p>` +
      (detail ? `<p style="margin:4px 0 0;font-size:14px;">${esc(detail)}</p>` : "") +
      `</mj-text>`,
  );
}

function paragraphs(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p style="margin:0 0 12px;">${esc(p).replace(/\n/g, "<br />")}</p>`)
    .join("");
}

/** One line: any run of whitespace, line breaks included (NEL too, which `\s` lacks), is a space. */
function collapse(text: string): string {
  return text.replace(/[\s\u0085]+/g, " ").trim();
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
const esc = escapeHtml;

function httpUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${name} must be an absolute URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError(`${name} must be http(s)`);
  return url.toString();
}

function safeImage(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value.startsWith("//") ? `https:${value}` : value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.toString() : null;
  } catch {
    return null;
  }
}

const MONEY_CACHE_LIMIT = 50;
/** Formatters by locale and currency; null where Intl refused the pair. Oldest dropped first. */
const moneyFormats = new Map<string, Intl.NumberFormat | null>();

function moneyFormatter(currency: string, locale = "en-US"): (cents: number) => string {
  const key = `${locale}\u0000${currency}`;
  let f = moneyFormats.get(key);
  if (f === undefined) {
    try {
      f = new Intl.NumberFormat(locale, { style: "currency", currency });
    } catch {
      f = null;
    }
    moneyFormats.set(key, f);
    if (moneyFormats.size > MONEY_CACHE_LIMIT) moneyFormats.delete(moneyFormats.keys().next().value!);
  }
  const format = f;
  if (format) return (cents) => format.format(cents / 100);
  const unit = collapse(currency);
  return (cents) => `${(cents / 100).toFixed(2)} ${unit}`;
}
