/**
 * The production/demo HTTP server: the Remix app (admin, webhooks, app proxy, /healthz),
 * the demo storefront's extension assets in demo mode, and — unless WORKER_IN_PROCESS=0 —
 * the job worker loop in the same process. `npm run worker` runs workers on their own.
 */
import cluster from "node:cluster";
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import express from "express";
import compression from "compression";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import { assertEnvOrExit, getKnobs } from "./app/env.server";
import { logger } from "./app/services/logger.server";

export async function startServer(options: { port?: number } = {}) {
  const env = assertEnvOrExit();
  if (env.DEMO_MODE) {
    const { startMockAdminApi } = await import("./app/demo/mock-admin.server");
    startMockAdminApi();
  }
  const buildPath = path.resolve("build/server/index.js");
  const build = (await import(pathToFileURL(buildPath).href)) as ServerBuild & {
    entry: { module: { startBackground?: () => Promise<() => Promise<void>> } };
  };

  const app = express();
  app.disable("x-powered-by");
  // Machine-to-machine POSTs (webhooks, app proxy events) skip compression, static files and
  // Remix's document/data plumbing: they go straight to their route module's action.
  // (`machinePosts` takes them before express; this route serves what it passes on.)
  app.post(MACHINE_POST, express.raw({ type: () => true, limit: MAX_BODY_BYTES }), directAction(build));
  app.use(compression());
  // Nothing outside the embedded admin (and its auth bounce pages) may be framed: the
  // unsubscribe page, resource routes, errors. Remix documents replace this header with the
  // library's per-shop frame-ancestors (entry.server.tsx).
  app.use((req, res, next) => {
    if (/^\/(app|auth)(\/|$)/.test(req.path)) return next();
    // Set just before the headers go out, and only when the response has no policy of its own
    // (appending would give two policies, and browsers enforce both).
    const writeHead = res.writeHead;
    res.writeHead = function (this: typeof res, ...args: Parameters<typeof writeHead>) {
      if (!res.getHeader("Content-Security-Policy")) res.setHeader("Content-Security-Policy", "frame-ancestors 'none'");
      return writeHead.apply(this, args);
    } as typeof writeHead;
    next();
  });
  app.use("/assets", express.static("build/client/assets", { immutable: true, maxAge: "1y" }));
  if (env.DEMO_MODE) {
    // The theme app extension's built assets, served the way Shopify's CDN would serve them.
    app.use("/demo/ext", express.static("extensions/intentful/assets", { maxAge: "1h" }));
  }
  // redirect: false — public/demo/ must not turn /demo into a 301 to /demo/.
  app.use(express.static("build/client", { maxAge: "1h", redirect: false }));
  if (env.DEMO_MODE) {
    // Stand-in for the Shopify admin iframe: it always opens the app with embedded=1, shop,
    // host and a fresh session token. Only full document loads need it; App Bridge (our
    // stand-in, public/demo/app-bridge.js) adds the token to fetches.
    const { demoAdminUrl } = await import("./app/demo/session-token.server");
    app.get(/^\/app(\/.*)?$/, (req, res, next) => {
      const accept = req.headers.accept ?? "";
      const isDocument = accept.includes("text/html") && !("_data" in req.query);
      if (!isDocument || req.query.id_token || req.headers.authorization) return next();
      const params = new URLSearchParams(req.url.split("?")[1] ?? "");
      res.redirect(302, demoAdminUrl(req.path, params));
    });
  }
  app.all("*", createRequestHandler({ build: build as unknown as ServerBuild, mode: env.NODE_ENV }));
  // Last: whatever express itself could not handle answers with a status and a reason, never
  // express's default page (a stack trace and file paths outside production).
  app.use(((error, _req, res, next) => {
    if (res.headersSent) return next(error);
    if ((error as { type?: string })?.type === "entity.too.large") return tooLarge(res);
    const status = Number((error as { status?: number })?.status);
    const client = status >= 400 && status < 500;
    if (!client) logger.error("request failed", { error: error instanceof Error ? error.message : String(error) });
    res
      .status(client ? status : 500)
      .type("text/plain")
      .send(client ? "bad request" : "internal error");
  }) as express.ErrorRequestHandler);

  const port = options.port ?? env.PORT;
  const machine = machinePosts(build);
  const server = http.createServer((req, res) => {
    if (!machine(req, res)) app(req, res);
  });
  server.listen(port, () => logger.info(`Intentful listening on http://localhost:${port}`, { demo: env.DEMO_MODE }));
  // Senders (Shopify, load balancers) keep connections open: outlive their idle timeouts so a
  // request never races the server closing an idle socket.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  let stopWorker: (() => Promise<void>) | undefined;
  if (env.WORKER_IN_PROCESS && build.entry.module.startBackground) {
    stopWorker = await build.entry.module.startBackground();
  }
  const shutdown = async () => {
    server.close();
    await stopWorker?.();
    process.exit(0);
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
  return server;
}

const MACHINE_POST = /^\/(webhooks\/[a-z_/]+|proxy\/events)$/;
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Webhook deliveries and app proxy event batches are most of the traffic: plain POSTs from
 * machines. They are answered here, on node:http, before express: its per-request setup (request
 * and response prototypes, query parsing, the middleware chain, raw-body) cost about as much CPU
 * as the webhook's own work (decision 100). Same body limit and answers as the express route,
 * which still serves what this passes on: compressed bodies (express inflates them) and paths
 * without an action. Returns false when it leaves the request to express.
 */
function machinePosts(build: ServerBuild): (req: http.IncomingMessage, res: http.ServerResponse) => boolean {
  const byPath = actionsByPath(build);
  return (req, res) => {
    if (req.method !== "POST") return false;
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    const pathname = query === -1 ? url : url.slice(0, query);
    if (!MACHINE_POST.test(pathname)) return false;
    const module = byPath.get(pathname);
    const encoding = req.headers["content-encoding"];
    if (!module?.action || (encoding && encoding !== "identity")) return false;
    const declared = Number(req.headers["content-length"]);
    if (declared > MAX_BODY_BYTES) {
      tooLarge(res);
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      // Over the limit, chunked or not: answer now and buffer nothing more. The rest is read and
      // dropped for up to 5 s (closing on unread data would reset the connection, and the sender
      // could lose the 413), then the connection is closed.
      req.off("data", onData);
      chunks.length = 0;
      tooLarge(res, false);
      req.resume();
      const linger = setTimeout(() => req.socket.destroy(), 5_000);
      linger.unref();
      req.once("end", () => {
        clearTimeout(linger);
        req.socket.end();
      });
    };
    req.on("data", onData);
    req.on("error", () => res.destroy());
    req.on("end", () => {
      if (size > MAX_BODY_BYTES) return;
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      void runAction(module, pathname, `http://${req.headers.host ?? "localhost"}${url}`, req.headers, body, res);
    });
    return true;
  };
}

function tooLarge(res: http.ServerResponse, close = true) {
  res.writeHead(413, { "Content-Type": "text/plain; charset=utf-8", ...(close ? { Connection: "close" } : {}) });
  res.end("request body larger than 1 MB");
}

type RouteModule = { action?: (args: { request: Request; params: Record<string, string>; context: object }) => Promise<Response> | Response };

/**
 * Calls the action of the route module whose path matches — the same code Remix would run —
 * for the high-volume POST endpoints (see docs/decisions/100-webhook-throughput.md). A path with
 * no such route falls through to Remix (404).
 */
function directAction(build: ServerBuild): express.RequestHandler {
  const byPath = actionsByPath(build);
  return (req, res, next) => {
    const module = byPath.get(req.path);
    if (!module?.action) return next();
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const url = `${req.protocol}://${req.get("host") ?? "localhost"}${req.originalUrl}`;
    void runAction(module, req.path, url, req.headers, body, res);
  };
}

function actionsByPath(build: ServerBuild): Map<string, RouteModule> {
  const byPath = new Map<string, RouteModule>();
  for (const route of Object.values(build.routes)) {
    if (route?.path && /^(webhooks\/|proxy\/events$)/.test(route.path)) byPath.set(`/${route.path}`, route.module as RouteModule);
  }
  return byPath;
}

/** The route's action on a web Request, its Response (returned or thrown) written back. */
async function runAction(module: RouteModule, pathname: string, url: string, incoming: http.IncomingHttpHeaders, body: Buffer, res: http.ServerResponse) {
  try {
    const headers = new Headers();
    for (const name in incoming) {
      const value = incoming[name];
      if (typeof value === "string") headers.set(name, value);
      else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    }
    const request = new Request(url, { method: "POST", headers, body: body as Uint8Array<ArrayBuffer> });
    let response: Response;
    try {
      response = await module.action!({ request, params: {}, context: {} });
    } catch (thrown) {
      if (!(thrown instanceof Response)) throw thrown;
      response = thrown;
    }
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      out[name] = value;
    });
    const payload = response.body ? Buffer.from(await response.arrayBuffer()) : undefined;
    // A length, not chunked framing: one write for headers and body.
    out["content-length"] = String(payload?.length ?? 0);
    res.writeHead(response.status, out);
    res.end(payload);
  } catch (error) {
    logger.error("request failed", { path: pathname, error: error instanceof Error ? error.message : String(error) });
    if (!res.headersSent) {
      res.writeHead(500, { "Content-Type": "application/json; charset=utf-8" });
      res.end(JSON.stringify({ error: "internal error" }));
    } else res.end();
  }
}

