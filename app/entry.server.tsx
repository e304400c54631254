import { PassThrough } from "node:stream";
import { renderToPipeableStream } from "react-dom/server";
import { RemixServer } from "@remix-run/react";
import { createReadableStreamFromReadable, type EntryContext } from "@remix-run/node";
import { isbot } from "isbot";
import { addDocumentResponseHeaders } from "./shopify.server";

export const streamTimeout = 5000;

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  // Adds the embedded app's CSP (frame-ancestors the shop's admin) and related headers.
  addDocumentResponseHeaders(request, responseHeaders);
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
        console.error(error);
      },
    });
    setTimeout(abort, streamTimeout + 1000);
  });
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
  return startWorker({ db: getDb(), dialect: currentDialect(), handlers: jobHandlers(), logger, pollMs: 1000 });
}
