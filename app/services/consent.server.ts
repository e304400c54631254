import { SessionNotFoundError } from "@shopify/shopify-app-remix/server";
import { z } from "zod";
import type { Db } from "~/db.server";
import { getEnv } from "~/env.server";
import { unauthenticated } from "~/shopify.server";
import type { AdminGraphql } from "./admin-graphql.server";
import { CONTACT_SYNC, findCustomer, normalizeEmail, type ContactSyncPayload } from "./contacts.server";
import { CONFIRM_CONTEXT, signUnsubscribeToken, verifyUnsubscribeToken } from "./email/unsubscribe-token.server";
import { enqueueFlowChecks, recentTies } from "./events.server";
import { enqueue } from "./jobs.server";
import { logger } from "./logger.server";
import { getMailer } from "./mail.server";
import { suppressionHash } from "./privacy.server";

/**
 * Double opt-in: the confirmation email a storefront sign-up gets first (the `contact.confirm`
 * job, once per contact), and following its signed link (/confirm). Nothing else is sent to the
 * address before that: no marketing, no cart or browse reminders. No confirmation goes to an
 * address that unsubscribed (our suppression list, or the Shopify customer's UNSUBSCRIBED
 * state): a stranger typing it in must not be able to email them at all.
 */
export const confirmPayload = z.object({ shop: z.string().min(1), email: z.string().email() });

/** `{shop, email}` signed like an unsubscribe link, in the confirmation's own context. */
export function signConfirmToken(shop: string, email: string): string {
  return signUnsubscribeToken({ shop, email }, getEnv().SHOPIFY_API_SECRET, CONFIRM_CONTEXT);
}

export function verifyConfirmToken(token: string): { shop: string; email: string } | null {
  const result = verifyUnsubscribeToken(token, getEnv().SHOPIFY_API_SECRET, CONFIRM_CONTEXT);
  return result.valid ? { shop: result.shop, email: result.email } : null;
}

export function confirmUrl(appUrl: string, shop: string, email: string): string {
  return `${appUrl}/confirm?token=${signConfirmToken(shop, email)}`;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export type ConfirmOutcome = "sent" | "not_pending" | "suppressed" | "unsubscribed_in_shopify" | "no_store" | "already_sent";

/** The contact.confirm job: one confirmation email, or a reason not to send any. */
export async function sendConfirmation(
  db: Db,
  raw: unknown,
  deps: { admin?: (shop: string) => Promise<AdminGraphql>; now?: Date } = {},
): Promise<ConfirmOutcome> {
  const { shop, email } = confirmPayload.parse(raw);
  const now = deps.now ?? new Date();
  const contact = await db.contact.findUnique({ where: { shop_email: { shop, email } } });
  if (!contact || contact.consentStatus !== "pending") return "not_pending";
  if (await db.suppression.findFirst({ where: { shop, email: { in: [email, suppressionHash(shop, email)] } } })) return "suppressed";
  let admin: AdminGraphql;
  try {
    admin = deps.admin ? await deps.admin(shop) : (await unauthenticated.admin(shop)).admin;
  } catch (error) {
    if (error instanceof SessionNotFoundError) return "no_store"; // uninstalled: nobody to subscribe to
    throw error;
  }
  const customer = await findCustomer(admin, email);
  if (customer?.defaultEmailAddress?.marketingState === "UNSUBSCRIBED") {
    await db.contact.update({ where: { id: contact.id }, data: { consentStatus: "refused" } });
    return "unsubscribed_in_shopify";
  }
  const key = `confirm:${contact.id}`;
  const prior = await db.message.findUnique({ where: { idempotencyKey: key } });
  if (prior && prior.status !== "pending") return "already_sent";

  const settings = await db.shop.findUnique({ where: { shop }, select: { senderName: true, senderEmail: true, replyTo: true } });
  const env = getEnv();
  const name = settings?.senderName || shop;
  const link = confirmUrl(env.SHOPIFY_APP_URL, shop, email);
  const subject = `Confirm your subscription to ${name}`;
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#202223;max-width:32rem;margin:0 auto;padding:24px">
<h1 style="font-size:20px">Please confirm your email</h1>
<p>Someone, hopefully you, signed up for emails from ${esc(name)} with this address. Confirm to start receiving news and offers.</p>
<p><a href="${esc(link)}" style="display:inline-block;background:#111;color:#fff;padding:12px 24px;border-radius:6px;text-decoration:none">Yes, subscribe me</a></p>
<p style="color:#6d7175;font-size:13px">If it wasn't you, ignore this email: you won't hear from us again.</p></body></html>`;
  const text = `Please confirm your email\n\nSomeone, hopefully you, signed up for emails from ${name} with this address. Confirm: ${link}\n\nIf it wasn't you, ignore this email: you won't hear from us again.`;
  const message = prior
    ? await db.message.update({ where: { id: prior.id }, data: { status: "sending", subject, html, text, attempts: { increment: 1 } } })
    : await db.message.create({ data: { shop, idempotencyKey: key, email, kind: "confirmation", status: "sending", subject, html, text, attempts: 1 } });
  const result = await getMailer().send({
    to: email,
    from: settings?.senderEmail ? { name, address: settings.senderEmail } : undefined,
    replyTo: settings?.replyTo || undefined,
    subject,
    html,
    text,
    idempotencyKey: key,
    unsubscribe: { url: `${env.SHOPIFY_APP_URL}/unsubscribe?token=${signUnsubscribeToken({ shop, email }, env.SHOPIFY_API_SECRET)}` },
  });
  if (!result.ok) {
    await db.message.update({
      where: { id: message.id },
      data: { status: result.permanent ? "failed" : "pending", reason: result.reason.slice(0, 300) },
    });
    if (!result.permanent) throw new Error(`confirmation email not sent yet: ${result.reason}`);
    return "sent";
  }
  await db.message.update({ where: { id: message.id }, data: { status: "sent", sentAt: now, transportId: result.transportId, reason: null } });
  await db.contact.update({ where: { id: contact.id }, data: { confirmSentAt: now } });
  logger.info("confirmation email sent", { shop });
  return "sent";
}

/** The link was followed: consent confirmed (CONFIRMED_OPT_IN), then the Shopify sync. */
export async function confirmContact(db: Db, shop: string, email: string, now: Date = new Date()): Promise<"confirmed" | "already" | "unknown"> {
  const contact = await db.contact.findUnique({ where: { shop_email: { shop, email: normalizeEmail(email) } } });
  if (!contact) return "unknown";
  if (contact.consentStatus === "confirmed") return "already";
  await db.contact.update({
    where: { id: contact.id },
    data: { marketingConsent: true, consentStatus: "confirmed", consentLevel: "CONFIRMED_OPT_IN", consentAt: now },
  });
  await enqueue(db, {
    kind: CONTACT_SYNC,
    shop,
    payload: { shop, email: contact.email, marketingConsent: true, level: "CONFIRMED_OPT_IN" } satisfies ContactSyncPayload,
  });
  // What the shopper viewed or carted while the confirmation waited can start its flows now.
  if (contact.visitorId) await enqueueFlowChecks(db, shop, contact.visitorId, await recentTies(db, shop, contact.visitorId, now), now);
  return "confirmed";
}
