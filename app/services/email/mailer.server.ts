import { createHash } from "node:crypto";
import nodemailer, { type SendMailOptions } from "nodemailer";
import MailComposer from "nodemailer/lib/mail-composer";

/**
 * Sends one email. With `smtpUrl` it talks SMTP through nodemailer; without, it is the
 * "outbox" transport of the one-machine setup: it accepts the message and the caller keeps
 * it in the Message table, where the admin (and the demo) shows it.
 *
 * Every message gets RFC 8058 one-click unsubscribe headers and a Message-ID derived from
 * its idempotency key, so a retried send is recognisably the same message.
 */

export interface MailerLogger {
  debug?(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** `"Acme" <hello@acme.test>`, or name and address apart so a shop name needs no quoting. */
export type Sender = string | { name: string; address: string };

export interface OutgoingEmail {
  to: string;
  /** Overrides the mailer's default sender. */
  from?: Sender;
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  headers?: Record<string, string>;
  /** Stable per logical message (e.g. the Message row's key): retries reuse it. */
  idempotencyKey: string;
  /** One-click unsubscribe endpoint (https; http only on localhost), plus an optional mailto. */
  unsubscribe: { url: string; mailto?: string };
}

export type SendResult =
  | { ok: true; transportId: string; messageId: string }
  | {
      ok: false;
      /** true: retrying will not help (5xx, bad address); false: try again later. */
      permanent: boolean;
      reason: string;
      responseCode?: number;
      /** The receiving server refused this recipient with a 5xx: a hard bounce worth suppressing. */
      recipientRejected?: boolean;
    };

export type MailerStatus =
  | {
      kind: "smtp";
      host: string;
      port: number;
      secure: boolean;
      user: string | null;
      sent: number;
      failed: number;
      lastSentAt: Date | null;
      lastError: string | null;
    }
  | { kind: "outbox"; sent: number; lastSentAt: Date | null };

export interface Mailer {
  send(message: OutgoingEmail): Promise<SendResult>;
  status(): MailerStatus;
  /** Connects and authenticates without sending: for a settings page's "test connection". */
  verify(): Promise<{ ok: true } | { ok: false; reason: string }>;
  close(): void;
}

export interface MailerOptions {
  /** `smtp://user:pass@host:587` or `smtps://…:465`; nodemailer URL options are allowed in the query. */
  smtpUrl?: string | null;
  /** Default sender. */
  from: Sender;
  logger?: MailerLogger;
  now?: () => Date;
  /** Socket timeouts in ms; tests shorten them. */
  timeouts?: { connection?: number; greeting?: number; socket?: number };
}

const noopLogger: MailerLogger = { info() {}, warn() {}, error() {} };
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** The outbox (no SMTP_URL: the Message rows are the emails) or SMTP through a pooled nodemailer transport. */
export function createMailer(options: MailerOptions): Mailer {
  if (!addressOf(options.from)) throw new TypeError("mailer: `from` must contain an email address");
  return options.smtpUrl ? smtpMailer(options, options.smtpUrl) : outboxMailer(options);
}

function outboxMailer(options: MailerOptions): Mailer {
  const now = options.now ?? (() => new Date());
  let sent = 0;
  let lastSentAt: Date | null = null;
  return {
    async send(message) {
      const prepared = prepare(message, options.from);
      if (!prepared.ok) return prepared.failure;
      sent++;
      lastSentAt = now();
      return { ok: true, transportId: `outbox:${prepared.messageId}`, messageId: prepared.messageId };
    },
    status: () => ({ kind: "outbox", sent, lastSentAt }),
    verify: async () => ({ ok: true }),
    close() {},
  };
}

function smtpTransport(smtpUrl: string, timeouts: MailerOptions["timeouts"]) {
  return nodemailer.createTransport({
    url: smtpUrl,
    // Connections are reused (an SMTP handshake per email costs more than the email): up to 5 at
    // once, each renewed after 100 messages and closed after 30 s idle. The URL's query may
    // override any of these (…?pool=false, …&maxConnections=10).
    pool: true,
    maxConnections: 5,
    maxMessages: 100,
    idleTimeout: 30_000,
    connectionTimeout: timeouts?.connection ?? 10_000,
    greetingTimeout: timeouts?.greeting ?? 10_000,
    socketTimeout: timeouts?.socket ?? 30_000,
    logger: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
}

function smtpMailer(options: MailerOptions, smtpUrl: string): Mailer {
  const logger = options.logger ?? noopLogger;
  const now = options.now ?? (() => new Date());
  const url = parseSmtpUrl(smtpUrl);
  const transport = smtpTransport(smtpUrl, options.timeouts);
  let sent = 0;
  let failed = 0;
  let lastSentAt: Date | null = null;
  let lastError: string | null = null;
  return {
    async send(message) {
      const prepared = prepare(message, options.from);
      if (!prepared.ok) return prepared.failure;
      try {
        // The message is built into one buffer first: streamed, each of the MIME builder's small
        // chunks became its own socket write (a syscall each, ~8% of a worker's CPU at load).
        const raw = await new MailComposer(prepared.mail).compile().build();
        const info = await transport.sendMail({ envelope: prepared.envelope, raw, messageId: prepared.messageId });
        sent++;
        lastSentAt = now();
        const transportId = String(info.response ?? info.messageId ?? prepared.messageId).slice(0, 300);
        // Per email at debug: the Message row is the record, and its sender logs a line per batch.
        logger.debug?.("email sent", { idempotencyKey: message.idempotencyKey, messageId: prepared.messageId });
        return { ok: true, transportId, messageId: prepared.messageId };
      } catch (error) {
        failed++;
        const failure = classifySmtpError(error);
        lastError = failure.reason;
        logger.warn("email not sent", { idempotencyKey: message.idempotencyKey, permanent: failure.permanent, reason: failure.reason });
        return failure;
      }
    },
    status: () => ({
      kind: "smtp",
      host: url.hostname,
      port: Number(url.port) || (url.protocol === "smtps:" ? 465 : 587),
      secure: url.protocol === "smtps:",
      user: url.username ? decodeURIComponent(url.username) : null,
      sent,
      failed,
      lastSentAt,
      lastError,
    }),
    async verify() {
      try {
        await transport.verify();
        return { ok: true };
      } catch (error) {
        return { ok: false, reason: classifySmtpError(error).reason };
      }
    },
    close() {
      transport.close();
    },
  };
}

type Prepared =
  { ok: true; messageId: string; mail: SendMailOptions; envelope: { from: string; to: string[] } } | { ok: false; failure: Extract<SendResult, { ok: false }> };

function prepare(message: OutgoingEmail, defaultFrom: Sender): Prepared {
  const reject = (reason: string): Prepared => ({ ok: false, failure: { ok: false, permanent: true, reason } });
  if (!EMAIL.test(message.to.trim())) return reject(`invalid recipient address ${JSON.stringify(message.to)}`);
  if (!message.idempotencyKey) return reject("missing idempotency key");
  const from = message.from || defaultFrom;
  const sender = addressOf(from);
  if (!sender) return reject("invalid sender address");
  const fromField = typeof from === "string" ? from : { name: from.name.replace(/[\r\n]+/g, " "), address: sender };
  const unsubscribe = unsubscribeHeader(message.unsubscribe);
  if (!unsubscribe) return reject("unsubscribe url must be https (http only for localhost)");

  const messageId = messageIdFor(message.idempotencyKey, sender);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (/^[!-9;-~]+$/.test(name)) headers[name] = value.replace(/[\r\n]+/g, " ");
  }
  headers["List-Unsubscribe"] = unsubscribe;
  headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";

  return {
    ok: true,
    messageId,
    envelope: { from: sender, to: [message.to.trim()] },
    mail: {
      // ASCII HTML goes out quoted-printable either way; saying so skips scanning it to decide.
      textEncoding: "quoted-printable",
      from: fromField,
      to: message.to.trim(),
      replyTo: message.replyTo || undefined,
      subject: message.subject,
      html: message.html,
      text: message.text,
      messageId,
      headers,
    },
  };
}

function unsubscribeHeader(unsubscribe: OutgoingEmail["unsubscribe"]): string | null {
  let url: URL;
  try {
    url = new URL(unsubscribe.url);
  } catch {
    return null;
  }
  const local = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && local)) return null;
  const parts = [`<${url.toString()}>`];
  if (unsubscribe.mailto) {
    const mailto = unsubscribe.mailto.startsWith("mailto:") ? unsubscribe.mailto : `mailto:${unsubscribe.mailto}`;
    if (!/[\s<>]/.test(mailto)) parts.push(`<${mailto}>`);
  }
  return parts.join(", ");
}

function addressOf(from: Sender): string | null {
  if (typeof from !== "string") return EMAIL.test(from.address.trim()) ? from.address.trim() : null;
  const match = /<([^<>]+)>\s*$/.exec(from) ?? /^\s*([^\s<>]+)\s*$/.exec(from);
  const address = match?.[1].trim() ?? "";
  return EMAIL.test(address) ? address : null;
}

/** Same idempotency key → same Message-ID, at the sender's domain. */
export function messageIdFor(idempotencyKey: string, senderAddress: string): string {
  const domain = senderAddress.slice(senderAddress.lastIndexOf("@") + 1).toLowerCase();
  const hash = createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 32);
  return `<${hash}.intentful@${domain}>`;
}

