import { randomUUID } from "node:crypto";
import type { Db } from "~/db.server";
import type { StepInput } from "~/domain/recovery";
import { getEmailSettings, type EmailSettings } from "~/models/flow.server";
import { createMailer, type SendResult } from "./mailer.server";
import { renderRecoveryEmail, type RenderInput, type RenderedEmail } from "./render.server";

/**
 * A flow step as the merchant previews it in the editor and sends it to themselves: rendered
 * with a sample checkout, its unsubscribe link pointing nowhere. (A service: it renders and
 * sends; the flow's rows are app/models/flow.server.ts.)
 */

/** What a preview is filled with: two items, a first name, a checkout link on the shop. */
export function sampleCheckout(shop: string, currency: string): RenderInput["checkout"] {
  return {
    firstName: "Alex",
    currency,
    totalCents: 8400,
    recoveryUrl: `https://${shop}/checkouts/sample-checkout`,
    lineItems: [
      { title: "Linen shirt", variantTitle: "Sand / M", quantity: 1, priceCents: 4800 },
      { title: "Canvas tote", variantTitle: null, quantity: 2, priceCents: 1800 },
    ],
  };
}

/** Where the preview's and test email's unsubscribe link points: a test must not suppress anyone. */
export function previewUnsubscribeUrl(appUrl: string): string {
  return new URL("/unsubscribe/preview", appUrl).toString();
}

export async function renderStepPreview(shop: string, settings: EmailSettings, step: StepInput, appUrl: string): Promise<RenderedEmail> {
  return renderRecoveryEmail({
    shop: { name: settings.shopName, currency: settings.currency },
    step,
    checkout: sampleCheckout(shop, settings.currency),
    unsubscribeUrl: previewUnsubscribeUrl(appUrl),
    preview: true,
  });
}

export type TestSendResult = { ok: true; delivery: "smtp" | "outbox"; messageId: string } | { ok: false; reason: string };

/**
 * Renders one step with the sample checkout and sends it to `to`. Without SMTP the mailer's
 * outbox transport accepts it and the Message row (kind "test") is where it lands. The row is
 * written either way, so every test send is visible in the outbox with its outcome.
 */
export async function sendTestEmail(
  db: Db,
  shop: string,
  input: { flowId: string; step: StepInput; to: string },
  deps: { smtpUrl?: string | null; emailFrom?: string | null; appUrl: string; now?: Date },
): Promise<TestSendResult> {
  const settings = await getEmailSettings(db, shop);
  const address = settings.senderEmail || deps.emailFrom || "";
  if (deps.smtpUrl && !address) {
    return { ok: false, reason: "Set a sender email in Settings before sending through your mail server." };
  }
  const from = { name: settings.shopName, address: address || "outbox@intentful.invalid" };
  const rendered = await renderStepPreview(shop, settings, input.step, deps.appUrl);
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
