/**
 * Secrets and personal data never reach the logs. Part 1 drives representative flows at
 * LOG_LEVEL=info (what production runs) — webhook intake of a checkout with the shopper's email, phone, name and
 * address (valid and malformed), proxy events with an email capture (accepted and refused),
 * the contact sync job, the recovery email through SMTP, a send the SMTP server refuses
 * (naming the recipient), admin actions with a valid and a forged session token — while
 * capturing everything written to stdout, stderr and the console, and checks that the API
 * secret, the access token, session tokens and the shopper's data are absent, and that the
 * flows did log. Part 2 pins the logger's redaction rules (app/services/logger.server.ts).
 *
 * Not at LOG_LEVEL=debug: app/shopify.server.ts then turns the Shopify library's own logger to
 * debug, and it prints session tokens (JWTs) straight to the console, past our logger
 * (reported in docs/decisions/080-security.md).
 */
process.env.LOG_LEVEL = "info";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callRoute, SHOP_A, startHarness, type Harness } from "../admin/harness";
import { adminRequest, proxyRequest, sessionToken, webhookRequest } from "../../support/shopify";
import { startSmtpPeer, type SmtpPeer } from "../email/smtp-peer";
import { at, checkoutPayload } from "../webhooks/fixtures";
import { batch } from "../proxy/helpers";

const SHOPPER = {
  email: "Jane.Shopper@Example.com",
  capture: "jane.capture@example.org",
  rejected: "bounced.shopper@example.net",
  phone: "+1 555 010 4477",
  first: "Janeway",
  last: "Quixotica",
  street: "742 Evergreen Terrace",
};

let h: Harness;
let okSmtp: SmtpPeer;
let badSmtp: SmtpPeer;
const captured: string[] = [];
const restore: Array<() => void> = [];

function capture() {
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      captured.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => (stream.write = original as typeof stream.write));
  }
  for (const method of ["log", "info", "warn", "debug", "error", "trace"] as const) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      captured.push(args.map((a) => (typeof a === "string" ? a : (JSON.stringify(a) ?? String(a)))).join(" "));
      original(...args);
    };
    restore.push(() => (console[method] = original));
  }
}

const output = () => captured.join("\n");

beforeAll(async () => {
  h = await startHarness();
  okSmtp = await startSmtpPeer();
  badSmtp = await startSmtpPeer({ reject: { code: 550, message: `5.1.1 <${SHOPPER.rejected}>: Recipient address rejected: user unknown` } });
  const flow = await h.t.db.recoveryFlow.findFirstOrThrow({ where: { shop: SHOP_A, kind: "checkout" } });
  await h.t.db.recoveryStep.deleteMany({ where: { flowId: flow.id, position: { gt: 0 } } });
  await h.t.db.recoveryFlow.update({ where: { id: flow.id }, data: { enabled: true, holdoutPct: 0 } });
  capture();
}, 120_000);

afterAll(async () => {
  for (const r of restore.splice(0)) r();
  const { setMailerForTests } = await import("~/services/mail.server");
  setMailerForTests(undefined);
  await okSmtp?.close();
  await badSmtp?.close();
  await h?.cleanup();
});

async function runDue(now: Date) {
  const [{ drainDue }, { jobHandlers }, { logger }] = await Promise.all([
    import("~/services/jobs.server"),
    import("~/services/job-handlers.server"),
    import("~/services/logger.server"),
  ]);
  return drainDue({ db: h.t.db, handlers: jobHandlers(), now: () => now, logger });
}

async function useSmtp(peer: SmtpPeer) {
  const [{ setMailerForTests }, { createMailer }, { logger }] = await Promise.all([
    import("~/services/mail.server"),
    import("~/services/email/mailer.server"),
    import("~/services/logger.server"),
  ]);
  setMailerForTests(createMailer({ smtpUrl: peer.url, from: "recovery@shop-a.example", logger }));
}