/**
 * WEB_CONCURRENCY=N (default 1) runs N web processes on one port with node:cluster, as Node hosts
 * conventionally do, so intake uses every core. Only the first runs the in-process job worker
 * (when WORKER_IN_PROCESS is on); a process that dies is replaced.
 */
export async function startCluster(options: { port?: number } = {}): Promise<void> {
  const count = getKnobs().WEB_CONCURRENCY;
  if (count === 1 || !cluster.isPrimary) {
    await startServer(options);
    return;
  }
  let stopping = false;
  const fork = (index: number) => {
    const worker = cluster.fork({
      INTENTFUL_WEB_INDEX: String(index),
      ...(index > 0 ? { WORKER_IN_PROCESS: "0" } : {}),
      ...(options.port ? { PORT: String(options.port) } : {}),
    });
    worker.once("exit", (code, signal) => {
      if (stopping) return;
      logger.warn("web process exited; starting another", { index, code, signal });
      fork(index);
    });
  };
  for (let i = 0; i < count; i++) fork(i);
  const stop = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.kill("SIGTERM");
    setTimeout(() => process.exit(0), 10_000).unref();
    cluster.on("exit", () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  // `npm start` is production unless told otherwise: no stack traces or file paths in answers.
  process.env.NODE_ENV ??= "production";
  await startCluster();
}
