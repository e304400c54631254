import { createHmac, timingSafeEqual } from "node:crypto";
import { getEnv } from "~/env.server";
import { createMailer, type Mailer } from "./email/mailer.server";
import { logger } from "./logger.server";

let mailer: Mailer | undefined;

/** The process-wide mailer: SMTP when SMTP_URL is set, otherwise the outbox (the demo). */
export function getMailer(): Mailer {
  if (!mailer) {
    const env = getEnv();
    mailer = createMailer({ smtpUrl: env.SMTP_URL, from: env.EMAIL_FROM ?? "recovery@intentful.local", logger });
  }
  return mailer;
}

export function setMailerForTests(m: Mailer | undefined) {
  mailer = m;
}

/** Signed links in emails (click tracking), so a URL cannot be forged to mark clicks. */
export function linkSignature(value: string): string {
  return createHmac("sha256", getEnv().SHOPIFY_API_SECRET).update(`link:${value}`).digest("base64url").slice(0, 22);
}

export function verifyLinkSignature(value: string, signature: string): boolean {
  const expected = Buffer.from(linkSignature(value));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
