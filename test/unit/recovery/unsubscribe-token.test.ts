import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { signUnsubscribeToken, verifyUnsubscribeToken } from "~/services/email/unsubscribe-token.server";

const SECRET = "test-secret-0123456789abcdef";

describe("unsubscribe tokens", () => {
  it("verify to the shop and email they were signed for", () => {
    const token = signUnsubscribeToken({ shop: "acme.myshopify.com", email: "Ann@Example.com " }, SECRET);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyUnsubscribeToken(token, SECRET)).toEqual({
      valid: true,
      shop: "acme.myshopify.com",
      email: "ann@example.com",
    });
  });

  it("round-trip any shop and email", () => {
    fc.assert(
      fc.property(fc.domain(), fc.emailAddress(), (shop, email) => {
        const result = verifyUnsubscribeToken(signUnsubscribeToken({ shop, email }, SECRET), SECRET);
        return result.valid && result.shop === shop && result.email === email.trim().toLowerCase();
      }),
    );
  });

  it("reject a token whose payload was swapped for another shopper's", () => {
    const mine = signUnsubscribeToken({ shop: "acme.myshopify.com", email: "ann@example.com" }, SECRET);
    const forged = Buffer.from(JSON.stringify({ s: "acme.myshopify.com", e: "bob@example.com" })).toString("base64url");
    expect(verifyUnsubscribeToken(`${forged}.${mine.split(".")[1]}`, SECRET)).toEqual({
      valid: false,
      reason: "bad_signature",
    });
  });

  it("reject any change to the signature, including its last character", () => {
    const token = signUnsubscribeToken({ shop: "acme.myshopify.com", email: "ann@example.com" }, SECRET);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (const c of alphabet) {
      if (c === token.at(-1)) continue;
      expect(verifyUnsubscribeToken(token.slice(0, -1) + c, SECRET).valid).toBe(false);
    }
  });

  it("reject a token signed with another secret", () => {
    const token = signUnsubscribeToken({ shop: "a.myshopify.com", email: "ann@example.com" }, "another-secret-0123456789");
    expect(verifyUnsubscribeToken(token, SECRET)).toEqual({ valid: false, reason: "bad_signature" });
  });

  it.each(["", "abc", "a.b.c", "abc.", "ab$.cd", `${"a".repeat(3000)}.b`])("call %j malformed", (token) => {
    expect(verifyUnsubscribeToken(token, SECRET)).toEqual({ valid: false, reason: "malformed" });
  });

  it("refuse to sign with a secret too short to be safe", () => {
    expect(() => signUnsubscribeToken({ shop: "a", email: "b@c.d" }, "short")).toThrow(/at least 16 bytes/);
  });
});
