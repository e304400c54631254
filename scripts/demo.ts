/**
 * `npm run demo`: the whole app offline. Demo defaults for every setting, SQLite under
 * prisma/, migrations and seed at start, the built app served on PORT (default 3000).
 */
import { execSync } from "node:child_process";
import { existsSync, statSync, readdirSync } from "node:fs";
import path from "node:path";

process.env.DEMO_MODE = "1";
process.env.NODE_ENV ??= "development";
process.env.DATABASE_URL ??= "file:./prisma/demo.sqlite";
process.env.PORT ??= "3000";

const root = path.resolve(import.meta.dirname, "..");
process.chdir(root);

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const built = path.join(root, "build/server/index.js");
const stale =
  !existsSync(built) ||
  !existsSync(path.join(root, "build/node/scripts/worker.js")) ||
  newestMtime(path.join(root, "app")) > statSync(built).mtimeMs ||
  newestMtime(path.join(root, "extensions/intentful/src")) > statSync(built).mtimeMs ||
  newestMtime(path.join(root, "public")) > statSync(built).mtimeMs;
if (stale || process.env.DEMO_REBUILD === "1") {
  console.log("building the app (first run, or sources changed)…");
  execSync("npm run build", { stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
}

const { assertEnvOrExit } = await import("../app/env.server");
assertEnvOrExit();
const { migrate } = await import("./migrate");
migrate(process.env.DATABASE_URL);
const { startMockAdminApi } = await import("../app/demo/mock-admin.server");
startMockAdminApi();
const { getDb } = await import("../app/db.server");
const { seedDemo } = await import("../app/demo/seed.server");
await seedDemo(getDb());
const { startServer } = await import("../server");
await startServer();
// For the commands typed beside the demo (the README's worker line): app/demo/runtime.ts.
const { demoRuntimePath, writeDemoRuntime } = await import("../app/demo/runtime");
const dbFile = path.resolve(root, process.env.DATABASE_URL.replace(/^file:/, ""));
writeDemoRuntime(demoRuntimePath(root), {
  databaseUrl: `file:${dbFile}`,
  port: Number(process.env.PORT),
  appUrl: process.env.SHOPIFY_APP_URL ?? `http://localhost:${process.env.PORT}`,
  pid: process.pid,
  startedAt: new Date().toISOString(),
});
console.log(`
  Intentful demo is running:
    storefront  http://localhost:${process.env.PORT}/demo
    admin       http://localhost:${process.env.PORT}/app
    health      http://localhost:${process.env.PORT}/healthz
`);
