/**
 * The production/demo HTTP server: the Remix app (admin, webhooks, app proxy, /healthz),
 * the demo storefront's extension assets in demo mode, and — unless WORKER_IN_PROCESS=0 —
 * the job worker loop in the same process. `npm run worker` runs workers on their own.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import express from "express";
import compression from "compression";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import { assertEnvOrExit } from "./app/env.server";
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
  app.use(compression());
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

  const port = options.port ?? env.PORT;
  const server = app.listen(port, () => logger.info(`Intentful listening on http://localhost:${port}`, { demo: env.DEMO_MODE }));

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

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await startServer();
}
