import { randomUUID } from "node:crypto";
import type { Db } from "~/db.server";
import type { StepInput } from "~/domain/recovery";
import { stepArmContent } from "~/domain/recovery/arms";
import { getEmailSettings, type EmailSettings } from "~/models/flow.server";
import { adminQuery, type AdminGraphql } from "../admin-graphql.server";
import { createMailer, type SendResult } from "./mailer.server";
import { renderRecoveryEmail, type RenderInput, type RenderProduct, type RenderedEmail } from "./render.server";

/**
 * A flow step as the merchant previews it in the editor and sends it to themselves: rendered
 * with a sample checkout, its unsubscribe link pointing nowhere. (A service: it renders and
 * sends; the flow's rows are app/models/flow.server.ts.)
 */

/**
 * What a preview is filled with: two items with their images, three recommended products, a first
 * name, a checkout link on the shop. The products are the shop's own (its first five active
 * products, from the Admin API) when it has five; else samples with images the app serves
 * (public/email-samples), so the preview always shows what an email with pictures looks like.
 */
export function sampleCheckout(shop: string, currency: string, appUrl: string, products: ReadonlyArray<RenderProduct> = []): PreviewSample {
  const shown = products.length >= 5 ? products : sampleProducts(shop, appUrl);
  const [a, b] = shown;
  return {
    checkout: {
      firstName: "Alex",
      currency,
      totalCents: a.priceCents + 2 * b.priceCents,
      recoveryUrl: `https://${shop}/checkouts/sample-checkout`,
      lineItems: [
        { title: a.title, variantTitle: products.length >= 5 ? null : "Sand / M", quantity: 1, priceCents: a.priceCents, imageUrl: a.imageUrl },
        { title: b.title, variantTitle: null, quantity: 2, priceCents: b.priceCents, imageUrl: b.imageUrl },
      ],
    },
    recommendations: shown.slice(2, 5),
  };
}

export interface PreviewSample {
  checkout: RenderInput["checkout"];
  recommendations: RenderProduct[];
}

function sampleProducts(shop: string, appUrl: string): RenderProduct[] {
  const sample = (handle: string, title: string, priceCents: number): RenderProduct => ({
    title,
    priceCents,
    imageUrl: new URL(`/email-samples/${handle}.png`, appUrl).toString(),
    url: `https://${shop}/products/${handle}`,
  });
  return [
    sample("linen-shirt", "Linen shirt", 4800),
    sample("canvas-tote", "Canvas tote", 1800),
    sample("wool-beanie", "Wool beanie", 2400),
    sample("cotton-socks", "Cotton socks", 1200),
    sample("ceramic-mug", "Ceramic mug", 2200),
  ];
}

export const SAMPLE_PRODUCTS_QUERY = `#graphql
  query IntentfulSampleProducts {
    products(first: 5, query: "status:active") {
      nodes {
        title
        handle
        onlineStoreUrl
        featuredMedia { preview { image { url } } }
        priceRangeV2 { minVariantPrice { amount } }
      }
    }
  }`;

interface SampleProductsResponse {
  products: {
    nodes: Array<{
      title: string;
      handle: string;
      onlineStoreUrl: string | null;
      featuredMedia: { preview: { image: { url: string } | null } | null } | null;
      priceRangeV2: { minVariantPrice: { amount: string } };
    }>;
  };
}

const previewProductCache = new Map<string, { at: number; products: RenderProduct[] }>();
const PREVIEW_PRODUCTS_TTL_MS = 10 * 60_000;

/** The shop's first five active products with images, for the preview (kept ten minutes); [] when the call fails. */
export async function previewProducts(shop: string, admin: AdminGraphql, now = Date.now()): Promise<RenderProduct[]> {
  const hit = previewProductCache.get(shop);
  if (hit && now - hit.at < PREVIEW_PRODUCTS_TTL_MS) return hit.products;
  let products: RenderProduct[] = [];
  try {
    const data = await adminQuery<SampleProductsResponse>(admin, SAMPLE_PRODUCTS_QUERY, undefined, { tries: 1 });
    products = data.products.nodes
      .filter((p) => p.featuredMedia?.preview?.image?.url)
      .map((p) => ({
        title: p.title,
        priceCents: Math.round(Number(p.priceRangeV2.minVariantPrice.amount) * 100) || 0,
        imageUrl: p.featuredMedia!.preview!.image!.url,
        url: p.onlineStoreUrl || `https://${shop}/products/${encodeURIComponent(p.handle)}`,
      }));
  } catch {
    // The samples stand in.
  }
  previewProductCache.set(shop, { at: now, products });
  if (previewProductCache.size > 500) previewProductCache.delete(previewProductCache.keys().next().value!);
  return products;
}

/** Where the preview's and test email's unsubscribe link points: a test must not suppress anyone. */
export function previewUnsubscribeUrl(appUrl: string): string {
  return new URL("/unsubscribe/preview", appUrl).toString();
}

