import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * What a running `npm run demo` tells the commands typed beside it (the README's
 * `npm run worker -- --once --now …`): its database, port and public URL. The demo writes it at
 * start; a worker started with neither DEMO_MODE nor DATABASE_URL set adopts it, so the README's
 * line works verbatim and its emails link to the port the demo serves.
 */
export interface DemoRuntime {
  databaseUrl: string;
  port: number;
  appUrl: string;
  pid: number;
  startedAt: string;
}

export function demoRuntimePath(root: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.INTENTFUL_DEMO_RUNTIME ?? path.join(root, "prisma", "demo-runtime.json");
}

export function writeDemoRuntime(file: string, runtime: DemoRuntime): void {
  writeFileSync(file, JSON.stringify(runtime, null, 2) + "\n");
}

/**
 * Fills env from the demo's runtime file when nothing says otherwise (neither DEMO_MODE nor
 * DATABASE_URL set). Returns the runtime adopted, or null.
 */
export function adoptDemoRuntime(file: string, env: NodeJS.ProcessEnv = process.env): DemoRuntime | null {
  if (env.DEMO_MODE !== undefined || env.DATABASE_URL !== undefined || !existsSync(file)) return null;
  let runtime: DemoRuntime;
  try {
    runtime = JSON.parse(readFileSync(file, "utf8")) as DemoRuntime;
  } catch {
    return null;
  }
  if (typeof runtime.databaseUrl !== "string" || !runtime.databaseUrl.startsWith("file:")) return null;
  env.DEMO_MODE = "1";
  env.NODE_ENV ??= "development";
  env.DATABASE_URL = runtime.databaseUrl;
  env.PORT ??= String(runtime.port);
  env.SHOPIFY_APP_URL ??= runtime.appUrl;
  return runtime;
}