function shopperCheckout(email: string) {
  return checkoutPayload({
    email,
    phone: SHOPPER.phone,
    customer: { id: 4242, email, phone: SHOPPER.phone, first_name: SHOPPER.first, last_name: SHOPPER.last },
    billing_address: { first_name: SHOPPER.first, last_name: SHOPPER.last, address1: SHOPPER.street, phone: SHOPPER.phone, zip: "49007" },
    shipping_address: { first_name: SHOPPER.first, last_name: SHOPPER.last, address1: SHOPPER.street, phone: SHOPPER.phone, zip: "49007" },
  });
}

describe("representative flows log no secret and no personal data", () => {
  it("webhook intake: a checkout with the shopper's details, and a malformed one", async () => {
    const { action } = await import("~/routes/webhooks.checkouts.create");
    const ok = await action({ request: webhookRequest("checkouts/create", shopperCheckout(SHOPPER.email), { shop: SHOP_A }), params: {}, context: {} });
    expect(ok.status).toBe(200);
    // wrongly typed: rejected and logged ("webhook rejected")
    const bad = { ...shopperCheckout(SHOPPER.email), line_items: `${SHOPPER.email} ${SHOPPER.phone}`, total_price: { email: SHOPPER.email } };
    const rejected = await action({ request: webhookRequest("checkouts/create", bad, { shop: SHOP_A }), params: {}, context: {} });
    expect(rejected.status).toBe(200);
    // forged: 401
    const forged = await action({
      request: webhookRequest("checkouts/create", shopperCheckout(SHOPPER.email), { shop: SHOP_A, secretOverride: "wrong-secret-wrong-secret" }),
      params: {},
      context: {},
    });
    expect(forged.status).toBe(401);
  });

  it("proxy events: an accepted email capture, a refused one, and the contact sync job", async () => {
    const { action } = await import("~/routes/proxy.events");
    const capture = { kind: "email_capture", at: Date.now(), triggerId: "trg_mail", variant: "treatment", email: SHOPPER.capture, marketingConsent: true };
    const accepted = await action({ request: proxyRequest("/proxy/events", batch([capture])), params: {}, context: {} });
    expect(accepted.status).toBe(204);
    const refused = await action({
      request: proxyRequest("/proxy/events", batch([{ ...capture, email: `${SHOPPER.capture} ${SHOPPER.phone}`, marketingConsent: SHOPPER.email }])),
      params: {},
      context: {},
    });
    expect(refused.status).toBe(400);
    await runDue(new Date(Date.now() + 60_000)); // the confirmation email (double opt-in)
    expect(await h.t.db.contact.count({ where: { shop: SHOP_A, email: SHOPPER.capture } })).toBe(1);
    const { confirmContact } = await import("~/services/consent.server");
    expect(await confirmContact(h.t.db, SHOP_A, SHOPPER.capture)).toBe("confirmed");
    await runDue(new Date(Date.now() + 120_000)); // then the contact sync
  });

  it("recovery: the email goes out over SMTP", async () => {
    await useSmtp(okSmtp);
    await runDue(at(65));
    await runDue(at(66));
    expect(okSmtp.received.some((m) => m.to.includes(SHOPPER.email.toLowerCase()) || m.to.includes(SHOPPER.email))).toBe(true);
  });

  it("recovery: the SMTP server refuses the recipient, naming the address", async () => {
    await useSmtp(badSmtp);
    const { action } = await import("~/routes/webhooks.checkouts.create");
    const res = await action({ request: webhookRequest("checkouts/create", shopperCheckout(SHOPPER.rejected), { shop: SHOP_A }), params: {}, context: {} });
    expect(res.status).toBe(200);
    await runDue(at(67));
    await runDue(at(68));
    const message = await h.t.db.message.findFirstOrThrow({ where: { shop: SHOP_A, email: SHOPPER.rejected } });
    expect(message.status).not.toBe("sent");
  });

  it("admin: settings saved with a valid session token, refused with a forged one", async () => {
    const settings = await import("~/routes/app.settings");
    const loaded = (await (await callRoute(settings.loader, "/app/settings", { shop: SHOP_A })).json()) as { values: Record<string, string> };
    const saved = await callRoute(settings.action, "/app/settings", {
      shop: SHOP_A,
      method: "POST",
      form: { ...loaded.values, intent: "save", senderEmail: "owner@shop-a.example" },
    });
    expect(saved.status).toBe(200);
    const invalid = await callRoute(settings.action, "/app/settings", {
      shop: SHOP_A,
      method: "POST",
      form: { ...loaded.values, intent: "save", senderEmail: `${SHOPPER.email} not an address` },
    });
    expect(invalid.status).toBe(422);
    const forged = adminRequest("/app/settings", { shop: SHOP_A, method: "POST", form: { intent: "publish" } });
    forged.headers.set("Authorization", `Bearer ${sessionToken(SHOP_A).slice(0, -4)}AAAA`);
    const refused = await settings.action({ request: forged, params: {}, context: {} }).catch((r: unknown) => r as Response);
    expect((refused as Response).status).toBe(401);
  });

  it("none of it logged the API secret, an access or session token, or the shopper's email, phone, name or address", () => {
    const text = output();
    // the flows did log (so the checks below are not vacuous)
    for (const line of ["webhook rejected", "event batch refused", "confirmation email sent", "contact synced", "recovery emails sent", "email not sent"]) {
      expect(text, `expected a "${line}" log line`).toContain(line);
    }
    const forbidden = [
      process.env.SHOPIFY_API_SECRET!,
      "shpat_test",
      SHOPPER.email,
      SHOPPER.email.toLowerCase(),
      SHOPPER.capture,
      SHOPPER.rejected,
      SHOPPER.phone,
      SHOPPER.phone.replace(/\s/g, ""),
      SHOPPER.first,
      SHOPPER.last,
      SHOPPER.street,
      "owner@shop-a.example",
    ];
    for (const secret of forbidden) expect(text, `the logs contain "${secret}"`).not.toContain(secret);
    // no session token (JWT) either
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\./);
  });
});

