import net, { type AddressInfo, type Socket } from "node:net";

/**
 * A TCP proxy on 127.0.0.1 that can be cut and restored, for fault tests: point a client (a
 * database URL, an SMTP URL) at `port` instead of the real server.
 *
 * - `cut()` destroys every open connection and refuses new ones (the listener stays bound, so
 *   nobody else can take the port, and `restore()` needs no re-listen);
 * - `restore()` forwards new connections again;
 * - `connections` counts connections accepted while up (to prove a client reconnected).
 */
export interface TcpProxy {
  port: number;
  host: string;
  connections: number;
  /** true while forwarding */
  readonly up: boolean;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let up = true;
  const state = { connections: 0 };
  const server = net.createServer((client) => {
    if (!up) {
      client.destroy(); // accepted then dropped at once: a refused/reset connection to the client
      return;
    }
    state.connections++;
    const upstream = net.connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", drop);
    upstream.on("error", drop);
    client.on("close", drop);
    upstream.on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    host: "127.0.0.1",
    get connections() {
      return state.connections;
    },
    get up() {
      return up;
    },
    cut() {
      up = false;
      for (const s of open) s.destroy();
      open.clear();
    },
    restore() {
      up = true;
    },
    close() {
      up = false;
      for (const s of open) s.destroy();
      open.clear();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The same database URL, through the proxy (host and port swapped, everything else kept). */
export function viaProxy(url: string, proxy: { host: string; port: number }): string {
  const u = new URL(url);
  u.hostname = proxy.host;
  u.port = String(proxy.port);
  return u.toString();
}
