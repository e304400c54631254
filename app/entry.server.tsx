import { PassThrough } from "node:stream";
import { renderToPipeableStream } from "react-dom/server";
import { RemixServer } from "@remix-run/react";
import { createReadableStreamFromReadable, type EntryContext } from "@remix-run/node";
import { isbot } from "isbot";
import { addDocumentResponseHeaders } from "./shopify.server";
import { getEnv, workerTuning } from "./env.server";
import { logger } from "./services/logger.server";

export const streamTimeout = 5000;

export default async function handleRequest(request: Request, responseStatusCode: number, responseHeaders: Headers, remixContext: EntryContext) {
  // Adds the embedded app's CSP (frame-ancestors the shop's admin) and related headers.
  addDocumentResponseHeaders(request, responseHeaders);
  denyFramingUnlessEmbedded(responseHeaders);
  // The demo runs offline with a stand-in App Bridge: don't preload Shopify's CDN copy.
  if (getEnv().DEMO_MODE) dropCdnPreload(responseHeaders);
  const userAgent = request.headers.get("user-agent");
  const callbackName = isbot(userAgent ?? "") ? "onAllReady" : "onShellReady";

  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} />, {
      [callbackName]: () => {
        const body = new PassThrough();
        const stream = createReadableStreamFromReadable(body);
        responseHeaders.set("Content-Type", "text/html");
        resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
        pipe(body);
      },
      onShellError(error) {
        reject(error);
      },
      onError(error) {
        responseStatusCode = 500;
        logger.error("render failed", { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      },
    });
    setTimeout(abort, streamTimeout + 1000);
  });
}

/**
 * The library sets `frame-ancestors https://<shop> https://admin.shopify.com …` only when the
 * URL names a valid shop (an admin page loaded in the Shopify admin's iframe). Every other
 * document (log-in page, a 404, a URL with a forged shop) must not be framed by anyone.
 */
function denyFramingUnlessEmbedded(headers: Headers): void {
  const csp = headers.get("Content-Security-Policy") ?? "";
  if (/(^|;)\s*frame-ancestors\s/i.test(csp)) return;
  headers.set("Content-Security-Policy", csp ? `${csp.replace(/;?\s*$/, ";")} frame-ancestors 'none';` : "frame-ancestors 'none';");
  headers.set("X-Frame-Options", "DENY");
}

function dropCdnPreload(headers: Headers): void {
  const links = (headers.get("Link") ?? "").split(/,(?=\s*<)/).filter((l) => l.trim() && !l.includes("cdn.shopify.com"));
  if (links.length) headers.set("Link", links.join(", "));
  else headers.delete("Link");
}

/**
 * Called once by server.ts after the build loads: runs the job worker inside the web process
 * (the default; `npm run worker` runs it separately). Returns a stop function.
 */
export async function startBackground(): Promise<() => Promise<void>> {
  const [{ startWorker }, { jobHandlers, scheduleMaintenance }, { getDb, currentDialect }, { logger }] = await Promise.all([
    import("./services/jobs.server"),
    import("./services/job-handlers.server"),
    import("./db.server"),
    import("./services/logger.server"),
  ]);
  await scheduleMaintenance().catch((error) => logger.warn("could not schedule maintenance", { error: String(error) }));
  // The same knobs and defaults as `npm run worker` (env.server.ts, checked at boot).
  return startWorker({ db: getDb(), handlers: jobHandlers(), logger, ...workerTuning(currentDialect()) });
}