describe("logger redaction rules", () => {
  let mod: typeof import("~/services/logger.server");
  beforeAll(async () => {
    mod = await import("~/services/logger.server");
  });

  it("redacts sensitive keys at any depth, keeping ids, counts and product data", () => {
    const line = mod.formatLine("info", "checkout", {
      shop: SHOP_A,
      webhookId: "wh-1",
      payload: shopperCheckout(SHOPPER.email),
      headers: new Headers({ Authorization: "Bearer abc.def.ghi", Cookie: "a=b", "X-Shopify-Topic": "checkouts/create" }),
      accessToken: "opaque-access-value",
      access_token: "opaque-access-value",
      apiSecret: "opaque-secret-value",
      password: "hunter2hunter2",
      Phone: 5550104477,
      customerId: "gid://shopify/Customer/4242",
      acceptsEmail: true,
      list: [{ email: "a@b.co" }, { first_name: SHOPPER.first }],
    });
    const parsed = JSON.parse(line) as Record<string, any>;
    expect(parsed.shop).toBe(SHOP_A);
    expect(parsed.webhookId).toBe("wh-1");
    expect(parsed.customerId).toBe("gid://shopify/Customer/4242");
    expect(parsed.acceptsEmail).toBe(true);
    expect(parsed.payload.email).toBe(mod.REDACTED);
    expect(parsed.payload.phone).toBe(mod.REDACTED);
    expect(parsed.payload.customer).toBe(mod.REDACTED);
    expect(parsed.payload.billing_address).toBe(mod.REDACTED);
    expect(parsed.payload.token).toBe(mod.REDACTED);
    expect(parsed.payload.line_items[0].title).toBe("Linen Shirt");
    expect(parsed.payload.total_price).toBe("59.00");
    expect(parsed.headers.authorization).toBe(mod.REDACTED);
    expect(parsed.headers.cookie).toBe(mod.REDACTED);
    expect(parsed.headers["x-shopify-topic"]).toBe("checkouts/create");
    for (const k of ["accessToken", "access_token", "apiSecret", "password", "Phone"]) expect(parsed[k], k).toBe(mod.REDACTED);
    expect(parsed.list).toEqual([{ email: mod.REDACTED }, { first_name: mod.REDACTED }]);
    for (const s of [SHOPPER.email, SHOPPER.first, SHOPPER.street, "opaque-access-value", "hunter2", "abc.def.ghi"]) expect(line).not.toContain(s);
  });

  it("keeps RFC 5322 Message-IDs readable (they look like addresses but name no one), emails elsewhere masked", () => {
    const parsed = JSON.parse(mod.formatLine("info", "email sent", { messageId: "<k1.abc@intentful.local>", note: "to a@b.example" })) as Record<
      string,
      string
    >;
    expect(parsed.messageId).toBe("<k1.abc@intentful.local>");
    expect(parsed.note).toBe("to [email]");
  });

  it("masks secrets and personal data in free text", () => {
    const jwt = sessionToken(SHOP_A);
    const text = [
      `send to ${SHOPPER.email} failed`,
      "token shpat_0123456789abcdef and shpss_abc123",
      `session ${jwt}`,
      "Authorization: Bearer opaque-bearer-value-123",
      "smtp://mailer:sup3r-s3cret@smtp.example.com:587",
      "https://shop-a.myshopify.com/checkouts/c1/recover?key=recoverykey123&utm=x",
      "/auth/session-token?shop=a&id_token=tok123456",
      `call ${SHOPPER.phone} now`,
      `secret ${process.env.SHOPIFY_API_SECRET}`,
    ].join(" | ");
    const out = mod.redact(text);
    for (const s of [
      SHOPPER.email,
      "shpat_0123456789abcdef",
      "shpss_abc123",
      jwt,
      "opaque-bearer-value-123",
      "sup3r-s3cret",
      "mailer:",
      "recoverykey123",
      "tok123456",
      SHOPPER.phone,
      process.env.SHOPIFY_API_SECRET!,
    ]) {
      expect(out, s).not.toContain(s);
    }
    // what is not secret stays readable
    expect(out).toContain("send to [email] failed");
    expect(out).toContain("smtp.example.com:587");
    expect(out).toContain("utm=x");
    expect(out).toContain("https://shop-a.myshopify.com/checkouts/c1/recover?key=");
  });

  it("the app's own secrets are masked wherever they appear (SMTP password from SMTP_URL)", () => {
    const before = process.env.SMTP_URL;
    process.env.SMTP_URL = "smtps://user:p%40ss-Word-9@mail.example.com:465";
    try {
      expect(mod.redact("login failed for p@ss-Word-9 on mail.example.com")).not.toContain("p@ss-Word-9");
    } finally {
      if (before === undefined) delete process.env.SMTP_URL;
      else process.env.SMTP_URL = before;
    }
  });

  it("never throws: cycles, BigInt, Errors, Maps, deep nesting; a meta key cannot overwrite the level or message", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = { leaf: SHOPPER.email };
    for (let i = 0; i < 20; i++) deep = { deep };
    const error = Object.assign(new Error(`SMTP 550 <${SHOPPER.email}> rejected`), { code: "EENVELOPE", responseCode: 550 });
    const line = mod.formatLine("warn", "odd values", {
      cyclic,
      big: 12n,
      error,
      map: new Map([["email", SHOPPER.email]]),
      deep,
      level: "debug",
      msg: "spoofed",
    });
    const parsed = JSON.parse(line) as Record<string, any>;
    expect(parsed.level).toBe("warn");
    expect(parsed.msg).toBe("odd values");
    expect(parsed._level).toBe("debug");
    expect(parsed.cyclic.self).toBe("[circular]");
    expect(parsed.big).toBe("12");
    expect(parsed.error).toEqual({ name: "Error", message: "SMTP 550 <[email]> rejected", code: "EENVELOPE", responseCode: 550 });
    expect(parsed.map).toEqual({ email: mod.REDACTED });
    expect(line).not.toContain(SHOPPER.email);
  });
});
