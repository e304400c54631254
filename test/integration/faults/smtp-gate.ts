import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import type { ReceivedMail } from "../email/smtp-peer";

/**
 * A real SMTP server on 127.0.0.1 that fault tests can steer (test/integration/email/smtp-peer.ts
 * is the plain one):
 * - `port`: listen on a given port (an SMTP peer "coming back" where the app expects it);
 * - `hold`: stop a session at a point and wait for `release()` —
 *   "mail-from": before the sender is accepted (nothing transferred yet),
 *   "data-end": after the whole message was received and recorded, before the final 250
 *   (the peer has the email; the client does not know yet);
 * - `rcptReply`: answer RCPT TO with a reply of choice (e.g. 451 temporary) while it returns one.
 */
export interface GatedSmtpPeer {
  url: string;
  port: number;
  received: ReceivedMail[];
  /** resolves when a session reaches the hold point (the n-th time: held(n), from 1) */
  held(n?: number): Promise<void>;
  /** lets every held session (and later ones) carry on */
  release(): void;
  close(): Promise<void>;
}

export interface GateOptions {
  port?: number;
  hold?: "mail-from" | "data-end";
  rcptReply?: () => { code: number; message: string } | undefined;
}

export async function startGatedSmtpPeer(options: GateOptions = {}): Promise<GatedSmtpPeer> {
  const received: ReceivedMail[] = [];
  let holding = Boolean(options.hold);
  let holds = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const parked: Array<() => void> = [];
  const park = (go: () => void) => {
    holds++;
    for (const w of waiters.filter((w) => w.n <= holds)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
    if (holding) parked.push(go);
    else go();
  };
  const config: SMTPServerOptions = {
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    closeTimeout: 200,
    onMailFrom(_address, _session, callback) {
      if (options.hold === "mail-from") park(() => callback());
      else callback();
    },
    onRcptTo(_address, _session, callback) {
      const reply = options.rcptReply?.();
      if (!reply) return callback();
      callback(Object.assign(new Error(reply.message), { responseCode: reply.code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        if (options.hold === "data-end") park(() => callback());
        else callback();
      });
    },
  };
  const server = new SMTPServer(config);
  server.on("error", () => undefined); // a client killed mid-session is expected here
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  const release = () => {
    holding = false;
    for (const go of parked.splice(0)) {
      try {
        go();
      } catch {
        // the session's client is gone
      }
    }
  };
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    held: (n = 1) =>
      new Promise<void>((resolve) => {
        if (holds >= n) resolve();
        else waiters.push({ n, resolve });
      }),
    release,
    close: () => {
      release();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
