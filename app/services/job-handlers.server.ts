import type { JobHandler } from "./jobs.server";
import { unauthenticated } from "~/shopify.server";
import { publishRules } from "./publish.server";

/** Every job kind the worker knows, and what it does. */
export function jobHandlers(): Record<string, JobHandler> {
  return {
    "publish-rules": async ({ shop }: { shop: string }) => {
      const { admin } = await unauthenticated.admin(shop);
      const result = await publishRules(shop, admin, { retryOnFailure: false });
      if (!result.ok) throw new Error(result.error);
    },
    ...extraHandlers,
  };
}

const extraHandlers: Record<string, JobHandler> = {};

/** Lets a service module add its job kinds (recovery, retention, …) at import time. */
export function registerJobHandler(kind: string, handler: JobHandler) {
  extraHandlers[kind] = handler;
}
