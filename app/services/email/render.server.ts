import mjml2html from "mjml";
import { convert } from "html-to-text";
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

/**
 * Renders one recovery email. Merchant copy and product data are plain text: every value
 * is escaped before it reaches the MJML, so a product called `<script>` stays a title.
 * With no discount code (code creation failed or the step has none) blocks that would
 * show it are left out rather than sent with a blank code.
 */
export async function renderRecoveryEmail(input: RenderInput): Promise<RenderedEmail> {
  const recoveryUrl = httpUrl(input.checkout.recoveryUrl, "recoveryUrl");
  const unsubscribeUrl = httpUrl(input.unsubscribeUrl, "unsubscribeUrl");
  const hasDiscount = input.step.discountPercent != null;
  const code = input.discountCode || (input.preview && hasDiscount ? PREVIEW_DISCOUNT_CODE : null);
  const values: PlaceholderValues = {
    first_name: input.checkout.firstName?.trim() || null,
    shop_name: input.shop.name,
    discount_code: code,
  };
  const fill = (text: string) => fillPlaceholders(text, values);
  const money = moneyFormatter(input.checkout.currency || input.shop.currency, input.shop.locale);

  const subject = collapse(fill(input.step.subject));
  const preheader = collapse(fill(input.step.preheader ?? ""));

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
        sections.push(itemsSection(input.checkout, money));
        break;
      case "button":
        sections.push(
          section(
            `<mj-button href="${esc(recoveryUrl)}" background-color="#111111" color="#ffffff" font-size="16px" border-radius="6px" inner-padding="14px 28px">${esc(text)}</mj-button>`,
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
    `<a href="${esc(unsubscribeUrl)}" style="color:#6d7175;">Unsubscribe</a>`,
  ]
    .filter(Boolean)
    .join("<br />");

  const lang = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(input.shop.locale ?? "") ? input.shop.locale! : "en";
  const mjml = `<mjml lang="${lang}">
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

  const result = await mjml2html(mjml, { validationLevel: "strict", keepComments: false, fonts: {} });
  const html = result.html;
  return { subject, html, text: toText(html) };
}

function section(content: string): string {
  return `<mj-section><mj-column>${content}</mj-column></mj-section>`;
}

function itemsSection(checkout: RenderInput["checkout"], money: (cents: number) => string): string {
  const shown = checkout.lineItems.slice(0, MAX_ITEMS);
  const rows = shown.map((item) => {
    const image = safeImage(item.imageUrl);
    const details = [
      `<strong>${esc(item.title)}</strong>`,
      item.variantTitle ? `<span style="color:#6d7175;">${esc(item.variantTitle)}</span>` : null,
      `Qty ${Math.max(0, Math.trunc(item.quantity))} &middot; ${esc(money(item.priceCents * item.quantity))}`,
    ]
      .filter(Boolean)
      .join("<br />");
    return `<mj-section padding="8px 0"><mj-group>
      <mj-column width="25%" vertical-align="middle">${
        image
          ? `<mj-image src="${esc(image)}" alt="${esc(item.title)}" width="96px" padding="0 0 0 24px" border-radius="4px" />`
          : ""
      }</mj-column>
      <mj-column width="75%" vertical-align="middle"><mj-text>${details}</mj-text></mj-column>
    </mj-group></mj-section>`;
  });
  const more = checkout.lineItems.length - shown.length;
  const tail = [
    more > 0 ? `and ${more} more item${more === 1 ? "" : "s"}<br />` : "",
    `<strong>Total: ${esc(money(checkout.totalCents))}</strong>`,
  ].join("");
  return `${rows.join("\n")}\n${section(`<mj-text align="right">${tail}</mj-text>`)}`;
}

function discountSection(text: string, code: string, percent?: number | null, expiryDays?: number | null): string {
  const detail = [
    percent != null ? `${percent}% off your order` : null,
    expiryDays != null ? `expires in ${expiryDays} day${expiryDays === 1 ? "" : "s"}` : null,
  ]
    .filter(Boolean)
    .join(", ");
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

function collapse(text: string): string {
  return text.replace(/\s+/g, " ").trim();
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

function moneyFormatter(currency: string, locale = "en-US"): (cents: number) => string {
  try {
    const f = new Intl.NumberFormat(locale, { style: "currency", currency });
    return (cents) => f.format(cents / 100);
  } catch {
    return (cents) => `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

function toText(html: string): string {
  return convert(html, {
    wordwrap: 78,
    selectors: [
      { selector: "img", format: "skip" },
      // MJML's hidden preheader block: it belongs to the inbox list, not the body.
      { selector: "div[style*='display:none']", format: "skip" },
      { selector: "a", options: { hideLinkHrefIfSameAsText: true } },
      { selector: "table", format: "block" },
      { selector: "tr", format: "block" },
      { selector: "td", format: "block" },
    ],
  })
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