/** A preview or test send asked for an arm the step's test does not have. */
export class UnknownArmError extends Error {
  constructor(readonly arm: string) {
    super(`This email has no variant with id "${arm}"`);
    this.name = "UnknownArmError";
  }
}

/**
 * The email of one arm of a step under an A/B test (issue 21): the step's own fields for arm A or
 * no arm (`arm` null/undefined/""), the arm's copy for B, C, D. Throws UnknownArmError when the
 * step has no arm with that id (a 4xx for the caller).
 */
export function stepForArm(step: StepInput, arm?: string | null): StepInput {
  if (!arm) return step;
  const content = stepArmContent(
    {
      id: "",
      ...step,
      preheader: step.preheader ?? "",
      discountPercent: step.discountPercent ?? null,
      discountExpiryDays: step.discountExpiryDays ?? null,
    },
    arm,
  );
  if (!content) throw new UnknownArmError(arm);
  return {
    ...step,
    delayMinutes: content.delayMinutes,
    subject: content.subject,
    preheader: content.preheader ?? "",
    body: content.body as StepInput["body"],
    discountPercent: content.discountPercent ?? undefined,
    discountExpiryDays: content.discountExpiryDays ?? undefined,
  };
}

/**
 * One step rendered with the sample checkout. `arm`: which A/B arm's email (by variant id; the
 * step's own when left out); an id the step's test lacks throws UnknownArmError.
 */
export async function renderStepPreview(
  shop: string,
  settings: EmailSettings,
  step: StepInput,
  appUrl: string,
  products: ReadonlyArray<RenderProduct> = [],
  arm?: string | null,
): Promise<RenderedEmail> {
  const sample = sampleCheckout(shop, settings.currency, appUrl, products);
  return renderRecoveryEmail({
    shop: { name: settings.shopName, currency: settings.currency, timezone: settings.timezone },
    step: stepForArm(step, arm),
    checkout: sample.checkout,
    recommendations: sample.recommendations,
    brand: settings.brand,
    unsubscribeUrl: previewUnsubscribeUrl(appUrl),
    preview: true,
  });
}

export type TestSendResult = { ok: true; delivery: "smtp" | "outbox"; messageId: string } | { ok: false; reason: string };

/**
 * Renders one step with the sample checkout and sends it to `to`. Without SMTP the mailer's
 * outbox transport accepts it and the Message row (kind "test") is where it lands. The row is
 * written either way, so every test send is visible in the outbox with its outcome. `arm`: the A/B
 * arm (variant id) whose email to send (the step's own when left out), recorded on the row; an id
 * the step's test lacks is refused ({ ok: false }) before anything is sent.
 */
export async function sendTestEmail(
  db: Db,
  shop: string,
  input: { flowId: string; step: StepInput; to: string; arm?: string | null },
  deps: { smtpUrl?: string | null; emailFrom?: string | null; appUrl: string; now?: Date; products?: ReadonlyArray<RenderProduct> },
): Promise<TestSendResult> {
  const settings = await getEmailSettings(db, shop);
  const address = settings.senderEmail || deps.emailFrom || "";
  if (deps.smtpUrl && !address) {
    return { ok: false, reason: "Set a sender email in Settings before sending through your mail server." };
  }
  const from = { name: settings.shopName, address: address || "outbox@intentful.invalid" };
  let step: StepInput;
  try {
    step = stepForArm(input.step, input.arm);
  } catch (error) {
    if (error instanceof UnknownArmError) return { ok: false, reason: error.message };
    throw error;
  }
  const rendered = await renderStepPreview(shop, settings, step, deps.appUrl, deps.products);
  const subject = `[Test] ${rendered.subject}`;
  const idempotencyKey = `test:${shop}:${randomUUID()}`;
  const mailer = createMailer({ smtpUrl: deps.smtpUrl || null, from });
  let result: SendResult;
  try {
    result = await mailer.send({
      to: input.to,
      subject,
      html: rendered.html,
      text: rendered.text,
      replyTo: settings.replyTo || undefined,
      idempotencyKey,
      unsubscribe: { url: previewUnsubscribeUrl(deps.appUrl) },
    });
  } finally {
    mailer.close();
  }
  const now = deps.now ?? new Date();
  const message = await db.message.create({
    data: {
      shop,
      idempotencyKey,
      flowId: input.flowId,
      email: input.to,
      kind: "test",
      arm: input.arm || null,
      status: result.ok ? "sent" : "failed",
      reason: result.ok ? null : result.reason,
      subject,
      html: rendered.html,
      text: rendered.text,
      transportId: result.ok ? result.transportId : null,
      attempts: 1,
      sentAt: result.ok ? now : null,
    },
    select: { id: true },
  });
  if (!result.ok) return { ok: false, reason: result.reason };
  return { ok: true, delivery: deps.smtpUrl ? "smtp" : "outbox", messageId: message.id };
}
