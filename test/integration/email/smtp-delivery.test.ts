import { afterEach, describe, expect, it } from "vitest";
import { createMailer, type Mailer } from "~/services/email/mailer.server";
import { renderRecoveryEmail } from "~/services/email/render.server";
import { signUnsubscribeToken } from "~/services/email/unsubscribe-token.server";
import { flowTemplates } from "~/domain/recovery/templates";
import { findPart, parseMime } from "./mime";
import { startSmtpPeer, type SmtpPeer } from "./smtp-peer";

const RECOVERY_URL = "https://acme.myshopify.com/6810/checkouts/ac/c1a2b3/recover?key=5e6f";

const open: Array<SmtpPeer | Mailer> = [];
afterEach(async () => {
  for (const item of open.splice(0)) {
    if ("received" in item) await item.close();
    else item.close();
  }
});

async function peer(options?: Parameters<typeof startSmtpPeer>[0]) {
  const p = await startSmtpPeer(options);
  open.push(p);
  return p;
}

function mailerFor(url: string): Mailer {
  const mailer = createMailer({
    smtpUrl: url,
    from: '"Acme Outfitters" <hello@acme.test>',
    timeouts: { connection: 2_000, greeting: 2_000, socket: 5_000 },
  });
  open.push(mailer);
  return mailer;
}

async function recoveryEmail() {
  const token = signUnsubscribeToken({ shop: "acme.myshopify.com", email: "ann@example.com" }, "integration-secret-0123456789");
  const unsubscribeUrl = `https://intentful.example.com/unsubscribe/${token}`;
  const rendered = await renderRecoveryEmail({
    shop: { name: "Acme Outfitters", currency: "USD" },
    step: flowTemplates.checkout.steps[1],
    checkout: {
      lineItems: [
        { title: "Merino Sweater", variantTitle: "Blue / M", quantity: 1, priceCents: 8_900 },
        { title: "Wool Socks – 3 pack", quantity: 2, priceCents: 1_200 },
      ],
      totalCents: 11_300,
      currency: "USD",
      recoveryUrl: RECOVERY_URL,
      firstName: "Ann",
    },
    discountCode: "BACK-Q7X2",
    unsubscribeUrl,
  });
  return {
    unsubscribeUrl,
    message: {
      to: "ann@example.com",
      replyTo: "support@acme.test",
      ...rendered,
      idempotencyKey: "run_42:step_2",
      unsubscribe: { url: unsubscribeUrl, mailto: "unsubscribe@intentful.example.com?subject=unsubscribe" },
    },
  };
}

describe("sending a recovery email over SMTP", () => {
  it("delivers the rendered email with its link, items, text part and one-click unsubscribe headers", async () => {
    // GIVEN a real SMTP server and a rendered second-step recovery email
    const smtp = await peer();
    const mailer = mailerFor(smtp.url);
    const { message, unsubscribeUrl } = await recoveryEmail();

    // WHEN the mailer sends it
    const result = await mailer.send(message);

    // THEN the server received exactly that email
    expect(result).toMatchObject({ ok: true, transportId: expect.stringMatching(/^250/) });
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail.from).toBe("hello@acme.test");
    expect(mail.to).toEqual(["ann@example.com"]);

    const parsed = parseMime(mail.raw);
    expect(parsed.headers.get("subject")).toBe("Still thinking it over? Here is 10% off");
    expect(parsed.headers.get("reply-to")).toBe("support@acme.test");
    expect(parsed.headers.get("list-unsubscribe")).toBe(`<${unsubscribeUrl}>, <mailto:unsubscribe@intentful.example.com?subject=unsubscribe>`);
    expect(parsed.headers.get("list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
    expect(parsed.headers.get("message-id")).toBe(result.ok ? result.messageId : "");
    expect(parsed.headers.get("content-type")).toMatch(/^multipart\/alternative/);

    const html = findPart(parsed, "text/html")?.body ?? "";
    const text = findPart(parsed, "text/plain")?.body ?? "";
    expect(html).toContain(`href="${RECOVERY_URL}"`);
    expect(text).toContain(`: ${RECOVERY_URL}`);
    for (const body of [html, text]) {
      expect(body).toContain("Merino Sweater");
      expect(body).toContain("Wool Socks – 3 pack");
      expect(body).toContain("BACK-Q7X2");
      expect(body).toContain(unsubscribeUrl);
    }
    expect(mailer.status()).toMatchObject({ kind: "smtp", host: "127.0.0.1", sent: 1, failed: 0, lastError: null });
  });

  it("sends a retried message with the same Message-ID", async () => {
    const smtp = await peer();
    const mailer = mailerFor(smtp.url);
    const { message } = await recoveryEmail();

    await mailer.send(message);
    await mailer.send(message);

    const ids = smtp.received.map((m) => parseMime(m.raw).headers.get("message-id"));
    expect(ids).toHaveLength(2);
    expect(ids[0]).toMatch(/^<[0-9a-f]{32}\.intentful@acme\.test>$/);
    expect(ids[1]).toBe(ids[0]);
  });

  it("sends from the shop's name without letting its punctuation break the From header", async () => {
    const smtp = await peer();
    const mailer = mailerFor(smtp.url);
    const { message } = await recoveryEmail();

    await mailer.send({ ...message, from: { name: 'Tom & "Jerry", Ltd\r\nBcc: x@evil.test', address: "shop@acme.test" } });

    const headers = parseMime(smtp.received[0].raw).headers;
    expect(headers.get("from")).toBe('"Tom & \\"Jerry\\", Ltd Bcc: x@evil.test" <shop@acme.test>');
    expect(headers.has("bcc")).toBe(false);
    expect(smtp.received[0].to).toEqual(["ann@example.com"]);
  });

  it("reports a temporary failure when the server answers 451", async () => {
    const smtp = await peer({ reject: { code: 451, message: "4.3.0 Greylisted, try again later" } });
    const mailer = mailerFor(smtp.url);
    const { message } = await recoveryEmail();

    const result = await mailer.send(message);

    expect(result).toMatchObject({ ok: false, permanent: false, responseCode: 451 });
    expect(result.ok ? "" : result.reason).toContain("Greylisted");
    expect(smtp.received).toHaveLength(0);
    expect(mailer.status()).toMatchObject({ sent: 0, failed: 1, lastError: expect.stringContaining("451") });
  });

  it("reports a permanent failure and a rejected recipient when the server answers 550", async () => {
    const smtp = await peer({ reject: { code: 550, message: "5.1.1 Mailbox unavailable" } });
    const mailer = mailerFor(smtp.url);
    const { message } = await recoveryEmail();

    const result = await mailer.send(message);

    expect(result).toMatchObject({ ok: false, permanent: true, responseCode: 550, recipientRejected: true });
    expect(result.ok ? "" : result.reason).toContain("Mailbox unavailable");
  });

  it("reports a temporary failure when nothing listens at the SMTP address", async () => {
    const smtp = await startSmtpPeer();
    await smtp.close();
    const mailer = mailerFor(smtp.url);
    const { message } = await recoveryEmail();

    expect(await mailer.send(message)).toMatchObject({ ok: false, permanent: false });
    expect(await mailer.verify()).toMatchObject({ ok: false });
  });

  it("verifies a reachable server without sending anything", async () => {
    const smtp = await peer();
    expect(await mailerFor(smtp.url).verify()).toEqual({ ok: true });
    expect(smtp.received).toHaveLength(0);
  });
});
