/** Applies pending migrations to DATABASE_URL (SQLite or PostgreSQL) with the bundled schema engine. */
import { execFileSync } from "node:child_process";
import path from "node:path";

export function migrate(databaseUrl = process.env.DATABASE_URL ?? "file:./prisma/dev.sqlite") {
  const root = path.resolve(import.meta.dirname, "..");
  execFileSync(process.execPath, [path.join(root, "node_modules/prisma/build/index.js"), "migrate", "deploy"], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  migrate();
  console.log("migrations applied");
}
