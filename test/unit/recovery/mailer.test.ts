import { describe, expect, it } from "vitest";
import { classifySmtpError, createMailer, messageIdFor, type OutgoingEmail } from "~/services/email/mailer.server";

function message(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    to: "ann@example.com",
    subject: "You left something behind",
    html: "<p>hi</p>",
    text: "hi",
    idempotencyKey: "run_1:step_1",
    unsubscribe: { url: "https://app.example.com/unsubscribe/tok" },
    ...overrides,
  };
}

describe("the outbox mailer (no SMTP_URL)", () => {
  const mailer = createMailer({ from: '"Acme" <hello@acme.test>', now: () => new Date("2025-06-10T15:00:00Z") });

  it("accepts a message and reports a transport id derived from the idempotency key", async () => {
    const first = await mailer.send(message());
    const retry = await mailer.send(message());
    expect(first).toEqual({ ok: true, transportId: expect.stringMatching(/^outbox:<[0-9a-f]{32}\.intentful@acme\.test>$/), messageId: expect.any(String) });
    expect(retry).toEqual(first);
    expect(mailer.status()).toEqual({ kind: "outbox", sent: 2, lastSentAt: new Date("2025-06-10T15:00:00Z") });
  });

  it("fails permanently for an address that cannot receive mail", async () => {
    expect(await mailer.send(message({ to: "not an address" }))).toMatchObject({ ok: false, permanent: true });
  });

  it("refuses to send without an https one-click unsubscribe link", async () => {
    const result = await mailer.send(message({ unsubscribe: { url: "http://app.example.com/u/tok" } }));
    expect(result).toEqual({ ok: false, permanent: true, reason: "unsubscribe url must be https (http only for localhost)" });
    expect(await mailer.send(message({ unsubscribe: { url: "http://localhost:3000/u/tok" } }))).toMatchObject({ ok: true });
  });
});

describe("createMailer", () => {
  it("rejects an SMTP_URL that is not smtp:// or smtps://", () => {
    expect(() => createMailer({ from: "a@b.co", smtpUrl: "https://mail.example.com" })).toThrow(/smtp:\/\/ or smtps:\/\//);
    expect(() => createMailer({ from: "nobody", smtpUrl: "smtp://localhost:25" })).toThrow(/from/);
  });

  it("reports the SMTP host and user in its status, never the password", () => {
    const mailer = createMailer({ from: "a@b.co", smtpUrl: "smtps://user%40b.co:s3cret@smtp.example.com" });
    const status = mailer.status();
    expect(status).toMatchObject({ kind: "smtp", host: "smtp.example.com", port: 465, secure: true, user: "user@b.co" });
    expect(JSON.stringify(status)).not.toContain("s3cret");
    mailer.close();
  });
});

describe("messageIdFor", () => {
  it("gives the same idempotency key the same Message-ID and different keys different ones", () => {
    expect(messageIdFor("k1", "hello@Acme.test")).toBe(messageIdFor("k1", "hello@acme.test"));
    expect(messageIdFor("k1", "hello@acme.test")).not.toBe(messageIdFor("k2", "hello@acme.test"));
  });
});

describe("classifySmtpError", () => {
  it("treats a 4xx reply as temporary", () => {
    const error = Object.assign(new Error("Recipient command failed"), {
      code: "EENVELOPE",
      responseCode: 451,
      response: "451 4.3.0 Try again later",
      command: "RCPT TO",
    });
    expect(classifySmtpError(error)).toEqual({ ok: false, permanent: false, reason: "451 4.3.0 Try again later", responseCode: 451 });
  });

  it("treats a 5xx recipient rejection as permanent and marks it a hard bounce", () => {
    const error = Object.assign(new Error("Recipient command failed"), {
      code: "EENVELOPE",
      responseCode: 550,
      response: "550 5.1.1 Mailbox unavailable",
      command: "RCPT TO",
    });
    expect(classifySmtpError(error)).toEqual({
      ok: false,
      permanent: true,
      reason: "550 5.1.1 Mailbox unavailable",
      responseCode: 550,
      recipientRejected: true,
    });
  });

  it("treats refused connections and timeouts as temporary", () => {
    expect(classifySmtpError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ESOCKET" }))).toMatchObject({ permanent: false });
    expect(classifySmtpError(Object.assign(new Error("Timeout"), { code: "ETIMEDOUT" }))).toMatchObject({ permanent: false });
  });

  it("keeps a message retryable when our own credentials are rejected", () => {
    const error = Object.assign(new Error("Invalid login"), { code: "EAUTH", responseCode: 535, response: "535 5.7.8 Bad credentials", command: "AUTH PLAIN" });
    expect(classifySmtpError(error)).toMatchObject({ permanent: false, responseCode: 535 });
  });
});
