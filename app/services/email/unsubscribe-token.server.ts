import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Unsubscribe links carry `{shop, email}` signed with HMAC-SHA256, so the one-click
 * endpoint needs no login and no lookup table, and nobody can unsubscribe someone else.
 * Tokens do not expire: an unsubscribe link must keep working for as long as the email
 * sits in an inbox. Format: base64url(JSON) "." base64url(HMAC).
 */
export interface UnsubscribeSubject {
  shop: string;
  email: string;
}

export type UnsubscribeVerification = { valid: true; shop: string; email: string } | { valid: false; reason: "malformed" | "bad_signature" };

const CONTEXT = "intentful:unsubscribe:v1:";
/** The double opt-in link's context (consent.server): the same token, signed for another purpose. */
export const CONFIRM_CONTEXT = "intentful:confirm:v1:";
const MIN_SECRET_BYTES = 16;

function mac(secret: string, payload: string, context = CONTEXT): Buffer {
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    throw new Error(`unsubscribe secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  return createHmac("sha256", secret).update(context).update(payload).digest();
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function signUnsubscribeToken(subject: UnsubscribeSubject, secret: string, context = CONTEXT): string {
  const payload = Buffer.from(JSON.stringify({ s: subject.shop, e: normalizeEmail(subject.email) }), "utf8").toString("base64url");
  return `${payload}.${mac(secret, payload, context).toString("base64url")}`;
}

const B64URL = /^[A-Za-z0-9_-]+$/;

export function verifyUnsubscribeToken(token: string, secret: string, context = CONTEXT): UnsubscribeVerification {
  const parts = typeof token === "string" ? token.split(".") : [];
  if (parts.length !== 2 || !B64URL.test(parts[0]) || !B64URL.test(parts[1]) || token.length > 2048) {
    return { valid: false, reason: "malformed" };
  }
  const [payload, signature] = parts;
  // Compare the encoded text, not decoded bytes: base64url has spare bits, so several
  // strings decode to one MAC and a decoded compare would accept altered tokens.
  const expected = Buffer.from(mac(secret, payload, context).toString("base64url"));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { valid: false, reason: "bad_signature" };
  }
  try {
    const data: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    if (typeof data === "object" && data !== null && typeof (data as { s?: unknown }).s === "string" && typeof (data as { e?: unknown }).e === "string") {
      const { s, e } = data as { s: string; e: string };
      return { valid: true, shop: s, email: e };
    }
  } catch {
    // fall through: a correctly signed token with a broken payload is still malformed
  }
  return { valid: false, reason: "malformed" };
}

export const unsubscribeToken = { sign: signUnsubscribeToken, verify: verifyUnsubscribeToken };