function parseSmtpUrl(smtpUrl: string): URL {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new TypeError("SMTP_URL is not a valid URL");
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") {
    throw new TypeError("SMTP_URL must start with smtp:// or smtps://");
  }
  return url;
}

interface SmtpErrorLike {
  message?: string;
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  rejectedErrors?: SmtpErrorLike[];
}

/**
 * 5xx replies are permanent; 4xx replies, timeouts and broken connections are temporary.
 * Exception: a 5xx to AUTH means our credentials are wrong, which a fix to the settings
 * cures, so the message stays retryable.
 */
export function classifySmtpError(error: unknown): Extract<SendResult, { ok: false }> {
  const e = (typeof error === "object" && error !== null ? error : { message: String(error) }) as SmtpErrorLike;
  const source = e.responseCode == null && e.rejectedErrors?.length ? e.rejectedErrors[0] : e;
  const responseCode = typeof source.responseCode === "number" ? source.responseCode : undefined;
  const reason = (source.response || source.message || e.code || "unknown SMTP error").replace(/\s+/g, " ").slice(0, 300);
  const isAuth = e.code === "EAUTH" || source.command?.startsWith("AUTH") === true;

  let permanent: boolean;
  if (responseCode != null) permanent = responseCode >= 500 && responseCode < 600 && !isAuth;
  else permanent = e.code === "EENVELOPE";

  return {
    ok: false,
    permanent,
    reason: responseCode != null && !reason.startsWith(String(responseCode)) ? `${responseCode} ${reason}` : reason,
    ...(responseCode != null ? { responseCode } : {}),
    ...(permanent && source.command === "RCPT TO" ? { recipientRejected: true } : {}),
  };
}
