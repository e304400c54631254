import mjml2html from "mjml";
import type { Block } from "~/domain/recovery/schema";
import { fillPlaceholders, placeholdersIn, type PlaceholderValues } from "~/domain/recovery/placeholders";

export interface RenderLineItem {
  title: string;
  variantTitle?: string | null;
  quantity: number;
  /** Unit price in hundredths of the currency unit. */
  priceCents: number;
  imageUrl?: string | null;
}

export interface RenderInput {
  shop: {
    name: string;
    currency: string;
    /** BCP 47 locale for prices; defaults to en-US. */
    locale?: string;
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
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export const PREVIEW_DISCOUNT_CODE = "SAMPLE-CODE";
const MAX_ITEMS = 6;
const FONT = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

const DEFAULT_TEXT: Record<Block["type"], string> = {
  heading: "",
  text: "",
  items: "",
  button: "Return to checkout",
  discount: "Use code {{ discount_code }} at checkout.",
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
  const values: PlaceholderValues = { first_name: firstName, shop_name: input.shop.name, discount_code: code };
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
  };
  const html = renderCache ? await fromTemplate(input, dynamic) : await compile(mjmlFor(input, dynamic));
  return { subject, html, text: textFor(input, dynamic) };
}

// ---- text part ---------------------------------------------------------------------------

/**
 * The plain-text part: the blocks mjmlFor renders, in order, under the same rules, one
 * paragraph apart. Values go in as they are (text needs no escaping), but single-line values
 * lose their line breaks so a title cannot add lines of its own. The preheader is left out:
 * it belongs to the inbox list, not the body.
 */
function textFor(input: RenderInput, d: Dynamic): string {
  const code = d.code === null ? null : collapse(d.code);
  const values: PlaceholderValues = { first_name: d.firstName, shop_name: collapse(input.shop.name), discount_code: code };
  const fill = (text: string) => fillPlaceholders(text, values);

  const parts: string[] = [values.shop_name!];
  for (const block of input.step.body) {
    const raw = block.text || DEFAULT_TEXT[block.type];
    if (!d.code && (block.type === "discount" || placeholdersIn(raw).includes("discount_code"))) continue;
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

async function fromTemplate(input: RenderInput, d: Dynamic): Promise<string> {
  const more = d.moreCount;
  const key = JSON.stringify([
    input.shop.name,
    input.shop.address ?? null,
    input.shop.locale ?? null,
    input.step,
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
  };
  let template = templates.get(key);
  if (!template) {
    template = compile(mjmlFor(input, marked));
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
function mjmlFor(input: RenderInput, d: Dynamic): string {
  const values: PlaceholderValues = { first_name: d.firstName, shop_name: input.shop.name, discount_code: d.code };
  const fill = (text: string) => fillPlaceholders(text, values);
  const subject = collapse(fill(input.step.subject));
  const preheader = collapse(fill(input.step.preheader ?? ""));
  const code = d.code;

  const sections: string[] = [];
  for (const block of input.step.body) {
    const raw = block.text || DEFAULT_TEXT[block.type];
    if (!code && (block.type === "discount" || placeholdersIn(raw).includes("discount_code"))) continue;
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
            `<mj-button href="${esc(d.recoveryUrl)}" background-color="#111111" color="#ffffff" font-size="16px" border-radius="6px" inner-padding="14px 28px">${esc(text)}</mj-button>`,
          ),
        );
        break;
      case "discount":
        sections.push(discountSection(text, code ?? "", input.step.discountPercent, input.step.discountExpiryDays));
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
      ${section(`<mj-text font-size="14px" color="#6d7175" font-weight="600">${esc(input.shop.name)}</mj-text>`)}
      ${sections.join("\n")}
    </mj-wrapper>
    ${section(`<mj-text font-size="12px" line-height="18px" color="#6d7175" align="center" padding="16px 24px">${footer}</mj-text>`)}
  </mj-body>
</mjml>`;
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

function discountSection(text: string, code: string, percent?: number | null, expiryDays?: number | null): string {
  const detail = discountDetail(percent, expiryDays);
  return section(
    `<mj-text align="center" container-background-color="#f1f8f5" padding="16px 24px">${paragraphs(text)}` +
      `<p style="margin:8px 0 0;font-size:22px;font-weight:700;letter-spacing:2px;">${esc(code)}</p>` +
      (detail ? `<p style="margin:4px 0 0;font-size:14px;color:#6d7175;">${esc(detail)}</p>` : "") +
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
